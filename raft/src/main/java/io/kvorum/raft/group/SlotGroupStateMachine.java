package io.kvorum.raft.group;

import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.raft.snapshot.SnapshotDownloads;
import io.kvorum.raft.snapshot.SnapshotStore;
import io.kvorum.storage.engine.NodeStorage;
import io.kvorum.storage.engine.SlotGroupStore;
import io.kvorum.storage.engine.StorageException;
import io.kvorum.storage.keyspace.KeyspaceEvent;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.transaction.KeyChanges;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.InvalidProtocolBufferException;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of one slot group: applies committed entries to the group's RocksDB
 * ({@link SlotGroupStore}), serves linearizable reads from it, and snapshots it as a RocksDB
 * checkpoint. Ratis calls apply, snapshot and reinitialize on one thread per group.
 */
public final class SlotGroupStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(SlotGroupStateMachine.class);
  private static final long SNAPSHOT_RETRY_NANOS = 30_000_000_000L;

  private final NodeStorage nodeStorage;
  private final CheckpointSnapshots snapshots = new CheckpointSnapshots();
  private final BiConsumer<RaftGroupId, RaftPeerId> leaderListener;
  private final BiConsumer<RaftGroupId, List<byte[]>> keysWritten;
  private final BiConsumer<RaftGroupId, List<KeyspaceEvent>> keyspaceEvents;
  private final Consumer<StorageException> storageFailed;
  private final SnapshotDownloads downloads;
  /** Keyspace notifications are collected (notify-keyspace-events is on for this node). */
  private volatile boolean notifying;
  private volatile SlotGroupStore store;
  /** No snapshot attempt before this System.nanoTime(): a dead disk must not flood the log. */
  private volatile long nextSnapshotAttemptNanos = System.nanoTime();
  /** Keys changed while someone WATCHes; outlives a store replaced by an installed snapshot. */
  private final KeyChanges changes = new KeyChanges();
  /**
   * Writes whose leader stepped down after appending them, by Ratis call id: resolved when this
   * replica applies the entry (it committed after all) or applies an entry of a later term
   * first (it was truncated: a later leader's log never had it).
   */
  private final Map<Long, Orphan> orphans = new ConcurrentHashMap<>();
  private volatile long lastAppliedTerm;

  private record Orphan(ClientId client, long term, CompletableFuture<ReplyMessage> outcome) {}

  /**
   * @param leaderListener told (group, new leader) whenever this replica learns of a new leader
   * @param keysWritten    told (group, keys) after each applied entry that created or changed
   *                       keys, on the apply thread
   * @param keyspaceEvents told (group, notifications) after each entry this replica applied as
   *                       the leader that proposed it (followers, and a leader applying an entry
   *                       a previous leader proposed, stay silent: one publication per write)
   * @param storageFailed  told when the group's RocksDB cannot store an applied entry: this
   *                       replica can no longer keep up with the log it acknowledged, and must
   *                       stop rather than serve or acknowledge anything further
   * @param downloads      fetches the leader's snapshot when Ratis asks this replica to install
   *                       one
   */
  public SlotGroupStateMachine(NodeStorage nodeStorage,
      BiConsumer<RaftGroupId, RaftPeerId> leaderListener,
      BiConsumer<RaftGroupId, List<byte[]>> keysWritten,
      BiConsumer<RaftGroupId, List<KeyspaceEvent>> keyspaceEvents,
      Consumer<StorageException> storageFailed, SnapshotDownloads downloads) {
    this.downloads = downloads;
    this.nodeStorage = nodeStorage;
    this.leaderListener = leaderListener;
    this.keysWritten = keysWritten;
    this.keyspaceEvents = keyspaceEvents;
    this.storageFailed = storageFailed;
  }

  /** Collects keyspace notifications while applying, or stops. */
  public void notifying(boolean on) {
    notifying = on;
    SlotGroupStore s = store;
    if (s != null) {
      s.notifying(on);
    }
  }

  /** The group's store; null before initialization. */
  public SlotGroupStore store() {
    return store;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    snapshots.init(raftStorage);
    openStore();
    // Ratis checks that a state machine is PAUSED before it reloads one from a snapshot.
    getLifeCycle().transition(LifeCycle.State.STARTING);
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  /** The group's snapshots, for sending them to other replicas. */
  public SnapshotStore snapshotStore() {
    return snapshots;
  }

  /**
   * The leader no longer has the log this replica needs (or this replica is new): download the
   * leader's latest snapshot and swap it in. Ratis then pauses this state machine and calls
   * {@link #reinitialize} to open it.
   */
  @Override
  public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(RoleInfoProto role,
      TermIndex firstTermIndexInLog) {
    return downloads.install(getGroupId(), role, firstTermIndexInLog, snapshots);
  }

  @Override
  public void pause() {
    if (getLifeCycleState() == LifeCycle.State.RUNNING) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  private void openStore() {
    SnapshotInfo snapshot = snapshots.getLatestSnapshot();
    SlotGroupStore opened = SlotGroupStore.open(snapshots.dbDir(), nodeStorage);
    if (snapshot != null && opened.applied().index() < snapshot.getIndex()) {
      // An installed snapshot is newer than the live database (crash before it was opened).
      opened.close();
      LOG.info("{}: restoring database from snapshot {}", getGroupId(), snapshot.getTermIndex());
      opened =
          SlotGroupStore.openFromCheckpoint(snapshots.snapshotDir(), snapshots.dbDir(), nodeStorage);
    }
    opened.notifying(notifying);
    opened.trackChanges(changes, false);
    store = opened;
    SlotGroupStore.Applied applied = opened.applied();
    if (applied.index() >= 0) {
      setLastAppliedTermIndex(TermIndex.valueOf(applied.term(), applied.index()));
    }
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshots;
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    return snapshots.getLatestSnapshot();
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext.Builder b =
        TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request);
    if (request.getMessage() instanceof WriteMessage w) {
      b.setStateMachineContext(w.entry());
    }
    return b.build();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto log = trx.getLogEntry();
    try {
      // Only the leader that proposed the entry still holds it from startTransaction.
      boolean proposedHere = trx.getStateMachineContext() instanceof SlotGroupEntry;
      SlotGroupEntry entry =
          trx.getStateMachineContext() instanceof SlotGroupEntry e
              ? e
              : SlotGroupEntry.parseFrom(
                  log.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
      SlotGroupStore.AppliedEntry applied = store.applyTracked(log.getTerm(), log.getIndex(), entry);
      // After a restart Ratis may replay entries the store already holds (it stored them before
      // the node stopped, without a snapshot); moving the applied index back would throw.
      if (log.getIndex() > getLastAppliedTermIndex().getIndex()) {
        updateLastAppliedTermIndex(log.getTerm(), log.getIndex());
      }
      if (!applied.writtenKeys().isEmpty()) {
        keysWritten.accept(getGroupId(), applied.writtenKeys());
      }
      if (proposedHere && !applied.events().isEmpty()) {
        keyspaceEvents.accept(getGroupId(), applied.events());
      }
      ReplyMessage reply = new ReplyMessage(applied.replies());
      if (!orphans.isEmpty()) {
        // Call ids are per client (each node's router is one), so both must match.
        long callId = log.getStateMachineLogEntry().getCallId();
        Orphan o = orphans.get(callId);
        if (o != null && o.term() == log.getTerm() && o.client().equals(ClientId.valueOf(
            log.getStateMachineLogEntry().getClientId())) && orphans.remove(callId, o)) {
          o.outcome().complete(reply);
        }
        resolveOrphansBefore(log.getTerm());
      }
      lastAppliedTerm = log.getTerm();
      return CompletableFuture.completedFuture(reply);
    } catch (com.google.protobuf.InvalidProtocolBufferException | RuntimeException e) {
      // An entry that cannot be applied would make this replica diverge; stop applying instead.
      LOG.error("{}: cannot apply log entry {}", getGroupId(), log.getIndex(), e);
      if (e instanceof StorageException failure) {
        storageFailed.accept(failure);
      }
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    // Configuration changes and leader no-ops reach here; keep the stored applied index contiguous.
    SlotGroupStore s = store;
    if (s != null) {
      s.markApplied(term, index);
    }
    if (!orphans.isEmpty()) {
      resolveOrphansBefore(term);
    }
    lastAppliedTerm = term;
    if (index > getLastAppliedTermIndex().getIndex()) {
      super.notifyTermIndexUpdated(term, index);
    }
  }

  /**
   * Waits for the fate of a write this replica appended as leader at {@code term} (Ratis client
   * {@code client}, call id {@code callId}) but could not commit before stepping down. Completes with its replies if a
   * later leader committed it, with {@link NotAppliedException} if it was truncated; never
   * completes if this replica learns neither (the caller bounds the wait).
   */
  public CompletableFuture<ReplyMessage> awaitOrphan(ClientId client, long callId, long term) {
    CompletableFuture<ReplyMessage> outcome = new CompletableFuture<>();
    orphans.put(callId, new Orphan(client, term, outcome));
    if (lastAppliedTerm > term) {
      // Entries of a later term were applied already: too late to tell which way it went.
      orphans.remove(callId);
      outcome.completeExceptionally(new IllegalStateException("outcome no longer known"));
    }
    return outcome;
  }

  /** Forgets a wait that the caller gave up on. */
  public void forgetOrphan(long callId) {
    orphans.remove(callId);
  }

  /**
   * An entry of a later term being applied proves that every older entry not applied before it
   * was dropped: in Raft a new leader's first entry follows everything it will ever commit from
   * earlier terms.
   */
  private void resolveOrphansBefore(long term) {
    orphans.entrySet().removeIf(e -> {
      if (e.getValue().term() < term) {
        e.getValue().outcome().completeExceptionally(new NotAppliedException());
        return true;
      }
      return false;
    });
  }

  /** The orphaned write was truncated from the log: it never took effect. */
  public static final class NotAppliedException extends RuntimeException {
    NotAppliedException() {
      super("the write was not committed", null, false, false);
    }
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    if (request instanceof ReadTransactionMessage tx) {
      try {
        Reply reply = store.readTransaction(
            tx.commands(), tx.resp3(), System.currentTimeMillis(), tx.watched());
        return CompletableFuture.completedFuture(new ReplyMessage(List.of(reply)));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    if (!(request instanceof ReadMessage read)) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("unexpected query " + request));
    }
    try {
      Reply reply = store.read(read.args(), read.resp3(), System.currentTimeMillis());
      return CompletableFuture.completedFuture(new ReplyMessage(List.of(reply)));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public long takeSnapshot() throws IOException {
    SlotGroupStore s = store;
    SnapshotInfo current = snapshots.getLatestSnapshot();
    if (s == null || s.applied().index() < 0) {
      return RaftLog.INVALID_LOG_INDEX;
    }
    if (current != null && current.getIndex() >= s.applied().index()) {
      return current.getIndex();
    }
    if (System.nanoTime() - nextSnapshotAttemptNanos < 0) {
      return current == null ? RaftLog.INVALID_LOG_INDEX : current.getIndex();
    }
    try {
      SnapshotInfo taken = snapshots.take(s);
      LOG.debug("{}: snapshot at {}", getGroupId(), taken.getTermIndex());
      return taken.getIndex();
    } catch (RuntimeException e) {
      // Ratis's apply thread treats anything but an IOException as fatal to itself and then
      // retries forever (logging each time, even while shutting down); a failed snapshot only
      // means the log is not trimmed yet, so report it as the I/O failure it is and retry later.
      nextSnapshotAttemptNanos = System.nanoTime() + SNAPSHOT_RETRY_NANOS;
      throw new IOException(getGroupId() + ": snapshot failed", e);
    }
  }

  @Override
  public void reinitialize() throws IOException {
    // A snapshot from the leader was installed into the snapshot directory.
    SnapshotInfo installed = snapshots.reload();
    try {
      reopen(installed);
    } finally {
      if (getLifeCycleState() == LifeCycle.State.PAUSED) {
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
      }
    }
  }

  private void reopen(SnapshotInfo installed) {
    SlotGroupStore old = store;
    if (old != null) {
      old.close();
    }
    if (installed == null) {
      SlotGroupStore reopened = SlotGroupStore.open(snapshots.dbDir(), nodeStorage);
      reopened.notifying(notifying);
      reopened.trackChanges(changes, true);
      store = reopened;
      return;
    }
    LOG.info("{}: opening installed snapshot {}", getGroupId(), installed.getTermIndex());
    SlotGroupStore restored = SlotGroupStore.openFromCheckpoint(
        snapshots.snapshotDir(), snapshots.dbDir(), nodeStorage);
    restored.notifying(notifying);
    // Entries were skipped: no watch from before can be judged any more.
    restored.trackChanges(changes, true);
    store = restored;
    setLastAppliedTermIndex(installed.getTermIndex());
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
    leaderListener.accept(groupMemberId.getGroupId(), newLeaderId);
  }

  @Override
  public void close() throws IOException {
    SlotGroupStore s = store;
    if (s != null) {
      s.close();
    }
    super.close();
  }
}
