package io.kvorum.storage.dump;

import io.kvorum.storage.number.RedisNumbers;
import java.util.Arrays;

/**
 * Writes a value in the RDB format the way Redis 7.0's {@code rdbSave*} functions do, and seals it
 * as a DUMP payload. Strings are never LZF-compressed here (Redis compresses strings over 20 bytes
 * when that saves space; any RDB reader accepts both forms), so a payload matches Redis's byte for
 * byte exactly when Redis did not compress.
 */
final class RdbWriter {
  private byte[] buf = new byte[64];
  private int size;

  void type(int type) {
    put(type);
  }

  /**
   * {@code rdbSaveLen}: 6-bit, 14-bit, 32-bit or 64-bit, the wider forms big-endian. The length is
   * unsigned 64-bit, as Redis's {@code uint64_t}: stream IDs use the whole range, and a group's
   * unknown entries_read (-1) is written as 2^64 - 1.
   */
  void length(long len) {
    if (Long.compareUnsigned(len, 1 << 6) < 0) {
      put((int) len);
    } else if (Long.compareUnsigned(len, 1 << 14) < 0) {
      put((int) (len >>> 8) | 0x40);
      put((int) len);
    } else if (Long.compareUnsigned(len, 0xFFFFFFFFL) <= 0) {
      put(0x80);
      big(len, 4);
    } else {
      put(0x81);
      big(len, 8);
    }
  }

  /**
   * {@code rdbSaveRawString} without compression: a string of at most 11 bytes that is a
   * canonical integer fitting 32 bits is stored as an 8-, 16- or 32-bit integer, anything else as
   * its length and bytes.
   */
  void string(byte[] s) {
    if (s.length <= 11) {
      Long v = RedisNumbers.parseLongOrNull(s);
      if (v != null && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
        integer(v);
        return;
      }
    }
    length(s.length);
    raw(s);
  }

  private void integer(long v) {
    if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
      put(0xC0);
      put((int) v);
    } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
      put(0xC1);
      little(v, 2);
    } else {
      put(0xC2);
      little(v, 4);
    }
  }

  /** {@code rdbSaveMillisecondTime}: a signed 64-bit time, little-endian. */
  void millis(long ms) {
    little(ms, 8);
  }

  /** {@code rdbSaveBinaryDoubleValue}: the IEEE 754 bits, little-endian. */
  void binaryDouble(double d) {
    little(Double.doubleToRawLongBits(d), 8);
  }

  void raw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, size, bytes.length);
    size += bytes.length;
  }

  /** The DUMP payload: what was written, the RDB version (u16 LE) and the CRC-64 (u64 LE). */
  byte[] payload() {
    little(RdbType.RDB_VERSION, 2);
    little(Crc64.of(buf, 0, size), 8);
    return Arrays.copyOf(buf, size);
  }

  private void big(long v, int bytes) {
    for (int i = bytes - 1; i >= 0; i--) {
      put((int) (v >>> (8 * i)));
    }
  }

  private void little(long v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      put((int) (v >>> (8 * i)));
    }
  }

  private void put(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      long wanted = Math.max(buf.length * 2L, (long) size + more);
      buf = Arrays.copyOf(buf, (int) Math.min(wanted, Integer.MAX_VALUE - 8));
    }
  }
}
