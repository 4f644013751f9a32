package io.kvorum.storage.zset;

import io.kvorum.storage.engine.Bytes;
import io.kvorum.storage.reply.RedisError;
import java.util.Arrays;

/**
 * A member interval as ZRANGEBYLEX takes it ({@code zslParseLexRange}): "[x" inclusive, "(x"
 * exclusive, "-" and "+" the smallest and greatest strings. Members compare as unsigned bytes,
 * shorter first on a common prefix ({@code sdscmp}).
 *
 * @param min null for "-", {@link #PLUS} for "+"
 * @param max null for "-", {@link #PLUS} for "+"
 */
public record LexRange(byte[] min, boolean minExclusive, byte[] max, boolean maxExclusive) {
  static final String NOT_RANGE = "ERR min or max not valid string range item";
  /** Stands for "+" (identity compared, never a real member array). */
  static final byte[] PLUS = new byte[0];

  public static LexRange parse(byte[] min, byte[] max) {
    Item lo = item(min);
    Item hi = item(max);
    return new LexRange(lo.value, lo.exclusive, hi.value, hi.exclusive);
  }

  private record Item(byte[] value, boolean exclusive) {}

  private static Item item(byte[] s) {
    if (s.length == 0) {
      throw new RedisError(NOT_RANGE);
    }
    // '+' and '-' must stand alone in the C string; the others keep every following byte.
    boolean alone = s.length == 1 || s[1] == 0;
    return switch (s[0]) {
      case '+' -> {
        if (!alone) {
          throw new RedisError(NOT_RANGE);
        }
        yield new Item(PLUS, true);
      }
      case '-' -> {
        if (!alone) {
          throw new RedisError(NOT_RANGE);
        }
        yield new Item(null, true);
      }
      case '(' -> new Item(Arrays.copyOfRange(s, 1, s.length), true);
      case '[' -> new Item(Arrays.copyOfRange(s, 1, s.length), false);
      default -> throw new RedisError(NOT_RANGE);
    };
  }

  /** {@code sdscmplex}: "-" below and "+" above every string. */
  static int compare(byte[] a, byte[] b) {
    if (a == b) {
      return 0;
    }
    if (a == null || b == PLUS) {
      return -1;
    }
    if (a == PLUS || b == null) {
      return 1;
    }
    return Bytes.compare(a, b);
  }

  public boolean isEmpty() {
    int cmp = compare(min, max);
    return cmp > 0 || (cmp == 0 && (minExclusive || maxExclusive));
  }

  public boolean gteMin(byte[] member) {
    int cmp = compare(member, min);
    return minExclusive ? cmp > 0 : cmp >= 0;
  }

  public boolean lteMax(byte[] member) {
    int cmp = compare(member, max);
    return maxExclusive ? cmp < 0 : cmp <= 0;
  }
}
