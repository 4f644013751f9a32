package io.kvorum.resp.protocol;

/**
 * The request-size limits the decoder enforces, read on every check so CONFIG SET takes effect at
 * once. Defaults and texts follow Redis ({@code proto-max-bulk-len}, {@code client-query-buffer-limit}).
 */
public interface ProtocolLimits {

  /** Redis's PROTO_INLINE_MAX_SIZE: longest inline line, and longest {@code *N} / {@code $N} line. */
  int INLINE_MAX = 64 * 1024;

  /** Longest bulk string argument ({@code proto-max-bulk-len}). */
  long maxBulkLength();

  /** Most arguments in one multibulk request. */
  long maxMultibulkLength();

  /** Longest inline request without a newline. */
  default int maxInlineLength() {
    return INLINE_MAX;
  }

  /**
   * Bytes one client may have buffered for the command being read ({@code
   * client-query-buffer-limit}); past it the connection is closed without a reply, as in Redis.
   */
  long maxQueryBuffer();

  /**
   * True while the connection must authenticate first; then Redis allows only 10 arguments of at
   * most 16384 bytes each, so an unauthenticated client cannot make the server buffer much.
   */
  boolean unauthenticated();

  /** Fixed limits (tests, tools). */
  static ProtocolLimits of(long maxBulk, long maxMultibulk, long maxQueryBuffer) {
    return new ProtocolLimits() {
      @Override
      public long maxBulkLength() {
        return maxBulk;
      }

      @Override
      public long maxMultibulkLength() {
        return maxMultibulk;
      }

      @Override
      public long maxQueryBuffer() {
        return maxQueryBuffer;
      }

      @Override
      public boolean unauthenticated() {
        return false;
      }
    };
  }
}
