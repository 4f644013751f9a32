package io.kvorum.raft.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.kvorum.proto.meta.Bootstrap;
import io.kvorum.proto.meta.MetaEntry;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.SlotGroupInfo;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.raft.group.SlotGroupStateMachine;
import io.kvorum.raft.meta.MetaStateMachine;
import io.kvorum.storage.engine.NodeStorage;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.FollowerInfoProto;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys.Log.CorruptionPolicy;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica told to install a snapshot downloads the leader's held snapshot and opens it; the
 * transport is replaced by a file copy here (the gRPC one is tested in the server module).
 */
class SnapshotDownloadsTest {
  private static final RaftGroupId GROUP = RaftGroupId.randomId();
  private static final RoleInfoProto FOLLOWER_OF_LEADER = RoleInfoProto.newBuilder()
      .setFollowerInfo(FollowerInfoProto.newBuilder().setLeaderInfo(ServerRpcProto.newBuilder()
          .setId(RaftPeerProto.newBuilder().setId(
              org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFromUtf8("leader")))))
      .build();

  @TempDir Path dir;
  private final NodeStorage storage = new NodeStorage(8 << 20, 8 << 20);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    storage.close();
  }

  @Test
  void aHeldSnapshotOutlivesANewerOneAndIsInstalledOnAnotherReplica() throws Exception {
    SlotGroupStateMachine leader = machine("leader", SnapshotFetcher.NONE);
    apply(leader, 1, "SET", "k", "old");
    assertThat(leader.takeSnapshot()).isEqualTo(1);
    HeldSnapshot held = leader.snapshotStore().hold();
    toClose.add(held);
    apply(leader, 2, "SET", "k", "new");
    assertThat(leader.takeSnapshot()).as("replaces and deletes the first").isEqualTo(2);
    assertThat(held.manifest().index()).isEqualTo(1);
    for (SnapshotManifest.FileEntry f : held.manifest().files()) {
      assertThat(Files.size(held.dir().resolve(f.name()))).as(f.name()).isEqualTo(f.size());
    }

    List<String> asked = new ArrayList<>();
    SlotGroupStateMachine follower = machine("follower", (address, group, into) -> {
      asked.add(address);
      for (SnapshotManifest.FileEntry f : held.manifest().files()) {
        Files.copy(held.dir().resolve(f.name()), into.resolve(f.name()));
      }
      return held.manifest();
    });
    TermIndex installed = follower.notifyInstallSnapshotFromLeader(FOLLOWER_OF_LEADER,
        TermIndex.valueOf(1, 2)).get();
    assertThat(asked).containsExactly("leader-admin:1");
    assertThat(installed).isEqualTo(TermIndex.valueOf(1, 1));
    assertThat(follower.getLatestSnapshot().getTermIndex()).isEqualTo(installed);

    // What Ratis does next: pause, then reinitialize on the apply thread.
    follower.pause();
    assertThat(follower.getLifeCycleState()).isEqualTo(LifeCycle.State.PAUSED);
    follower.reinitialize();
    assertThat(follower.getLifeCycleState()).isEqualTo(LifeCycle.State.RUNNING);
    assertThat(follower.getLastAppliedTermIndex()).isEqualTo(installed);
    assertThat(get(follower, "k")).isEqualTo("old");
    try (var tmp = Files.list(dir.resolve("follower/sm/tmp"))) {
      assertThat(tmp).as("the download dir is cleaned up").isEmpty();
    }
  }

  @Test
  void aSnapshotEndingBeforeTheLeadersLogIsRefused() throws Exception {
    SlotGroupStateMachine leader = machine("leader", SnapshotFetcher.NONE);
    apply(leader, 1, "SET", "k", "v");
    leader.takeSnapshot();
    HeldSnapshot held = leader.snapshotStore().hold();
    toClose.add(held);
    SlotGroupStateMachine follower = machine("follower", (address, group, into) -> {
      for (SnapshotManifest.FileEntry f : held.manifest().files()) {
        Files.copy(held.dir().resolve(f.name()), into.resolve(f.name()));
      }
      return held.manifest();
    });
    // Entries 2..4 would be missing between the snapshot (1) and the log (from 5).
    assertThat(follower.notifyInstallSnapshotFromLeader(FOLLOWER_OF_LEADER,
        TermIndex.valueOf(1, 5))).failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class).withMessageContaining("ends before");
    assertThat(follower.getLatestSnapshot()).isNull();
  }

  @Test
  void aLeaderWithoutSnapshotLeavesTheReplicaToTheLog() throws Exception {
    SlotGroupStateMachine follower = machine("follower", (address, group, into) -> null);
    assertThat(follower.notifyInstallSnapshotFromLeader(FOLLOWER_OF_LEADER,
        TermIndex.valueOf(1, 0)).get()).isNull();
    assertThat(follower.getLatestSnapshot()).isNull();
  }

  @Test
  void anUnknownLeaderOrAFailedTransferFailsTheInstallForRatisToRetry() throws Exception {
    SlotGroupStateMachine follower = machine("follower", (address, group, into) -> {
      Files.writeString(into.resolve("partial"), "x");
      throw new java.io.IOException("connection reset");
    });
    assertThat(follower.notifyInstallSnapshotFromLeader(RoleInfoProto.getDefaultInstance(),
        TermIndex.valueOf(1, 0))).failsWithin(Duration.ofSeconds(10));
    assertThat(follower.notifyInstallSnapshotFromLeader(FOLLOWER_OF_LEADER,
        TermIndex.valueOf(1, 0))).failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class).withMessageContaining("connection reset");
    try (var tmp = Files.list(dir.resolve("follower/sm/tmp"))) {
      assertThat(tmp).as("the partial download is deleted").isEmpty();
    }
  }

  @Test
  void theMetaGroupTakesTheSamePathWithItsMapFile() throws Exception {
    MetaStateMachine leader = new MetaStateMachine(downloads(SnapshotFetcher.NONE));
    initialize(leader, "meta-leader");
    MetaEntry bootstrap = MetaEntry.newBuilder().setBootstrap(Bootstrap.newBuilder()
        .setClusterId("c1").setFirstNode(NodeInfo.newBuilder().setId("leader"))
        .addGroups(SlotGroupInfo.newBuilder().setIndex(0).addReplicas("leader"))
        .setReplicationFactor(3)).build();
    leader.applyTransaction(TransactionContext.newBuilder().setStateMachine(leader)
        .setLogEntry(LogEntryProto.newBuilder().setTerm(2).setIndex(4)
            .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder().setLogData(
                org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(
                    bootstrap.toByteArray())))
            .build()).build()).get();
    assertThat(leader.takeSnapshot()).isEqualTo(4);
    HeldSnapshot held = leader.snapshotStore().hold();
    toClose.add(held);
    assertThat(held.manifest().files()).hasSize(2);

    MetaStateMachine follower = new MetaStateMachine(downloads((address, group, into) -> {
      for (SnapshotManifest.FileEntry f : held.manifest().files()) {
        Files.copy(held.dir().resolve(f.name()), into.resolve(f.name()));
      }
      return held.manifest();
    }));
    initialize(follower, "meta-follower");
    assertThat(follower.notifyInstallSnapshotFromLeader(FOLLOWER_OF_LEADER,
        TermIndex.valueOf(2, 5)).get()).isEqualTo(TermIndex.valueOf(2, 4));
    follower.pause();
    follower.reinitialize();
    assertThat(follower.getLifeCycleState()).isEqualTo(LifeCycle.State.RUNNING);
    assertThat(follower.map()).isEqualTo(leader.map());
    assertThat(follower.map().getClusterId()).isEqualTo("c1");
    assertThat(follower.getLastAppliedTermIndex()).isEqualTo(TermIndex.valueOf(2, 4));
  }

  private SnapshotDownloads downloads(SnapshotFetcher fetcher) {
    SnapshotDownloads downloads = new SnapshotDownloads(fetcher,
        Map.of("leader", "leader-admin:1")::get);
    toClose.add(downloads);
    return downloads;
  }

  private SlotGroupStateMachine machine(String name, SnapshotFetcher fetcher) throws Exception {
    SlotGroupStateMachine m = new SlotGroupStateMachine(storage, (g, l) -> { }, (g, k) -> { },
        (g, e) -> { }, e -> { }, downloads(fetcher));
    initialize(m, name);
    return m;
  }

  private void initialize(BaseStateMachine m, String name) throws Exception {
    RaftStorage raftStorage = RaftStorage.newBuilder().setDirectory(dir.resolve(name).toFile())
        .setOption(RaftStorage.StartupOption.FORMAT)
        .setLogCorruptionPolicy(CorruptionPolicy.EXCEPTION)
        .setStorageFreeSpaceMin(SizeInBytes.ONE_MB).build();
    raftStorage.initialize();
    // A real (never started) server: the state machine only asks it for its id.
    RaftProperties properties = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(properties, List.of(dir.resolve(name + "-server").toFile()));
    RaftServer server = RaftServer.newBuilder().setServerId(RaftPeerId.valueOf(name))
        .setProperties(properties).setStateMachine(m).build();
    toClose.add(server);
    m.initialize(server, GROUP, raftStorage);
    toClose.add(m);
  }

  private static void apply(SlotGroupStateMachine m, long index, String... args) throws Exception {
    CommandCall.Builder call = CommandCall.newBuilder();
    for (String a : args) {
      call.addArgs(ByteString.copyFrom(a, StandardCharsets.UTF_8));
    }
    SlotGroupEntry entry = SlotGroupEntry.newBuilder().setTimeMs(1).addCalls(call).build();
    LogEntryProto log = LogEntryProto.newBuilder().setTerm(1).setIndex(index)
        .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
            .setLogData(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(
                entry.toByteArray()))
            .setClientId(ClientId.randomId().toByteString()).setCallId(index))
        .build();
    m.applyTransaction(TransactionContext.newBuilder().setStateMachine(m).setLogEntry(log).build())
        .get();
  }

  private static String get(SlotGroupStateMachine m, String key) {
    Reply r = m.store().read(new byte[][] {"GET".getBytes(StandardCharsets.UTF_8),
        key.getBytes(StandardCharsets.UTF_8)}, false, System.currentTimeMillis());
    return new String(((Reply.Bulk) r).value(), StandardCharsets.UTF_8);
  }
}
