package io.kvorum.storage.geo;

import io.kvorum.storage.reply.Reply;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** The two ways Redis 7.0 prints geo numbers. */
final class GeoFormat {
  private GeoFormat() {}

  /**
   * A distance ({@code addReplyDoubleDistance}, {@code fixedpoint_d2string(d, 4)}): the value
   * times 10^4 rounded half-to-even to an integer, printed with four decimals; a bulk string in
   * both protocols.
   */
  static Reply distance(double meters) {
    if (meters == 0) {
      return Reply.bulk("0.0000");
    }
    long scaled = (long) Math.rint(meters * 10000.0);
    return Reply.bulk(BigDecimal.valueOf(scaled, 4).toPlainString());
  }

  /**
   * A coordinate ({@code addReplyHumanLongDouble}): {@code %.17Lf} of the exact value, trailing
   * zeros and point removed, "-0" as "0"; a RESP3 double, a bulk string in RESP2.
   */
  static Reply coordinate(double value) {
    BigDecimal rounded = new BigDecimal(value).setScale(17, RoundingMode.HALF_EVEN);
    if (rounded.signum() == 0) {
      return new Reply.Double("0");
    }
    String text = rounded.toPlainString();
    int end = text.length();
    while (text.charAt(end - 1) == '0') {
      end--;
    }
    if (text.charAt(end - 1) == '.') {
      end--;
    }
    return new Reply.Double(text.substring(0, end));
  }
}
