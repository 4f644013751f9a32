package io.kvorum.storage.engine;

import java.util.Arrays;

/** Byte-array helpers for key encoding: big-endian numbers and unsigned ordering. */
public final class Bytes {
  private Bytes() {}

  /** Unsigned lexicographic order, the order RocksDB's default comparator uses. */
  public static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  public static void putLong(byte[] dst, int at, long v) {
    for (int i = 7; i >= 0; i--) {
      dst[at + i] = (byte) v;
      v >>>= 8;
    }
  }

  public static long getLong(byte[] src, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (src[at + i] & 0xFF);
    }
    return v;
  }

  public static void putInt(byte[] dst, int at, int v) {
    dst[at] = (byte) (v >>> 24);
    dst[at + 1] = (byte) (v >>> 16);
    dst[at + 2] = (byte) (v >>> 8);
    dst[at + 3] = (byte) v;
  }

  public static int getInt(byte[] src, int at) {
    return ((src[at] & 0xFF) << 24)
        | ((src[at + 1] & 0xFF) << 16)
        | ((src[at + 2] & 0xFF) << 8)
        | (src[at + 3] & 0xFF);
  }

  public static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    putLong(b, 0, v);
    return b;
  }

  /** The smallest key greater than every key that starts with {@code prefix}, or null if none. */
  public static byte[] prefixEnd(byte[] prefix) {
    byte[] end = prefix.clone();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xFF) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    return null;
  }

  public static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  public static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
