package io.kvorum.storage.zset;

import io.kvorum.storage.number.PrintfFormat;
import io.kvorum.storage.reply.Reply;

/**
 * How Redis 7.0 prints sorted-set scores: {@code %.17g} ({@code addReplyDouble}, {@code d2string}),
 * with {@code inf}/{@code -inf} and a negative zero kept as "-0".
 */
public final class ScoreFormat {
  /** Integers below 2^53 print the same under %.17g as as plain integers. */
  private static final double EXACT_INTEGERS = 9007199254740992.0;

  private ScoreFormat() {}

  public static String text(double score) {
    if (score == Math.rint(score) && Math.abs(score) < EXACT_INTEGERS) {
      if (score == 0) {
        return Double.doubleToRawLongBits(score) < 0 ? "-0" : "0";
      }
      return Long.toString((long) score);
    }
    return PrintfFormat.g17(score);
  }

  /** A score reply: a RESP3 double, a bulk string in RESP2. */
  public static Reply reply(double score) {
    return new Reply.Double(text(score));
  }
}
