package io.kvorum.storage.stream;

import io.kvorum.storage.engine.Bytes;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A stream entry ID {@code <ms>-<seq>}: two unsigned 64-bit numbers (held in Java longs and
 * compared unsigned), ordered by ms, then seq. Encoded as 16 big-endian bytes so RocksDB's byte
 * order is ID order. Parsing follows Redis 7.0's {@code streamGenericParseIDOrReply} exactly.
 */
public record StreamId(long ms, long seq) implements Comparable<StreamId> {
  static final StreamId MIN = new StreamId(0, 0);
  static final StreamId MAX = new StreamId(-1L, -1L);
  static final String INVALID = "ERR Invalid stream ID specified as stream command argument";
  /** The size of an encoded ID. */
  public static final int BYTES = 16;

  /** Redis copies the argument into a 128-byte buffer: longer ones are invalid. */
  private static final int MAX_ARGUMENT = 127;

  @Override
  public int compareTo(StreamId o) {
    int c = Long.compareUnsigned(ms, o.ms);
    return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
  }

  boolean isZero() {
    return ms == 0 && seq == 0;
  }

  boolean isMax() {
    return ms == -1L && seq == -1L;
  }

  /** The next ID (Redis's streamIncrID), or null past the last possible one. */
  StreamId next() {
    if (seq != -1L) {
      return new StreamId(ms, seq + 1);
    }
    return ms == -1L ? null : new StreamId(ms + 1, 0);
  }

  /** The previous ID (Redis's streamDecrID), or null before 0-0. */
  StreamId previous() {
    if (seq != 0) {
      return new StreamId(ms, seq - 1);
    }
    return ms == 0 ? null : new StreamId(ms - 1, -1L);
  }

  static StreamId max(StreamId a, StreamId b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  static StreamId min(StreamId a, StreamId b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** The 16 big-endian bytes Redis uses as the radix-tree key (and Kvorum in sub-keys). */
  public byte[] encode() {
    byte[] out = new byte[BYTES];
    Bytes.putLong(out, 0, ms);
    Bytes.putLong(out, 8, seq);
    return out;
  }

  /** The ID whose 16 big-endian bytes start at {@code at}. */
  public static StreamId decode(byte[] src, int at) {
    return new StreamId(Bytes.getLong(src, at), Bytes.getLong(src, at + 8));
  }

  @Override
  public String toString() {
    return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
  }

  Reply reply() {
    return Reply.bulk(toString().getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * An ID argument: {@code -} and {@code +} (unless {@code strict}), {@code <ms>} (with
   * {@code missingSeq}) or {@code <ms>-<seq>}; else Redis's invalid-ID error.
   */
  static StreamId parse(byte[] arg, long missingSeq, boolean strict) {
    Parsed p = parse(arg, missingSeq, strict, false);
    if (p == null) {
      throw new RedisError(INVALID);
    }
    return p.id();
  }

  /** Like {@link #parse(byte[], long, boolean)}, null instead of the error. */
  static StreamId parseOrNull(byte[] arg, long missingSeq, boolean strict) {
    Parsed p = parse(arg, missingSeq, strict, false);
    return p == null ? null : p.id();
  }

  /** XADD's ID: strict, and {@code <ms>-*} leaves the sequence to be chosen. */
  static Parsed parseForAdd(byte[] arg) {
    Parsed p = parse(arg, 0, true, true);
    if (p == null) {
      throw new RedisError(INVALID);
    }
    return p;
  }

  /**
   * A parsed ID and whether its sequence was given ({@code <ms>-*} leaves it to XADD).
   *
   * @param seqGiven false only for {@code <ms>-*}
   */
  record Parsed(StreamId id, boolean seqGiven) {}

  /**
   * An interval bound of XRANGE, XREVRANGE, XPENDING and XAUTOCLAIM: {@code (} before an ID (at
   * least one more character) makes it exclusive, and the rest is then parsed strictly.
   *
   * @param exclusive whether the bound had the {@code (} prefix
   */
  record Bound(StreamId id, boolean exclusive) {
    static Bound parse(byte[] arg, long missingSeq) {
      if (arg.length > 1 && arg[0] == '(') {
        return new Bound(StreamId.parse(Arrays.copyOfRange(arg, 1, arg.length), missingSeq, true),
            true);
      }
      return new Bound(StreamId.parse(arg, missingSeq, false), false);
    }
  }

  private static Parsed parse(byte[] arg, long missingSeq, boolean strict, boolean forAdd) {
    if (arg.length > MAX_ARGUMENT) {
      return null;
    }
    // Redis works on the C string: everything from the first NUL byte on is ignored.
    int len = 0;
    while (len < arg.length && arg[len] != 0) {
      len++;
    }
    if (len == 1 && (arg[0] == '-' || arg[0] == '+')) {
      if (strict) {
        return null;
      }
      return new Parsed(arg[0] == '-' ? MIN : MAX, true);
    }
    int dash = -1;
    for (int i = 0; i < len; i++) {
      if (arg[i] == '-') {
        dash = i;
        break;
      }
    }
    Long ms = unsigned(arg, 0, dash < 0 ? len : dash);
    if (ms == null) {
      return null;
    }
    if (dash < 0) {
      return new Parsed(new StreamId(ms, missingSeq), true);
    }
    if (forAdd && len - dash - 1 == 1 && arg[dash + 1] == '*') {
      return new Parsed(new StreamId(ms, 0), false);
    }
    Long seq = unsigned(arg, dash + 1, len);
    return seq == null ? null : new Parsed(new StreamId(ms, seq), true);
  }

  /**
   * Redis's {@code string2ull}: a canonical long that is not negative, or else whatever {@code
   * strtoull} reads in full (leading white space, a sign, any number of digits, no overflow).
   */
  static Long unsigned(byte[] s, int from, int to) {
    Long canonical = RedisNumbers.parseLongOrNull(Arrays.copyOfRange(s, from, to));
    if (canonical != null) {
      return canonical < 0 ? null : canonical;
    }
    int i = from;
    while (i < to && isSpace(s[i])) {
      i++;
    }
    boolean negative = false;
    if (i < to && (s[i] == '+' || s[i] == '-')) {
      negative = s[i] == '-';
      i++;
    }
    int digits = i;
    long v = 0;
    for (; i < to && s[i] >= '0' && s[i] <= '9'; i++) {
      int d = s[i] - '0';
      // v * 10 + d must stay below 2^64 (unsigned).
      if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) {
        return null;
      }
      long next = v * 10 + d;
      if (Long.compareUnsigned(next, v * 10) < 0) {
        return null;
      }
      v = next;
    }
    if (i == digits || i != to) {
      return null;
    }
    return negative ? -v : v;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || (b >= '\t' && b <= '\r');
  }
}
