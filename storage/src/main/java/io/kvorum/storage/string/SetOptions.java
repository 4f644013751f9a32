package io.kvorum.storage.string;

import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;

/**
 * The options of SET and GETEX, parsed with Redis 7.0's parseExtendedStringArgumentsOrReply rules:
 * which combinations are a syntax error (a repeated EX is allowed and the last one wins, EX with
 * PX is not), and how EX/PX/EXAT/PXAT become an absolute deadline.
 *
 * @param expire   the EX/PX/EXAT/PXAT argument, null when none was given
 * @param relative EX or PX: the deadline counts from now
 * @param seconds  EX or EXAT: the argument is in seconds
 */
record SetOptions(boolean nx, boolean xx, boolean get, boolean keepTtl, boolean persist,
    byte[] expire, boolean relative, boolean seconds) {

  private static final int NX = 1;
  private static final int XX = 1 << 1;
  private static final int EX = 1 << 2;
  private static final int PX = 1 << 3;
  private static final int KEEPTTL = 1 << 4;
  private static final int GET = 1 << 5;
  private static final int EXAT = 1 << 6;
  private static final int PXAT = 1 << 7;
  private static final int PERSIST = 1 << 8;
  private static final int ANY_EXPIRE = EX | PX | EXAT | PXAT;

  /** SET's options, from {@code args[3]} on. */
  static SetOptions forSet(byte[][] args) {
    return parse(args, 3, true);
  }

  /** GETEX's options, from {@code args[2]} on. */
  static SetOptions forGetex(byte[][] args) {
    return parse(args, 2, false);
  }

  private static SetOptions parse(byte[][] args, int from, boolean set) {
    int flags = 0;
    byte[] expire = null;
    for (int j = from; j < args.length; j++) {
      byte[] opt = args[j];
      boolean hasNext = j < args.length - 1;
      if (Keywords.is(opt, "NX") && (flags & XX) == 0 && set) {
        flags |= NX;
      } else if (Keywords.is(opt, "XX") && (flags & NX) == 0 && set) {
        flags |= XX;
      } else if (Keywords.is(opt, "GET") && set) {
        flags |= GET;
      } else if (Keywords.is(opt, "KEEPTTL") && (flags & (PERSIST | ANY_EXPIRE)) == 0 && set) {
        flags |= KEEPTTL;
      } else if (Keywords.is(opt, "PERSIST") && !set && (flags & (ANY_EXPIRE | KEEPTTL)) == 0) {
        flags |= PERSIST;
      } else if (Keywords.is(opt, "EX") && (flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) == 0
          && hasNext) {
        flags |= EX;
        expire = args[++j];
      } else if (Keywords.is(opt, "PX") && (flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) == 0
          && hasNext) {
        flags |= PX;
        expire = args[++j];
      } else if (Keywords.is(opt, "EXAT") && (flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) == 0
          && hasNext) {
        flags |= EXAT;
        expire = args[++j];
      } else if (Keywords.is(opt, "PXAT") && (flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) == 0
          && hasNext) {
        flags |= PXAT;
        expire = args[++j];
      } else {
        throw RedisError.syntax();
      }
    }
    return new SetOptions((flags & NX) != 0, (flags & XX) != 0, (flags & GET) != 0,
        (flags & KEEPTTL) != 0, (flags & PERSIST) != 0, expire, (flags & (EX | PX)) != 0,
        (flags & (EX | EXAT)) != 0);
  }

  /**
   * The absolute deadline in Unix milliseconds (Redis's getExpireMillisecondsOrReply): the
   * argument must be a positive integer, and neither the unit conversion nor adding {@code now}
   * may overflow. Only valid when {@link #expire} is set.
   */
  long deadline(long now, String command) {
    long ms = RedisNumbers.parseLong(expire);
    if (ms <= 0 || (seconds && ms > Long.MAX_VALUE / 1000)) {
      throw invalidExpire(command);
    }
    if (seconds) {
      ms *= 1000;
    }
    if (relative) {
      if (ms > Long.MAX_VALUE - now) {
        throw invalidExpire(command);
      }
      ms += now;
    }
    return ms;
  }

  static RedisError invalidExpire(String command) {
    return new RedisError("ERR invalid expire time in '" + command + "' command");
  }
}
