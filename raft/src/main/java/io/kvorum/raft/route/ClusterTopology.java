package io.kvorum.raft.route;

import java.util.List;

/**
 * A snapshot of the cluster as this node sees it: the nodes and, per slot group, its slot ranges,
 * its current leader (the Redis "master") and the other replicas.
 */
public record ClusterTopology(String selfId, long epoch, List<Node> nodes, List<Group> groups) {

  /** A node with the RESP address clients are redirected to. */
  public record Node(String id, String host, int port, boolean up) {}

  /** Inclusive slot range. */
  public record SlotRange(int from, int to) {}

  /**
   * @param leader   node id of the current leader, or null while there is none
   * @param replicas node ids of all replicas, leader included
   */
  public record Group(int index, List<SlotRange> slots, String leader, List<String> replicas) {}

  public Node node(String id) {
    for (Node n : nodes) {
      if (n.id().equals(id)) {
        return n;
      }
    }
    return null;
  }
}
