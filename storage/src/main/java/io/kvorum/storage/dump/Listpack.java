package io.kvorum.storage.dump;

import io.kvorum.storage.number.RedisNumbers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Redis's listpack ({@code listpack.c}): the compact encoding of small hashes and sorted sets and
 * of each quicklist node. Layout: total bytes (u32 LE), element count (u16 LE, 65535 when larger),
 * the entries, and the end byte 0xFF. An entry is its encoding and data followed by "backlen", the
 * entry's size written backwards in 7-bit groups so the list can be walked from the tail.
 *
 * <p>Strings that are canonical 64-bit integers are stored as integers in the smallest of seven
 * forms, exactly as {@code lpAppend} chooses, so a listpack built here is byte for byte the one
 * Redis builds from the same elements.
 */
final class Listpack {
  private static final int HEADER = 6;
  private static final int EOF = 0xFF;
  /** The element count in the header saturates here (LP_HDR_NUMELE_UNKNOWN). */
  private static final int COUNT_UNKNOWN = 65535;
  /** Redis 7.0's default list-max-listpack-size (-2): a quicklist node holds up to 8 KiB. */
  static final int QUICKLIST_NODE_LIMIT = 8192;
  /**
   * What Redis 7.0 adds to an element's length to estimate its cost in a node (quicklist.c's
   * SIZE_ESTIMATE_OVERHEAD).
   */
  private static final int NODE_ENTRY_OVERHEAD = 8;

  private Listpack() {}

  /** Appends entries to a new listpack; {@link #finish} seals it. */
  static final class Builder {
    private byte[] buf = new byte[64];
    private int size = HEADER;
    private int count;

    /** The listpack's size in bytes if it were finished now (Redis's {@code lpBytes}). */
    long bytes() {
      return size + 1L;
    }

    int count() {
      return count;
    }

    /** Redis's {@code lpAppend}: an integer encoding when the string is a canonical integer. */
    Builder append(byte[] s) {
      Long v = RedisNumbers.parseLongOrNull(s);
      return v != null ? appendInteger(v) : appendString(s);
    }

    Builder appendInteger(long v) {
      int at = size;
      if (v >= 0 && v <= 127) {
        put((int) v);
      } else if (v >= -4096 && v <= 4095) {
        long u = v < 0 ? (1L << 13) + v : v;
        put((int) (u >>> 8) | 0xC0);
        put((int) u);
      } else if (v >= -32768 && v <= 32767) {
        put(0xF1);
        little(v < 0 ? (1L << 16) + v : v, 2);
      } else if (v >= -8388608 && v <= 8388607) {
        put(0xF2);
        little(v < 0 ? (1L << 24) + v : v, 3);
      } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
        put(0xF3);
        little(v < 0 ? (1L << 32) + v : v, 4);
      } else {
        put(0xF4);
        little(v, 8);
      }
      backlen(size - at);
      count++;
      return this;
    }

    Builder appendString(byte[] s) {
      int at = size;
      int len = s.length;
      if (len < 64) {
        put(0x80 | len);
      } else if (len < 4096) {
        put((len >>> 8) | 0xE0);
        put(len);
      } else {
        put(0xF0);
        little(len, 4);
      }
      ensure(len);
      System.arraycopy(s, 0, buf, size, len);
      size += len;
      backlen(size - at);
      count++;
      return this;
    }

    /** The listpack's bytes; the builder must not be used afterwards. */
    byte[] finish() {
      put(EOF);
      byte[] out = Arrays.copyOf(buf, size);
      putLittle(out, 0, size, 4);
      putLittle(out, 4, Math.min(count, COUNT_UNKNOWN), 2);
      return out;
    }

    /** {@code lpEncodeBacklen}: the entry's size, most significant 7-bit group first. */
    private void backlen(long l) {
      if (l <= 127) {
        put((int) l);
      } else if (l < 16383) {
        put((int) (l >>> 7));
        put((int) (l & 127) | 128);
      } else if (l < 2097151) {
        put((int) (l >>> 14));
        put((int) ((l >>> 7) & 127) | 128);
        put((int) (l & 127) | 128);
      } else if (l < 268435455) {
        put((int) (l >>> 21));
        put((int) ((l >>> 14) & 127) | 128);
        put((int) ((l >>> 7) & 127) | 128);
        put((int) (l & 127) | 128);
      } else {
        put((int) (l >>> 28));
        put((int) ((l >>> 21) & 127) | 128);
        put((int) ((l >>> 14) & 127) | 128);
        put((int) ((l >>> 7) & 127) | 128);
        put((int) (l & 127) | 128);
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
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }
  }

