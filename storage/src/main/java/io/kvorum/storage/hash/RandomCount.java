package io.kvorum.storage.hash;

import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;

/** The count argument of HRANDFIELD and SRANDMEMBER: any long but {@code Long.MIN_VALUE}. */
public final class RandomCount {
  private RandomCount() {}

  /** Parses it as Redis's {@code getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX)} does. */
  public static long parse(byte[] arg) {
    long count = RedisNumbers.parseLong(arg);
    if (count == Long.MIN_VALUE) {
      throw new RedisError("ERR value is out of range, value must between " + -Long.MAX_VALUE
          + " and " + Long.MAX_VALUE);
    }
    return count;
  }
}
