package io.kvorum.resp.routing;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SCAN cursors. The low 14 bits of a cursor are the hash slot to resume at; the bits above are a
 * token for a position inside that slot (the next META key), kept in a bounded node-wide map. A
 * token that is unknown or was evicted restarts its slot from the first key: SCAN allows
 * duplicates, never misses. Cursor 0 starts an iteration and ends one.
 */
public final class ScanCursors {
  static final int SLOT_BITS = 14;
  static final long SLOT_MASK = (1L << SLOT_BITS) - 1;
  private static final long MAX_TOKEN = (1L << (64 - SLOT_BITS)) - 1;

  private final Map<Long, byte[]> positions;
  private long nextToken = 1;

  public ScanCursors(int capacity) {
    this.positions = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
        return size() > capacity;
      }
    };
  }

  /** The cursor that resumes at META key {@code metaKey} ({@code slot(2) key}). */
  public synchronized long cursorFor(byte[] metaKey) {
    int slot = ((metaKey[0] & 0xFF) << 8) | (metaKey[1] & 0xFF);
    if (metaKey.length == 2) {
      return slot;
    }
    long token = nextToken;
    nextToken = nextToken == MAX_TOKEN ? 1 : nextToken + 1;
    positions.put(token, metaKey.clone());
    return (token << SLOT_BITS) | slot;
  }

  /** The slot a cursor resumes at. */
  public static int slotOf(long cursor) {
    return (int) (cursor & SLOT_MASK);
  }

  /**
   * The META key a cursor resumes at: the remembered mid-slot position, or the slot's first key
   * when the cursor has no token or its token is no longer known.
   */
  public synchronized byte[] positionOf(long cursor) {
    int slot = slotOf(cursor);
    long token = cursor >>> SLOT_BITS;
    byte[] start = {(byte) (slot >>> 8), (byte) slot};
    if (token == 0) {
      return start;
    }
    byte[] pos = positions.get(token);
    if (pos == null || pos.length < 2 || !Arrays.equals(pos, 0, 2, start, 0, 2)) {
      return start;
    }
    return pos;
  }

  /**
   * Parses a cursor as Redis does ({@code strtoul}, base 10): optional sign, digits, no leading
   * blank, no trailing garbage, at most 2^64-1. Null when invalid.
   */
  public static Long parse(byte[] s) {
    if (s.length > 0 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))) {
      return null;
    }
    int i = 0;
    boolean negative = false;
    if (i < s.length && (s[i] == '+' || s[i] == '-')) {
      negative = s[i] == '-';
      i++;
    }
    if (i == s.length) {
      // strtoul consumed nothing: Redis accepts "" as 0 but not a lone sign.
      return s.length == 0 ? 0L : null;
    }
    long v = 0;
    for (; i < s.length; i++) {
      int d = s[i] - '0';
      if (d < 0 || d > 9) {
        return null;
      }
      if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) {
        return null;
      }
      long next = v * 10 + d;
      if (Long.compareUnsigned(next, v * 10) < 0) {
        return null;
      }
      v = next;
    }
    return negative ? -v : v;
  }
}
