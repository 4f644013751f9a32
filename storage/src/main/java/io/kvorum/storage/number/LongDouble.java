package io.kvorum.storage.number;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * C's {@code long double} as Redis 7.0 uses it on x86-64 Linux: the x87 80-bit extended format
 * (64-bit significand, 15-bit exponent, round to nearest even). INCRBYFLOAT parses with
 * {@code strtold}, adds in this precision and prints with {@code %.17Lf}; plain {@code double}
 * arithmetic gives other digits, so the arithmetic is emulated exactly here.
 *
 * <p>A finite value is {@code sign × significand × 2^exponent} with {@code significand < 2^64};
 * every operation computes the exact result and rounds it once, as the FPU does.
 */
public final class LongDouble {
  private static final int PRECISION = 64;
  /** The exponent of the smallest subnormal, 2^-16445. */
  private static final int MIN_EXPONENT = -16445;
  /** The largest finite value is (2^64 - 1) × 2^16320, just below 2^16384. */
  private static final int MAX_EXPONENT = 16384 - PRECISION;
  /** Redis's MAX_LONG_DOUBLE_CHARS: string2ld refuses inputs this long or longer. */
  private static final int MAX_CHARS = 5 * 1024;
  /** Decimal exponents certainly out of range (max ≈ 1.19e4932, min subnormal ≈ 3.6e-4951). */
  private static final int DECIMAL_OVERFLOW = 4940;
  private static final int DECIMAL_UNDERFLOW = -4960;
  private static final BigInteger TWO_POW_64 = BigInteger.ONE.shiftLeft(PRECISION);

  private enum Kind { FINITE, INFINITE, NAN }

  public static final LongDouble ZERO = new LongDouble(Kind.FINITE, false, BigInteger.ZERO, 0);

  private final Kind kind;
  private final boolean negative;
  private final BigInteger significand;
  private final int exponent;

  private LongDouble(Kind kind, boolean negative, BigInteger significand, int exponent) {
    this.kind = kind;
    this.negative = negative;
    this.significand = significand;
    this.exponent = exponent;
  }

  /** The exact value of a long (every long fits in a 64-bit significand). */
  public static LongDouble of(long v) {
    if (v == 0) {
      return ZERO;
    }
    BigInteger m = BigInteger.valueOf(v).abs();
    return new LongDouble(Kind.FINITE, v < 0, m, 0);
  }

  /**
   * Parses a value as Redis's {@code string2ld} does ({@code strtold} in the C locale): decimal or
   * hexadecimal ({@code 0x1.8p3}) notation, {@code inf}/{@code infinity}; no leading space, no
   * trailing characters, no NaN, nothing that overflows or underflows to zero. Returns null when
   * Redis would answer "value is not a valid float".
   */
  public static LongDouble parse(byte[] s) {
    if (s.length == 0 || s.length >= MAX_CHARS) {
      return null;
    }
    int i = 0;
    boolean negative = false;
    if (s[0] == '+' || s[0] == '-') {
      negative = s[0] == '-';
      i++;
    }
    if (matchesWord(s, i, "infinity") || matchesWord(s, i, "inf")) {
      return new LongDouble(Kind.INFINITE, negative, null, 0);
    }
    if (i + 1 < s.length && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
      return parseHex(s, i + 2, negative);
    }
    return parseDecimal(s, i, negative);
  }

