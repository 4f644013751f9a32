package io.kvorum.raft.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.NodeState;
import io.kvorum.proto.meta.SlotGroupInfo;
import org.junit.jupiter.api.Test;

/** The meta group's size as the cluster grows, loses and drains nodes; when leaders are balanced. */
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
  private static ClusterMap leaders(String... leaders) {
    ClusterMap.Builder b = nodes(UP, UP, UP).toBuilder();
    for (int g = 0; g < leaders.length; g++) {
      b.addGroups(SlotGroupInfo.newBuilder().setIndex(g).setLeader(leaders[g]));
    }
    return b.build();
  }

  @Test
  void leadersAreBalancedOnlyOnceNoElectionHappenedForAWhile() {
    ReplicaPlacement p = new ReplicaPlacement(null, null, null, null, null, 4, null, 60_000);
    long t = 1_000_000;
    // A new meta leader watches first.
    assertThat(p.leadersSettled(leaders("n0", "n1", "n2"), t)).isFalse();
    assertThat(p.leadersSettled(leaders("n0", "n1", "n2"), t + ReplicaPlacement.LEADERS_SETTLE_MS))
        .isTrue();
    // An election (n2 cut off, n0 took its group) restarts the wait ...
    t += 20_000;
    assertThat(p.leadersSettled(leaders("n0", "n1", "n0"), t)).isFalse();
    assertThat(p.leadersSettled(leaders("n0", "n1", "n0"), t + 9_000)).isFalse();
    assertThat(p.leadersSettled(leaders("n0", "n1", "n0"), t + 10_000)).isTrue();
    // ... but a transfer the balancer asked for does not.
    p.expectLeader(2, "n2");
    assertThat(p.leadersSettled(leaders("n0", "n1", "n2"), t + 11_000)).isTrue();
  }
}
