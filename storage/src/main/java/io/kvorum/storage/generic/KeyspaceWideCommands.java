package io.kvorum.storage.generic;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.engine.Column;
import io.kvorum.storage.engine.DataView;
import io.kvorum.storage.keyspace.KeyCodec;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Commands over a whole keyspace: DBSIZE, KEYS, RANDOMKEY, FLUSHDB, FLUSHALL. Each runs on one slot
 * group; the gateway fans them out to every group (their tips say so: {@code
 * request_policy:all_shards}) and merges the replies by the response policy. Also the internal
 * reads the gateway builds SCAN and CLUSTER COUNTKEYSINSLOT/GETKEYSINSLOT from.
 */
public final class KeyspaceWideCommands {
  /** Internal: {@code kvorum.scan from to count [MATCH pattern] [TYPE type]}; see {@link #scan}. */
  public static final String SCAN = "kvorum.scan";
  /** Internal: {@code kvorum.countkeysinslot slot} → number of keys stored in the slot. */
  public static final String COUNT_KEYS_IN_SLOT = "kvorum.countkeysinslot";
  /** Internal: {@code kvorum.getkeysinslot slot count} → up to count keys of the slot. */
  public static final String GET_KEYS_IN_SLOT = "kvorum.getkeysinslot";

  /** Up to this many keys RANDOMKEY picks by position (uniform); beyond, by a random seek. */
  private static final long EXACT_RANDOM_LIMIT = 1024;
  private static final byte[] FIRST = new byte[0];

