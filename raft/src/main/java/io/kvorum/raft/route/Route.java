package io.kvorum.raft.route;

/** Where a slot group's commands go right now. */
public sealed interface Route {

  /** This node leads the group: run the command here. */
  record Local() implements Route {}

  /** Another node leads the group: answer {@code -MOVED slot host:port}. */
  record Remote(String nodeId, String host, int port) implements Route {}

  /** No leader is known (election in progress, or no quorum). */
  record Unavailable(String reason) implements Route {}

  Local LOCAL = new Local();
}
