package io.kvorum.raft.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.NodeState;
import org.junit.jupiter.api.Test;

/** The meta group's size as the cluster grows, loses and drains nodes. */
class ReplicaPlacementTest {
  private static ClusterMap nodes(NodeState... states) {
    ClusterMap.Builder b = ClusterMap.newBuilder().setClusterId("c").setReplicationFactor(3);
    for (int i = 0; i < states.length; i++) {
      b.addNodes(NodeInfo.newBuilder().setId("n" + i).setState(states[i]));
    }
    return b.build();
  }

  private static final NodeState UP = NodeState.NODE_STATE_UP;
  private static final NodeState DOWN = NodeState.NODE_STATE_DOWN;
  private static final NodeState LEAVING = NodeState.NODE_STATE_LEAVING;

  @Test
  void threeReplicasUntilTheClusterHasFiveMembers() {
    assertThat(ReplicaPlacement.metaTarget(nodes(UP))).isEqualTo(3);
    assertThat(ReplicaPlacement.metaTarget(nodes(UP, UP, UP))).isEqualTo(3);
    assertThat(ReplicaPlacement.metaTarget(nodes(UP, UP, UP, UP))).isEqualTo(3);
  }

  @Test
  void fiveReplicasFromFiveMembersOn() {
    assertThat(ReplicaPlacement.metaTarget(nodes(UP, UP, UP, UP, UP))).isEqualTo(5);
    assertThat(ReplicaPlacement.metaTarget(nodes(UP, UP, UP, UP, UP, UP, UP))).isEqualTo(5);
  }

  @Test
  void aDownNodeStillCountsSoTheGroupDoesNotShrinkAndRegrowAroundIt() {
    assertThat(ReplicaPlacement.metaTarget(nodes(UP, UP, UP, UP, DOWN))).isEqualTo(5);
  }

  @Test
  void aLeavingNodeDoesNotCount() {
    assertThat(ReplicaPlacement.metaTarget(nodes(UP, UP, UP, UP, LEAVING))).isEqualTo(3);
  }
}
