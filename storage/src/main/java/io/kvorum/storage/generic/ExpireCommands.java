package io.kvorum.storage.generic;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.List;

/**
 * Key expiry: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with Redis 7.0's NX/XX/GT/LT), EXPIRETIME,
 * PEXPIRETIME, TTL, PTTL, PERSIST. All time math uses {@link CommandContext#now()}: on the write
 * path the leader's clock recorded in the log entry, so every replica decides alike.
 */
public final class ExpireCommands {
  private static final int NX = 1;
  private static final int XX = 1 << 1;
  private static final int GT = 1 << 2;
  private static final int LT = 1 << 3;

  private ExpireCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("expire", -3, "write fast", 1, 1, 1, "@keyspace @write @fast", ""),
            (ctx, args) -> expire(ctx, args, "expire", true, true)),
        KeyspaceCommand.of(of("pexpire", -3, "write fast", 1, 1, 1, "@keyspace @write @fast", ""),
            (ctx, args) -> expire(ctx, args, "pexpire", false, true)),
        KeyspaceCommand.of(
            of("expireat", -3, "write fast", 1, 1, 1, "@keyspace @write @fast", ""),
            (ctx, args) -> expire(ctx, args, "expireat", true, false)),
        KeyspaceCommand.of(
            of("pexpireat", -3, "write fast", 1, 1, 1, "@keyspace @write @fast", ""),
            (ctx, args) -> expire(ctx, args, "pexpireat", false, false)),
        KeyspaceCommand.of(
            of("expiretime", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast", ""),
            (ctx, args) -> ttl(ctx, args, false, true)),
        KeyspaceCommand.of(
            of("pexpiretime", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast", ""),
            (ctx, args) -> ttl(ctx, args, true, true)),
        KeyspaceCommand.of(
            of("ttl", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast",
                "nondeterministic_output"),
            (ctx, args) -> ttl(ctx, args, false, false)),
        KeyspaceCommand.of(
            of("pttl", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast",
                "nondeterministic_output"),
            (ctx, args) -> ttl(ctx, args, true, false)),
        KeyspaceCommand.of(of("persist", 2, "write fast", 1, 1, 1, "@keyspace @write @fast", ""),
            ExpireCommands::persist));
  }

  /**
   * The EXPIRE family (Redis's expireGenericCommand): options first, then the number, overflow
   * checks, the key, the NX/XX/GT/LT conditions (no TTL counts as infinite), and a deadline at or
   * before now deletes the key and still answers 1.
   */
  static Reply expire(
      CommandContext ctx, byte[][] args, String name, boolean seconds, boolean relative) {
    int flags = parseFlags(args);
    long when = RedisNumbers.parseLong(args[2]);
    if (seconds) {
      if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
        throw invalidExpire(name);
      }
      when *= 1000;
    }
    long base = relative ? ctx.now() : 0;
    if (when > Long.MAX_VALUE - base) {
      throw invalidExpire(name);
    }
    when += base;

    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1]);
    if (meta == null) {
      return Reply.ZERO;
    }
    long current = meta.hasExpire() ? meta.expireAt() : -1;
    if ((flags & NX) != 0 && current != -1) {
      return Reply.ZERO;
    }
    if ((flags & XX) != 0 && current == -1) {
      return Reply.ZERO;
    }
    if ((flags & GT) != 0 && (when <= current || current == -1)) {
      return Reply.ZERO;
    }
    if ((flags & LT) != 0 && current != -1 && when >= current) {
      return Reply.ZERO;
    }
    if (when <= ctx.now()) {
      ks.remove(args[1], meta);
    } else {
      ks.put(args[1], meta, meta.withExpireAt(when));
    }
    return Reply.ONE;
  }

  private static int parseFlags(byte[][] args) {
    int flags = 0;
    for (int j = 3; j < args.length; j++) {
      byte[] opt = args[j];
      if (Keywords.is(opt, "NX")) {
        flags |= NX;
      } else if (Keywords.is(opt, "XX")) {
        flags |= XX;
      } else if (Keywords.is(opt, "GT")) {
        flags |= GT;
      } else if (Keywords.is(opt, "LT")) {
        flags |= LT;
      } else {
        throw new RedisError("ERR Unsupported option " + errorText(opt));
      }
    }
    if ((flags & NX) != 0 && (flags & (XX | GT | LT)) != 0) {
      throw new RedisError("ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if ((flags & GT) != 0 && (flags & LT) != 0) {
      throw new RedisError("ERR GT and LT options at the same time are not compatible");
    }
    return flags;
  }

  /**
   * An argument quoted at the end of an error as Redis's addReplyErrorFormat does: cut at NUL,
   * trailing CR/LF trimmed, inner ones turned into spaces (a reply line must not break).
   */
  static String errorText(byte[] arg) {
    String s = Keywords.cString(arg);
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\r' || s.charAt(end - 1) == '\n')) {
      end--;
    }
    return s.substring(0, end).replace('\r', ' ').replace('\n', ' ');
  }

  private static RedisError invalidExpire(String name) {
    return new RedisError("ERR invalid expire time in '" + name + "' command");
  }

  /**
   * TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for a missing key, -1 without a deadline; seconds are
   * rounded to the nearest second as Redis does ({@code (ms + 500) / 1000}).
   */
  static Reply ttl(CommandContext ctx, byte[][] args, boolean millis, boolean absolute) {
    KeyMeta meta = ctx.keyspace().lookup(args[1]);
    if (meta == null) {
      return Reply.integer(-2);
    }
    if (!meta.hasExpire()) {
      return Reply.integer(-1);
    }
    long ttl = absolute ? meta.expireAt() : meta.expireAt() - ctx.now();
    if (ttl < 0) {
      ttl = 0;
    }
    // Written so that ttl + 500 cannot overflow for a deadline near Long.MAX_VALUE.
    return Reply.integer(millis ? ttl : ttl / 1000 + (ttl % 1000 + 500) / 1000);
  }

  static Reply persist(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1]);
    if (meta == null || !meta.hasExpire()) {
      return Reply.ZERO;
    }
    ks.put(args[1], meta, meta.withExpireAt(0));
    return Reply.ONE;
  }
}
