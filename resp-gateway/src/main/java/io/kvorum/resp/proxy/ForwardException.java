package io.kvorum.resp.proxy;

/**
 * A forward that returned no replies. {@code delivered} false means the request never reached
 * the other node (connection refused): nothing ran, so it may be sent again. True means it may
 * have run there (the connection broke or the deadline passed while it was in flight).
 */
public final class ForwardException extends RuntimeException {
  private final boolean delivered;

  public ForwardException(boolean delivered, String message) {
    super(message, null, false, false);
    this.delivered = delivered;
  }

  public boolean delivered() {
    return delivered;
  }
}
