package io.kvorum.storage.hyperloglog;

import java.util.Arrays;

/**
 * A HyperLogLog held in a Redis string, byte for byte as Redis 7.0's hyperloglog.c lays it out,
 * so GET, SET, DUMP and RESTORE carry HLLs between Kvorum and Redis unchanged.
 *
 * <p>Layout: a 16-byte header ({@code "HYLL"}, encoding byte, three unused bytes, the cached
 * cardinality as a little-endian 64-bit integer whose most significant bit marks it stale), then
 * the registers. Dense: 16384 six-bit registers packed LSB first (12288 bytes). Sparse: a run
 * length code of ZERO ({@code 00xxxxxx}, 1..64 zero registers), XZERO ({@code 01xxxxxx
 * yyyyyyyy}, 1..16384 zero registers) and VAL ({@code 1vvvvvxx}, 1..4 registers of value 1..32)
 * opcodes, promoted to dense when a register exceeds 32 or the string would pass 3000 bytes.
 *
 * <p>The operations mirror the C functions step by step (including how a sparse sequence is split
 * and re-merged), because the exact bytes, not only the counts, must match Redis. Reads past the
 * string's end see zero, as the C code sees the SDS terminator. Walks over a sparse code reject
 * any opcode that runs past register 16383, as Redis does since the CVE-2025-32023 fix (present
 * in the Debian 7.0.15 build the oracle tests run against).
 */
final class HyperLogLog {
  static final int P = 14;
  static final int Q = 64 - P;
  static final int REGISTERS = 1 << P;
  static final int P_MASK = REGISTERS - 1;
  static final int BITS = 6;
  static final int REGISTER_MAX = (1 << BITS) - 1;
  static final int HEADER = 16;
  static final int DENSE_SIZE = HEADER + (REGISTERS * BITS + 7) / 8;
  static final int DENSE = 0;
  static final int SPARSE = 1;
  static final int MAX_ENCODING = 1;
  /** Redis's default hll-sparse-max-bytes; fixed so every replica promotes at the same point. */
  static final int SPARSE_MAX_BYTES = 3000;
  static final long HASH_SEED = 0xadc83b19L;
  static final double ALPHA_INF = 0.721347520444481703680;

  private static final int XZERO_BIT = 0x40;
  private static final int VAL_BIT = 0x80;
  private static final int VAL_MAX_VALUE = 32;
  private static final int VAL_MAX_LEN = 4;
  private static final int ZERO_MAX_LEN = 64;
  private static final int XZERO_MAX_LEN = 16384;

  private byte[] buf;
  private int len;

  private HyperLogLog(byte[] buf, int len) {
    this.buf = buf;
    this.len = len;
  }

  /** A new, empty HLL: sparse, one XZERO opcode covering every register, cached count 0. */
  static HyperLogLog empty() {
    int sparseLen = HEADER + ((REGISTERS + (XZERO_MAX_LEN - 1)) / XZERO_MAX_LEN) * 2;
    byte[] b = new byte[sparseLen];
    b[0] = 'H';
    b[1] = 'Y';
    b[2] = 'L';
    b[3] = 'L';
    b[4] = SPARSE;
    int p = HEADER;
    int left = REGISTERS;
    while (left > 0) {
      int run = Math.min(XZERO_MAX_LEN, left);
      xzeroSet(b, p, run);
      p += 2;
      left -= run;
    }
    return new HyperLogLog(b, sparseLen);
  }

  /** A working copy of a stored value that {@link #isValid} accepted. */
  static HyperLogLog of(byte[] value) {
    return new HyperLogLog(Arrays.copyOf(value, value.length + 8), value.length);
  }

  /**
   * Redis's isHLLObjectOrReply: at least a header, the magic, a known encoding, and exactly the
   * dense size when dense. Sparse contents are only checked when they are walked.
   */
  static boolean isValid(byte[] value) {
    if (value.length < HEADER) {
      return false;
    }
    if (value[0] != 'H' || value[1] != 'Y' || value[2] != 'L' || value[3] != 'L') {
      return false;
    }
    int encoding = value[4] & 0xFF;
    if (encoding > MAX_ENCODING) {
      return false;
    }
    return encoding != DENSE || value.length == DENSE_SIZE;
  }

