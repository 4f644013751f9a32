package io.kvorum.storage.notify;

import static io.kvorum.storage.keyspace.KeyspaceEvent.GENERIC;
import static io.kvorum.storage.keyspace.KeyspaceEvent.HASH;
import static io.kvorum.storage.keyspace.KeyspaceEvent.LIST;
import static io.kvorum.storage.keyspace.KeyspaceEvent.SET;
import static io.kvorum.storage.keyspace.KeyspaceEvent.STREAM;
import static io.kvorum.storage.keyspace.KeyspaceEvent.STRING;
import static io.kvorum.storage.keyspace.KeyspaceEvent.ZSET;

import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which keyspace notifications each write command sends, as Redis 7.0's t_*.c call
 * notifyKeyspaceEvent: one rule per command, judged after the command ran from its arguments, its
 * reply and the keys it wrote or removed ({@link Keyspace#touchedSince}). {@code new} and
 * {@code expired} come from {@link Keyspace} itself; stream events that depend on what the
 * command did inside the stream (XADD's trim, consumers created on the fly) from the stream code.
 * A command without a rule sends nothing (reads, and the writes listed in the README as missing).
 */
public final class KeyspaceEventRules {
  private KeyspaceEventRules() {}

  /** What a rule sees of one executed command. */
  public record Executed(byte[][] args, Reply reply, List<Keyspace.Touch> touched, Keyspace ks) {
    String arg(int i) {
      return i < args.length ? new String(args[i], StandardCharsets.ISO_8859_1) : "";
    }

    boolean hasOption(int from, String option) {
      for (int i = from; i < args.length; i++) {
        if (arg(i).equalsIgnoreCase(option)) {
          return true;
        }
      }
      return false;
    }

    /** Distinct touched keys in first-touch order, each with whether its last touch removed it. */
    List<Object[]> keys() {
      List<Object[]> out = new ArrayList<>();
      for (Keyspace.Touch t : touched) {
        Object[] found = null;
        for (Object[] k : out) {
          if (Arrays.equals((byte[]) k[0], t.key())) {
            found = k;
            break;
          }
        }
        if (found == null) {
          out.add(new Object[] {t.key(), t.removed()});
        } else {
          found[1] = t.removed();
        }
      }
      return out;
    }

    /** Whether {@code key} was touched; null if not, else whether it ended removed. */
    Boolean state(byte[] key) {
      Boolean s = null;
      for (Keyspace.Touch t : touched) {
        if (Arrays.equals(t.key(), key)) {
          s = t.removed();
        }
      }
      return s;
    }

    void emit(char type, String event, byte[] key) {
      ks.notify(type, event, key);
    }

    /** Redis's {@code new} for {@code key}, if the command created it (once). */
    void created(byte[] key) {
      ks.notifyCreated(key);
    }

    /** Every {@code new} not sent yet, in creation order. */
    void allCreated() {
      for (Keyspace.Touch t : touched) {
        if (t.created()) {
          ks.notifyCreated(t.key());
        }
      }
    }
  }

  /** A rule that sends each key's {@code new} itself, right before that key's event. */
  interface PerKey extends Rule {}

  /** One command's notifications. */
  @FunctionalInterface
  interface Rule {
    void emit(Executed e);
  }

  /**
   * Sends the notifications of one executed command (after the ones the keyspace sent while it
   * ran). {@code kvorum.serve-blocked} stands for the blocked command it repeats.
   */
  public static void emit(byte[][] args, Reply reply, List<Keyspace.Touch> touched, Keyspace ks) {
    if (reply instanceof Reply.Error || touched.isEmpty() && !ALWAYS.contains(name(args, 0))) {
      // A failed command still created what it created before failing.
      new Executed(args, reply, touched, ks).allCreated();
      return;
    }
    String name = name(args, 0);
    if (name.equals("kvorum.serve-blocked")) {
      args = Arrays.copyOfRange(args, 1, args.length);
      name = name(args, 0);
    }
    if (name.equals("xgroup") && args.length > 1) {
      name = "xgroup|" + name(args, 1);
    }
    Rule rule = RULES.get(name);
    Executed executed = new Executed(args, reply, touched, ks);
    if (rule != null && !(rule instanceof PerKey)) {
      executed.allCreated();
    }
    if (rule != null) {
      rule.emit(executed);
    }
    executed.allCreated();
  }

  /** Rules that may send without touching a key's metadata (XGROUP DELCONSUMER). */
  private static final java.util.Set<String> ALWAYS = java.util.Set.of("xgroup");

  private static String name(byte[][] args, int i) {
    return new String(args[i], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
  }

  /** {@code event} on every touched key; then {@code del} for a key the command emptied. */
  static Rule modified(char type, String event) {
    return (PerKey) e -> {
      for (Object[] k : e.keys()) {
        e.created((byte[]) k[0]);
        e.emit(type, event, (byte[]) k[0]);
        if ((Boolean) k[1]) {
          e.emit(GENERIC, "del", (byte[]) k[0]);
        }
      }
    };
  }

  /** {@code event} on a key written; {@code del} on a key the command removed instead. */
  static Rule stored(char type, String event) {
    return (PerKey) e -> {
      for (Object[] k : e.keys()) {
        e.created((byte[]) k[0]);
        if ((Boolean) k[1]) {
          e.emit(GENERIC, "del", (byte[]) k[0]);
        } else {
          e.emit(type, event, (byte[]) k[0]);
        }
      }
    };
  }

  /** {@code del} on every removed key (DEL, UNLINK, GETDEL). */
  static Rule deleted() {
    return e -> {
      for (Object[] k : e.keys()) {
        if ((Boolean) k[1]) {
          e.emit(GENERIC, "del", (byte[]) k[0]);
        }
      }
    };
  }

  /** SET-like: {@code set}, and {@code expire} when a time to live was given. */
  static Rule set(boolean expires, boolean options) {
    return (PerKey) e -> {
      boolean ttl = expires || options && (e.hasOption(3, "EX") || e.hasOption(3, "PX")
          || e.hasOption(3, "EXAT") || e.hasOption(3, "PXAT"));
      for (Object[] k : e.keys()) {
        byte[] key = (byte[]) k[0];
        e.created(key);
        e.emit(STRING, "set", key);
        if (ttl) {
          e.emit(GENERIC, "expire", key);
        }
        if ((Boolean) k[1]) {
          // A deadline already past: Redis sets the key, then expires it.
          e.emit(GENERIC, "expired", key);
        }
      }
    };
  }

  /** LMOVE-like: the push on the destination, then the pop on the source (and its del). */
  static Rule move(int fromArg, int toArg, String fixedFrom, String fixedTo) {
    return e -> {
      if (e.reply() instanceof Reply.NullBulk || e.reply() instanceof Reply.NullArray) {
        return;
      }
      String from = fixedFrom != null ? fixedFrom : e.arg(fromArg).toLowerCase(Locale.ROOT);
      String to = fixedTo != null ? fixedTo : e.arg(toArg).toLowerCase(Locale.ROOT);
      byte[] src = e.args()[1];
      byte[] dst = e.args()[2];
      e.emit(LIST, to.equals("left") ? "lpush" : "rpush", dst);
      e.emit(LIST, from.equals("left") ? "lpop" : "rpop", src);
      if (Boolean.TRUE.equals(e.state(src)) && !Arrays.equals(src, dst)) {
        e.emit(GENERIC, "del", src);
      }
    };
  }

  /** LMPOP/ZMPOP and their blocking forms: the pop named by the direction argument. */
  static Rule mpop(char type, String leftOrMin, String leftEvent, String rightEvent) {
    return e -> {
      String event = rightEvent;
      for (int i = 2; i < e.args().length; i++) {
        if (e.arg(i).equalsIgnoreCase(leftOrMin)) {
          event = leftEvent;
          break;
        }
      }
      modified(type, event).emit(e);
    };
  }

  private static final Map<String, Rule> RULES = new HashMap<>();

  static {
    // string
    RULES.put("set", set(false, true));
    RULES.put("setnx", set(false, false));
    RULES.put("setex", set(true, false));
    RULES.put("psetex", set(true, false));
    RULES.put("getset", set(false, false));
    RULES.put("mset", set(false, false));
    RULES.put("msetnx", set(false, false));
    RULES.put("getdel", deleted());
    RULES.put("getex", e -> {
      String event = e.hasOption(2, "PERSIST") ? "persist" : "expire";
      stored(GENERIC, event).emit(e);
    });
    RULES.put("append", modified(STRING, "append"));
    for (String n : List.of("incr", "decr", "incrby", "decrby")) {
      RULES.put(n, modified(STRING, "incrby"));
    }
    RULES.put("incrbyfloat", modified(STRING, "incrbyfloat"));
    RULES.put("setrange", modified(STRING, "setrange"));
    // generic
    RULES.put("del", deleted());
    RULES.put("unlink", deleted());
    for (String n : List.of("expire", "pexpire", "expireat", "pexpireat")) {
      RULES.put(n, stored(GENERIC, "expire"));
    }
    RULES.put("persist", modified(GENERIC, "persist"));
    Rule rename = e -> {
      if (Boolean.FALSE.equals(e.state(e.args()[2]))) {
        e.emit(GENERIC, "rename_from", e.args()[1]);
        e.emit(GENERIC, "rename_to", e.args()[2]);
      }
    };
    RULES.put("rename", rename);
    RULES.put("renamenx", rename);
    RULES.put("copy", e -> {
      if (Boolean.FALSE.equals(e.state(e.args()[2]))) {
        e.emit(GENERIC, "copy_to", e.args()[2]);
      }
    });
    RULES.put("restore", modified(GENERIC, "restore"));
    RULES.put("sort", stored(LIST, "sortstore"));
    // list
    RULES.put("lpush", modified(LIST, "lpush"));
    RULES.put("lpushx", modified(LIST, "lpush"));
    RULES.put("rpush", modified(LIST, "rpush"));
    RULES.put("rpushx", modified(LIST, "rpush"));
    RULES.put("linsert", modified(LIST, "linsert"));
    RULES.put("lset", modified(LIST, "lset"));
    RULES.put("lpop", modified(LIST, "lpop"));
    RULES.put("rpop", modified(LIST, "rpop"));
    RULES.put("blpop", modified(LIST, "lpop"));
    RULES.put("brpop", modified(LIST, "rpop"));
    RULES.put("lrem", modified(LIST, "lrem"));
    RULES.put("ltrim", modified(LIST, "ltrim"));
    RULES.put("lmove", move(3, 4, null, null));
    RULES.put("blmove", move(3, 4, null, null));
    RULES.put("rpoplpush", move(0, 0, "right", "left"));
    RULES.put("brpoplpush", move(0, 0, "right", "left"));
    RULES.put("lmpop", mpop(LIST, "LEFT", "lpop", "rpop"));
    RULES.put("blmpop", mpop(LIST, "LEFT", "lpop", "rpop"));
    // hash
    RULES.put("hset", modified(HASH, "hset"));
    RULES.put("hmset", modified(HASH, "hset"));
    RULES.put("hsetnx", modified(HASH, "hset"));
    RULES.put("hincrby", modified(HASH, "hincrby"));
    RULES.put("hincrbyfloat", modified(HASH, "hincrbyfloat"));
    RULES.put("hdel", modified(HASH, "hdel"));
    // set
    RULES.put("sadd", modified(SET, "sadd"));
    RULES.put("srem", modified(SET, "srem"));
    RULES.put("spop", modified(SET, "spop"));
    // Redis removes from the source before it creates the destination.
    RULES.put("smove", (PerKey) e -> {
      if (!(e.reply() instanceof Reply.Int i) || i.value() != 1
          || Arrays.equals(e.args()[1], e.args()[2])) {
        return;
      }
      e.emit(SET, "srem", e.args()[1]);
      if (Boolean.TRUE.equals(e.state(e.args()[1]))) {
        e.emit(GENERIC, "del", e.args()[1]);
      }
      e.created(e.args()[2]);
      e.emit(SET, "sadd", e.args()[2]);
    });
    RULES.put("sinterstore", stored(SET, "sinterstore"));
    RULES.put("sunionstore", stored(SET, "sunionstore"));
    RULES.put("sdiffstore", stored(SET, "sdiffstore"));
    // sorted set
    RULES.put("zadd", e -> modified(ZSET, e.hasOption(2, "INCR") ? "zincr" : "zadd").emit(e));
    RULES.put("zincrby", modified(ZSET, "zincr"));
    RULES.put("zrem", modified(ZSET, "zrem"));
    RULES.put("zremrangebyscore", modified(ZSET, "zremrangebyscore"));
    RULES.put("zremrangebyrank", modified(ZSET, "zremrangebyrank"));
    RULES.put("zremrangebylex", modified(ZSET, "zremrangebylex"));
    RULES.put("zpopmin", modified(ZSET, "zpopmin"));
    RULES.put("zpopmax", modified(ZSET, "zpopmax"));
    RULES.put("bzpopmin", modified(ZSET, "zpopmin"));
    RULES.put("bzpopmax", modified(ZSET, "zpopmax"));
    RULES.put("zmpop", mpop(ZSET, "MIN", "zpopmin", "zpopmax"));
    RULES.put("bzmpop", mpop(ZSET, "MIN", "zpopmin", "zpopmax"));
    RULES.put("zunionstore", stored(ZSET, "zunionstore"));
    RULES.put("zinterstore", stored(ZSET, "zinterstore"));
    RULES.put("zdiffstore", stored(ZSET, "zdiffstore"));
    RULES.put("zrangestore", stored(ZSET, "zrangestore"));
    RULES.put("geoadd", modified(ZSET, "zadd"));
    // stream (XADD's trim and consumers created on the fly are sent by the stream code)
    RULES.put("xtrim", e -> {
      if (e.reply() instanceof Reply.Int i && i.value() > 0) {
        e.emit(STREAM, "xtrim", e.args()[1]);
      }
    });
    RULES.put("xdel", e -> {
      if (e.reply() instanceof Reply.Int i && i.value() > 0) {
        e.emit(STREAM, "xdel", e.args()[1]);
      }
    });
    RULES.put("xsetid", modified(STREAM, "xsetid"));
    RULES.put("xgroup|create", e -> e.emit(STREAM, "xgroup-create", e.args()[2]));
    RULES.put("xgroup|setid", e -> e.emit(STREAM, "xgroup-setid", e.args()[2]));
    RULES.put("xgroup|destroy", e -> {
      if (e.reply() instanceof Reply.Int i && i.value() > 0) {
        e.emit(STREAM, "xgroup-destroy", e.args()[2]);
      }
    });
    RULES.put("xgroup|delconsumer", e -> e.emit(STREAM, "xgroup-delconsumer", e.args()[2]));
    // bitmaps and HyperLogLogs are strings
    RULES.put("setbit", modified(STRING, "setbit"));
    RULES.put("bitfield", modified(STRING, "setbit"));
    RULES.put("bitop", stored(STRING, "set"));
    RULES.put("pfadd", modified(STRING, "pfadd"));
    RULES.put("pfmerge", modified(STRING, "pfadd"));
  }
}
