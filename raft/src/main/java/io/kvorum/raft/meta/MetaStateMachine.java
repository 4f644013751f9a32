package io.kvorum.raft.meta;

import io.kvorum.proto.meta.Bootstrap;
import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.GroupReport;
import io.kvorum.proto.meta.MetaEntry;
import io.kvorum.proto.meta.Move;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.NodeState;
import io.kvorum.proto.meta.SetNodeState;
import io.kvorum.proto.meta.SlotGroupInfo;
import io.kvorum.raft.snapshot.HeldSnapshot;
import io.kvorum.raft.snapshot.SnapshotDownloads;
import io.kvorum.raft.snapshot.SnapshotManifest;
import io.kvorum.raft.snapshot.SnapshotStore;
import io.kvorum.storage.engine.SlotGroupStore;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of the meta group: the cluster map (nodes, slot groups, settings). The map is
 * small, so it lives in memory and is snapshotted as one protobuf file.
 */
public final class MetaStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(MetaStateMachine.class);

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final SnapshotDownloads downloads;
  private final AtomicLong holds = new AtomicLong();
  private Path smDir;
  private final CopyOnWriteArrayList<Consumer<ClusterMap>> listeners = new CopyOnWriteArrayList<>();
  private volatile ClusterMap map = ClusterMap.getDefaultInstance();

  /**
   * @param downloads fetches the leader's snapshot when Ratis asks this replica to install one
   *                  (Ratis's snapshot settings are per server, so the meta group takes the same
   *                  fetch path as the slot groups, though its snapshot is one small file)
   */
  public MetaStateMachine(SnapshotDownloads downloads) {
    this.downloads = downloads;
  }

  /** The current map as applied on this replica (may lag the leader; see {@link MapQuery}). */
  public ClusterMap map() {
    return map;
  }

  /** Called with the new map after every change applied on this replica. */
  public void addListener(Consumer<ClusterMap> listener) {
    listeners.add(listener);
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    if (getLifeCycleState() != LifeCycle.State.NEW) {
      // This node's meta replica was deleted earlier (it left the meta group, or was stale after
      // the node came back) and is now added again: Ratis reuses this one instance, which must
      // start over like the new, empty replica it serves. Listeners keep the map they have:
      // older maps replayed while catching up do not replace a newer one.
      pause();
      map = ClusterMap.getDefaultInstance();
      setLastAppliedTermIndex(TermIndex.INITIAL_VALUE);
    }
    storage.init(raftStorage);
    smDir = raftStorage.getStorageDir().getStateMachineDir().toPath();
    SlotGroupStore.deleteRecursively(downloadsDir());
    load(storage.loadLatestSnapshot());
    // Ratis checks that a state machine is PAUSED before it reloads one from a snapshot.
    getLifeCycle().transition(LifeCycle.State.STARTING);
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  @Override
  public void pause() {
    if (getLifeCycleState() == LifeCycle.State.RUNNING) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  @Override
  public void reinitialize() throws IOException {
    try {
      load(storage.loadLatestSnapshot());
    } finally {
      if (getLifeCycleState() == LifeCycle.State.PAUSED) {
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
      }
    }
  }

  @Override
  public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(RoleInfoProto role,
      TermIndex firstTermIndexInLog) {
    return downloads.install(getGroupId(), role, firstTermIndexInLog, snapshotStore());
  }

  /**
   * The meta group's snapshots for transfers: the latest map file and its MD5 file. Ratis keeps
   * every snapshot file (no retention policy is set), so holding them is linking them aside.
   */
  public SnapshotStore snapshotStore() {
    return new SnapshotStore() {
      @Override
      public HeldSnapshot hold() throws IOException {
        SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
        if (latest == null) {
          return null;
        }
        Path file = latest.getFile().getPath();
        Path dir = downloadsDir().resolve("held-" + holds.incrementAndGet());
        SlotGroupStore.deleteRecursively(dir);
        Files.createDirectories(dir);
        List<SnapshotManifest.FileEntry> files = new ArrayList<>();
        for (Path f : List.of(file, MD5FileUtil.getDigestFileForFile(file.toFile()).toPath())) {
          Files.createLink(dir.resolve(f.getFileName()), f);
          files.add(new SnapshotManifest.FileEntry(f.getFileName().toString(), Files.size(f)));
        }
        return new HeldSnapshot(dir, new SnapshotManifest(latest.getTerm(), latest.getIndex(),
            files));
      }

      @Override
      public Path downloadsDir() {
        return MetaStateMachine.this.downloadsDir();
      }

      @Override
      public void install(Path dir, SnapshotManifest manifest) throws IOException {
        File target = storage.getSnapshotFile(manifest.term(), manifest.index());
        Path md5 = MD5FileUtil.getDigestFileForFile(target).toPath();
        Path downloaded = dir.resolve(target.getName());
        MD5FileUtil.verifySavedMD5(downloaded.toFile(),
            MD5FileUtil.readStoredMd5ForFile(downloaded.toFile()));
        // The MD5 file first: Ratis only takes a snapshot file that has one as complete.
        Files.move(dir.resolve(md5.getFileName()), md5, StandardCopyOption.REPLACE_EXISTING);
        Files.move(downloaded, target.toPath(), StandardCopyOption.REPLACE_EXISTING);
      }
    };
  }

  private Path downloadsDir() {
    return smDir.resolve("tmp");
  }

  private void load(SingleFileSnapshotInfo snapshot) throws IOException {
    if (snapshot == null) {
      return;
    }
    File file = snapshot.getFile().getPath().toFile();
    if (snapshot.hasMd5()) {
      MD5FileUtil.verifySavedMD5(file, snapshot.getFile().getFileDigest());
    }
    setMap(ClusterMap.parseFrom(Files.readAllBytes(file.toPath())));
    setLastAppliedTermIndex(snapshot.getTermIndex());
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() < 0) {
      return RaftLog.INVALID_LOG_INDEX;
    }
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    Files.write(file.toPath(), map.toByteArray());
    MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
    return last.getIndex();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto log = trx.getLogEntry();
    try {
      MetaEntry entry =
          MetaEntry.parseFrom(log.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
      ClusterMap next = apply(map, entry);
      updateLastAppliedTermIndex(log.getTerm(), log.getIndex());
      if (next != map) {
        setMap(next);
      }
      return CompletableFuture.completedFuture(new MapMessage(next));
    } catch (IOException e) {
      LOG.error("cannot apply meta entry {}", log.getIndex(), e);
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The map after {@code entry}; deterministic and idempotent (a repeated bootstrap is ignored). */
  static ClusterMap apply(ClusterMap current, MetaEntry entry) {
    switch (entry.getChangeCase()) {
      case BOOTSTRAP -> {
        if (!current.getClusterId().isEmpty()) {
          return current;
        }
        Bootstrap b = entry.getBootstrap();
        return ClusterMap.newBuilder()
            .setClusterId(b.getClusterId())
            .setEpoch(1)
            .addNodes(b.getFirstNode())
            .addAllGroups(b.getGroupsList())
            .setReplicationFactor(b.getReplicationFactor())
            .setCreatedAtMs(b.getTimeMs())
            .addMetaReplicas(b.getFirstNode().getId())
            .build();
      }
      case UPSERT_NODE -> {
        NodeInfo node = entry.getUpsertNode().getNode();
        ClusterMap.Builder b = current.toBuilder();
        for (int i = 0; i < b.getNodesCount(); i++) {
          if (b.getNodes(i).getId().equals(node.getId())) {
            if (b.getNodes(i).getState() == NodeState.NODE_STATE_LEAVING) {
              // A leaving node that restarts keeps draining: only Leave's end removes it.
              node = node.toBuilder().setState(NodeState.NODE_STATE_LEAVING).build();
            }
            if (b.getNodes(i).equals(node)) {
              return current;
            }
            return b.setNodes(i, node).setEpoch(current.getEpoch() + 1).build();
          }
        }
        return b.addNodes(node).setEpoch(current.getEpoch() + 1).build();
      }
      case GROUP_REPORT -> {
        return applyGroupReport(current, entry.getGroupReport());
      }
      case META_REPLICAS -> {
        List<String> replicas = entry.getMetaReplicas().getReplicasList();
        if (current.getMetaReplicasList().equals(replicas)) {
          return current;
        }
        return current.toBuilder().clearMetaReplicas().addAllMetaReplicas(replicas)
            .setEpoch(current.getEpoch() + 1).build();
      }
      case SET_NODE_STATE -> {
        SetNodeState change = entry.getSetNodeState();
        ClusterMap.Builder b = current.toBuilder();
        for (int i = 0; i < b.getNodesCount(); i++) {
          NodeInfo n = b.getNodes(i);
          if (n.getId().equals(change.getNode())) {
            if (n.getState() == change.getState()
                || (n.getState() == NodeState.NODE_STATE_LEAVING
                    && change.getState() != NodeState.NODE_STATE_LEAVING)) {
              // Leaving is final: a leaving node that goes down or comes back still drains.
              return current;
            }
            return b.setNodes(i, n.toBuilder().setState(change.getState()))
                .setEpoch(current.getEpoch() + 1).build();
          }
        }
        return current;
      }
      case REMOVE_NODE -> {
        String id = entry.getRemoveNode().getNode();
        ClusterMap.Builder b = current.toBuilder();
        for (int i = 0; i < b.getNodesCount(); i++) {
          if (b.getNodes(i).getId().equals(id)) {
            return b.removeNodes(i).setEpoch(current.getEpoch() + 1).build();
          }
        }
        return current;
      }
      case START_MOVE -> {
        Move move = entry.getStartMove().getMove();
        if (move.getGroup() < 0 || move.getGroup() >= current.getGroupsCount()) {
          return current;
        }
        for (Move m : current.getMovesList()) {
          if (m.getGroup() == move.getGroup()) {
            return current;
          }
        }
        long id = current.getLastMoveId() + 1;
        return current.toBuilder().addMoves(move.toBuilder().setId(id)).setLastMoveId(id)
            .setEpoch(current.getEpoch() + 1).build();
      }
      case END_MOVE -> {
        ClusterMap.Builder b = current.toBuilder();
        for (int i = 0; i < b.getMovesCount(); i++) {
          if (b.getMoves(i).getId() == entry.getEndMove().getId()) {
            return b.removeMoves(i).setEpoch(current.getEpoch() + 1).build();
          }
        }
        return current;
      }
      case SET_REPLICATION_FACTOR -> {
        int rf = entry.getSetReplicationFactor().getReplicationFactor();
        if (rf < 1 || rf == current.getReplicationFactor()) {
          return current;
        }
        return current.toBuilder().setReplicationFactor(rf).setEpoch(current.getEpoch() + 1)
            .build();
      }
      default -> {
        return current;
      }
    }
  }

  /**
   * Records a group leader's report unless an equal or newer term was already recorded by another
   * leader: reports from a deposed leader arriving late must not undo its successor's.
   */
  private static ClusterMap applyGroupReport(ClusterMap current, GroupReport report) {
    int i = report.getIndex();
    if (i < 0 || i >= current.getGroupsCount()) {
      return current;
    }
    SlotGroupInfo g = current.getGroups(i);
    if (report.getTerm() < g.getLeaderTerm()
        || (report.getTerm() == g.getLeaderTerm() && !g.getLeader().isEmpty()
            && !g.getLeader().equals(report.getLeader()))) {
      return current;
    }
    SlotGroupInfo next = g.toBuilder()
        .setLeader(report.getLeader())
        .setLeaderTerm(report.getTerm())
        .clearReplicas()
        .addAllReplicas(report.getReplicasCount() == 0 ? g.getReplicasList() : report.getReplicasList())
        .build();
    if (next.equals(g)) {
      return current;
    }
    return current.toBuilder().setGroups(i, next).setEpoch(current.getEpoch() + 1).build();
  }

  private void setMap(ClusterMap next) {
    map = next;
    for (Consumer<ClusterMap> l : listeners) {
      l.accept(next);
    }
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    return CompletableFuture.completedFuture(new MapMessage(map));
  }

  /** A linearizable read of the whole map (local object, never serialized). */
  public static final class MapQuery implements Message {
    public static final MapQuery INSTANCE = new MapQuery();

    @Override
    public org.apache.ratis.thirdparty.com.google.protobuf.ByteString getContent() {
      return org.apache.ratis.thirdparty.com.google.protobuf.ByteString.EMPTY;
    }
  }

  /** The map as a reply message. */
  public static final class MapMessage implements Message {
    private final ClusterMap map;

    MapMessage(ClusterMap map) {
      this.map = map;
    }

    public ClusterMap map() {
      return map;
    }

    @Override
    public org.apache.ratis.thirdparty.com.google.protobuf.ByteString getContent() {
      return org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWrap(
          map.toByteArray());
    }
  }
}