  /** The string value as it now stands. */
  byte[] bytes() {
    return Arrays.copyOf(buf, len);
  }

  int encoding() {
    return buf[4] & 0xFF;
  }

  boolean hasValidCache() {
    return (buf[15] & 0x80) == 0;
  }

  long cachedCardinality() {
    long card = 0;
    for (int i = 7; i >= 0; i--) {
      card = (card << 8) | (buf[8 + i] & 0xFF);
    }
    return card;
  }

  void setCachedCardinality(long card) {
    for (int i = 0; i < 8; i++) {
      buf[8 + i] = (byte) (card >>> (8 * i));
    }
  }

  void invalidateCache() {
    buf[15] |= (byte) 0x80;
  }

  // ---------------------------------------------------------------- adding elements

  /** The register an element hashes to (low bits) and its run length "000…1" (high bits). */
  static long registerAndCount(byte[] element) {
    long hash = MurmurHash64A.hash(element, HASH_SEED);
    long index = hash & P_MASK;
    hash >>>= P;
    hash |= 1L << Q;
    int count = Long.numberOfTrailingZeros(hash) + 1;
    return (index << 8) | count;
  }

  /**
   * PFADD of one element: 1 when a register grew, 0 when not, -1 when the sparse representation
   * is corrupt (or the encoding unknown).
   */
  int add(byte[] element) {
    long rc = registerAndCount(element);
    int index = (int) (rc >>> 8);
    int count = (int) (rc & 0xFF);
    return switch (encoding()) {
      case DENSE -> denseSet(buf, HEADER, len, index, count);
      case SPARSE -> sparseSet(index, count);
      default -> -1;
    };
  }

  /** Raises dense register {@code index} to {@code count}; 1 when it grew (hllDenseSet). */
  private static int denseSet(byte[] b, int base, int limit, int index, int count) {
    int old = denseGet(b, base, limit, index);
    if (count > old) {
      denseWrite(b, base, limit, index, count);
      return 1;
    }
    return 0;
  }

  private static int denseGet(byte[] b, int base, int limit, int regnum) {
    int at = base + regnum * BITS / 8;
    int fb = (regnum * BITS) & 7;
    int fb8 = 8 - fb;
    int b0 = b[at] & 0xFF;
    int b1 = at + 1 < limit ? b[at + 1] & 0xFF : 0;
    return ((b0 >>> fb) | (b1 << fb8)) & REGISTER_MAX;
  }

  private static void denseWrite(byte[] b, int base, int limit, int regnum, int val) {
    int at = base + regnum * BITS / 8;
    int fb = (regnum * BITS) & 7;
    int fb8 = 8 - fb;
    b[at] = (byte) ((b[at] & ~(REGISTER_MAX << fb)) | (val << fb));
    if (at + 1 < limit) {
      b[at + 1] = (byte) ((b[at + 1] & ~(REGISTER_MAX >>> fb8)) | (val >>> fb8));
    }
  }

  /** Raises dense register {@code index} if smaller (only valid on a dense HLL). */
  int denseRaise(int index, int count) {
    return denseSet(buf, HEADER, len, index, count);
  }

  /** Dense register {@code index} (only valid on a dense HLL). */
  int denseRegister(int index) {
    return denseGet(buf, HEADER, len, index);
  }

  // ---------------------------------------------------------------- sparse opcodes

  private int at(int i) {
    return i < len ? buf[i] & 0xFF : 0;
  }

  private static boolean isZero(int op) {
    return (op & 0xC0) == 0;
  }

  private static boolean isXzero(int op) {
    return (op & 0xC0) == XZERO_BIT;
  }

  private static boolean isVal(int op) {
    return (op & VAL_BIT) != 0;
  }

  private static int zeroLen(int op) {
    return (op & 0x3F) + 1;
  }

