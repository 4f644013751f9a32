package io.kvorum.raft.route;

/**
 * Ratis refused or failed a request (leader not ready, too many pending requests, shutting down).
 * The command was not applied by this request.
 */
public final class RaftUnavailableException extends RuntimeException {
  public RaftUnavailableException(String message) {
    super(message, null, false, false);
  }
}
