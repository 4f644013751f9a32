package io.kvorum.storage.stream;

import io.kvorum.storage.number.RedisNumbers;

/**
 * Byte sizes of listpack elements, as Redis 7.0's {@code listpack.c} encodes them. Redis keeps a
 * stream in listpack nodes of at most {@code stream-node-max-bytes} (4096) bytes and {@code
 * stream-node-max-entries} (100) entries; where a node ends decides what {@code MAXLEN ~} and
 * {@code MINID ~} trim and what XINFO STREAM reports, so Kvorum models each node's byte size (see
 * {@link StreamNode}) without keeping the listpack itself.
 */
final class ListpackSize {
  /** Listpack header (total bytes, element count) plus the end marker. */
  static final int OVERHEAD = 6 + 1;

  private ListpackSize() {}

  /** An integer element: its encoding plus the back-length bytes. */
  static int ofInteger(long v) {
    int encoded;
    if (v >= 0 && v <= 127) {
      encoded = 1;
    } else if (v >= -4096 && v <= 4095) {
      encoded = 2;
    } else if (v >= -32768 && v <= 32767) {
      encoded = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      encoded = 4;
    } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
      encoded = 5;
    } else {
      encoded = 9;
    }
    return encoded + backlen(encoded);
  }

  /**
   * A string element; a string that is a canonical 64-bit integer is stored as that integer
   * ({@code lpStringToInt64}).
   */
  static long ofString(byte[] s) {
    if (s.length > 0 && s.length <= 20) {
      Long v = RedisNumbers.parseLongOrNull(s);
      if (v != null) {
        return ofInteger(v);
      }
    }
    long len = s.length;
    long encoded = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
    return encoded + backlen(encoded);
  }

  /** Bytes of the back-length that follows an element of {@code encoded} bytes. */
  static int backlen(long encoded) {
    if (encoded <= 127) {
      return 1;
    } else if (encoded < 16383) {
      return 2;
    } else if (encoded < 2097151) {
      return 3;
    } else if (encoded < 268435455) {
      return 4;
    }
    return 5;
  }
}
