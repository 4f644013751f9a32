package io.kvorum.storage.zset;

import io.kvorum.storage.reply.RedisError;

/**
 * A score interval as ZRANGEBYSCORE and friends take it: "(" makes a bound exclusive, the numbers
 * are parsed with {@code strtod} up to the end of the C string ({@code zslParseRange}), so "inf",
 * hex and even an empty string (0) are accepted while NaN is not.
 */
public record ScoreRange(double min, boolean minExclusive, double max, boolean maxExclusive) {
  static final String NOT_FLOAT = "ERR min or max is not a float";

  /** Parses {@code min} and {@code max}, or throws "min or max is not a float". */
  public static ScoreRange parse(byte[] min, byte[] max) {
    boolean minEx = min.length > 0 && min[0] == '(';
    boolean maxEx = max.length > 0 && max[0] == '(';
    double lo = bound(min, minEx ? 1 : 0);
    double hi = bound(max, maxEx ? 1 : 0);
    return new ScoreRange(lo, minEx, hi, maxEx);
  }

  private static double bound(byte[] s, int from) {
    Strtod.Result r = Strtod.parse(s, from);
    if (!Strtod.atCEnd(s, r.end()) || Double.isNaN(r.value())) {
      throw new RedisError(NOT_FLOAT);
    }
    return r.value();
  }

  /** An inclusive range for internal queries (GEO boxes use {@code [min, max)}). */
  public static ScoreRange of(double min, boolean minExclusive, double max, boolean maxExclusive) {
    return new ScoreRange(min, minExclusive, max, maxExclusive);
  }

  /** True when no score can be inside ({@code zslIsInRange}'s first test). */
  public boolean isEmpty() {
    return min > max || (min == max && (minExclusive || maxExclusive));
  }

  public boolean gteMin(double v) {
    return minExclusive ? v > min : v >= min;
  }

  public boolean lteMax(double v) {
    return maxExclusive ? v < max : v <= max;
  }
}
