package io.kvorum.raft.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreshReadIndexTest {
  @TempDir Path dir;

  @Test
  void thePinnedRatisHasTheInternalsItPatches() {
    assertThatCode(FreshReadIndex::check).doesNotThrowAnyException();
  }

  @Test
  void theReplacementNeverHoldsAnAcknowledgedIndex() {
    FreshReadIndex.NeverAcknowledged never = new FreshReadIndex.NeverAcknowledged();
    assertThat(never.updateToMax(42, s -> { })).isFalse();
    assertThat(never.updateIncreasingly(43, s -> { })).isFalse();
    assertThat(never.setUnconditionally(44, s -> { })).isFalse();
    assertThat(never.updateUnconditionally(i -> 45, s -> { })).isFalse();
    assertThat(never.incrementAndGet(s -> { })).isEqualTo(RaftLog.INVALID_LOG_INDEX);
    assertThat(never.get()).isEqualTo(RaftLog.INVALID_LOG_INDEX);
  }

  @Test
  void aLeadingDivisionIsPatchedOnceAndANonLeaderIsLeftAlone() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    RaftPeerId id = RaftPeerId.valueOf("n1");
    RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(),
        List.of(RaftPeer.newBuilder().setId(id).setAddress("127.0.0.1:" + port).build()));
    RaftProperties p = new RaftProperties();
    GrpcConfigKeys.Server.setPort(p, port);
    RaftServerConfigKeys.setStorageDir(p, List.of(dir.toFile()));
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(50, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS));
    try (RaftServer server = RaftServer.newBuilder().setServerId(id).setGroup(group)
        .setProperties(p).setStateMachine(new BaseStateMachine()).build()) {
      server.start();
      RaftServer.Division d = server.getDivision(group.getGroupId());
      assertThat(FreshReadIndex.isPatched(d)).isFalse();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!d.getInfo().isLeader() && System.nanoTime() < deadline) {
        assertThat(FreshReadIndex.patch(d)).isNull();
        Thread.sleep(10);
      }
      assertThat(d.getInfo().isLeader()).isTrue();

      Object leader = FreshReadIndex.patch(d);
      assertThat(leader).isNotNull();
      assertThat(FreshReadIndex.isPatched(d)).isTrue();
      assertThat(FreshReadIndex.patch(d)).isSameAs(leader);
      // No lease configured: every read on this leader waits for a round.
      assertThat(FreshReadIndex.needsRound(leader)).isTrue();
      assertThatCode(() -> FreshReadIndex.heartbeatAgain(leader)).doesNotThrowAnyException();
    }
  }
}
