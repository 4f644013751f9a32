package io.kvorum.storage.bitmap;

/**
 * BITFIELD's OVERFLOW behaviours and Redis's overflow checks for a field of a given width
 * (checkUnsignedBitfieldOverflow / checkSignedBitfieldOverflow), including their exact results
 * for wrapped and saturated values.
 */
enum FieldOverflow {
  WRAP,
  SAT,
  FAIL;

  /**
   * The outcome of adding {@code incr} to a field value.
   *
   * @param direction 0: fits; 1: overflow; -1: underflow
   * @param limit     the value to store instead (WRAP and SAT only)
   */
  record Check(int direction, long limit) {
    static final Check FITS = new Check(0, 0);

    boolean overflowed() {
      return direction != 0;
    }
  }

  /** {@code value} is read as unsigned 64-bit; {@code bits} is at most 63. */
  Check checkUnsigned(long value, long incr, int bits) {
    long max = bits == 64 ? -1L : (1L << bits) - 1;
    long maxincr = max - value;
    long minincr = -value;
    if (Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > maxincr)) {
      return switch (this) {
        case WRAP -> new Check(1, wrapUnsigned(value, incr, bits));
        case SAT -> new Check(1, max);
        case FAIL -> new Check(1, 0);
      };
    } else if (incr < 0 && incr < minincr) {
      return switch (this) {
        case WRAP -> new Check(-1, wrapUnsigned(value, incr, bits));
        case SAT -> new Check(-1, 0);
        case FAIL -> new Check(-1, 0);
      };
    }
    return Check.FITS;
  }

  private static long wrapUnsigned(long value, long incr, int bits) {
    long mask = -1L << bits;
    return (value + incr) & ~mask;
  }

  Check checkSigned(long value, long incr, int bits) {
    long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
    long min = -max - 1;
    // These may wrap; they are used only once value is known to be in range, as in Redis.
    long maxincr = max - value;
    long minincr = min - value;
    if (value > max || (bits != 64 && incr > maxincr)
        || (value >= 0 && incr > 0 && incr > maxincr)) {
      return switch (this) {
        case WRAP -> new Check(1, wrapSigned(value, incr, bits));
        case SAT -> new Check(1, max);
        case FAIL -> new Check(1, 0);
      };
    } else if (value < min || (bits != 64 && incr < minincr)
        || (value < 0 && incr < 0 && incr < minincr)) {
      return switch (this) {
        case WRAP -> new Check(-1, wrapSigned(value, incr, bits));
        case SAT -> new Check(-1, min);
        case FAIL -> new Check(-1, 0);
      };
    }
    return Check.FITS;
  }

  private static long wrapSigned(long value, long incr, int bits) {
    long c = value + incr;
    if (bits < 64) {
      long msb = 1L << (bits - 1);
      long mask = -1L << bits;
      c = (c & msb) != 0 ? c | mask : c & ~mask;
    }
    return c;
  }
}
