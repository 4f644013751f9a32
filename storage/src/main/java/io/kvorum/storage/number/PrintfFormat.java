package io.kvorum.storage.number;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * C {@code printf} conversions of doubles with glibc's exact results, for replies whose digits
 * Redis produces with printf (Redis 7.0 formats scores with {@code %.17g}). Java's own
 * {@code %g} differs: it keeps trailing zeros and rounds ties away from zero.
 */
public final class PrintfFormat {
  private PrintfFormat() {}

  /** {@code printf("%.17g", value)}: how Redis 7.0 prints a double (ZSCORE, ZINCRBY, …). */
  public static String g17(double value) {
    return g(value, 17);
  }

  /**
   * {@code printf("%.<precision>g", value)}: the shorter of fixed and exponent notation for
   * {@code precision} significant digits, trailing zeros removed, glibc's spelling of
   * infinities and NaN.
   */
  public static String g(double value, int precision) {
    boolean negative = (Double.doubleToRawLongBits(value) & Long.MIN_VALUE) != 0;
    String sign = negative ? "-" : "";
    if (Double.isNaN(value)) {
      return sign + "nan";
    }
    if (Double.isInfinite(value)) {
      return sign + "inf";
    }
    if (value == 0) {
      return sign + "0";
    }
    int p = precision == 0 ? 1 : precision;
    // glibc rounds the exact binary value; exact ties go to even.
    BigDecimal rounded =
        new BigDecimal(Math.abs(value)).round(new MathContext(p, RoundingMode.HALF_EVEN));
    int x = rounded.precision() - rounded.scale() - 1;
    if (x >= -4 && x < p) {
      String fixed = rounded.setScale(p - 1 - x, RoundingMode.UNNECESSARY).toPlainString();
      return sign + stripFraction(fixed);
    }
    BigDecimal mantissa = rounded.movePointLeft(x).setScale(p - 1, RoundingMode.UNNECESSARY);
    String exp = Integer.toString(Math.abs(x));
    return sign + stripFraction(mantissa.toPlainString()) + (x < 0 ? "e-" : "e+")
        + (exp.length() < 2 ? "0" : "") + exp;
  }

  /** Removes trailing zeros of the fraction, and the point when nothing is left after it. */
  private static String stripFraction(String s) {
    if (s.indexOf('.') < 0) {
      return s;
    }
    int end = s.length();
    while (s.charAt(end - 1) == '0') {
      end--;
    }
    if (s.charAt(end - 1) == '.') {
      end--;
    }
    return s.substring(0, end);
  }
}
