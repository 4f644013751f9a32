package io.kvorum.storage.dump;

import io.kvorum.storage.zset.Strtod;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads RDB primitives from a DUMP payload the way Redis 7.0's {@code rdbLoad*} functions do.
 * Like Redis, it reads from the whole payload, footer included: a value that runs short reads
 * into the footer rather than stopping at it, and only reading past the last byte fails.
 */
final class RdbReader {
  private static final int ENC_INT8 = 0;
  private static final int ENC_INT16 = 1;
  private static final int ENC_INT32 = 2;
  private static final int ENC_LZF = 3;

  private final byte[] data;
  private int pos;

  RdbReader(byte[] data) {
    this.data = data;
  }

  /** Bytes not read yet. */
  int remaining() {
    return data.length - pos;
  }

  int u8() {
    if (pos >= data.length) {
      throw new CorruptPayload("payload truncated");
    }
    return data[pos++] & 0xFF;
  }

  byte[] bytes(long n) {
    if (n < 0 || n > remaining()) {
      throw new CorruptPayload("payload truncated");
    }
    byte[] out = Arrays.copyOfRange(data, pos, (int) (pos + n));
    pos += (int) n;
    return out;
  }

  /**
   * {@code rdbLoadLen}: 00 six bits, 01 fourteen bits, 0x80 a u32, 0x81 a u64 (big-endian). Where a
   * plain length is expected, Redis takes the low six bits of a "11" (encoded-string) byte as the
   * length; so does this.
   */
  long length() {
    return lengthOrEncoding()[0];
  }

  /**
   * {@code rdbLoadLen} where the whole unsigned 64-bit range is a value (stream IDs, counters):
   * 2^64 - 1 and the other values above 2^63 come back as negative longs.
   */
  long unsignedLength() {
    if (remaining() > 0 && (data[pos] & 0xFF) == 0x81) {
      pos++;
      return big(8);
    }
    return length();
  }

  /** {@code rdbLoadMillisecondTime}: a signed 64-bit time, little-endian. */
  long millis() {
    return little(8);
  }

  /** {length or encoding, 1 when it is a special string encoding}. */
  private long[] lengthOrEncoding() {
    int b = u8();
    int kind = b >>> 6;
    if (kind == 3) {
      return new long[] {b & 0x3F, 1};
    }
    if (kind == 0) {
      return new long[] {b & 0x3F, 0};
    }
    if (kind == 1) {
      return new long[] {((long) (b & 0x3F) << 8) | u8(), 0};
    }
    if (b == 0x80) {
      return new long[] {big(4), 0};
    }
    if (b == 0x81) {
      long len = big(8);
      if (len < 0) {
        throw new CorruptPayload("length above 2^63");
      }
      return new long[] {len, 0};
    }
    throw new CorruptPayload("unknown length encoding " + b);
  }

  /** {@code rdbGenericLoadStringObject}: raw bytes, a small integer, or LZF-compressed bytes. */
  byte[] string() {
    long[] len = lengthOrEncoding();
    if (len[1] == 0) {
      return bytes(len[0]);
    }
    long value;
    switch ((int) len[0]) {
      case ENC_INT8 -> value = (byte) u8();
      case ENC_INT16 -> value = (short) little(2);
      case ENC_INT32 -> value = (int) little(4);
      case ENC_LZF -> {
        long compressed = length();
        long plain = length();
        if (compressed > remaining() || plain > Integer.MAX_VALUE - 8) {
          throw new CorruptPayload("LZF lengths");
        }
        byte[] out = Lzf.decompress(data, pos, (int) compressed, (int) plain);
        pos += (int) compressed;
        return out;
      }
      default -> throw new CorruptPayload("unknown string encoding " + len[0]);
    }
    return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
  }

  /** {@code rdbLoadBinaryDoubleValue}: 8 bytes, little-endian IEEE 754. */
  double binaryDouble() {
    return Double.longBitsToDouble(little(8));
  }

  /**
   * {@code rdbLoadDoubleValue}, the score format of the old ZSET type: a length byte (253 NaN, 254
   * +inf, 255 -inf) and that many bytes of text read with {@code sscanf("%lg")}, which skips
   * leading white space and ignores what follows the number.
   */
  double asciiDouble() {
    int len = u8();
    switch (len) {
      case 255:
        return Double.NEGATIVE_INFINITY;
      case 254:
        return Double.POSITIVE_INFINITY;
      case 253:
        return Double.NaN;
      default:
        Strtod.Result r = Strtod.parse(bytes(len), 0);
        if (r.end() == 0) {
          throw new CorruptPayload("score is not a number");
        }
        return r.value();
    }
  }

  private long big(int bytes) {
    if (remaining() < bytes) {
      throw new CorruptPayload("payload truncated");
    }
    long v = 0;
    for (int i = 0; i < bytes; i++) {
      v = (v << 8) | (data[pos++] & 0xFF);
    }
    return v;
  }

  private long little(int bytes) {
    if (remaining() < bytes) {
      throw new CorruptPayload("payload truncated");
    }
    long v = Listpack.getLittle(data, pos, bytes);
    pos += bytes;
    return v;
  }
}
