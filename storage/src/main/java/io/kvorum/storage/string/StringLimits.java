package io.kvorum.storage.string;

import io.kvorum.storage.reply.RedisError;

/**
 * The largest string value a command may create (Redis's {@code proto-max-bulk-len}, checked by
 * APPEND, SETRANGE and LCS). Fixed at Redis's default, 512 MiB, on every node: whether a logged
 * write succeeds must not depend on a replica's configuration. The gateway's own
 * proto-max-bulk-len only bounds what a client may send.
 */
public final class StringLimits {
  /** Redis's default proto-max-bulk-len. */
  public static final long DEFAULT_MAX_BYTES = 512L * 1024 * 1024;

  /** The largest array the JVM reliably allocates. */
  public static final long ARRAY_LIMIT = Integer.MAX_VALUE - 8;

  static final String TOO_BIG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

  private static volatile long maxBytes = DEFAULT_MAX_BYTES;

  private StringLimits() {}

  /** The current limit in bytes. */
  public static long maxBytes() {
    return maxBytes;
  }

  /** Lowers the limit in tests; production code never changes it (see the class comment). */
  static void setMaxBytes(long bytes) {
    if (bytes <= 0 || bytes > ARRAY_LIMIT) {
      throw new IllegalArgumentException(
          "max string size must be between 1 and " + ARRAY_LIMIT + ": " + bytes);
    }
    maxBytes = bytes;
  }

  /**
   * Throws Redis's error when a string of {@code size + append} bytes would exceed the limit
   * (Redis 7.0.15's checkStringLength, overflow included).
   */
  static void check(long size, long append) {
    long total = size + append;
    if (total > maxBytes || total < size || total < append) {
      throw new RedisError(TOO_BIG);
    }
  }
}
