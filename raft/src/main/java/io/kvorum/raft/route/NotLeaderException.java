package io.kvorum.raft.route;

/** The node lost (or never had) leadership of the group a command was sent to. */
public final class NotLeaderException extends RuntimeException {
  private final int group;

  public NotLeaderException(int group, String message) {
    super(message, null, false, false);
    this.group = group;
  }

  public int group() {
    return group;
  }
}
