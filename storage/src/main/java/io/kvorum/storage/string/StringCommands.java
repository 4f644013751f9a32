package io.kvorum.storage.string;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.LongDouble;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The string commands of Redis 7.0: one table entry each, with Redis's arity, flags, key positions,
 * ACL categories and tips, and handlers that reproduce Redis's replies, errors, TTL handling and
 * (for OBJECT ENCODING) encodings.
 */
public final class StringCommands {
  static final String OVERFLOW = "ERR increment or decrement would overflow";

  private StringCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("get", 2, "readonly fast", 1, 1, 1, "@read @string @fast", ""),
            StringCommands::get),
        KeyspaceCommand.of(of("set", -3, "write denyoom", 1, 1, 1, "@write @string @slow", ""),
            StringCommands::set),
        KeyspaceCommand.of(
            of("setnx", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast", ""),
            StringCommands::setnx),
        KeyspaceCommand.of(of("setex", 4, "write denyoom", 1, 1, 1, "@write @string @slow", ""),
            (ctx, args) -> setex(ctx, args, true)),
        KeyspaceCommand.of(of("psetex", 4, "write denyoom", 1, 1, 1, "@write @string @slow", ""),
            (ctx, args) -> setex(ctx, args, false)),
        KeyspaceCommand.of(
            of("getset", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast", ""),
            StringCommands::getset),
        KeyspaceCommand.of(of("getdel", 2, "write fast", 1, 1, 1, "@write @string @fast", ""),
            StringCommands::getdel),
        KeyspaceCommand.of(of("getex", -2, "write fast", 1, 1, 1, "@write @string @fast", ""),
            StringCommands::getex),
        KeyspaceCommand.of(
            of("mget", -2, "readonly fast", 1, -1, 1, "@read @string @fast",
                "request_policy:multi_shard"),
            StringCommands::mget),
        KeyspaceCommand.of(
            of("mset", -3, "write denyoom", 1, -1, 2, "@write @string @slow",
                "request_policy:multi_shard response_policy:all_succeeded"),
            (ctx, args) -> mset(ctx, args, false)),
        KeyspaceCommand.of(
            of("msetnx", -3, "write denyoom", 1, -1, 2, "@write @string @slow",
                "request_policy:multi_shard response_policy:agg_min"),
            (ctx, args) -> mset(ctx, args, true)),
        KeyspaceCommand.of(
            of("append", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast", ""),
            StringCommands::append),
        KeyspaceCommand.of(of("strlen", 2, "readonly fast", 1, 1, 1, "@read @string @fast", ""),
            StringCommands::strlen),
        KeyspaceCommand.of(of("incr", 2, "write denyoom fast", 1, 1, 1, "@write @string @fast", ""),
            (ctx, args) -> incrBy(ctx, args[1], 1)),
        KeyspaceCommand.of(of("decr", 2, "write denyoom fast", 1, 1, 1, "@write @string @fast", ""),
            (ctx, args) -> incrBy(ctx, args[1], -1)),
        KeyspaceCommand.of(
            of("incrby", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast", ""),
            (ctx, args) -> incrBy(ctx, args[1], RedisNumbers.parseLong(args[2]))),
        KeyspaceCommand.of(
            of("decrby", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast", ""),
            StringCommands::decrby),
        KeyspaceCommand.of(
            of("incrbyfloat", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast", ""),
            StringCommands::incrbyfloat),
        KeyspaceCommand.of(of("getrange", 4, "readonly", 1, 1, 1, "@read @string @slow", ""),
            StringCommands::getrange),
        KeyspaceCommand.of(of("setrange", 4, "write denyoom", 1, 1, 1, "@write @string @slow", ""),
            StringCommands::setrange),
        KeyspaceCommand.of(of("substr", 4, "readonly", 1, 1, 1, "@read @string @slow", ""),
            StringCommands::getrange),
        KeyspaceCommand.of(of("lcs", -3, "readonly", 1, 2, 1, "@read @string @slow", ""),
            LcsCommand::lcs));
  }

  static Reply get(CommandContext ctx, byte[][] args) {
    return Reply.bulkOrNull(ctx.keyspace().getString(args[1]));
  }

  /** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms-ts|KEEPTTL]. */
  static Reply set(CommandContext ctx, byte[][] args) {
    SetOptions o = SetOptions.forSet(args);
    // Redis validates the expire argument before it looks at the key.
    long deadline = o.expire() != null ? o.deadline(ctx.now(), "set") : 0;
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(args[1]);
    Reply previous = null;
    if (o.get()) {
      if (old != null && old.type() != RedisType.STRING) {
        throw RedisError.wrongType();
      }
      previous = Reply.bulkOrNull(old == null ? null : old.value());
    }
    if ((o.nx() && old != null) || (o.xx() && old == null)) {
      return o.get() ? previous : Reply.NULL;
    }
    long expireAt = deadline;
    if (o.expire() == null && o.keepTtl() && old != null) {
      expireAt = old.expireAt();
    }
    if (expireAt != 0 && expireAt <= ctx.now()) {
      // Already expired (EXAT/PXAT in the past): the key is gone, as Redis makes it on next access.
      if (old != null) {
        ks.remove(args[1], old);
      }
      return o.get() ? previous : Reply.OK;
    }
    ks.putString(args[1], old, args[2], StringEncoding.forArgument(args[2]), expireAt);
    return o.get() ? previous : Reply.OK;
  }

  static Reply setnx(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    if (ks.lookup(args[1]) != null) {
      return Reply.ZERO;
    }
    ks.putString(args[1], null, args[2], StringEncoding.forArgument(args[2]), 0);
    return Reply.ONE;
  }

  /** SETEX key seconds value, PSETEX key milliseconds value. */
  static Reply setex(CommandContext ctx, byte[][] args, boolean seconds) {
    SetOptions expire = new SetOptions(false, false, false, false, false, args[2], true, seconds);
    long deadline = expire.deadline(ctx.now(), seconds ? "setex" : "psetex");
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(args[1]);
    ks.putString(args[1], old, args[3], StringEncoding.forArgument(args[3]), deadline);
    return Reply.OK;
  }

  /** GETSET key value: like SET … GET, and like SET it drops the TTL. */
  static Reply getset(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(args[1], RedisType.STRING);
    ks.putString(args[1], old, args[2], StringEncoding.forArgument(args[2]), 0);
    return Reply.bulkOrNull(old == null ? null : old.value());
  }

  static Reply getdel(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(args[1], RedisType.STRING);
    if (old == null) {
      return Reply.NULL;
    }
    ks.remove(args[1], old);
    return Reply.bulk(old.value());
  }

  /** GETEX key [EX s|PX ms|EXAT ts|PXAT ms-ts|PERSIST]. */
  static Reply getex(CommandContext ctx, byte[][] args) {
    SetOptions o = SetOptions.forGetex(args);
    Keyspace ks = ctx.keyspace();
    // Unlike SET, Redis looks the key up before it validates the expire argument.
    KeyMeta old = ks.lookup(args[1], RedisType.STRING);
    if (old == null) {
      return Reply.NULL;
    }
    Reply value = Reply.bulk(old.value());
    if (o.expire() != null) {
      long deadline = o.deadline(ctx.now(), "getex");
      if (!o.relative() && deadline <= ctx.now()) {
        ks.remove(args[1], old);
      } else {
        ks.put(args[1], old, old.withExpireAt(deadline));
      }
    } else if (o.persist() && old.hasExpire()) {
      ks.put(args[1], old, old.withExpireAt(0));
    }
    return value;
  }

  static Reply mget(CommandContext ctx, byte[][] args) {
    List<Reply> values = new ArrayList<>(args.length - 1);
    for (int i = 1; i < args.length; i++) {
      KeyMeta meta = ctx.keyspace().lookup(args[i]);
      values.add(meta == null || meta.type() != RedisType.STRING ? Reply.NULL
          : Reply.bulk(meta.value()));
    }
    return Reply.array(values);
  }

  /** MSET key value [key value …]; MSETNX sets nothing when any key exists. */
  static Reply mset(CommandContext ctx, byte[][] args, boolean nx) {
    if (args.length % 2 == 0) {
      throw new RedisError(
          "ERR wrong number of arguments for '" + (nx ? "msetnx" : "mset") + "' command");
    }
    Keyspace ks = ctx.keyspace();
    if (nx) {
      for (int i = 1; i < args.length; i += 2) {
        if (ks.lookup(args[i]) != null) {
          return Reply.ZERO;
        }
      }
    }
    for (int i = 1; i < args.length; i += 2) {
      KeyMeta old = ks.lookup(args[i]);
      ks.putString(args[i], old, args[i + 1], StringEncoding.forArgument(args[i + 1]), 0);
    }
    return nx ? Reply.ONE : Reply.OK;
  }

  /** APPEND key value: keeps the TTL; an existing value becomes a raw string, as in Redis. */
  static Reply append(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(args[1]);
    byte[] suffix = args[2];
    if (old == null) {
      ks.putString(args[1], null, suffix, StringEncoding.forArgument(suffix), 0);
      return Reply.integer(suffix.length);
    }
    if (old.type() != RedisType.STRING) {
      throw RedisError.wrongType();
    }
    byte[] value = old.value();
    StringLimits.check(value.length, suffix.length);
    byte[] joined = Arrays.copyOf(value, value.length + suffix.length);
    System.arraycopy(suffix, 0, joined, value.length, suffix.length);
    ks.putString(args[1], old, joined, KeyMeta.Encoding.RAW, old.expireAt());
    return Reply.integer(joined.length);
  }

  static Reply strlen(CommandContext ctx, byte[][] args) {
    byte[] value = ctx.keyspace().getString(args[1]);
    return Reply.integer(value == null ? 0 : value.length);
  }

  /** INCR, DECR, INCRBY: the value must be a canonical 64-bit integer; the TTL stays. */
  static Reply incrBy(CommandContext ctx, byte[] key, long increment) {
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(key, RedisType.STRING);
    long value = 0;
    if (old != null) {
      value = RedisNumbers.parseLong(old.value());
    }
    if ((increment < 0 && value < 0 && increment < Long.MIN_VALUE - value)
        || (increment > 0 && value > 0 && increment > Long.MAX_VALUE - value)) {
      throw new RedisError(OVERFLOW);
    }
    value += increment;
    ks.putString(key, old, RedisNumbers.toBytes(value), KeyMeta.Encoding.INT,
        old == null ? 0 : old.expireAt());
    return Reply.integer(value);
  }

  static Reply decrby(CommandContext ctx, byte[][] args) {
    long decrement = RedisNumbers.parseLong(args[2]);
    if (decrement == Long.MIN_VALUE) {
      throw new RedisError("ERR decrement would overflow");
    }
    return incrBy(ctx, args[1], -decrement);
  }

  /**
   * INCRBYFLOAT key increment: parsed and added as x87 long doubles and printed with
   * {@code %.17Lf} minus trailing zeros, exactly as Redis 7.0 on x86-64 does.
   */
  static Reply incrbyfloat(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(args[1], RedisType.STRING);
    LongDouble value = old == null ? LongDouble.ZERO : LongDouble.parse(old.value());
    if (value == null) {
      throw RedisError.notFloat();
    }
    LongDouble increment = LongDouble.parse(args[2]);
    if (increment == null) {
      throw RedisError.notFloat();
    }
    LongDouble sum = value.add(increment);
    if (!sum.isFinite()) {
      throw new RedisError("ERR increment would produce NaN or Infinity");
    }
    byte[] text = sum.toHumanString().getBytes(StandardCharsets.US_ASCII);
    ks.putString(args[1], old, text, StringEncoding.forCreated(text),
        old == null ? 0 : old.expireAt());
    return Reply.bulk(text);
  }

  /** GETRANGE (and SUBSTR) key start end, with Redis 7.0's index clamping. */
  static Reply getrange(CommandContext ctx, byte[][] args) {
    long start = RedisNumbers.parseLong(args[2]);
    long end = RedisNumbers.parseLong(args[3]);
    byte[] value = ctx.keyspace().getString(args[1]);
    if (value == null) {
      return Reply.bulk(new byte[0]);
    }
    long len = value.length;
    if (start < 0 && end < 0 && start > end) {
      return Reply.bulk(new byte[0]);
    }
    if (start < 0) {
      start = len + start;
    }
    if (end < 0) {
      end = len + end;
    }
    if (start < 0) {
      start = 0;
    }
    if (end < 0) {
      end = 0;
    }
    if (end >= len) {
      end = len - 1;
    }
    if (start > end || len == 0) {
      return Reply.bulk(new byte[0]);
    }
    return Reply.bulk(Arrays.copyOfRange(value, (int) start, (int) end + 1));
  }

  /** SETRANGE key offset value: zero-pads, keeps the TTL, leaves a raw string. */
  static Reply setrange(CommandContext ctx, byte[][] args) {
    long offset = RedisNumbers.parseLong(args[2]);
    if (offset < 0) {
      throw new RedisError("ERR offset is out of range");
    }
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(args[1]);
    byte[] patch = args[3];
    if (old != null && old.type() != RedisType.STRING) {
      throw RedisError.wrongType();
    }
    byte[] value = old == null ? new byte[0] : old.value();
    if (patch.length == 0) {
      return Reply.integer(value.length);
    }
    StringLimits.check(offset, patch.length);
    int newLength = (int) Math.max(value.length, offset + patch.length);
    byte[] updated = Arrays.copyOf(value, newLength);
    System.arraycopy(patch, 0, updated, (int) offset, patch.length);
    ks.putString(args[1], old, updated, KeyMeta.Encoding.RAW, old == null ? 0 : old.expireAt());
    return Reply.integer(updated.length);
  }
}