  private int xzeroLen(int p) {
    return (((at(p) & 0x3F) << 8) | at(p + 1)) + 1;
  }

  private static int valValue(int op) {
    return ((op >>> 2) & 0x1F) + 1;
  }

  private static int valLen(int op) {
    return (op & 0x3) + 1;
  }

  private static void valSet(byte[] b, int p, int val, int runLength) {
    b[p] = (byte) ((((val - 1) << 2) | (runLength - 1)) | VAL_BIT);
  }

  private static void zeroSet(byte[] b, int p, int runLength) {
    b[p] = (byte) (runLength - 1);
  }

  private static void xzeroSet(byte[] b, int p, int runLength) {
    int l = runLength - 1;
    b[p] = (byte) ((l >> 8) | XZERO_BIT);
    b[p + 1] = (byte) (l & 0xFF);
  }

  private void ensureCapacity(int needed) {
    if (buf.length < needed) {
      buf = Arrays.copyOf(buf, Math.max(needed, buf.length * 2));
    }
  }

  private void setLength(int newLen) {
    ensureCapacity(newLen + 1);
    len = newLen;
    // The C string keeps a terminating zero right after the content; later reads rely on it.
    buf[len] = 0;
  }

  /**
   * Raises sparse register {@code index} to {@code count} in place (hllSparseSet): locate the
   * opcode covering it, split it into at most three opcodes, re-merge adjacent equal VALs, and
   * promote to dense when the value or the resulting length does not fit the sparse form.
   *
   * @return 1 when the register grew, 0 when not, -1 when the representation is corrupt
   */
  int sparseSet(int index, int count) {
    if (count > VAL_MAX_VALUE) {
      return promoteAndSet(index, count);
    }
    ensureCapacity(len + 4);

    int sparse = HEADER;
    int p = HEADER;
    int end = len;
    long first = 0;
    int prev = -1;
    long span = 0;
    while (p < end) {
      int oplen = 1;
      int op = at(p);
      if (isZero(op)) {
        span = zeroLen(op);
      } else if (isVal(op)) {
        span = valLen(op);
      } else {
        span = xzeroLen(p);
        oplen = 2;
      }
      if (index <= first + span - 1) {
        break;
      }
      prev = p;
      p += oplen;
      first += span;
    }
    if (span == 0 || p >= end) {
      return -1;
    }

    int op = at(p);
    int next = isXzero(op) ? p + 2 : p + 1;
    if (next >= end) {
      next = -1;
    }
    boolean zero = false;
    boolean xzero = false;
    boolean val = false;
    long runlen;
    if (isZero(op)) {
      zero = true;
      runlen = zeroLen(op);
    } else if (isXzero(op)) {
      xzero = true;
      runlen = xzeroLen(p);
    } else {
      val = true;
      runlen = valLen(op);
    }

    boolean updatedInPlace = false;
    if (val) {
      int oldcount = valValue(op);
      if (oldcount >= count) {
        return 0;
      }
      if (runlen == 1) {
        valSet(buf, p, count, 1);
        updatedInPlace = true;
      }
    }
    if (!updatedInPlace && zero && runlen == 1) {
      valSet(buf, p, count, 1);
      updatedInPlace = true;
    }

    if (!updatedInPlace) {
      // General case: split the opcode around the register into up to three opcodes.
      byte[] seq = new byte[5];
      int n = 0;
      long last = first + span - 1;
      if (zero || xzero) {
        if (index != first) {
          int run = (int) (index - first);
          if (run > ZERO_MAX_LEN) {
            xzeroSet(seq, n, run);
            n += 2;
          } else {
            zeroSet(seq, n, run);
            n++;
          }
        }
        valSet(seq, n, count, 1);
        n++;
        if (index != last) {
          int run = (int) (last - index);
          if (run > ZERO_MAX_LEN) {
            xzeroSet(seq, n, run);
            n += 2;
          } else {
            zeroSet(seq, n, run);
            n++;
          }
        }
      } else {
        int curval = valValue(op);
        if (index != first) {
          valSet(seq, n, curval, (int) (index - first));
          n++;
        }
        valSet(seq, n, count, 1);
        n++;
        if (index != last) {
          valSet(seq, n, curval, (int) (last - index));
          n++;
        }
      }

      int seqlen = n;
      int oldlen = xzero ? 2 : 1;
      int deltalen = seqlen - oldlen;
      if (deltalen > 0 && len + deltalen > SPARSE_MAX_BYTES) {
        return promoteAndSet(index, count);
      }
      ensureCapacity(len + Math.max(deltalen, 0) + 1);
      if (deltalen != 0 && next >= 0) {
        System.arraycopy(buf, next, buf, next + deltalen, end - next);
      }
      setLength(len + deltalen);
      System.arraycopy(seq, 0, buf, p, seqlen);
      end += deltalen;
    }

    // Merge adjacent VAL opcodes of equal value, scanning up to five opcodes from the previous.
    p = prev >= 0 ? prev : sparse;
    int scanlen = 5;
    while (p < end && scanlen-- != 0) {
      int cur = at(p);
      if (isXzero(cur)) {
        p += 2;
        continue;
      } else if (isZero(cur)) {
        p++;
        continue;
      }
      if (p + 1 < end && isVal(at(p + 1))) {
        int v1 = valValue(cur);
        int v2 = valValue(at(p + 1));
        if (v1 == v2) {
          int merged = valLen(cur) + valLen(at(p + 1));
          if (merged <= VAL_MAX_LEN) {
            valSet(buf, p + 1, v1, merged);
            System.arraycopy(buf, p + 1, buf, p, end - p - 1);
            setLength(len - 1);
            end--;
            continue;
          }
        }
      }
      p++;
    }

    invalidateCache();
    return 1;
  }

