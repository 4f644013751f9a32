package io.kvorum.raft.node;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.NodeInfo;

/**
 * Asks a member of an existing cluster to admit this node (the admin API's {@code Join}, which
 * lives above the Raft layer) and returns the cluster map it answers with.
 */
@FunctionalInterface
public interface ClusterJoiner {
  /**
   * @param clusterId the cluster this node already belongs to (its saved map), "" if none: a
   *                  member of another cluster refuses it
   * @throws Refused          if the member refuses this node for good (another cluster)
   * @throws RuntimeException if the member cannot be reached or refuses for another reason
   */
  ClusterMap join(NodeInfo self, String clusterId);

  /** The member refused this node for a reason retrying cannot fix (another cluster's node). */
  final class Refused extends RuntimeException {
    public Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
