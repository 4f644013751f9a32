package io.kvorum.storage.zset;

import io.kvorum.storage.command.Blocking;
import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.LongDouble;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * ZPOPMIN, ZPOPMAX, ZMPOP and the blocking BZPOPMIN, BZPOPMAX, BZMPOP ({@code genericZpopCommand}).
 * The blocking commands here are their non-blocking attempt: they validate the timeout exactly as
 * Redis does, pop when an element is available, and otherwise answer {@link Reply#NULL_ARRAY}
 * (Redis's reply on timeout), which the gateway turns into waiting ({@link #BZPOP_WAIT}, {@link
 * #BZMPOP_WAIT}). Repeated for a blocked client they pass over keys of another type, as Redis does.
 */
public final class ZsetPopCommands {
  static final String TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range";
  static final String TIMEOUT_NEGATIVE = "ERR timeout is negative";
  private static final BigInteger THOUSAND = BigInteger.valueOf(1000);

  /** BZPOPMIN and BZPOPMAX wait for their last argument, in seconds. */
  static final Blocking BZPOP_WAIT = args -> validateTimeout(args[args.length - 1]);
  /** BZMPOP waits for its first argument, in seconds. */
  static final Blocking BZMPOP_WAIT = args -> validateTimeout(args[1]);

  private ZsetPopCommands() {}

  /** ZPOPMIN|ZPOPMAX key [count]. */
  static Reply zpop(CommandContext ctx, byte[][] args, boolean max) {
    if (args.length > 3) {
      throw RedisError.syntax();
    }
    long count = -1;
    if (args.length == 3) {
      count = ZsetCommands.rangeLong(args[2], 0, Long.MAX_VALUE,
          "ERR value is out of range, must be positive");
    }
    boolean nested = ctx.resp3() && count != -1;
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    if (z == null || count == 0) {
      return Reply.EMPTY_ARRAY;
    }
    List<SortedSet.Entry> popped = pop(z, count == -1 ? 1 : count, max);
    List<Reply> out = new ArrayList<>();
    for (SortedSet.Entry e : popped) {
      ZsetCommands.add(out, e, true, nested);
    }
    return Reply.array(out);
  }

  /** Removes and returns up to {@code count} entries from the low (or high) end. */
  static List<SortedSet.Entry> pop(SortedSet z, long count, boolean max) {
    List<SortedSet.Entry> popped = z.peek(count, max);
    if (popped.size() == z.size()) {
      z.removeAll();
      return popped;
    }
    for (SortedSet.Entry e : popped) {
      z.delete(e.member(), e.score());
    }
    z.commit();
    return popped;
  }

  /** BZPOPMIN|BZPOPMAX key [key …] timeout: the non-blocking attempt. */
  static Reply bzpop(CommandContext ctx, byte[][] args, boolean max) {
    validateTimeout(args[args.length - 1]);
    for (int j = 1; j < args.length - 1; j++) {
      if (ctx.skipsForBlockedClient(args[j], RedisType.ZSET)) {
        continue;
      }
      SortedSet z = SortedSet.open(ctx.keyspace(), args[j]);
      if (z == null || z.size() == 0) {
        continue;
      }
      SortedSet.Entry e = pop(z, 1, max).get(0);
      return Reply.array(Reply.bulk(args[j]), Reply.bulk(e.member()),
          ScoreFormat.reply(e.score()));
    }
    return Reply.NULL_ARRAY;
  }

  /**
   * ZMPOP numkeys key [key …] MIN|MAX [COUNT count] ({@code numkeysIdx} 1) and BZMPOP timeout
   * numkeys … ({@code numkeysIdx} 2; the timeout is checked after the other arguments, as Redis
   * does).
   */
  static Reply zmpop(CommandContext ctx, byte[][] args, int numkeysIdx, boolean blocking) {
    long numkeys = ZsetCommands.rangeLong(args[numkeysIdx], 1, Long.MAX_VALUE,
        "ERR numkeys should be greater than 0");
    long whereIdx = numkeysIdx + numkeys + 1;
    if (whereIdx >= args.length) {
      throw RedisError.syntax();
    }
    boolean max;
    if (Keywords.is(args[(int) whereIdx], "MIN")) {
      max = false;
    } else if (Keywords.is(args[(int) whereIdx], "MAX")) {
      max = true;
    } else {
      throw RedisError.syntax();
    }
    long count = -1;
    for (int j = (int) whereIdx + 1; j < args.length; j++) {
      boolean more = j < args.length - 1;
      if (count == -1 && Keywords.is(args[j], "COUNT") && more) {
        j++;
        count = ZsetCommands.rangeLong(args[j], 1, Long.MAX_VALUE,
            "ERR count should be greater than 0");
      } else {
        throw RedisError.syntax();
      }
    }
    if (count == -1) {
      count = 1;
    }
    if (blocking) {
      validateTimeout(args[1]);
    }
    for (int j = numkeysIdx + 1; j < whereIdx; j++) {
      if (ctx.skipsForBlockedClient(args[j], RedisType.ZSET)) {
        continue;
      }
      KeyMeta meta = ctx.keyspace().lookup(args[j], RedisType.ZSET);
      if (meta == null) {
        continue;
      }
      SortedSet z = SortedSet.of(ctx.keyspace(), args[j], meta);
      List<Reply> pairs = new ArrayList<>();
      for (SortedSet.Entry e : pop(z, count, max)) {
        ZsetCommands.add(pairs, e, true, true);
      }
      return Reply.array(Reply.bulk(args[j]), Reply.array(pairs));
    }
    return Reply.NULL_ARRAY;
  }

  /**
   * Redis's {@code getTimeoutFromObjectOrReply} in seconds: the argument is parsed as a long
   * double, multiplied by 1000 in x87 precision, rounded up, and converted to a 64-bit integer (an
   * out-of-range conversion gives the most negative value, so huge or infinite timeouts are
   * "negative" as in Redis). Returns the timeout in milliseconds (0: wait forever).
   */
  public static long validateTimeout(byte[] arg) {
    LongDouble seconds = LongDouble.parse(arg);
    if (seconds == null || seconds.isNaN()) {
      throw new RedisError(TIMEOUT_NOT_FLOAT);
    }
    long ms = seconds.isFinite() ? ceilMillis(seconds.toBigDecimal()) : Long.MIN_VALUE;
    if (ms < 0) {
      throw new RedisError(TIMEOUT_NEGATIVE);
    }
    return ms;
  }

  /** {@code (long long) ceill(v * 1000.0L)} with the product rounded to a 64-bit significand. */
  static long ceilMillis(BigDecimal v) {
    if (v.signum() == 0) {
      return 0;
    }
    // v is a binary fraction m × 2^e; recover m and e exactly from its decimal form.
    BigInteger unscaled = v.unscaledValue().abs();
    int scale = v.scale();
    BigInteger m;
    int e;
    if (scale <= 0) {
      m = unscaled.multiply(BigInteger.TEN.pow(-scale));
      e = 0;
    } else {
      m = unscaled.divide(BigInteger.valueOf(5).pow(scale));
      e = -scale;
    }
    m = m.multiply(THOUSAND);
    int excess = m.bitLength() - 64;
    if (excess > 0) {
      BigInteger q = m.shiftRight(excess);
      BigInteger rem = m.subtract(q.shiftLeft(excess));
      int half = rem.shiftLeft(1).compareTo(BigInteger.ONE.shiftLeft(excess));
      if (half > 0 || (half == 0 && q.testBit(0))) {
        q = q.add(BigInteger.ONE);
      }
      m = q;
      e += excess;
    }
    BigInteger ceil;
    if (e >= 0) {
      ceil = m.shiftLeft(e);
    } else if (v.signum() > 0) {
      ceil = m.add(BigInteger.ONE.shiftLeft(-e)).subtract(BigInteger.ONE).shiftRight(-e);
    } else {
      ceil = m.shiftRight(-e);
    }
    if (v.signum() < 0) {
      ceil = ceil.negate();
    }
    return ceil.bitLength() <= 63 ? ceil.longValueExact() : Long.MIN_VALUE;
  }
}
