package io.kvorum.raft.membership;

/** An admin request the cluster refuses, with the reason a user reads (mapped to a gRPC code). */
public final class AdminRefusal extends RuntimeException {
  /** Why, in gRPC status terms. */
  public enum Kind {
    NOT_FOUND,
    INVALID_ARGUMENT,
    FAILED_PRECONDITION
  }

  private final Kind kind;

  public AdminRefusal(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
