package io.kvorum.storage.dump;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads Redis's ziplist ({@code ziplist.c}), the compact encoding of Redis before 7.0 that RDB
 * version 9 payloads (and earlier) carry for small lists, hashes and sorted sets. Layout: total
 * bytes (u32 LE), offset of the last entry (u32 LE), entry count (u16 LE, 65535 when larger), the
 * entries, and 0xFF. Each entry starts with the previous entry's size (1 byte, or 0xFE and a u32)
 * and its encoding: strings with a 6-, 14- or 32-bit length, or integers of 8, 16, 24, 32 or 64
 * bits, or 0 to 12 in the encoding byte itself.
 */
final class Ziplist {
  private static final int HEADER = 10;
  private static final int END = 0xFF;
  private static final int BIG_PREVLEN = 0xFE;
  private static final int COUNT_UNKNOWN = 65535;

  private Ziplist() {}

  /**
   * The entries, integers as decimal text, after the checks of Redis's deep integrity validation:
   * sizes in the header, every entry inside the blob, each entry's "previous size" right, the last
   * entry where the header says, and the count.
   */
  static List<byte[]> decode(byte[] zl) {
    int n = zl.length;
    if (n < HEADER + 1 || Listpack.getLittle(zl, 0, 4) != n || (zl[n - 1] & 0xFF) != END) {
      throw new CorruptPayload("ziplist header");
    }
    long tail = Listpack.getLittle(zl, 4, 4);
    if (tail > n - 1) {
      throw new CorruptPayload("ziplist tail offset");
    }
    int declared = (int) Listpack.getLittle(zl, 8, 2);
    int end = n - 1;
    int p = HEADER;
    long previousSize = 0;
    int last = -1;
    List<byte[]> out = new ArrayList<>();
    while ((zl[p] & 0xFF) != END) {
      int start = p;
      long prevlen;
      if ((zl[p] & 0xFF) < BIG_PREVLEN) {
        prevlen = zl[p] & 0xFF;
        p += 1;
      } else {
        need(p, 5, end);
        prevlen = Listpack.getLittle(zl, p + 1, 4);
        p += 5;
      }
      if (prevlen != previousSize) {
        throw new CorruptPayload("ziplist previous entry length");
      }
      need(p, 1, end);
      int enc = zl[p] & 0xFF;
      byte[] value;
      if (enc < 0xC0) {
        long len;
        int header;
        switch (enc >>> 6) {
          case 0 -> {
            len = enc & 0x3F;
            header = 1;
          }
          case 1 -> {
            need(p, 2, end);
            len = ((long) (enc & 0x3F) << 8) | (zl[p + 1] & 0xFF);
            header = 2;
          }
          default -> {
            need(p, 5, end);
            len = ((long) (zl[p + 1] & 0xFF) << 24) | ((zl[p + 2] & 0xFF) << 16)
                | ((zl[p + 3] & 0xFF) << 8) | (zl[p + 4] & 0xFF);
            header = 5;
          }
        }
        need(p, header + len, end);
        value = Arrays.copyOfRange(zl, p + header, (int) (p + header + len));
        p = (int) (p + header + len);
      } else {
        int width = switch (enc) {
          case 0xC0 -> 2;
          case 0xD0 -> 4;
          case 0xE0 -> 8;
          case 0xF0 -> 3;
          case 0xFE -> 1;
          default -> enc >= 0xF1 && enc <= 0xFD ? 0 : -1;
        };
        if (width < 0) {
          throw new CorruptPayload("ziplist entry encoding " + enc);
        }
        need(p, 1 + width, end);
        long v;
        if (width == 0) {
          v = (enc & 0x0F) - 1;
        } else {
          v = Listpack.getLittle(zl, p + 1, width);
          if (width < 8 && v >= 1L << (8 * width - 1)) {
            v -= 1L << (8 * width);
          }
        }
        value = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
        p += 1 + width;
      }
      out.add(value);
      previousSize = p - start;
      last = start;
    }
    if (p != end) {
      throw new CorruptPayload("ziplist end marker inside the blob");
    }
    if (last >= 0 && tail != last) {
      throw new CorruptPayload("ziplist tail offset");
    }
    if (declared != COUNT_UNKNOWN && declared != out.size()) {
      throw new CorruptPayload("ziplist count " + declared + " != " + out.size());
    }
    return out;
  }

  private static void need(int p, long bytes, int end) {
    if (p + bytes > end) {
      throw new CorruptPayload("ziplist entry past the end");
    }
  }
}
