package io.kvorum.raft.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.proto.meta.Bootstrap;
import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.GroupReport;
import io.kvorum.proto.meta.MetaEntry;
import io.kvorum.proto.meta.MetaReplicas;
import io.kvorum.proto.meta.NodeInfo;
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
}