  private int promoteAndSet(int index, int count) {
    if (!sparseToDense()) {
      return -1;
    }
    denseSet(buf, HEADER, len, index, count);
    return 1;
  }

  /**
   * Converts a sparse HLL to dense in place (hllSparseToDense), keeping the header bytes (the
   * cached cardinality included). False, and no change, when the sparse code is corrupt.
   */
  boolean sparseToDense() {
    if (encoding() == DENSE) {
      return true;
    }
    byte[] dense = new byte[DENSE_SIZE + 8];
    System.arraycopy(buf, 0, dense, 0, HEADER);
    dense[4] = DENSE;
    int idx = 0;
    int p = HEADER;
    while (p < len) {
      int op = at(p);
      int runlen = isZero(op) ? zeroLen(op) : isXzero(op) ? xzeroLen(p) : valLen(op);
      if (runlen + idx > REGISTERS) {
        return false;
      }
      if (isVal(op)) {
        int regval = valValue(op);
        while (runlen-- > 0) {
          denseWrite(dense, HEADER, DENSE_SIZE, idx, regval);
          idx++;
        }
      } else {
        idx += runlen;
      }
      p += isXzero(op) ? 2 : 1;
    }
    if (idx != REGISTERS) {
      return false;
    }
    buf = dense;
    len = DENSE_SIZE;
    return true;
  }

  // ---------------------------------------------------------------- counting and merging

  /**
   * The cardinality estimate of this HLL (hllCount), or -1 when the sparse code does not cover
   * exactly 16384 registers.
   */
  long count() {
    int[] histogram = new int[64];
    if (encoding() == DENSE) {
      for (int i = 0; i < REGISTERS; i++) {
        histogram[denseGet(buf, HEADER, len, i)]++;
      }
    } else {
      int idx = 0;
      int p = HEADER;
      while (p < len) {
        int op = at(p);
        int runlen = isZero(op) ? zeroLen(op) : isXzero(op) ? xzeroLen(p) : valLen(op);
        if (runlen + idx > REGISTERS) {
          return -1;
        }
        idx += runlen;
        histogram[isVal(op) ? valValue(op) : 0] += runlen;
        p += isXzero(op) ? 2 : 1;
      }
      if (idx != REGISTERS) {
        return -1;
      }
    }
    return estimate(histogram);
  }