  private static boolean matchesWord(byte[] s, int from, String word) {
    if (s.length - from != word.length()) {
      return false;
    }
    for (int k = 0; k < word.length(); k++) {
      if (Character.toLowerCase((char) (s[from + k] & 0xFF)) != word.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private static LongDouble parseDecimal(byte[] s, int i, boolean negative) {
    StringBuilder digits = new StringBuilder();
    int fractionDigits = 0;
    boolean anyDigit = false;
    for (; i < s.length && isDigit(s[i]); i++) {
      digits.append((char) s[i]);
      anyDigit = true;
    }
    if (i < s.length && s[i] == '.') {
      for (i++; i < s.length && isDigit(s[i]); i++) {
        digits.append((char) s[i]);
        fractionDigits++;
        anyDigit = true;
      }
    }
    if (!anyDigit) {
      return null;
    }
    long exp10 = 0;
    if (i < s.length && (s[i] == 'e' || s[i] == 'E')) {
      Long parsed = parseExponent(s, i + 1);
      if (parsed == null) {
        return null;
      }
      exp10 = parsed;
      i = s.length;
    }
    if (i != s.length) {
      return null;
    }
    BigInteger mantissa = new BigInteger(digits.toString());
    if (mantissa.signum() == 0) {
      return new LongDouble(Kind.FINITE, negative, BigInteger.ZERO, 0);
    }
    long e = exp10 - fractionDigits;
    long leadingDigitExponent = e + mantissa.toString().length() - 1;
    if (leadingDigitExponent > DECIMAL_OVERFLOW || leadingDigitExponent < DECIMAL_UNDERFLOW) {
      return null; // strtold reports ERANGE: Redis refuses both overflow and underflow to zero
    }
    BigInteger num = mantissa;
    BigInteger den = BigInteger.ONE;
    if (e >= 0) {
      num = num.multiply(BigInteger.TEN.pow((int) e));
    } else {
      den = BigInteger.TEN.pow((int) -e);
    }
    return checkedRange(round(negative, num, den, 0));
  }

  private static LongDouble parseHex(byte[] s, int i, boolean negative) {
    BigInteger mantissa = BigInteger.ZERO;
    long exp2 = 0;
    boolean anyDigit = false;
    for (; i < s.length && Character.digit(s[i], 16) >= 0; i++) {
      mantissa = mantissa.shiftLeft(4).add(BigInteger.valueOf(Character.digit(s[i], 16)));
      anyDigit = true;
    }
    if (i < s.length && s[i] == '.') {
      for (i++; i < s.length && Character.digit(s[i], 16) >= 0; i++) {
        mantissa = mantissa.shiftLeft(4).add(BigInteger.valueOf(Character.digit(s[i], 16)));
        exp2 -= 4;
        anyDigit = true;
      }
    }
    if (!anyDigit) {
      return null; // strtold parses the "0" and stops at the 'x': trailing characters
    }
    if (i < s.length && (s[i] == 'p' || s[i] == 'P')) {
      Long parsed = parseExponent(s, i + 1);
      if (parsed == null) {
        return null;
      }
      exp2 += parsed;
      i = s.length;
    }
    if (i != s.length) {
      return null;
    }
    if (mantissa.signum() == 0) {
      return new LongDouble(Kind.FINITE, negative, BigInteger.ZERO, 0);
    }
    long top = exp2 + mantissa.bitLength();
    if (top > 16384 + 2 || top < MIN_EXPONENT - 2) {
      return null;
    }
    return checkedRange(round(negative, mantissa, BigInteger.ONE, (int) exp2));
  }

  /** Parses {@code [+-]digits} up to the end of {@code s}, saturating; null when malformed. */
  private static Long parseExponent(byte[] s, int i) {
    boolean negative = false;
    if (i < s.length && (s[i] == '+' || s[i] == '-')) {
      negative = s[i] == '-';
      i++;
    }
    if (i >= s.length) {
      return null;
    }
    long v = 0;
    for (; i < s.length; i++) {
      if (!isDigit(s[i])) {
        return null;
      }
      v = Math.min(v * 10 + (s[i] - '0'), 1_000_000_000L);
    }
    return negative ? -v : v;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  /** Refuses what strtold flags with ERANGE: overflow to infinity and underflow to zero. */
  private static LongDouble checkedRange(LongDouble v) {
    if (v.kind == Kind.INFINITE || v.significand.signum() == 0) {
      return null;
    }
    return v;
  }

  /**
   * Rounds {@code ±num/den × 2^exp2} (num, den positive) to the nearest long double, ties to
   * even, with gradual underflow and overflow to infinity.
   */
  private static LongDouble round(boolean negative, BigInteger num, BigInteger den, int exp2) {
    if (num.signum() == 0) {
      return new LongDouble(Kind.FINITE, negative, BigInteger.ZERO, 0);
    }
    long e = (long) exp2 + num.bitLength() - den.bitLength() - PRECISION;
    if (e < MIN_EXPONENT) {
      e = MIN_EXPONENT;
    }
    BigInteger[] qr = divide(num, den, exp2 - e);
    if (qr[0].bitLength() > PRECISION) {
      e++;
      qr = divide(num, den, exp2 - e);
    }
    BigInteger q = qr[0];
    BigInteger divisor = qr[2];
    int half = qr[1].shiftLeft(1).compareTo(divisor);
    if (half > 0 || (half == 0 && q.testBit(0))) {
      q = q.add(BigInteger.ONE);
      if (q.equals(TWO_POW_64)) {
        q = q.shiftRight(1);
        e++;
      }
    }
    if (e > MAX_EXPONENT) {
      return new LongDouble(Kind.INFINITE, negative, null, 0);
    }
    if (q.signum() == 0) {
      return new LongDouble(Kind.FINITE, negative, BigInteger.ZERO, 0);
    }
    return new LongDouble(Kind.FINITE, negative, q, (int) e);
  }

  /** {@code floor(num × 2^shift / den)}, the remainder and the divisor actually used. */
  private static BigInteger[] divide(BigInteger num, BigInteger den, long shift) {
    BigInteger n = shift >= 0 ? num.shiftLeft((int) shift) : num;
    BigInteger d = shift >= 0 ? den : den.shiftLeft((int) -shift);
    BigInteger[] qr = n.divideAndRemainder(d);
    return new BigInteger[] {qr[0], qr[1], d};
  }

  /** The sum rounded to long double, as the x87 {@code fadd} computes it. */
  public LongDouble add(LongDouble other) {
    if (kind == Kind.NAN || other.kind == Kind.NAN) {
      return new LongDouble(Kind.NAN, false, null, 0);
    }
    if (kind == Kind.INFINITE || other.kind == Kind.INFINITE) {
      if (kind == Kind.INFINITE && other.kind == Kind.INFINITE && negative != other.negative) {
        return new LongDouble(Kind.NAN, false, null, 0);
      }
      return kind == Kind.INFINITE ? this : other;
    }
    if (significand.signum() == 0 && other.significand.signum() == 0) {
      // IEEE: -0 + -0 = -0, any other combination of zeros is +0.
      return new LongDouble(Kind.FINITE, negative && other.negative, BigInteger.ZERO, 0);
    }
    int e = Math.min(exponent, other.exponent);
    BigInteger a = signed().shiftLeft(exponent - e);
    BigInteger b = other.signed().shiftLeft(other.exponent - e);
    BigInteger sum = a.add(b);
    if (sum.signum() == 0) {
      return ZERO;
    }
    return round(sum.signum() < 0, sum.abs(), BigInteger.ONE, e);
  }

  private BigInteger signed() {
    return negative ? significand.negate() : significand;
  }

  public boolean isFinite() {
    return kind == Kind.FINITE;
  }

  public boolean isNaN() {
    return kind == Kind.NAN;
  }

  /** The exact value of a finite long double. */
  public BigDecimal toBigDecimal() {
    if (kind != Kind.FINITE) {
      throw new ArithmeticException("not finite");
    }
    BigDecimal abs =
        exponent >= 0
            ? new BigDecimal(significand.shiftLeft(exponent))
            : new BigDecimal(significand.multiply(BigInteger.valueOf(5).pow(-exponent)), -exponent);
    return negative ? abs.negate() : abs;
  }

  /**
   * The text Redis stores for an INCRBYFLOAT result ({@code ld2string} in human-friendly mode):
   * {@code %.17Lf}, then trailing zeros and a trailing point removed, and "-0" written as "0".
   */
  public String toHumanString() {
    if (kind == Kind.INFINITE) {
      return negative ? "-inf" : "inf";
    }
    if (kind == Kind.NAN) {
      return "nan";
    }
    // glibc's printf rounds the exact binary value, ties to even.
    BigDecimal rounded = toBigDecimal().abs().setScale(17, RoundingMode.HALF_EVEN);
    if (rounded.signum() == 0) {
      return "0";
    }
    String text = rounded.toPlainString();
    int end = text.length();
    while (text.charAt(end - 1) == '0') {
      end--;
    }
    if (text.charAt(end - 1) == '.') {
      end--;
    }
    return (negative ? "-" : "") + text.substring(0, end);
  }

  @Override
  public String toString() {
    return toHumanString();
  }
}
