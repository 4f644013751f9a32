package io.kvorum.storage.list;

import io.kvorum.storage.command.Blocking;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.number.LongDouble;
import io.kvorum.storage.reply.RedisError;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The timeout argument of BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP, read exactly as Redis 7.0
 * does ({@code getTimeoutFromObjectOrReply} in seconds): parsed as an x87 long double by
 * {@code string2ld}, then {@code (long long) ceill(seconds * 1000.0)}. So {@code -0.0001} is 0
 * (wait forever), {@code 0.0001} is 1 ms, and anything whose milliseconds do not fit a signed
 * 64-bit integer ({@code inf}, {@code 1e16}) becomes LLONG_MIN and is refused as negative.
 *
 * <p>The storage handlers only validate the argument; the gateway, which does the waiting, reads
 * the same value through {@link #RULE} and adds its clock to it.
 */
public final class BlockingTimeout {
  public static final String NOT_A_FLOAT = "ERR timeout is not a float or out of range";
  public static final String NEGATIVE = "ERR timeout is negative";

  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
  private static final BigInteger FIVE = BigInteger.valueOf(5);
  private static final int SIGNIFICAND_BITS = 64;

  /** How the blocking list commands wait: for their timeout argument. */
  public static final Blocking RULE = args -> millis(args[argumentIndex(args)]);

  private BlockingTimeout() {}

  /**
   * How long the command may wait, in milliseconds; 0 means forever. Throws Redis's error for an
   * argument that is not a float or is negative.
   */
  public static long millis(byte[] arg) {
    LongDouble seconds = LongDouble.parse(arg);
    if (seconds == null) {
      throw new RedisError(NOT_A_FLOAT);
    }
    if (!seconds.isFinite()) {
      throw new RedisError(NEGATIVE);
    }
    BigInteger ms = ceilOfLongDouble(seconds.toBigDecimal().multiply(THOUSAND));
    if (ms.signum() < 0 || ms.bitLength() > 63) {
      throw new RedisError(NEGATIVE);
    }
    return ms.longValueExact();
  }

  /**
   * The index of the timeout argument in an invocation of one of the blocking list commands, or -1
   * for any other command.
   */
  public static int argumentIndex(byte[][] args) {
    return switch (KeyspaceCommandTable.lower(args[0])) {
      case "blpop", "brpop" -> args.length - 1;
      case "brpoplpush" -> 3;
      case "blmove" -> 5;
      case "blmpop" -> 1;
      default -> -1;
    };
  }

  /**
   * {@code ceill} of {@code exact} after rounding it to a long double (64-bit significand, ties to
   * even), as the x87 multiplication {@code seconds * 1000.0} rounds.
   */
  private static BigInteger ceilOfLongDouble(BigDecimal exact) {
    // The value is dyadic (a long double times 1000): unscaled / 10^s = (unscaled / 5^s) / 2^s.
    BigInteger unscaled = exact.unscaledValue();
    int scale = exact.scale();
    BigInteger m;
    int exponent;
    if (scale <= 0) {
      m = unscaled.multiply(BigInteger.TEN.pow(-scale));
      exponent = 0;
    } else {
      m = unscaled.divide(FIVE.pow(scale));
      exponent = -scale;
    }
    boolean negative = m.signum() < 0;
    BigInteger a = m.abs();
    int extra = a.bitLength() - SIGNIFICAND_BITS;
    if (extra > 0) {
      BigInteger q = a.shiftRight(extra);
      BigInteger rest = a.subtract(q.shiftLeft(extra));
      int half = rest.compareTo(BigInteger.ONE.shiftLeft(extra - 1));
      if (half > 0 || (half == 0 && q.testBit(0))) {
        q = q.add(BigInteger.ONE);
      }
      a = q;
      exponent += extra;
    }
    if (exponent >= 0) {
      if (a.bitLength() + exponent > SIGNIFICAND_BITS + 1) {
        // Far beyond any long: only its sign matters to the caller.
        return negative ? BigInteger.ONE.negate().shiftLeft(SIGNIFICAND_BITS)
            : BigInteger.ONE.shiftLeft(SIGNIFICAND_BITS);
      }
      BigInteger v = a.shiftLeft(exponent);
      return negative ? v.negate() : v;
    }
    BigInteger whole = a.shiftRight(-exponent);
    boolean fraction = a.getLowestSetBit() < -exponent && a.signum() != 0;
    if (negative) {
      return whole.negate();
    }
    return fraction ? whole.add(BigInteger.ONE) : whole;
  }
}