  private KeyspaceWideCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(
            of("dbsize", 1, "readonly fast", 0, 0, 0, "@keyspace @read @fast",
                "request_policy:all_shards response_policy:agg_sum"),
            KeyspaceWideCommands::dbsize),
        KeyspaceCommand.of(
            of("keys", 2, "readonly", 0, 0, 0, "@keyspace @read @slow @dangerous",
                "request_policy:all_shards nondeterministic_output_order"),
            KeyspaceWideCommands::keys),
        KeyspaceCommand.of(
            of("randomkey", 1, "readonly", 0, 0, 0, "@keyspace @read @slow",
                "request_policy:all_shards nondeterministic_output"),
            KeyspaceWideCommands::randomkey),
        KeyspaceCommand.of(
            of("flushdb", -1, "write", 0, 0, 0, "@keyspace @write @slow @dangerous",
                "request_policy:all_shards response_policy:all_succeeded"),
            KeyspaceWideCommands::flush),
        KeyspaceCommand.of(
            of("flushall", -1, "write", 0, 0, 0, "@keyspace @write @slow @dangerous",
                "request_policy:all_shards response_policy:all_succeeded"),
            KeyspaceWideCommands::flush));
  }

  /** Internal commands for the gateway; never offered to clients. */
  public static List<KeyspaceCommand> internal() {
    return List.of(
        KeyspaceCommand.of(of(SCAN, -4, "readonly", 0, 0, 0, "", ""),
            KeyspaceWideCommands::scan),
        KeyspaceCommand.of(of(COUNT_KEYS_IN_SLOT, 2, "readonly", 0, 0, 0, "", ""),
            KeyspaceWideCommands::countKeysInSlot),
        KeyspaceCommand.of(of(GET_KEYS_IN_SLOT, 3, "readonly", 0, 0, 0, "", ""),
            KeyspaceWideCommands::getKeysInSlot));
  }

  /** This group's key count; like Redis, keys that expired but are not deleted yet count. */
  static Reply dbsize(CommandContext ctx, byte[][] args) {
    return Reply.integer(ctx.keyspace().keyCount());
  }

  /** KEYS pattern: this group's live keys matching the glob, in key order. */
  static Reply keys(CommandContext ctx, byte[][] args) {
    byte[] pattern = args[1];
    boolean all = pattern.length == 1 && pattern[0] == '*';
    long now = ctx.now();
    List<Reply> keys = new ArrayList<>();
    try (DataView.Cursor c = ctx.keyspace().data().scan(Column.META, FIRST, null, false)) {
      for (; c.valid(); c.next()) {
        byte[] key = KeyCodec.userKey(c.key());
        if ((all || GlobPattern.matches(pattern, key)) && !expired(c.value(), now)) {
          keys.add(Reply.bulk(key));
        }
      }
    }
    return Reply.array(keys);
  }

  /**
   * RANDOMKEY: a live key of this group, or null. Small groups pick uniformly by position; big
   * ones seek to a random point between the first and last key and take the next live key, which
   * is cheap but favours keys that follow gaps. Expired keys are skipped, wrapping around once.
   */
  static Reply randomkey(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    long count = ks.keyCount();
    if (count <= 0) {
      return Reply.NULL;
    }
    byte[] start;
    if (count <= EXACT_RANDOM_LIMIT) {
      start = metaKeyAt(ks, ctx.random().nextLong(count));
    } else {
      start = randomSeekPoint(ks, ctx.random());
    }
    long now = ctx.now();
    byte[] found = firstLive(ks, start == null ? FIRST : start, null, now);
    if (found == null && start != null) {
      found = firstLive(ks, FIRST, start, now);
    }
    return found == null ? Reply.NULL : Reply.bulk(KeyCodec.userKey(found));
  }

  private static byte[] metaKeyAt(Keyspace ks, long position) {
    try (DataView.Cursor c = ks.data().scan(Column.META, FIRST, null, false)) {
      for (long i = 0; c.valid(); c.next(), i++) {
        if (i == position) {
          return c.key();
        }
      }
    }
    return null;
  }

  private static byte[] randomSeekPoint(Keyspace ks, SplittableRandom random) {
    byte[] first;
    byte[] last;
    try (DataView.Cursor c = ks.data().scan(Column.META, FIRST, null, false)) {
      first = c.valid() ? c.key() : null;
    }
    try (DataView.Cursor c = ks.data().scan(Column.META, FIRST, null, true)) {
      last = c.valid() ? c.key() : null;
    }
    if (first == null) {
      return null;
    }
    // Interpolate on the first 8 bytes of the meta keys (slot and key prefix). A meta key starts
    // with a slot below 0x4000, so these numbers are never negative.
    long lo = prefixValue(first);
    long hi = prefixValue(last);
    long point = hi > lo ? lo + random.nextLong(hi - lo + 1) : lo;
    byte[] seek = new byte[8];
    for (int i = 7; i >= 0; i--) {
      seek[i] = (byte) point;
      point >>>= 8;
    }
    return seek;
  }

  /** The first 8 bytes of a key as a big-endian number, zero-padded. */
  private static long prefixValue(byte[] key) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (i < key.length ? key[i] & 0xFF : 0);
    }
    return v;
  }

  private static byte[] firstLive(Keyspace ks, byte[] from, byte[] to, long now) {
    try (DataView.Cursor c = ks.data().scan(Column.META, from, to, false)) {
      for (; c.valid(); c.next()) {
        if (!expired(c.value(), now)) {
          return c.key();
        }
      }
    }
    return null;
  }

  private static boolean expired(byte[] rawMeta, long now) {
    long expireAt = KeyMeta.expireAtOf(rawMeta);
    return expireAt != 0 && expireAt <= now;
  }

  /** FLUSHDB and FLUSHALL [ASYNC|SYNC]: both are O(1) range deletions here. */
  static Reply flush(CommandContext ctx, byte[][] args) {
    if (args.length > 2
        || (args.length == 2 && !Keywords.is(args[1], "SYNC") && !Keywords.is(args[1], "ASYNC"))) {
      throw RedisError.syntax();
    }
    ctx.keyspace().flushAll();
    return Reply.OK;
  }

  /**
   * {@code kvorum.scan <from> <to-or-empty> <count> [MATCH pattern] [TYPE type]}: looks
   * at up to {@code count} meta keys from {@code from} (inclusive) to {@code to} (exclusive, empty
   * for no bound), and answers {@code [next, [keys…]]}: {@code next} is the meta key to continue
   * from, empty when the range is exhausted; the keys are the live ones matching the glob pattern
   * and type name (as TYPE spells it, case-insensitive), in key order. Like Redis's COUNT, count
   * bounds the work, not the number of keys returned.
   */
  static Reply scan(CommandContext ctx, byte[][] args) {
    byte[] from = args[1];
    byte[] to = args[2].length == 0 ? null : args[2];
    long count = RedisNumbers.parseLong(args[3]);
    if (count < 1) {
      throw RedisError.syntax();
    }
    byte[] pattern = null;
    byte[] type = null;
    for (int i = 4; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw RedisError.syntax();
      } else if (Keywords.is(args[i], "match")) {
        pattern = args[i + 1];
      } else if (Keywords.is(args[i], "type")) {
        type = args[i + 1];
      } else {
        throw RedisError.syntax();
      }
    }
    boolean allKeys = pattern == null || (pattern.length == 1 && pattern[0] == '*');
    long now = ctx.now();
    List<Reply> keys = new ArrayList<>();
    byte[] next = new byte[0];
    try (DataView.Cursor c = ctx.keyspace().data().scan(Column.META, from, to, false)) {
      long examined = 0;
      for (; c.valid(); c.next()) {
        if (examined == count) {
          next = c.key();
          break;
        }
        examined++;
        byte[] raw = c.value();
        if (expired(raw, now)) {
          continue;
        }
        byte[] key = KeyCodec.userKey(c.key());
        if (!allKeys && !GlobPattern.matches(pattern, key)) {
          continue;
        }
        if (type != null && !Keywords.is(type, KeyMeta.typeOf(raw).typeName())) {
          continue;
        }
        keys.add(Reply.bulk(key));
      }
    }
    return Reply.array(Reply.bulk(next), Reply.array(keys));
  }

  /** {@code kvorum.countkeysinslot <slot>}: keys stored in the slot, expired ones included. */
  static Reply countKeysInSlot(CommandContext ctx, byte[][] args) {
    int slot = parseSlot(args[1]);
    long n = 0;
    try (DataView.Cursor c = ctx.keyspace().data()
        .scan(Column.META, KeyCodec.slotStart(slot), KeyCodec.slotEnd(slot), false)) {
      for (; c.valid(); c.next()) {
        n++;
      }
    }
    return Reply.integer(n);
  }

  /** {@code kvorum.getkeysinslot <slot> <count>}: up to count keys of the slot, in key order. */
  static Reply getKeysInSlot(CommandContext ctx, byte[][] args) {
    long slot = RedisNumbers.parseLong(args[1]);
    long max = RedisNumbers.parseLong(args[2]);
    if (max < 0 || slot < 0 || slot >= HashSlot.COUNT) {
      throw new RedisError("ERR Invalid slot or number of keys");
    }
    List<Reply> keys = new ArrayList<>();
    try (DataView.Cursor c = ctx.keyspace().data()
        .scan(Column.META, KeyCodec.slotStart((int) slot), KeyCodec.slotEnd((int) slot), false)) {
      for (; c.valid() && keys.size() < max; c.next()) {
        keys.add(Reply.bulk(KeyCodec.userKey(c.key())));
      }
    }
    return Reply.array(keys);
  }

  private static int parseSlot(byte[] arg) {
    long slot = RedisNumbers.parseLong(arg);
    if (slot < 0 || slot >= HashSlot.COUNT) {
      throw new RedisError("ERR Invalid slot");
    }
    return (int) slot;
  }
}