  /**
   * The quicklist nodes Redis 7.0 builds when the elements are pushed one by one to the tail
   * ({@code _quicklistNodeAllowInsert} with the default fill of -2): an element joins the tail
   * node while the node's size plus the element's length plus 8 stays within 8 KiB, else it starts
   * a new node.
   */
  static List<byte[]> quicklistNodes(List<byte[]> elements) {
    List<byte[]> nodes = new ArrayList<>();
    Builder node = null;
    for (byte[] e : elements) {
      if (node != null && node.bytes() + e.length + NODE_ENTRY_OVERHEAD > QUICKLIST_NODE_LIMIT) {
        nodes.add(node.finish());
        node = null;
      }
      if (node == null) {
        node = new Builder();
      }
      node.append(e);
    }
    if (node != null) {
      nodes.add(node.finish());
    }
    return nodes;
  }

  /**
   * The elements of a listpack, integers as their decimal text (as {@code lpGet} returns them),
   * after checking its structure entry by entry the way Redis's deep integrity check does: header
   * size, each entry's encoding, length and backlen, the end byte, and the count.
   */
  static List<byte[]> decode(byte[] lp) {
    List<Element> elements = elements(lp);
    List<byte[]> out = new ArrayList<>(elements.size());
    for (Element e : elements) {
      out.add(e.value());
    }
    return out;
  }

  /**
   * One listpack element: its value as {@code lpGet} returns it (integers as decimal text) and the
   * bytes it takes, encoding and backlen included.
   */
  record Element(byte[] value, int bytes) {}

  /** Like {@link #decode}, with each element's size. */
  static List<Element> elements(byte[] lp) {
    int n = lp.length;
    if (n < HEADER + 1 || getLittle(lp, 0, 4) != n || (lp[n - 1] & 0xFF) != EOF) {
      throw new CorruptPayload("listpack header");
    }
    int declared = (int) getLittle(lp, 4, 2);
    List<Element> out = new ArrayList<>();
    int p = HEADER;
    int end = n - 1;
    while (p < end) {
      int b = lp[p] & 0xFF;
      int headerLen;
      long dataLen;
      byte[] value;
      if (b < 0x80) {
        headerLen = 1;
        dataLen = 0;
        value = number(b);
      } else if ((b & 0xC0) == 0x80) {
        headerLen = 1;
        dataLen = b & 0x3F;
        value = null;
      } else if ((b & 0xE0) == 0xC0) {
        need(p, 2, end);
        long u = ((long) (b & 0x1F) << 8) | (lp[p + 1] & 0xFF);
        headerLen = 2;
        dataLen = 0;
        value = number(u >= 1 << 12 ? u - (1 << 13) : u);
      } else if ((b & 0xF0) == 0xE0) {
        need(p, 2, end);
        headerLen = 2;
        dataLen = ((long) (b & 0x0F) << 8) | (lp[p + 1] & 0xFF);
        value = null;
      } else if (b == 0xF0) {
        need(p, 5, end);
        headerLen = 5;
        dataLen = getLittle(lp, p + 1, 4);
        value = null;
      } else if (b >= 0xF1 && b <= 0xF4) {
        int width = b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8;
        need(p, 1 + width, end);
        long u = getLittle(lp, p + 1, width);
        if (width < 8 && u >= 1L << (8 * width - 1)) {
          u -= 1L << (8 * width);
        }
        headerLen = 1 + width;
        dataLen = 0;
        value = number(u);
      } else {
        throw new CorruptPayload("listpack entry encoding " + b);
      }
      long entryLen = headerLen + dataLen;
      need(p, entryLen, end);
      if (value == null) {
        value = Arrays.copyOfRange(lp, p + headerLen, (int) (p + entryLen));
      }
      byte[] expected = backlenBytes(entryLen);
      need(p, entryLen + expected.length, end);
      if (!Arrays.equals(lp, (int) (p + entryLen), (int) (p + entryLen) + expected.length,
          expected, 0, expected.length)) {
        throw new CorruptPayload("listpack backlen");
      }
      out.add(new Element(value, (int) entryLen + expected.length));
      p = (int) (p + entryLen + expected.length);
    }
    if (declared != COUNT_UNKNOWN && declared != out.size()) {
      throw new CorruptPayload("listpack count " + declared + " != " + out.size());
    }
    return out;
  }

  private static byte[] backlenBytes(long l) {
    Builder b = new Builder();
    int from = b.size;
    b.backlen(l);
    return Arrays.copyOfRange(b.buf, from, b.size);
  }

  private static void need(int p, long bytes, int end) {
    if (p + bytes > end) {
      throw new CorruptPayload("listpack entry past the end");
    }
  }

  private static byte[] number(long v) {
    return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
  }

  static long getLittle(byte[] b, int at, int bytes) {
    long v = 0;
    for (int i = bytes - 1; i >= 0; i--) {
      v = (v << 8) | (b[at + i] & 0xFF);
    }
    return v;
  }

  static void putLittle(byte[] b, int at, long v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }
}
