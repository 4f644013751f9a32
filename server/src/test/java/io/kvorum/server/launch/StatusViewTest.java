package io.kvorum.server.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.proto.admin.GroupStatus;
import io.kvorum.proto.admin.NodeTransfer;
import io.kvorum.proto.admin.StatusReply;
import io.kvorum.proto.meta.Move;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.NodeState;
import io.kvorum.proto.meta.SlotRange;
import org.junit.jupiter.api.Test;

class StatusViewTest {
  private static NodeInfo node(String id, int port, NodeState state) {
    return NodeInfo.newBuilder().setId(id).setRespHost("127.0.0.1").setRespPort(port)
        .setAdminAddress("127.0.0.1:" + (port + 1000)).setRaftAddress("127.0.0.1:" + (port + 2000))
        .setState(state).build();
  }

  private static StatusReply reply() {
    return StatusReply.newBuilder()
        .setClusterId("c\"1").setEpoch(9).setReplicationFactor(3).setMetaLeader("a")
        .addNodes(node("a", 6379, NodeState.NODE_STATE_UP))
        .addNodes(node("b", 6380, NodeState.NODE_STATE_DOWN))
        .addNodes(node("c", 6381, NodeState.NODE_STATE_LEAVING))
        .addMetaReplicas("a")
        .addGroups(GroupStatus.newBuilder().setIndex(0)
            .addSlots(SlotRange.newBuilder().setFrom(0).setTo(99))
            .addSlots(SlotRange.newBuilder().setFrom(200).setTo(299))
            .addReplicas("a").addReplicas("b").setLeader("a").setTerm(4).setAppliedIndex(77)
            .setSizeOnDisk(1024).setKeys(5))
        .addMoves(Move.newBuilder().setId(3).setGroup(0).setAddNode("c").setRemoveNode("b")
            .setReason("drain"))
        .addTransfers(NodeTransfer.newBuilder().setNodeId("a").setSnapshotBytesSent(13_107_200))
        .addTransfers(NodeTransfer.newBuilder().setNodeId("c").setSnapshotBytesSent(0))
        .build();
  }

  @Test
  void jsonHasTheDocumentedShape() {
    assertThat(StatusView.json(reply())).isEqualTo("{\"cluster_id\":\"c\\\"1\",\"epoch\":9,"
        + "\"replication_factor\":3,\"meta_leader\":\"a\",\"nodes\":["
        + "{\"id\":\"a\",\"resp\":\"127.0.0.1:6379\",\"admin\":\"127.0.0.1:7379\","
        + "\"raft\":\"127.0.0.1:8379\",\"state\":\"up\",\"zone\":\"\",\"replicas\":1,"
        + "\"leaders\":1,\"meta\":true,\"snapshot_bytes_sent\":13107200},"
        + "{\"id\":\"b\",\"resp\":\"127.0.0.1:6380\",\"admin\":\"127.0.0.1:7380\","
        + "\"raft\":\"127.0.0.1:8380\",\"state\":\"down\",\"zone\":\"\",\"replicas\":1,"
        + "\"leaders\":0,\"meta\":false,\"snapshot_bytes_sent\":null},"
        + "{\"id\":\"c\",\"resp\":\"127.0.0.1:6381\",\"admin\":\"127.0.0.1:7381\","
        + "\"raft\":\"127.0.0.1:8381\",\"state\":\"leaving\",\"zone\":\"\",\"replicas\":0,"
        + "\"leaders\":0,\"meta\":false,\"snapshot_bytes_sent\":0}],"
        + "\"groups\":[{\"id\":0,\"slots\":[[0,99],[200,299]],\"replicas\":[\"a\",\"b\"],"
        + "\"leader\":\"a\",\"term\":4,\"applied_index\":77,\"size_on_disk\":1024,\"keys\":5}],"
        + "\"moves\":[{\"id\":3,\"group\":0,\"from\":\"b\",\"to\":\"c\",\"reason\":\"drain\"}]}\n");
  }

  @Test
  void tableShowsStatesBalanceAndMoves() {
    String t = StatusView.table(reply());
    assertThat(t).contains("cluster c\"1, epoch 9, replication factor 3, 1 slot groups")
        .containsPattern("a +up +127\\.0\\.0\\.1:6379 +127\\.0\\.0\\.1:7379 +- +1 +1 +yes"
            + " +12\\.5 MiB\n")
        .containsPattern("b +down .* \\?\n")
        .containsPattern("c +leaving ")
        .contains("1 moves in progress:\n  move 3 group 0: b -> c (drain)")
        .containsPattern("0 +0-99,200-299 +a +4 +77 +5 +1024 +a,b");
  }

  @Test
  void balanceCountsOnlyUpNodesAndMoves() {
    assertThat(StatusView.balance(reply())).isEqualTo(
        "balance: replicas per up node 1..1, leaders per up node 1..1: not balanced yet");
    assertThat(StatusView.balance(reply().toBuilder().clearMoves().build())).endsWith(": balanced");
  }
}
