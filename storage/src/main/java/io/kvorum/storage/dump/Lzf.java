package io.kvorum.storage.dump;

/**
 * LZF decompression ({@code lzf_d.c}), for RDB strings Redis stored compressed. A compressed
 * stream is a sequence of literal runs (control byte {@code 000LLLLL}: the next L+1 bytes are
 * copied) and back references (control {@code LLLooooo}, an optional extra length byte when L is
 * 7, and a low offset byte: copy L+2 bytes starting offset+1 bytes back in the output).
 */
final class Lzf {
  /**
   * The most bytes one compressed byte can stand for: a 3-byte back reference yields up to 264
   * bytes. A payload claiming more is corrupt, which is known before allocating the output.
   */
  static final int MAX_RATIO = 88;

  private Lzf() {}

  /**
   * Decompresses {@code in[from, from + length)} into exactly {@code outLength} bytes, as Redis
   * requires ({@code lzf_decompress(...) != len} is an error).
   */
  static byte[] decompress(byte[] in, int from, int length, int outLength) {
    if ((long) outLength > (long) length * MAX_RATIO) {
      throw new CorruptPayload("LZF length " + outLength + " impossible for " + length + " bytes");
    }
    byte[] out = new byte[outLength];
    int ip = from;
    int end = from + length;
    int op = 0;
    while (ip < end) {
      int ctrl = in[ip++] & 0xFF;
      if (ctrl < 32) {
        int run = ctrl + 1;
        if (op + run > outLength) {
          throw new CorruptPayload("LZF output overflow");
        }
        if (ip + run > end) {
          throw new CorruptPayload("LZF input truncated");
        }
        System.arraycopy(in, ip, out, op, run);
        ip += run;
        op += run;
      } else {
        int len = ctrl >>> 5;
        int ref = op - ((ctrl & 0x1F) << 8) - 1;
        if (ip >= end) {
          throw new CorruptPayload("LZF input truncated");
        }
        if (len == 7) {
          len += in[ip++] & 0xFF;
          if (ip >= end) {
            throw new CorruptPayload("LZF input truncated");
          }
        }
        ref -= in[ip++] & 0xFF;
        len += 2;
        if (op + len > outLength) {
          throw new CorruptPayload("LZF output overflow");
        }
        if (ref < 0) {
          throw new CorruptPayload("LZF back reference before the start");
        }
        // Byte by byte: the source may overlap the bytes being written (runs of a repeated byte).
        for (int k = 0; k < len; k++) {
          out[op++] = out[ref++];
        }
      }
    }
    if (op != outLength) {
      throw new CorruptPayload("LZF produced " + op + " bytes instead of " + outLength);
    }
    return out;
  }
}
