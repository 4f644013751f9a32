package io.kvorum.resp.routing;

import io.kvorum.raft.route.Route;
import io.kvorum.storage.reply.Reply;

/** The redirection and availability errors Redis Cluster clients understand. */
public final class RouteErrors {
  public static final Reply.Error CLUSTER_DOWN = new Reply.Error("CLUSTERDOWN The cluster is down");
  public static final Reply.Error TRY_AGAIN =
      new Reply.Error("TRYAGAIN Leadership of the slot's group is moving, please try again");
  public static final Reply.Error CROSSSLOT =
      new Reply.Error("CROSSSLOT Keys in request don't hash to the same slot");

  /**
   * Stands for "this write may or may not have happened": never written to the client; its
   * connection is closed instead, which every client treats as an unknown outcome (a timeout),
   * whereas any error reply would claim the write failed.
   */
  public static final Reply.Error OUTCOME_UNKNOWN =
      new Reply.Error("ERR outcome unknown: leadership was lost before the write committed");

  private RouteErrors() {}

  /** {@code MOVED <slot> <host>:<port>}, the address of the group's current leader. */
  public static Reply.Error moved(int slot, Route.Remote to) {
    return new Reply.Error("MOVED " + slot + " " + hostPort(to.host(), to.port()));
  }

  /** {@code host:port}; an IPv6 address is written bare, as Redis does. */
  static String hostPort(String host, int port) {
    return host + ":" + port;
  }

  /** True for the error codes Redis counts as rejected (not failed) calls. */
  public static boolean isRedirect(String code) {
    return code.equals("MOVED") || code.equals("ASK") || code.equals("CLUSTERDOWN")
        || code.equals("TRYAGAIN") || code.equals("CROSSSLOT");
  }
}
