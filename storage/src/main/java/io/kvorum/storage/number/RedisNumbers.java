package io.kvorum.storage.number;

import io.kvorum.storage.reply.RedisError;
import java.nio.charset.StandardCharsets;

/**
 * Number parsing and formatting with Redis's exact rules: {@code string2ll} accepts only canonical
 * decimal integers (no '+', no spaces, no leading zeros), so replies and errors match Redis.
 */
public final class RedisNumbers {
  private RedisNumbers() {}

  /** Parses a canonical decimal long, or returns null (Redis's string2ll). */
  public static Long parseLongOrNull(byte[] s) {
    int len = s.length;
    if (len == 0 || len > 20) {
      return null;
    }
    if (len == 1 && s[0] == '0') {
      return 0L;
    }
    int i = 0;
    boolean negative = false;
    if (s[0] == '-') {
      negative = true;
      i = 1;
      if (len == 1) {
        return null;
      }
    }
    if (s[i] < '1' || s[i] > '9') {
      return null;
    }
    long v = 0;
    for (; i < len; i++) {
      int d = s[i] - '0';
      if (d < 0 || d > 9) {
        return null;
      }
      // Accumulate negatively so Long.MIN_VALUE parses without overflow.
      if (v < (Long.MIN_VALUE + d) / 10) {
        return null;
      }
      v = v * 10 - d;
    }
    if (!negative) {
      if (v == Long.MIN_VALUE) {
        return null;
      }
      v = -v;
    }
    return v;
  }

  /** Parses a long argument or throws Redis's "value is not an integer or out of range". */
  public static long parseLong(byte[] s) {
    Long v = parseLongOrNull(s);
    if (v == null) {
      throw RedisError.notInteger();
    }
    return v;
  }

  /** The decimal bytes of a long, as Redis writes integers into strings. */
  public static byte[] toBytes(long v) {
    return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
  }
}
