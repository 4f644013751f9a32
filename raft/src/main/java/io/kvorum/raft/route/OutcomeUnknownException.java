package io.kvorum.raft.route;

/**
 * A write reached the log but its leader lost leadership before it committed, and this node
 * could not learn in time whether a later leader committed it. The client must treat it as a
 * timeout: it may or may not have happened.
 */
public final class OutcomeUnknownException extends RuntimeException {
  public OutcomeUnknownException(String message) {
    super(message, null, false, false);
  }
}
