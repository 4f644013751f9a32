package io.kvorum.storage.set;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.hash.HashedMembers;
import io.kvorum.storage.hash.RandomCount;
import io.kvorum.storage.hash.ScanRequest;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The set commands of Redis 7.0 that work on one set, plus SMOVE; the multi-set algebra (SINTER,
 * SUNION, SDIFF, their STORE forms, SINTERCARD) is in {@link SetAlgebra}. Members live in {@link
 * HashedMembers} with empty values; the metadata's size is the cardinality and its encoding hint
 * follows Redis's intset/hashtable rules ({@link SetEncoding}).
 */
public final class SetCommands {
  static final byte[] NO_VALUE = new byte[0];
  /** Redis's SPOP_MOVE_STRATEGY_MUL: when few members remain, SPOP rebuilds the set from them. */
  private static final long SPOP_MOVE_STRATEGY_MUL = 5;

  private SetCommands() {}

  public static List<KeyspaceCommand> table() {
    List<KeyspaceCommand> table = new ArrayList<>(List.of(
        KeyspaceCommand.of(of("sadd", -3, "write denyoom fast", 1, 1, 1, "@write @set @fast", ""),
            SetCommands::sadd),
        KeyspaceCommand.of(of("srem", -3, "write fast", 1, 1, 1, "@write @set @fast", ""),
            SetCommands::srem),
        KeyspaceCommand.of(of("sismember", 3, "readonly fast", 1, 1, 1, "@read @set @fast", ""),
            SetCommands::sismember),
        KeyspaceCommand.of(of("smismember", -3, "readonly fast", 1, 1, 1, "@read @set @fast", ""),
            SetCommands::smismember),
        KeyspaceCommand.of(
            of("smembers", 2, "readonly", 1, 1, 1, "@read @set @slow",
                "nondeterministic_output_order"),
            SetCommands::smembers),
        KeyspaceCommand.of(of("scard", 2, "readonly fast", 1, 1, 1, "@read @set @fast", ""),
            SetCommands::scard),
        KeyspaceCommand.of(
            of("spop", -2, "write fast", 1, 1, 1, "@write @set @fast", "nondeterministic_output"),
            SetCommands::spop),
        KeyspaceCommand.of(
            of("srandmember", -2, "readonly", 1, 1, 1, "@read @set @slow",
                "nondeterministic_output"),
            SetCommands::srandmember),
        KeyspaceCommand.of(of("smove", 4, "write fast", 1, 2, 1, "@write @set @fast", ""),
            SetCommands::smove),
        KeyspaceCommand.of(
            of("sscan", -3, "readonly", 1, 1, 1, "@read @set @slow", "nondeterministic_output"),
            SetCommands::sscan)));
    table.addAll(SetAlgebra.table());
    return List.copyOf(table);
  }

  static HashedMembers members(Keyspace ks, byte[] key, KeyMeta meta) {
    return new HashedMembers(ks.data(), key, meta.version());
  }

  private static List<Reply> bulks(List<byte[]> members) {
    List<Reply> out = new ArrayList<>(members.size());
    for (byte[] m : members) {
      out.add(Reply.bulk(m));
    }
    return out;
  }

  private static List<byte[]> memberList(List<HashedMembers.Entry> entries) {
    List<byte[]> out = new ArrayList<>(entries.size());
    for (HashedMembers.Entry e : entries) {
      out.add(e.member());
    }
    return out;
  }

  /** A set reply ({@code ~} in RESP3) in the order Redis iterates the set's members. */
  static Reply setReply(List<byte[]> members) {
    return new Reply.SetReply(bulks(SetEncoding.replyOrder(members)));
  }

  /** SADD key member …: a new set's encoding is chosen by its first member, as in Redis. */
  static Reply sadd(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(args[1], RedisType.SET);
    long version = old == null ? ks.newVersion() : old.version();
    int encoding = old == null ? SetEncoding.forFirstMember(args[2]) : old.encoding();
    long size = old == null ? 0 : old.size();
    HashedMembers members = new HashedMembers(ks.data(), args[1], version);
    long added = 0;
    for (int i = 2; i < args.length; i++) {
      if (!members.contains(args[i])) {
        members.put(args[i], NO_VALUE);
        size++;
        added++;
        encoding = SetEncoding.afterAdd(encoding, args[i], size);
      }
    }
    if (added > 0) {
      ks.put(args[1], old, old == null
          ? KeyMeta.collection(RedisType.SET, encoding, 0, version, size, NO_VALUE)
          : old.withSize(size).withEncoding(encoding));
    }
    return Reply.integer(added);
  }

