package io.kvorum.storage.dump;

import java.util.Arrays;

/**
 * Redis's intset ({@code intset.c}), the encoding of a set of at most 512 integers: the width of
 * every value (u32 LE: 2, 4 or 8 bytes), the count (u32 LE), then the values ascending, each
 * little-endian in that width. Redis widens an intset when a value needs it and never narrows it;
 * a set written here uses the narrowest width its values need, as a set built from scratch does.
 */
final class Intset {
  private static final int HEADER = 8;

  private Intset() {}

  /** The intset of {@code values}, which must be distinct; they are sorted here. */
  static byte[] encode(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int width = 2;
    for (long v : sorted) {
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        width = 8;
        break;
      }
      if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
        width = 4;
      }
    }
    byte[] out = new byte[HEADER + sorted.length * width];
    Listpack.putLittle(out, 0, width, 4);
    Listpack.putLittle(out, 4, sorted.length, 4);
    for (int i = 0; i < sorted.length; i++) {
      Listpack.putLittle(out, HEADER + i * width, sorted[i], width);
    }
    return out;
  }

  /**
   * The values, after Redis's deep integrity checks: a known width, a size that fits the count,
   * at least one value, and values strictly ascending (no duplicates).
   */
  static long[] decode(byte[] is) {
    if (is.length < HEADER) {
      throw new CorruptPayload("intset header");
    }
    long width = Listpack.getLittle(is, 0, 4);
    if (width != 2 && width != 4 && width != 8) {
      throw new CorruptPayload("intset width " + width);
    }
    long count = Listpack.getLittle(is, 4, 4);
    if (HEADER + count * width != is.length || count == 0) {
      throw new CorruptPayload("intset size");
    }
    long[] values = new long[(int) count];
    for (int i = 0; i < count; i++) {
      long v = Listpack.getLittle(is, HEADER + i * (int) width, (int) width);
      if (width < 8 && v >= 1L << (8 * width - 1)) {
        v -= 1L << (8 * width);
      }
      if (i > 0 && v <= values[i - 1]) {
        throw new CorruptPayload("intset not ascending");
      }
      values[i] = v;
    }
    return values;
  }
}
