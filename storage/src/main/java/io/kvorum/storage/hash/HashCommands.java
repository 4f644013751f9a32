package io.kvorum.storage.hash;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.LongDouble;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The hash commands of Redis 7.0. Fields live in {@link HashedMembers} (one sub-key per field, the
 * value as the RocksDB value); the metadata's size is the field count and its encoding hint follows
 * Redis's listpack-to-hashtable conversion, so OBJECT ENCODING answers what Redis would.
 */
public final class HashCommands {
  /**
   * Redis 7.0's default hash-max-listpack-entries (512; zsets use 128): more fields make the hash a
   * hashtable.
   */
  public static final long MAX_LISTPACK_ENTRIES = 512;
  /** Redis's hash-max-listpack-value: a longer field or value makes the hash a hashtable. */
  public static final int MAX_LISTPACK_VALUE = 64;

  private HashCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("hset", -4, "write denyoom fast", 1, 1, 1, "@write @hash @fast", ""),
            (ctx, args) -> hset(ctx, args, "hset")),
        KeyspaceCommand.of(
            of("hsetnx", 4, "write denyoom fast", 1, 1, 1, "@write @hash @fast", ""),
            HashCommands::hsetnx),
        KeyspaceCommand.of(of("hget", 3, "readonly fast", 1, 1, 1, "@read @hash @fast", ""),
            HashCommands::hget),
        KeyspaceCommand.of(of("hmget", -3, "readonly fast", 1, 1, 1, "@read @hash @fast", ""),
            HashCommands::hmget),
        KeyspaceCommand.of(
            of("hmset", -4, "write denyoom fast", 1, 1, 1, "@write @hash @fast", ""),
            (ctx, args) -> hset(ctx, args, "hmset")),
        KeyspaceCommand.of(of("hdel", -3, "write fast", 1, 1, 1, "@write @hash @fast", ""),
            HashCommands::hdel),
        KeyspaceCommand.of(of("hexists", 3, "readonly fast", 1, 1, 1, "@read @hash @fast", ""),
            HashCommands::hexists),
        KeyspaceCommand.of(of("hlen", 2, "readonly fast", 1, 1, 1, "@read @hash @fast", ""),
            HashCommands::hlen),
        KeyspaceCommand.of(of("hstrlen", 3, "readonly fast", 1, 1, 1, "@read @hash @fast", ""),
            HashCommands::hstrlen),
        KeyspaceCommand.of(
            of("hkeys", 2, "readonly", 1, 1, 1, "@read @hash @slow",
                "nondeterministic_output_order"),
            (ctx, args) -> hgetall(ctx, args, true, false)),
        KeyspaceCommand.of(
            of("hvals", 2, "readonly", 1, 1, 1, "@read @hash @slow",
                "nondeterministic_output_order"),
            (ctx, args) -> hgetall(ctx, args, false, true)),
        KeyspaceCommand.of(
            of("hgetall", 2, "readonly", 1, 1, 1, "@read @hash @slow",
                "nondeterministic_output_order"),
            (ctx, args) -> hgetall(ctx, args, true, true)),
        KeyspaceCommand.of(
            of("hincrby", 4, "write denyoom fast", 1, 1, 1, "@write @hash @fast", ""),
            HashCommands::hincrby),
        KeyspaceCommand.of(
            of("hincrbyfloat", 4, "write denyoom fast", 1, 1, 1, "@write @hash @fast", ""),
            HashCommands::hincrbyfloat),
        KeyspaceCommand.of(
            of("hrandfield", -2, "readonly", 1, 1, 1, "@read @hash @slow",
                "nondeterministic_output"),
            HashCommands::hrandfield),
        KeyspaceCommand.of(
            of("hscan", -3, "readonly", 1, 1, 1, "@read @hash @slow", "nondeterministic_output"),
            HashCommands::hscan));
  }

  /** A hash being written: its metadata so far and its fields. */
  private static final class Writable {
    final Keyspace ks;
    final byte[] key;
    final KeyMeta old;
    final HashedMembers fields;
    final long version;
    long size;
    int encoding;

    Writable(Keyspace ks, byte[] key, KeyMeta old) {
      this.ks = ks;
      this.key = key;
      this.old = old;
      this.version = old == null ? ks.newVersion() : old.version();
      this.size = old == null ? 0 : old.size();
      this.encoding = old == null ? KeyMeta.Encoding.LISTPACK : old.encoding();
      this.fields = new HashedMembers(ks.data(), key, version);
    }

    /** Redis's hashTypeTryConversion: a long argument makes a listpack a hashtable first. */
    void convertIfLong(byte[] s) {
      if (encoding == KeyMeta.Encoding.LISTPACK && s.length > MAX_LISTPACK_VALUE) {
        encoding = KeyMeta.Encoding.HASHTABLE;
      }
    }

    /** Sets a field (Redis's hashTypeSet); true when it is new. */
    boolean set(byte[] field, byte[] value, boolean existed) {
      convertIfLong(field);
      convertIfLong(value);
      fields.put(field, value);
      if (!existed) {
        size++;
        if (encoding == KeyMeta.Encoding.LISTPACK && size > MAX_LISTPACK_ENTRIES) {
          encoding = KeyMeta.Encoding.HASHTABLE;
        }
      }
      return !existed;
    }

    void store() {
      KeyMeta meta = old == null
          ? KeyMeta.collection(RedisType.HASH, encoding, 0, version, size, new byte[0])
          : old.withSize(size).withEncoding(encoding);
      ks.put(key, old, meta);
    }
  }

  private static HashedMembers fields(Keyspace ks, byte[] key, KeyMeta meta) {
    return new HashedMembers(ks.data(), key, meta.version());
  }

  /** HSET key field value [field value …] (new fields count) and HMSET (OK). */
  static Reply hset(CommandContext ctx, byte[][] args, String name) {
    if (args.length % 2 != 0) {
      throw new RedisError("ERR wrong number of arguments for '" + name + "' command");
    }
    Keyspace ks = ctx.keyspace();
    Writable h = new Writable(ks, args[1], ks.lookup(args[1], RedisType.HASH));
    for (int i = 2; i < args.length; i++) {
      h.convertIfLong(args[i]);
    }
    long created = 0;
    for (int i = 2; i < args.length; i += 2) {
      if (h.set(args[i], args[i + 1], h.fields.contains(args[i]))) {
        created++;
      }
    }
    h.store();
    return name.equals("hset") ? Reply.integer(created) : Reply.OK;
  }

  static Reply hsetnx(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(args[1], RedisType.HASH);
    if (old != null && fields(ks, args[1], old).contains(args[2])) {
      return Reply.ZERO;
    }
    Writable h = new Writable(ks, args[1], old);
    h.set(args[2], args[3], false);
    h.store();
    return Reply.ONE;
  }

  static Reply hget(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1], RedisType.HASH);
    return meta == null ? Reply.NULL : Reply.bulkOrNull(fields(ks, args[1], meta).get(args[2]));
  }

  static Reply hmget(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1], RedisType.HASH);
    HashedMembers fields = meta == null ? null : fields(ks, args[1], meta);
    List<Reply> values = new ArrayList<>(args.length - 2);
    for (int i = 2; i < args.length; i++) {
      values.add(fields == null ? Reply.NULL : Reply.bulkOrNull(fields.get(args[i])));
    }
    return Reply.array(values);
  }

  /** HDEL key field …: the hash is deleted with its last field, like Redis. */
  static Reply hdel(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1], RedisType.HASH);
    if (meta == null) {
      return Reply.ZERO;
    }
    HashedMembers fields = fields(ks, args[1], meta);
    long size = meta.size();
    long deleted = 0;
    for (int i = 2; i < args.length; i++) {
      if (fields.contains(args[i])) {
        fields.delete(args[i]);
        deleted++;
        if (--size == 0) {
          ks.remove(args[1], meta);
          return Reply.integer(deleted);
        }
      }
    }
    if (deleted > 0) {
      ks.put(args[1], meta, meta.withSize(size));
    }
    return Reply.integer(deleted);
  }

  static Reply hexists(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1], RedisType.HASH);
    return meta != null && fields(ks, args[1], meta).contains(args[2]) ? Reply.ONE : Reply.ZERO;
  }

  static Reply hlen(CommandContext ctx, byte[][] args) {
    KeyMeta meta = ctx.keyspace().lookup(args[1], RedisType.HASH);
    return Reply.integer(meta == null ? 0 : meta.size());
  }

  static Reply hstrlen(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1], RedisType.HASH);
    byte[] value = meta == null ? null : fields(ks, args[1], meta).get(args[2]);
    return Reply.integer(value == null ? 0 : value.length);
  }

  /** HKEYS, HVALS and HGETALL (a map in RESP3). */
  static Reply hgetall(CommandContext ctx, byte[][] args, boolean keys, boolean values) {
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1], RedisType.HASH);
    List<Reply> out = new ArrayList<>();
    if (meta != null) {
      fields(ks, args[1], meta).forEachWhile(e -> {
        if (keys) {
          out.add(Reply.bulk(e.member()));
        }
        if (values) {
          out.add(Reply.bulk(e.value()));
        }
        return true;
      });
    }
    return keys && values ? new Reply.MapReply(out) : Reply.array(out);
  }

  /** HINCRBY key field increment. */
  static Reply hincrby(CommandContext ctx, byte[][] args) {
    long increment = RedisNumbers.parseLong(args[3]);
    Keyspace ks = ctx.keyspace();
    Writable h = new Writable(ks, args[1], ks.lookup(args[1], RedisType.HASH));
    byte[] current = h.fields.get(args[2]);
    long value = 0;
    if (current != null) {
      Long parsed = RedisNumbers.parseLongOrNull(current);
      if (parsed == null) {
        throw new RedisError("ERR hash value is not an integer");
      }
      value = parsed;
    }
    if ((increment < 0 && value < 0 && increment < Long.MIN_VALUE - value)
        || (increment > 0 && value > 0 && increment > Long.MAX_VALUE - value)) {
      throw new RedisError("ERR increment or decrement would overflow");
    }
    value += increment;
    h.set(args[2], RedisNumbers.toBytes(value), current != null);
    h.store();
    return Reply.integer(value);
  }

  /**
   * HINCRBYFLOAT key field increment, in x87 long double arithmetic and Redis's human-friendly
   * {@code %.17Lf} formatting, exactly like INCRBYFLOAT.
   */
  static Reply hincrbyfloat(CommandContext ctx, byte[][] args) {
    LongDouble increment = LongDouble.parse(args[3]);
    if (increment == null) {
      throw RedisError.notFloat();
    }
    if (!increment.isFinite()) {
      throw new RedisError("ERR value is NaN or Infinity");
    }
    Keyspace ks = ctx.keyspace();
    Writable h = new Writable(ks, args[1], ks.lookup(args[1], RedisType.HASH));
    byte[] current = h.fields.get(args[2]);
    LongDouble value = LongDouble.ZERO;
    if (current != null) {
      value = LongDouble.parse(current);
      if (value == null) {
        throw new RedisError("ERR hash value is not a float");
      }
    }
    LongDouble sum = value.add(increment);
    if (!sum.isFinite()) {
      throw new RedisError("ERR increment would produce NaN or Infinity");
    }
    byte[] text = sum.toHumanString().getBytes(StandardCharsets.US_ASCII);
    h.set(args[2], text, current != null);
    h.store();
    return Reply.bulk(text);
  }

  /** HRANDFIELD key [count [WITHVALUES]]. */
  static Reply hrandfield(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    if (args.length == 2) {
      KeyMeta meta = ks.lookup(args[1], RedisType.HASH);
      if (meta == null) {
        return Reply.NULL;
      }
      HashedMembers.Entry e = fields(ks, args[1], meta).random(ctx.random(), meta.size());
      return e == null ? Reply.NULL : Reply.bulk(e.member());
    }
    long count = RandomCount.parse(args[2]);
    boolean withValues = false;
    if (args.length > 4 || (args.length == 4 && !Keywords.is(args[3], "WITHVALUES"))) {
      throw RedisError.syntax();
    } else if (args.length == 4) {
      withValues = true;
      if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
        throw new RedisError("ERR value is out of range");
      }
    }
    KeyMeta meta = ks.lookup(args[1], RedisType.HASH);
    if (meta == null || count == 0) {
      return Reply.EMPTY_ARRAY;
    }
    HashedMembers fields = fields(ks, args[1], meta);
    List<HashedMembers.Entry> picked;
    if (count < 0) {
      picked = fields.sampleWithRepeats(ctx.random(), meta.size(), -count);
    } else if (count >= meta.size()) {
      picked = fields.all();
    } else {
      picked = fields.sampleDistinct(ctx.random(), meta.size(), count);
    }
    List<Reply> out = new ArrayList<>(picked.size() * (withValues && !ctx.resp3() ? 2 : 1));
    for (HashedMembers.Entry e : picked) {
      if (!withValues) {
        out.add(Reply.bulk(e.member()));
      } else if (ctx.resp3()) {
        out.add(Reply.array(Reply.bulk(e.member()), Reply.bulk(e.value())));
      } else {
        out.add(Reply.bulk(e.member()));
        out.add(Reply.bulk(e.value()));
      }
    }
    return Reply.array(out);
  }

  /**
   * HSCAN key cursor [MATCH pattern] [COUNT count]. A listpack-sized hash is returned whole with
   * cursor 0, as Redis does; a bigger one page by page, the cursor being the position of the next
   * field (see {@link HashedMembers}).
   */
  static Reply hscan(CommandContext ctx, byte[][] args) {
    long cursor = ScanRequest.parseCursor(args[2]);
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1], RedisType.HASH);
    if (meta == null) {
      return ScanRequest.emptyScan();
    }
    ScanRequest request = ScanRequest.parse(cursor, args);
    HashedMembers fields = fields(ks, args[1], meta);
    List<HashedMembers.Entry> entries;
    long next = 0;
    if (meta.encoding() == KeyMeta.Encoding.LISTPACK) {
      entries = fields.all();
    } else {
      HashedMembers.Page page = fields.page(request.cursor(), request.count());
      entries = page.entries();
      next = page.next();
    }
    List<Reply> out = new ArrayList<>();
    for (HashedMembers.Entry e : entries) {
      if (request.matches(e.member())) {
        out.add(Reply.bulk(e.member()));
        out.add(Reply.bulk(e.value()));
      }
    }
    return ScanRequest.reply(next, out);
  }
}
