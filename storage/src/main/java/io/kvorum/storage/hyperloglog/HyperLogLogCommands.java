package io.kvorum.storage.hyperloglog;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * PFADD, PFCOUNT, PFMERGE and PFDEBUG as in Redis 7.0. A HyperLogLog is an ordinary string
 * value (TYPE says string, GET returns the HLL bytes), so these commands read and write it with
 * {@link Keyspace#putString} like any string command; every write leaves a raw-encoded string,
 * as Redis's createHLLObject and dbUnshareStringValue do.
 *
 * <p>PFCOUNT of one key caches the cardinality in the header. Redis writes that cache even
 * though PFCOUNT is flagged read-only, so GET shows it; our read path cannot write, so the
 * PFCOUNT entry is {@link KeyspaceCommand#alwaysLogged() always logged} and updates the cache
 * exactly as Redis does, on every replica. (Run on a read view, e.g. by a test, it still returns
 * the right count and only leaves the cache stale.)
 */
public final class HyperLogLogCommands {
  static final String NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";
  static final String CORRUPTED = "INVALIDOBJ Corrupted HLL object detected";

  private HyperLogLogCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(
            of("pfadd", -2, "write denyoom fast", 1, 1, 1, "@write @hyperloglog @fast", ""),
            HyperLogLogCommands::pfadd),
        KeyspaceCommand.of(
            of("pfcount", -2, "readonly", 1, -1, 1, "@read @hyperloglog @slow", ""),
            HyperLogLogCommands::pfcount).alwaysLogged(),
        KeyspaceCommand.of(
            of("pfmerge", -2, "write denyoom", 1, -1, 1, "@write @hyperloglog @slow", ""),
            HyperLogLogCommands::pfmerge),
        KeyspaceCommand.of(
            of("pfdebug", 3, "write denyoom admin", 2, 2, 1,
                "@write @hyperloglog @admin @slow @dangerous", ""),
            HyperLogLogCommands::pfdebug));
  }

  /** The key's HLL, or null when absent; Redis's two WRONGTYPE errors otherwise. */
  private static KeyMeta lookupHll(Keyspace ks, byte[] key) {
    KeyMeta meta = ks.lookup(key, RedisType.STRING);
    if (meta != null && !HyperLogLog.isValid(meta.value())) {
      throw new RedisError(NOT_HLL);
    }
    return meta;
  }

  private static void store(Keyspace ks, byte[] key, KeyMeta old, HyperLogLog hll) {
    ks.putString(key, old, hll.bytes(), KeyMeta.Encoding.RAW, old == null ? 0 : old.expireAt());
  }

  /** PFADD key [element …]: 1 when the key was created or a register changed. */
  static Reply pfadd(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta old = lookupHll(ks, args[1]);
    HyperLogLog hll;
    int updated = 0;
    if (old == null) {
      hll = HyperLogLog.empty();
      updated++;
    } else {
      hll = HyperLogLog.of(old.value());
    }
    for (int j = 2; j < args.length; j++) {
      int result = hll.add(args[j]);
      if (result == 1) {
        updated++;
      } else if (result < 0) {
        // Redis edits the value in place (made raw first), so elements added before the
        // corrupt spot stay added.
        if (old != null && (old.encoding() != KeyMeta.Encoding.RAW
            || !Arrays.equals(hll.bytes(), old.value()))) {
          store(ks, args[1], old, hll);
        }
        throw new RedisError(CORRUPTED);
      }
    }
    if (updated > 0) {
      hll.invalidateCache();
      store(ks, args[1], old, hll);
    } else if (old.encoding() != KeyMeta.Encoding.RAW) {
      // dbUnshareStringValue turned an embstr into a raw string, nothing else changed.
      store(ks, args[1], old, hll);
    }
    return updated > 0 ? Reply.ONE : Reply.ZERO;
  }

  /** PFCOUNT key [key …]: the cached or computed count of one HLL, or of the union of several. */
  static Reply pfcount(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    if (args.length > 2) {
      byte[] max = new byte[HyperLogLog.REGISTERS];
      for (int j = 1; j < args.length; j++) {
        KeyMeta meta = lookupHll(ks, args[j]);
        if (meta == null) {
          continue;
        }
        if (!HyperLogLog.of(meta.value()).mergeInto(max)) {
          throw new RedisError(CORRUPTED);
        }
      }
      return Reply.integer(HyperLogLog.countRaw(max));
    }
    KeyMeta meta = lookupHll(ks, args[1]);
    if (meta == null) {
      return Reply.ZERO;
    }
    HyperLogLog hll = HyperLogLog.of(meta.value());
    if (hll.hasValidCache()) {
      if (ks.writable() && meta.encoding() != KeyMeta.Encoding.RAW) {
        store(ks, args[1], meta, hll); // dbUnshareStringValue: the value becomes raw
      }
      return Reply.integer(hll.cachedCardinality());
    }
    long card = hll.count();
    if (card == -1) {
      if (ks.writable() && meta.encoding() != KeyMeta.Encoding.RAW) {
        store(ks, args[1], meta, hll);
      }
      throw new RedisError(CORRUPTED);
    }
    if (ks.writable()) {
      hll.setCachedCardinality(card);
      store(ks, args[1], meta, hll);
    }
    return Reply.integer(card);
  }

  /** PFMERGE destkey [sourcekey …]: the destination itself takes part in the union. */
  static Reply pfmerge(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    byte[] max = new byte[HyperLogLog.REGISTERS];
    boolean useDense = false;
    for (int j = 1; j < args.length; j++) {
      KeyMeta meta = lookupHll(ks, args[j]);
      if (meta == null) {
        continue;
      }
      HyperLogLog source = HyperLogLog.of(meta.value());
      if (source.encoding() == HyperLogLog.DENSE) {
        useDense = true;
      }
      if (!source.mergeInto(max)) {
        throw new RedisError(CORRUPTED);
      }
    }
    KeyMeta old = ks.lookup(args[1]);
    HyperLogLog dest = old == null ? HyperLogLog.empty() : HyperLogLog.of(old.value());
    if (useDense && !dest.sparseToDense()) {
      throw new RedisError(CORRUPTED);
    }
    for (int j = 0; j < HyperLogLog.REGISTERS; j++) {
      if (max[j] == 0) {
        continue;
      }
      if (dest.encoding() == HyperLogLog.DENSE) {
        dest.denseRaise(j, max[j]);
      } else {
        dest.sparseSet(j, max[j]);
      }
    }
    dest.invalidateCache();
    store(ks, args[1], old, dest);
    return Reply.OK;
  }

  /** PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. */
  static Reply pfdebug(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(args[2]);
    if (old == null) {
      throw new RedisError("ERR The specified key does not exist");
    }
    lookupHll(ks, args[2]);
    HyperLogLog hll = HyperLogLog.of(old.value());
    boolean sparse = hll.encoding() == HyperLogLog.SPARSE;
    // Redis unshares the value (making it raw) before it looks at the subcommand.
    Reply reply;
    if (Keywords.is(args[1], "getreg")) {
      if (sparse && !hll.sparseToDense()) {
        reply = Reply.error(CORRUPTED);
      } else {
        List<Reply> registers = new ArrayList<>(HyperLogLog.REGISTERS);
        for (int j = 0; j < HyperLogLog.REGISTERS; j++) {
          registers.add(Reply.integer(hll.denseRegister(j)));
        }
        reply = Reply.array(registers);
      }
    } else if (Keywords.is(args[1], "decode")) {
      reply = sparse ? Reply.bulk(hll.decodeSparse())
          : Reply.error("ERR HLL encoding is not sparse");
    } else if (Keywords.is(args[1], "encoding")) {
      reply = Reply.status(sparse ? "sparse" : "dense");
    } else if (Keywords.is(args[1], "todense")) {
      if (sparse && !hll.sparseToDense()) {
        reply = Reply.error(CORRUPTED);
      } else {
        reply = sparse ? Reply.ONE : Reply.ZERO;
      }
    } else {
      reply = Reply.error(
          "ERR Unknown PFDEBUG subcommand '" + Keywords.cString(args[1]) + "'");
    }
    if (old.encoding() != KeyMeta.Encoding.RAW || !Arrays.equals(hll.bytes(), old.value())) {
      store(ks, args[2], old, hll);
    }
    return reply;
  }
}
