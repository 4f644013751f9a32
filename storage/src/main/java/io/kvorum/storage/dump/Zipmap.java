package io.kvorum.storage.dump;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads Redis's zipmap ({@code zipmap.c}), the small-hash encoding of Redis before 2.6 that RDB
 * files may still carry. Layout: a count byte (254 or more: unknown), then per field its length,
 * the field, the value's length, a "free" byte counting unused bytes after the value, the value
 * and the unused bytes; then 0xFF. A length is one byte below 254, else 254 and a u32 (LE).
 */
final class Zipmap {
  private static final int BIG_LENGTH = 254;
  private static final int END = 0xFF;

  private Zipmap() {}

  /** Fields and values alternately, after the checks of {@code zipmapValidateIntegrity}. */
  static List<byte[]> decode(byte[] zm) {
    int n = zm.length;
    if (n < 2) {
      throw new CorruptPayload("zipmap too short");
    }
    List<byte[]> out = new ArrayList<>();
    int p = 1;
    while (true) {
      inside(p, n);
      if ((zm[p] & 0xFF) == END) {
        break;
      }
      long[] field = length(zm, p, n);
      p = (int) field[1];
      inside(p + field[0], n);
      out.add(Arrays.copyOfRange(zm, p, (int) (p + field[0])));
      p = (int) (p + field[0]);
      long[] value = length(zm, p, n);
      p = (int) value[1];
      inside(p, n);
      int free = zm[p] & 0xFF;
      p++;
      inside(p + value[0] + free, n);
      out.add(Arrays.copyOfRange(zm, p, (int) (p + value[0])));
      p = (int) (p + value[0] + free);
    }
    int count = out.size() / 2;
    if (count == 0) {
      throw new CorruptPayload("empty zipmap");
    }
    int declared = zm[0] & 0xFF;
    if (declared < BIG_LENGTH && declared != count) {
      throw new CorruptPayload("zipmap count " + declared + " != " + count);
    }
    if (p != n - 1) {
      throw new CorruptPayload("zipmap end marker inside the blob");
    }
    return out;
  }

  /** {length, position after the length}. */
  private static long[] length(byte[] zm, int p, int n) {
    int b = zm[p] & 0xFF;
    if (b < BIG_LENGTH) {
      inside(p + 1, n);
      return new long[] {b, p + 1};
    }
    inside(p + 5, n);
    return new long[] {Listpack.getLittle(zm, p + 1, 4), p + 5};
  }

  /** Redis's OUT_OF_RANGE: a position must stay before the last byte (the end marker). */
  private static void inside(long p, int n) {
    if (p < 1 || p > n - 1) {
      throw new CorruptPayload("zipmap entry past the end");
    }
  }
}
