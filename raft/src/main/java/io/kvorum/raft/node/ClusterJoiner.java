package io.kvorum.raft.node;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.NodeInfo;

/**
 * Asks a member of an existing cluster to admit this node (the admin API's {@code Join}, which
 * lives above the Raft layer) and returns the cluster map it answers with.
 */
@FunctionalInterface
public interface ClusterJoiner {
  /** @throws RuntimeException if the member cannot be reached or refuses */
  ClusterMap join(NodeInfo self);
}