  /**
   * Raises {@code max[i]} to this HLL's register i for every i (hllMerge); false when the sparse
   * code is corrupt.
   */
  boolean mergeInto(byte[] max) {
    if (encoding() == DENSE) {
      for (int i = 0; i < REGISTERS; i++) {
        int v = denseGet(buf, HEADER, len, i);
        if (v > (max[i] & 0xFF)) {
          max[i] = (byte) v;
        }
      }
      return true;
    }
    int i = 0;
    int p = HEADER;
    while (p < len) {
      int op = at(p);
      int runlen = isZero(op) ? zeroLen(op) : isXzero(op) ? xzeroLen(p) : valLen(op);
      if (runlen + i > REGISTERS) {
        return false;
      }
      if (isVal(op)) {
        int regval = valValue(op);
        while (runlen-- > 0) {
          if (regval > (max[i] & 0xFF)) {
            max[i] = (byte) regval;
          }
          i++;
        }
      } else {
        i += runlen;
      }
      p += isXzero(op) ? 2 : 1;
    }
    return i == REGISTERS;
  }

  /** The estimate for registers held one per byte (PFCOUNT of several keys). */
  static long countRaw(byte[] registers) {
    int[] histogram = new int[64];
    for (byte r : registers) {
      histogram[r & 0xFF]++;
    }
    return estimate(histogram);
  }

  /**
   * Ertl's improved estimator ("New cardinality estimation algorithms for HyperLogLog sketches",
   * arXiv:1702.01284) in Redis's exact order of floating-point operations.
   */
  static long estimate(int[] histogram) {
    double m = REGISTERS;
    double z = m * tau((m - histogram[Q + 1]) / m);
    for (int j = Q; j >= 1; --j) {
      z += histogram[j];
      z *= 0.5;
    }
    z += m * sigma(histogram[0] / m);
    return roundHalfAwayFromZero(ALPHA_INF * m * m / z);
  }

  private static double sigma(double x) {
    if (x == 1.) {
      return Double.POSITIVE_INFINITY;
    }
    double zPrime;
    double y = 1;
    double z = x;
    do {
      x *= x;
      zPrime = z;
      z += x * y;
      y += y;
    } while (zPrime != z);
    return z;
  }

  private static double tau(double x) {
    if (x == 0. || x == 1.) {
      return 0.;
    }
    double zPrime;
    double y = 1.0;
    double z = 1 - x;
    do {
      x = Math.sqrt(x);
      zPrime = z;
      y *= 0.5;
      double oneMinusX = 1 - x;
      z -= oneMinusX * oneMinusX * y;
    } while (zPrime != z);
    return z / 3;
  }

  /** C's llroundl for the non-negative estimates this code produces. */
  private static long roundHalfAwayFromZero(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Long.MIN_VALUE; // what x86-64 returns for an unrepresentable llroundl argument
    }
    double floor = Math.floor(v);
    long f = (long) floor;
    return v - floor >= 0.5 ? f + 1 : f;
  }

  // ---------------------------------------------------------------- PFDEBUG DECODE

  /** The sparse opcodes as PFDEBUG DECODE prints them: {@code z:N}, {@code Z:N}, {@code v:V,N}. */
  String decodeSparse() {
    StringBuilder s = new StringBuilder();
    int p = HEADER;
    while (p < len) {
      int op = at(p);
      if (isZero(op)) {
        s.append("z:").append(zeroLen(op)).append(' ');
        p++;
      } else if (isXzero(op)) {
        s.append("Z:").append(xzeroLen(p)).append(' ');
        p += 2;
      } else {
        s.append("v:").append(valValue(op)).append(',').append(valLen(op)).append(' ');
        p++;
      }
    }
    int from = 0;
    int to = s.length();
    while (from < to && s.charAt(from) == ' ') {
      from++;
    }
    while (to > from && s.charAt(to - 1) == ' ') {
      to--;
    }
    return s.substring(from, to);
  }
}
