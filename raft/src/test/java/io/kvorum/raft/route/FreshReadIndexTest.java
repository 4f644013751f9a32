package io.kvorum.raft.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.TimeDuration;
import org.apache.ratis.util.Timestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreshReadIndexTest {
  @TempDir Path dir;
  private final List<RaftServer> servers = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (RaftServer s : servers) {
      s.close();
    }
  }

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

  /**
   * Ratis 3.3 renews its lease on a follower's refusal (shown first, on an unpatched leader whose
   * followers are gone); once patched, Ratis never reads under its lease, while the lease stays
   * "allowed" for the router's own {@link ReadLease}.
   */
  @Test
  void aPatchedLeaderNeverReadsUnderRatissLeaseWhichRefusalsRenew() throws Exception {
    RaftGroup group = startThreeWithLease();
    RaftServer.Division leaderDivision = awaitLeader(group);
    Object leader = leaderState(leaderDivision);
    await(() -> !FreshReadIndex.needsRound(leader), "Ratis's lease from accepted heartbeats");

    for (RaftServer s : servers) {
      if (!s.getId().equals(leaderDivision.getId())) {
        s.close();
      }
    }
    // The lease (0.9 s here) runs out well before the leader gives up (3 s without replies).
    await(() -> FreshReadIndex.needsRound(leader), "the lease to lapse");
    // What Ratis's appender does with a NOT_LEADER reply from a follower that moved on to a
    // higher term: it records the send time of the request answered as a fresh heartbeat.
    List<FollowerInfo> followers = followers(leader);
    assertThat(followers).hasSize(2);
    for (FollowerInfo f : followers) {
      f.updateLastRespondedAppendEntriesSendTime(Timestamp.currentTime());
    }
    assertThat(FreshReadIndex.needsRound(leader))
        .as("Ratis 3.3 counts refusals for its lease").isFalse();

    assertThat(FreshReadIndex.patch(leaderDivision)).isSameAs(leader);
    assertThat(FreshReadIndex.isPatched(leaderDivision)).isTrue();
    assertThat(FreshReadIndex.needsRound(leader)).isTrue();
    assertThat(FreshReadIndex.leaseAllowed(leader)).isTrue();
    assertThat(leaderDivision.getInfo().isLeader()).isTrue();
  }

  private static Object leaderState(RaftServer.Division d) throws Exception {
    Field role = Class.forName("org.apache.ratis.server.impl.RaftServerImpl")
        .getDeclaredField("role");
    role.setAccessible(true);
    Field state = Class.forName("org.apache.ratis.server.impl.RoleInfo")
        .getDeclaredField("leaderState");
    state.setAccessible(true);
    return ((AtomicReference<?>) state.get(role.get(d))).get();
  }

  @SuppressWarnings("unchecked")
  private static List<FollowerInfo> followers(Object leader) throws Exception {
    Method appenders = leader.getClass().getDeclaredMethod("getLogAppenders");
    appenders.setAccessible(true);
    return ((Stream<LogAppender>) appenders.invoke(leader)).map(LogAppender::getFollower)
        .toList();
  }

  private RaftGroup startThreeWithLease() throws Exception {
    List<ServerSocket> held = new ArrayList<>();
    List<RaftPeer> peers = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        ServerSocket s = new ServerSocket(0);
        held.add(s);
        peers.add(RaftPeer.newBuilder().setId("n" + i)
            .setAddress("127.0.0.1:" + s.getLocalPort()).build());
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
    RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
    for (RaftPeer peer : peers) {
      RaftProperties p = new RaftProperties();
      GrpcConfigKeys.Server.setPort(p, Integer.parseInt(peer.getAddress().split(":")[1]));
      RaftServerConfigKeys.setStorageDir(p, List.of(dir.resolve(peer.getId().toString()).toFile()));
      RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(1, TimeUnit.SECONDS));
      RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(3, TimeUnit.SECONDS));
      RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p,
          TimeDuration.valueOf(100, TimeUnit.MILLISECONDS));
      RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p,
          TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
      RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
      RaftServer server = RaftServer.newBuilder().setServerId(peer.getId()).setGroup(group)
          .setProperties(p).setStateMachine(new BaseStateMachine()).build();
      servers.add(server);
      server.start();
    }
    return group;
  }

  private RaftServer.Division awaitLeader(RaftGroup group) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      for (RaftServer s : servers) {
        RaftServer.Division d = s.getDivision(group.getGroupId());
        if (d.getInfo().isLeader() && d.getInfo().isLeaderReady()) {
          return d;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no leader within 20 s");
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }
}
