package io.kvorum.storage.bitmap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Bit-level reads and writes on a string value with Redis's bit numbering: bit 0 is the most
 * significant bit of the first byte. Multi-bit fields (BITFIELD) are big-endian in that order;
 * bits past the end of the string read as zero.
 */
final class BitString {
  private static final VarHandle LONG_VIEW =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private BitString() {}

  /** Number of set bits in {@code count} bytes from {@code from} (Redis's redisPopcount). */
  static long popcount(byte[] s, int from, long count) {
    long bits = 0;
    int i = from;
    int end = (int) (from + count);
    for (; i + 8 <= end; i += 8) {
      bits += Long.bitCount((long) LONG_VIEW.get(s, i));
    }
    for (; i < end; i++) {
      bits += Integer.bitCount(s[i] & 0xFF);
    }
    return bits;
  }

  /**
   * Position of the first bit equal to {@code bit} in {@code count} bytes from {@code from},
   * relative to {@code from} (Redis's redisBitpos). Looking for 0 in all-ones bytes answers
   * {@code count * 8}, as if the string went on with zeros; looking for 1 in all-zero bytes
   * answers -1.
   */
  static long firstBit(byte[] s, int from, long count, int bit) {
    int skip = bit == 1 ? 0 : 0xFF;
    for (long i = 0; i < count; i++) {
      int b = s[(int) (from + i)] & 0xFF;
      if (b != skip) {
        int probe = bit == 1 ? b : ~b & 0xFF;
        return i * 8 + Integer.numberOfLeadingZeros(probe) - 24;
      }
    }
    return bit == 1 ? -1 : count * 8;
  }

  /** Bit {@code offset} of {@code s}, 0 past its end. */
  static int bit(byte[] s, long offset) {
    long at = offset >>> 3;
    if (at >= s.length) {
      return 0;
    }
    return (s[(int) at] >> (7 - (int) (offset & 7))) & 1;
  }

  /** Reads a {@code bits}-wide unsigned field at bit {@code offset} (getUnsignedBitfield). */
  static long getUnsigned(byte[] s, long offset, int bits) {
    long value = 0;
    for (int j = 0; j < bits; j++) {
      value = (value << 1) | bit(s, offset + j);
    }
    return value;
  }

  /** Reads a {@code bits}-wide two's-complement field (getSignedBitfield). */
  static long getSigned(byte[] s, long offset, int bits) {
    long value = getUnsigned(s, offset, bits);
    if (bits < 64 && (value & (1L << (bits - 1))) != 0) {
      value |= -1L << bits;
    }
    return value;
  }

  /**
   * Writes the low {@code bits} bits of {@code value} at bit {@code offset}
   * (setUnsignedBitfield; signed values are written as their two's complement). The string must
   * already be long enough.
   */
  static void set(byte[] s, long offset, int bits, long value) {
    for (int j = 0; j < bits; j++) {
      long bitval = (value >>> (bits - 1 - j)) & 1;
      int at = (int) (offset >>> 3);
      int shift = 7 - (int) (offset & 7);
      s[at] = (byte) ((s[at] & ~(1 << shift)) | ((int) bitval << shift));
      offset++;
    }
  }
}
