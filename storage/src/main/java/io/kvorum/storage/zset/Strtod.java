package io.kvorum.storage.zset;

/**
 * C's {@code strtod} in the C locale, over the C string in a byte array (it ends at the first NUL
 * byte): leading white space, sign, decimal or hexadecimal notation, {@code inf}/{@code infinity},
 * {@code nan[(chars)]}. Redis parses scores, ranges and coordinates with it, and its accepting and
 * rejecting rules (trailing characters, {@code ERANGE}) decide which replies are errors.
 */
public final class Strtod {
  private Strtod() {}

  /**
   * The outcome of one conversion.
   *
   * @param value      the converted value (0 when nothing was converted)
   * @param end        the index where conversion stopped; {@code from} when nothing was converted
   * @param rangeError whether C sets {@code ERANGE} with an infinite or zero result (overflow, or
   *                   underflow to zero)
   */
  public record Result(double value, int end, boolean rangeError) {}

  /** Converts the C string starting at {@code from}. */
  public static Result parse(byte[] s, int from) {
    int len = cLength(s);
    int i = from;
    while (i < len && isSpace(s[i])) {
      i++;
    }
    boolean negative = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
      negative = s[i] == '-';
      i++;
    }
    if (matchesIgnoreCase(s, i, len, "inf")) {
      int end = matchesIgnoreCase(s, i, len, "infinity") ? i + 8 : i + 3;
      return new Result(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, end, false);
    }
    if (matchesIgnoreCase(s, i, len, "nan")) {
      int end = i + 3;
      if (end < len && s[end] == '(') {
        int j = end + 1;
        while (j < len && (isAlnum(s[j]) || s[j] == '_')) {
          j++;
        }
        if (j < len && s[j] == ')') {
          end = j + 1;
        }
      }
      return new Result(Double.NaN, end, false);
    }
    if (i + 1 < len && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
      Result hex = parseHex(s, i + 2, len, negative);
      if (hex != null) {
        return hex;
      }
      // "0x" without hex digits: only the "0" converts.
      return new Result(negative ? -0.0 : 0.0, i + 1, false);
    }
    return parseDecimal(s, from, i, len, negative);
  }

  private static Result parseDecimal(byte[] s, int from, int i, int len, boolean negative) {
    StringBuilder text = new StringBuilder(negative ? "-" : "");
    boolean anyDigit = false;
    boolean nonZero = false;
    for (; i < len && isDigit(s[i]); i++) {
      text.append((char) s[i]);
      anyDigit = true;
      nonZero |= s[i] != '0';
    }
    if (i < len && s[i] == '.') {
      int j = i + 1;
      StringBuilder fraction = new StringBuilder();
      for (; j < len && isDigit(s[j]); j++) {
        fraction.append((char) s[j]);
        nonZero |= s[j] != '0';
      }
      if (anyDigit || fraction.length() > 0) {
        text.append('.').append(fraction);
        anyDigit = true;
        i = j;
      }
    }
    if (!anyDigit) {
      return new Result(0, from, false);
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
      int[] exp = exponent(s, i + 1, len);
      if (exp != null) {
        text.append('e').append(exp[0]);
        i = exp[1];
      }
    }
    double v = Double.parseDouble(text.toString());
    boolean range = Double.isInfinite(v) || (v == 0 && nonZero);
    return new Result(v, i, range);
  }

  /** Null when no hex digit follows "0x". */
  private static Result parseHex(byte[] s, int i, int len, boolean negative) {
    StringBuilder digits = new StringBuilder();
    boolean nonZero = false;
    int j = i;
    for (; j < len && Character.digit(s[j], 16) >= 0; j++) {
      digits.append((char) s[j]);
      nonZero |= s[j] != '0';
    }
    StringBuilder fraction = new StringBuilder();
    if (j < len && s[j] == '.') {
      int k = j + 1;
      for (; k < len && Character.digit(s[k], 16) >= 0; k++) {
        fraction.append((char) s[k]);
        nonZero |= s[k] != '0';
      }
      if (digits.length() > 0 || fraction.length() > 0) {
        j = k;
      }
    }
    if (digits.length() == 0 && fraction.length() == 0) {
      return null;
    }
    long exp = 0;
    if (j < len && (s[j] == 'p' || s[j] == 'P')) {
      int[] e = exponent(s, j + 1, len);
      if (e != null) {
        exp = e[0];
        j = e[1];
      }
    }
    String text = (negative ? "-0x" : "0x") + (digits.length() == 0 ? "0" : digits) + "."
        + fraction + "p" + exp;
    double v = Double.parseDouble(text);
    boolean range = Double.isInfinite(v) || (v == 0 && nonZero);
    return new Result(v, j, range);
  }

  /**
   * {@code [+-]digits} at {@code i}: {value (saturated), end}, or null when no digit follows (C
   * then leaves the 'e' unconsumed).
   */
  private static int[] exponent(byte[] s, int i, int len) {
    boolean negative = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
      negative = s[i] == '-';
      i++;
    }
    if (i >= len || !isDigit(s[i])) {
      return null;
    }
    long v = 0;
    for (; i < len && isDigit(s[i]); i++) {
      v = Math.min(v * 10 + (s[i] - '0'), 100_000_000L);
    }
    return new int[] {(int) (negative ? -v : v), i};
  }

  /**
   * Redis's {@code string2d}: the whole argument must be one number, with no leading space, no
   * NaN and no overflow or underflow to zero. Null when Redis would refuse it.
   */
  public static Double string2d(byte[] s) {
    if (s.length == 0 || isSpace(s[0])) {
      return null;
    }
    Result r = parse(s, 0);
    if (r.end() != s.length || r.rangeError() || Double.isNaN(r.value())) {
      return null;
    }
    return r.value();
  }

  /** Whether conversion stopped at the end of the C string ({@code eptr[0] == '\0'}). */
  public static boolean atCEnd(byte[] s, int end) {
    return end >= s.length || s[end] == 0;
  }

  private static int cLength(byte[] s) {
    for (int i = 0; i < s.length; i++) {
      if (s[i] == 0) {
        return i;
      }
    }
    return s.length;
  }

  private static boolean matchesIgnoreCase(byte[] s, int i, int len, String word) {
    if (len - i < word.length()) {
      return false;
    }
    for (int k = 0; k < word.length(); k++) {
      int c = s[i + k] & 0xFF;
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != word.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == 0x0B || b == '\f' || b == '\r';
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  private static boolean isAlnum(byte b) {
    return isDigit(b) || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
  }
}
