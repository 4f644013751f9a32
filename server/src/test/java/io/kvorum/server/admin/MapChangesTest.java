package io.kvorum.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.Move;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.NodeState;
import io.kvorum.proto.meta.SlotGroupInfo;
import org.junit.jupiter.api.Test;

class MapChangesTest {
  @Test
  void describesNodesMovesReplicasAndLeaders() {
    ClusterMap before = ClusterMap.newBuilder().setReplicationFactor(3)
        .addNodes(NodeInfo.newBuilder().setId("a").setState(NodeState.NODE_STATE_UP))
        .addNodes(NodeInfo.newBuilder().setId("b").setState(NodeState.NODE_STATE_UP))
        .addGroups(SlotGroupInfo.newBuilder().setIndex(0).addReplicas("a").setLeader("a"))
        .addMoves(Move.newBuilder().setId(1).setGroup(0).setAddNode("b").setReason("repair"))
        .build();
    ClusterMap after = ClusterMap.newBuilder().setReplicationFactor(2)
        .addNodes(NodeInfo.newBuilder().setId("a").setState(NodeState.NODE_STATE_DOWN))
        .addNodes(NodeInfo.newBuilder().setId("c").setRespHost("h").setRespPort(1)
            .setState(NodeState.NODE_STATE_UP))
        .addGroups(SlotGroupInfo.newBuilder().setIndex(0).addReplicas("a").addReplicas("b")
            .setLeader("b").setLeaderTerm(2))
        .addMoves(Move.newBuilder().setId(2).setGroup(0).setRemoveNode("a").setReason("drain"))
        .build();
    assertThat(MapChanges.describe(before, after)).containsExactly(
        "node a down",
        "node c joined (h:1)",
        "node b removed",
        "replication factor 2",
        "move 2 started: group 0: a -> - (drain)",
        "move 1 done: group 0: - -> b (repair)",
        "group 0 replicas a,b",
        "group 0 leader b (term 2)");
    assertThat(MapChanges.describe(after, after)).isEmpty();
  }
}
