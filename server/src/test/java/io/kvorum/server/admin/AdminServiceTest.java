package io.kvorum.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvorum.proto.admin.Event;
import io.kvorum.proto.admin.JoinClusterRequest;
import io.kvorum.proto.admin.JoinRequest;
import io.kvorum.proto.admin.KvorumAdminGrpc;
import io.kvorum.proto.admin.KvorumAdminGrpc.KvorumAdminBlockingStub;
import io.kvorum.proto.admin.LeaveRequest;
import io.kvorum.proto.admin.MoveReplicaRequest;
import io.kvorum.proto.admin.RebalanceRequest;
import io.kvorum.proto.admin.SetReplicationFactorRequest;
import io.kvorum.proto.admin.StatusReply;
import io.kvorum.proto.admin.StatusRequest;
import io.kvorum.proto.admin.TransferLeaderRequest;
import io.kvorum.proto.admin.WatchRequest;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.server.config.ServerConfigLoader;
import io.kvorum.server.node.KvorumNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The admin API of a one-node cluster started in-process with an admin token. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminServiceTest {
  private static final String TOKEN = "s3cret";
  private KvorumNode node;
  private int adminPort;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    adminPort = freePort();
    Map<String, String> flags = new HashMap<>();
    flags.put("port", Integer.toString(freePort()));
    flags.put("raft-port", Integer.toString(freePort()));
    flags.put("admin-port", Integer.toString(adminPort));
    flags.put("data-dir", dir.toString());
    flags.put("slot-groups", "4");
    flags.put("admin-token", TOKEN);
    node = KvorumNode.start(ServerConfigLoader.load(flags, Map.of(), null));
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private <T> T withStub(String token, java.util.function.Function<KvorumAdminBlockingStub, T> f) {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", adminPort).usePlaintext()
        .intercept(AdminToken.attach(token)).build();
    try {
      return f.apply(KvorumAdminGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS));
    } finally {
      channel.shutdownNow();
    }
  }

  private static Status.Code codeOf(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void callsWithoutTheRightTokenAreUnauthenticated() {
    assertThat(codeOf(() -> withStub(null, s -> s.status(StatusRequest.getDefaultInstance()))))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(codeOf(() -> withStub("wrong", s -> s.status(StatusRequest.getDefaultInstance()))))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    StatusReply status = withStub(TOKEN, s -> s.status(StatusRequest.getDefaultInstance()));
    assertThat(status.getNodesCount()).isEqualTo(1);
    assertThat(status.getGroupsCount()).isEqualTo(4);
    assertThat(status.getGroups(0).getLeader()).isEqualTo(status.getNodeId());
    assertThat(status.getGroups(0).getSlots(0).getTo()).isEqualTo(4095);
    assertThat(status.getMetaLeader()).isEqualTo(status.getNodeId());
  }

  @Test
  void refusalsCarryTheirCodeAndReason() {
    String self = withStub(TOKEN, s -> s.status(StatusRequest.getDefaultInstance())).getNodeId();
    StatusRuntimeException leave = (StatusRuntimeException) catchThrown(() -> withStub(TOKEN,
        s -> s.leave(LeaveRequest.newBuilder().setNode(self).build())));
    assertThat(leave.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(leave.getStatus().getDescription()).isEqualTo("cannot remove node " + self
        + ": the replication factor is 3 but only 0 other nodes are up; add a node or lower"
        + " the replication factor (set-rf) first");
    StatusRuntimeException unknown = (StatusRuntimeException) catchThrown(() -> withStub(TOKEN,
        s -> s.leave(LeaveRequest.newBuilder().setNode("nosuchnode").build())));
    assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(unknown.getStatus().getDescription())
        .isEqualTo("no node 'nosuchnode' in the cluster");
    assertThat(codeOf(() -> withStub(TOKEN, s -> s.moveReplica(MoveReplicaRequest.newBuilder()
        .setGroup(9).setFromNode(self).setToNode(self).build())))).isEqualTo(Status.Code.NOT_FOUND);
    StatusRuntimeException same = (StatusRuntimeException) catchThrown(() -> withStub(TOKEN,
        s -> s.moveReplica(MoveReplicaRequest.newBuilder().setGroup(1).setFromNode(self)
            .setToNode(self).build())));
    assertThat(same.getStatus().getDescription())
        .isEqualTo("slot group 1 already has a replica on " + self);
    StatusRuntimeException rf = (StatusRuntimeException) catchThrown(() -> withStub(TOKEN,
        s -> s.setReplicationFactor(SetReplicationFactorRequest.newBuilder()
            .setReplicationFactor(8).build())));
    assertThat(rf.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(rf.getStatus().getDescription())
        .isEqualTo("the replication factor must be between 1 and 7, got 8");
    assertThat(codeOf(() -> withStub(TOKEN, s -> s.transferLeader(TransferLeaderRequest
        .newBuilder().setGroup(0).setNode("nosuchnode").build()))))
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void aNodeOfAnotherClusterIsRefusedBeforeItIsRecorded() {
    StatusReply before = withStub(TOKEN, s -> s.status(StatusRequest.getDefaultInstance()));
    NodeInfo stranger = NodeInfo.newBuilder().setId("stranger-node").setRespHost("127.0.0.1")
        .setRespPort(1).setRaftAddress("127.0.0.1:2").setAdminAddress("127.0.0.1:3").build();
    StatusRuntimeException refused = (StatusRuntimeException) catchThrown(() -> withStub(TOKEN,
        s -> s.join(JoinRequest.newBuilder().setNode(stranger).setClusterId("other-cluster")
            .build())));
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(refused.getStatus().getDescription()).isEqualTo("node stranger-node belongs to "
        + "cluster other-cluster, not " + before.getClusterId());
    StatusReply after = withStub(TOKEN, s -> s.status(StatusRequest.getDefaultInstance()));
    assertThat(after.getNodesList()).extracting(NodeInfo::getId)
        .containsExactly(before.getNodeId());
  }

  @Test
  void joinClusterRefusesAnUnreachableSeedItsOwnClusterAndANodeWithKeys() throws IOException {
    String self = withStub(TOKEN, s -> s.status(StatusRequest.getDefaultInstance())).getNodeId();
    int closed = freePort();
    StatusRuntimeException unreachable = (StatusRuntimeException) catchThrown(() -> withStub(TOKEN,
        s -> s.joinCluster(JoinClusterRequest.newBuilder().setSeedAdmin("127.0.0.1:" + closed)
            .build())));
    assertThat(unreachable.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(unreachable.getStatus().getDescription())
        .startsWith("cannot reach the seed 127.0.0.1:" + closed + ": ");
    StatusRuntimeException member = (StatusRuntimeException) catchThrown(() -> withStub(TOKEN,
        s -> s.joinCluster(JoinClusterRequest.newBuilder().setSeedAdmin("127.0.0.1:" + adminPort)
            .build())));
    assertThat(member.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(member.getStatus().getDescription()).startsWith("node " + self
        + " is already a member of cluster ");
    assertThat(codeOf(() -> withStub(TOKEN, s -> s.joinCluster(JoinClusterRequest.newBuilder()
        .setSeedAdmin("no-port").build())))).isEqualTo(Status.Code.INVALID_ARGUMENT);

    try (Socket client = new Socket("127.0.0.1", node.respPort())) {
      client.getOutputStream().write("*3\r\n$3\r\nSET\r\n$7\r\njoinkey\r\n$1\r\nv\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      byte[] reply = new byte[5];
      assertThat(client.getInputStream().readNBytes(reply, 0, 5)).isEqualTo(5);
      assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo("+OK\r\n");
    }
    StatusRuntimeException keys = (StatusRuntimeException) catchThrown(() -> withStub(TOKEN,
        s -> s.joinCluster(JoinClusterRequest.newBuilder().setSeedAdmin("127.0.0.1:" + closed)
            .build())));
    assertThat(keys.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(keys.getStatus().getDescription()).isEqualTo("node " + self + " holds 1 key; "
        + "joining would delete them (only an empty node can join a cluster)");
    // Its own snapshot counter is in the status (nothing sent: it has no other replica).
    StatusReply status = withStub(TOKEN, s -> s.status(StatusRequest.getDefaultInstance()));
    assertThat(status.getTransfersList()).hasSize(1);
    assertThat(status.getTransfers(0).getNodeId()).isEqualTo(self);
    assertThat(status.getTransfers(0).getSnapshotBytesSent()).isZero();
  }

  private static Throwable catchThrown(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("no exception");
  }

  @Test
  void aBalancedOneNodeClusterPlansNothingAndWatchSeesReplicationFactorChanges() {
    assertThat(withStub(TOKEN, s -> s.rebalance(RebalanceRequest.newBuilder().setDryRun(true)
        .build())).getStepsList()).isEmpty();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", adminPort).usePlaintext()
        .intercept(AdminToken.attach(TOKEN)).build();
    try {
      Iterator<Event> events = KvorumAdminGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS).watchEvents(WatchRequest.getDefaultInstance());
      assertThat(events.next().getChanges(0)).startsWith("watching cluster ");
      withStub(TOKEN, s -> s.setReplicationFactor(SetReplicationFactorRequest.newBuilder()
          .setReplicationFactor(2).build()));
      // Leader elections still settling after startup may be reported first; the stream must
      // still carry the factor change, with the new map, within the deadline.
      Event e = events.next();
      while (!e.getChangesList().contains("replication factor 2")) {
        assertThat(e.getChangesList()).allMatch(c -> c.contains(" leader "));
        e = events.next();
      }
      assertThat(e.getMap().getReplicationFactor()).isEqualTo(2);
    } finally {
      withStub(TOKEN, s -> s.setReplicationFactor(SetReplicationFactorRequest.newBuilder()
          .setReplicationFactor(3).build()));
      channel.shutdownNow();
    }
    assertThatThrownBy(() -> withStub(TOKEN, s -> s.setReplicationFactor(
        SetReplicationFactorRequest.newBuilder().setReplicationFactor(0).build())))
        .isInstanceOf(StatusRuntimeException.class);
  }
}
