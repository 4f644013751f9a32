package io.kvorum.storage.hash;

import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.generic.GlobPattern;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.List;

/**
 * The arguments of HSCAN and SSCAN ({@code key cursor [MATCH pattern] [COUNT count]}), parsed and
 * validated the way Redis 7.0's {@code parseScanCursorOrReply} and {@code scanGenericCommand} do.
 *
 * @param cursor  the cursor as the 64 bits of an unsigned number
 * @param pattern the MATCH pattern, or null when every member matches
 */
public record ScanRequest(long cursor, long count, byte[] pattern) {
  /** Redis's default COUNT. */
  private static final long DEFAULT_COUNT = 10;
  private static final Reply EMPTY_SCAN = Reply.array(Reply.bulk("0"), Reply.EMPTY_ARRAY);

  /** The reply to a scan of a key that does not exist. */
  public static Reply emptyScan() {
    return EMPTY_SCAN;
  }

  /**
   * The cursor argument, read like C's {@code strtoul} (sign allowed, negative values wrap, the
   * argument ends at its first NUL, the empty string is 0) and refused, as Redis does, when it
   * starts with white space, has trailing characters or overflows 64 bits.
   */
  public static long parseCursor(byte[] arg) {
    int n = 0;
    while (n < arg.length && arg[n] != 0) {
      n++;
    }
    if (n == 0) {
      return 0;
    }
    if (isSpace(arg[0])) {
      throw invalidCursor();
    }
    int i = 0;
    boolean negative = false;
    if (arg[0] == '+' || arg[0] == '-') {
      negative = arg[0] == '-';
      i++;
    }
    if (i == n) {
      throw invalidCursor();
    }
    long value = 0;
    for (; i < n; i++) {
      int d = arg[i] - '0';
      if (d < 0 || d > 9) {
        throw invalidCursor();
      }
      if (Long.compareUnsigned(value, Long.divideUnsigned(-1L, 10)) > 0) {
        throw invalidCursor();
      }
      long next = value * 10 + d;
      if (Long.compareUnsigned(next, value * 10) < 0) {
        throw invalidCursor();
      }
      value = next;
    }
    return negative ? -value : value;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || (b >= '\t' && b <= '\r');
  }

  private static RedisError invalidCursor() {
    return new RedisError("ERR invalid cursor");
  }

  /** Parses {@code MATCH}/{@code COUNT} options from {@code args[3]} on (after key and cursor). */
  public static ScanRequest parse(long cursor, byte[][] args) {
    long count = DEFAULT_COUNT;
    byte[] pattern = null;
    for (int i = 3; i < args.length; i += 2) {
      int left = args.length - i;
      if (Keywords.is(args[i], "COUNT") && left >= 2) {
        count = RedisNumbers.parseLong(args[i + 1]);
        if (count < 1) {
          throw RedisError.syntax();
        }
      } else if (Keywords.is(args[i], "MATCH") && left >= 2) {
        byte[] p = args[i + 1];
        pattern = p.length == 1 && p[0] == '*' ? null : p;
      } else {
        throw RedisError.syntax();
      }
    }
    return new ScanRequest(cursor, count, pattern);
  }

  /** Whether a member passes the MATCH filter. */
  public boolean matches(byte[] member) {
    return pattern == null || GlobPattern.matches(pattern, member);
  }

  /** The reply: the next cursor as an unsigned decimal, then the elements. */
  public static Reply reply(long next, List<Reply> elements) {
    return Reply.array(Reply.bulk(Long.toUnsignedString(next)), Reply.array(elements));
  }
}