  /** SREM key member …: the set is deleted with its last member. */
  static Reply srem(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1], RedisType.SET);
    if (meta == null) {
      return Reply.ZERO;
    }
    HashedMembers members = members(ks, args[1], meta);
    long size = meta.size();
    long removed = 0;
    for (int i = 2; i < args.length; i++) {
      if (members.contains(args[i])) {
        members.delete(args[i]);
        removed++;
        if (--size == 0) {
          ks.remove(args[1], meta);
          return Reply.integer(removed);
        }
      }
    }
    if (removed > 0) {
      ks.put(args[1], meta, meta.withSize(size));
    }
    return Reply.integer(removed);
  }

  static Reply sismember(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1], RedisType.SET);
    return meta != null && members(ks, args[1], meta).contains(args[2]) ? Reply.ONE : Reply.ZERO;
  }

  static Reply smismember(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1], RedisType.SET);
    HashedMembers members = meta == null ? null : members(ks, args[1], meta);
    List<Reply> out = new ArrayList<>(args.length - 2);
    for (int i = 2; i < args.length; i++) {
      out.add(members != null && members.contains(args[i]) ? Reply.ONE : Reply.ZERO);
    }
    return Reply.array(out);
  }

  static Reply smembers(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1], RedisType.SET);
    if (meta == null) {
      return new Reply.SetReply(List.of());
    }
    return setReply(memberList(members(ks, args[1], meta).all()));
  }

  static Reply scard(CommandContext ctx, byte[][] args) {
    KeyMeta meta = ctx.keyspace().lookup(args[1], RedisType.SET);
    return Reply.integer(meta == null ? 0 : meta.size());
  }

  /** SPOP key [count]. */
  static Reply spop(CommandContext ctx, byte[][] args) {
    if (args.length > 3) {
      throw RedisError.syntax();
    }
    Keyspace ks = ctx.keyspace();
    if (args.length == 2) {
      KeyMeta meta = ks.lookup(args[1], RedisType.SET);
      if (meta == null) {
        return Reply.NULL;
      }
      HashedMembers members = members(ks, args[1], meta);
      HashedMembers.Entry e = members.random(ctx.random(), meta.size());
      if (e == null) {
        return Reply.NULL;
      }
      members.delete(e.member());
      shrink(ks, args[1], meta, meta.size() - 1, meta.encoding());
      return Reply.bulk(e.member());
    }
    Long parsed = RedisNumbers.parseLongOrNull(args[2]);
    if (parsed == null || parsed < 0) {
      throw new RedisError("ERR value is out of range, must be positive");
    }
    long count = parsed;
    KeyMeta meta = ks.lookup(args[1], RedisType.SET);
    if (meta == null || count == 0) {
      return new Reply.SetReply(List.of());
    }
    HashedMembers members = members(ks, args[1], meta);
    long size = meta.size();
    if (count >= size) {
      List<byte[]> all = memberList(members.all());
      ks.remove(args[1], meta);
      return setReply(all);
    }
    List<byte[]> popped = memberList(members.sampleDistinct(ctx.random(), size, count));
    for (byte[] m : popped) {
      members.delete(m);
    }
    long remaining = size - count;
    int encoding = meta.encoding();
    if (remaining * SPOP_MOVE_STRATEGY_MUL <= count) {
      // Redis builds a new set from the members it keeps, so its encoding follows them.
      encoding = SetEncoding.forContent(memberList(members.all()));
    }
    shrink(ks, args[1], meta, remaining, encoding);
    return new Reply.SetReply(bulks(popped));
  }

  private static void shrink(Keyspace ks, byte[] key, KeyMeta meta, long size, int encoding) {
    if (size == 0) {
      ks.remove(key, meta);
    } else {
      ks.put(key, meta, meta.withSize(size).withEncoding(encoding));
    }
  }

  /** SRANDMEMBER key [count]: distinct members for a positive count, repetitions for negative. */
  static Reply srandmember(CommandContext ctx, byte[][] args) {
    if (args.length > 3) {
      throw RedisError.syntax();
    }
    Keyspace ks = ctx.keyspace();
    if (args.length == 2) {
      KeyMeta meta = ks.lookup(args[1], RedisType.SET);
      if (meta == null) {
        return Reply.NULL;
      }
      HashedMembers.Entry e = members(ks, args[1], meta).random(ctx.random(), meta.size());
      return e == null ? Reply.NULL : Reply.bulk(e.member());
    }
    long count = RandomCount.parse(args[2]);
    KeyMeta meta = ks.lookup(args[1], RedisType.SET);
    if (meta == null || count == 0) {
      return Reply.EMPTY_ARRAY;
    }
    HashedMembers members = members(ks, args[1], meta);
    List<byte[]> picked;
    if (count < 0) {
      picked = memberList(members.sampleWithRepeats(ctx.random(), meta.size(), -count));
    } else if (count >= meta.size()) {
      picked = SetEncoding.replyOrder(memberList(members.all()));
    } else {
      picked = memberList(members.sampleDistinct(ctx.random(), meta.size(), count));
    }
    return Reply.array(bulks(picked));
  }

  /** SMOVE source destination member. */
  static Reply smove(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    byte[] srcKey = args[1];
    byte[] dstKey = args[2];
    byte[] member = args[3];
    KeyMeta src = ks.lookup(srcKey);
    KeyMeta dst = ks.lookup(dstKey);
    if (src == null) {
      return Reply.ZERO;
    }
    if (src.type() != RedisType.SET || (dst != null && dst.type() != RedisType.SET)) {
      throw RedisError.wrongType();
    }
    HashedMembers from = members(ks, srcKey, src);
    if (Arrays.equals(srcKey, dstKey)) {
      return from.contains(member) ? Reply.ONE : Reply.ZERO;
    }
    if (!from.contains(member)) {
      return Reply.ZERO;
    }
    from.delete(member);
    shrink(ks, srcKey, src, src.size() - 1, src.encoding());
    long version = dst == null ? ks.newVersion() : dst.version();
    HashedMembers to = new HashedMembers(ks.data(), dstKey, version);
    long size = dst == null ? 0 : dst.size();
    int encoding = dst == null ? SetEncoding.forFirstMember(member) : dst.encoding();
    if (!to.contains(member)) {
      to.put(member, NO_VALUE);
      size++;
      encoding = SetEncoding.afterAdd(encoding, member, size);
    }
    // Redis signals the destination as modified even when it already had the member (WATCH).
    ks.put(dstKey, dst, dst == null
        ? KeyMeta.collection(RedisType.SET, encoding, 0, version, size, NO_VALUE)
        : dst.withSize(size).withEncoding(encoding));
    return Reply.ONE;
  }

  /**
   * SSCAN key cursor [MATCH pattern] [COUNT count]: an intset is returned whole (ascending) with
   * cursor 0, as Redis does; a hashtable page by page (see {@link HashedMembers}).
   */
  static Reply sscan(CommandContext ctx, byte[][] args) {
    long cursor = ScanRequest.parseCursor(args[2]);
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1], RedisType.SET);
    if (meta == null) {
      return ScanRequest.emptyScan();
    }
    ScanRequest request = ScanRequest.parse(cursor, args);
    HashedMembers members = members(ks, args[1], meta);
    List<byte[]> found;
    long next = 0;
    if (meta.encoding() == KeyMeta.Encoding.INTSET) {
      found = SetEncoding.replyOrder(memberList(members.all()));
    } else {
      HashedMembers.Page page = members.page(request.cursor(), request.count());
      found = memberList(page.entries());
      next = page.next();
    }
    List<Reply> out = new ArrayList<>();
    for (byte[] m : found) {
      if (request.matches(m)) {
        out.add(Reply.bulk(m));
      }
    }
    return ScanRequest.reply(next, out);
  }
}
