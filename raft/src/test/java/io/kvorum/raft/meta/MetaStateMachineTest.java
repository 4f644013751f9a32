package io.kvorum.raft.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.proto.meta.Bootstrap;
import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.GroupReport;
import io.kvorum.proto.meta.MetaEntry;
import io.kvorum.proto.meta.MetaReplicas;
import io.kvorum.proto.meta.EndMove;
import io.kvorum.proto.meta.Move;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.NodeState;
import io.kvorum.proto.meta.RemoveNode;
import io.kvorum.proto.meta.SetNodeState;
import io.kvorum.proto.meta.SetReplicationFactor;
import io.kvorum.proto.meta.StartMove;
import io.kvorum.proto.meta.UpsertNode;
import io.kvorum.proto.meta.SlotGroupInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetaStateMachineTest {

  private static ClusterMap bootstrapped() {
    return MetaStateMachine.apply(ClusterMap.getDefaultInstance(), MetaEntry.newBuilder()
        .setBootstrap(Bootstrap.newBuilder()
            .setClusterId("c1")
            .setFirstNode(NodeInfo.newBuilder().setId("a"))
            .addGroups(SlotGroupInfo.newBuilder().setIndex(0).addReplicas("a"))
            .addGroups(SlotGroupInfo.newBuilder().setIndex(1).addReplicas("a"))
            .setReplicationFactor(3))
        .build());
  }

  private static MetaEntry report(int group, String leader, long term, String... replicas) {
    return MetaEntry.newBuilder().setGroupReport(GroupReport.newBuilder()
        .setIndex(group).setLeader(leader).setTerm(term).addAllReplicas(List.of(replicas)))
        .build();
  }

  @Test
  void bootstrapMakesTheFirstNodeTheOnlyMetaReplica() {
    ClusterMap m = bootstrapped();
    assertThat(m.getMetaReplicasList()).containsExactly("a");
    assertThat(m.getEpoch()).isEqualTo(1);
  }

  @Test
  void groupReportsRecordLeaderAndReplicasAndBumpTheEpoch() {
    ClusterMap m = MetaStateMachine.apply(bootstrapped(), report(1, "b", 3, "a", "b", "c"));
    assertThat(m.getGroups(1).getLeader()).isEqualTo("b");
    assertThat(m.getGroups(1).getLeaderTerm()).isEqualTo(3);
    assertThat(m.getGroups(1).getReplicasList()).containsExactly("a", "b", "c");
    assertThat(m.getGroups(0).getReplicasList()).containsExactly("a");
    assertThat(m.getEpoch()).isEqualTo(2);
    assertThat(MetaStateMachine.apply(m, report(1, "b", 3, "a", "b", "c")))
        .as("a repeated report changes nothing").isSameAs(m);
  }

  @Test
  void aDeposedLeadersLateReportCannotUndoItsSuccessors() {
    ClusterMap m = MetaStateMachine.apply(bootstrapped(), report(0, "c", 5, "a", "b", "c"));
    assertThat(MetaStateMachine.apply(m, report(0, "a", 4, "a", "b"))).isSameAs(m);
    assertThat(MetaStateMachine.apply(m, report(0, "b", 5, "a", "b", "c")))
        .as("two leaders cannot share a term").isSameAs(m);
    ClusterMap later = MetaStateMachine.apply(m, report(0, "c", 5, "a", "b", "c", "d"));
    assertThat(later.getGroups(0).getReplicasList()).containsExactly("a", "b", "c", "d");
  }

  @Test
  void reportsForUnknownGroupsAreIgnored() {
    ClusterMap m = bootstrapped();
    assertThat(MetaStateMachine.apply(m, report(7, "a", 1, "a"))).isSameAs(m);
  }

  @Test
  void metaReplicasAreRecorded() {
    ClusterMap m = MetaStateMachine.apply(bootstrapped(), MetaEntry.newBuilder()
        .setMetaReplicas(MetaReplicas.newBuilder().addReplicas("a").addReplicas("b")).build());
    assertThat(m.getMetaReplicasList()).containsExactly("a", "b");
    assertThat(m.getEpoch()).isEqualTo(2);
  }

  private static MetaEntry state(String node, NodeState state) {
    return MetaEntry.newBuilder().setSetNodeState(
        SetNodeState.newBuilder().setNode(node).setState(state)).build();
  }

  private static MetaEntry startMove(int group, String add, String remove) {
    return MetaEntry.newBuilder().setStartMove(StartMove.newBuilder().setMove(
        Move.newBuilder().setGroup(group).setAddNode(add).setRemoveNode(remove))).build();
  }

  @Test
  void nodeStatesChangeButLeavingIsFinal() {
    ClusterMap down = MetaStateMachine.apply(bootstrapped(), state("a", NodeState.NODE_STATE_DOWN));
    assertThat(down.getNodes(0).getState()).isEqualTo(NodeState.NODE_STATE_DOWN);
    ClusterMap leaving = MetaStateMachine.apply(down, state("a", NodeState.NODE_STATE_LEAVING));
    assertThat(MetaStateMachine.apply(leaving, state("a", NodeState.NODE_STATE_UP)))
        .isSameAs(leaving);
    ClusterMap restarted = MetaStateMachine.apply(leaving, MetaEntry.newBuilder().setUpsertNode(
        UpsertNode.newBuilder().setNode(NodeInfo.newBuilder().setId("a").setRespPort(7)
            .setState(NodeState.NODE_STATE_UP))).build());
    assertThat(restarted.getNodes(0).getState())
        .as("a leaving node that restarts keeps draining").isEqualTo(NodeState.NODE_STATE_LEAVING);
    assertThat(restarted.getNodes(0).getRespPort()).isEqualTo(7);
  }

  @Test
  void movesGetIdsOneAtATimePerGroupAndEnd() {
    ClusterMap m = MetaStateMachine.apply(bootstrapped(), startMove(1, "b", "a"));
    assertThat(m.getMovesList()).singleElement().satisfies(mv -> {
      assertThat(mv.getId()).isEqualTo(1);
      assertThat(mv.getGroup()).isEqualTo(1);
    });
    assertThat(MetaStateMachine.apply(m, startMove(1, "c", "")))
        .as("a group runs one move at a time").isSameAs(m);
    assertThat(MetaStateMachine.apply(m, startMove(9, "c", ""))).isSameAs(m);
    ClusterMap two = MetaStateMachine.apply(m, startMove(0, "c", ""));
    assertThat(two.getMoves(1).getId()).isEqualTo(2);
    ClusterMap ended = MetaStateMachine.apply(two,
        MetaEntry.newBuilder().setEndMove(EndMove.newBuilder().setId(1)).build());
    assertThat(ended.getMovesList()).extracting(Move::getId).containsExactly(2L);
    assertThat(MetaStateMachine.apply(ended, startMove(1, "c", "")).getMoves(1).getId())
        .as("ids are never reused").isEqualTo(3);
  }

  @Test
  void nodesAreRemovedAndTheReplicationFactorSet() {
    ClusterMap m = MetaStateMachine.apply(bootstrapped(), MetaEntry.newBuilder()
        .setRemoveNode(RemoveNode.newBuilder().setNode("a")).build());
    assertThat(m.getNodesList()).isEmpty();
    ClusterMap rf = MetaStateMachine.apply(m, MetaEntry.newBuilder().setSetReplicationFactor(
        SetReplicationFactor.newBuilder().setReplicationFactor(5)).build());
    assertThat(rf.getReplicationFactor()).isEqualTo(5);
    assertThat(MetaStateMachine.apply(rf, MetaEntry.newBuilder().setSetReplicationFactor(
        SetReplicationFactor.newBuilder().setReplicationFactor(0)).build())).isSameAs(rf);
  }
}
