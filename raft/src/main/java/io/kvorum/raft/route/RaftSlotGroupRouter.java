package io.kvorum.raft.route;

import com.google.protobuf.ByteString;
import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.NodeState;
import io.kvorum.proto.meta.SlotGroupInfo;
import io.kvorum.proto.meta.SlotRange;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.raft.group.ReadMessage;
import io.kvorum.raft.group.ReadTransactionMessage;
import io.kvorum.raft.group.ReplyMessage;
import io.kvorum.raft.group.SlotGroupStateMachine;
import io.kvorum.raft.group.WriteMessage;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.engine.SlotGroupStore;
import io.kvorum.storage.engine.StorageException;
import io.kvorum.storage.keyspace.KeyspaceEvent;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
import io.kvorum.storage.transaction.WatchedKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis-backed {@link SlotGroupRouter}: routes by the cluster map, submits writes and
 * linearizable reads straight to the local division (no RPC to itself), and reports leaders as
 * Ratis knows them.
 */
public final class RaftSlotGroupRouter implements SlotGroupRouter {
  private static final Logger LOG = LoggerFactory.getLogger(RaftSlotGroupRouter.class);

  /** Log entries of one group in flight before further writes wait to share the next one. */
  static final int WRITES_IN_FLIGHT = 1;
  static final int MAX_COMMANDS_PER_ENTRY = 1024;
  /** How long a write cut off by a leadership change waits to learn whether it committed. */
  static final long ORPHAN_WAIT_SECONDS = 8;
  /**
   * How long a write entry keeps its node slot before other groups may go ahead of it: a few
   * times the longest normal entry round (an fsync on each of a majority, under load).
   */
  static final long ENTRY_SLOT_HOLD_MILLIS = 100;

  private final String selfId;
  private final long maxEntryBytes;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final ScheduledExecutorService scheduler;
  /** How long a read waiting on a heartbeat round keeps asking for heartbeats. */
  private static final long READ_ROUND_PROMPT_NANOS = TimeUnit.SECONDS.toNanos(5);
  private final EntrySlots entrySlots;
  private final Map<RaftGroupId, SlotGroupStateMachine> machines = new ConcurrentHashMap<>();
  private final Map<RaftGroupId, ReadLease> leases = new ConcurrentHashMap<>();
  private final List<KeysWrittenListener> keysWrittenListeners = new CopyOnWriteArrayList<>();
  private final List<KeyspaceEventListener> keyspaceEventListeners = new CopyOnWriteArrayList<>();
  private volatile boolean keyspaceEvents;
  private volatile RaftServer server;
  private volatile Layout layout = Layout.EMPTY;
  private volatile long lastSnapshotSeconds = System.currentTimeMillis() / 1000;
  private volatile Predicate<String> reachable = id -> true;
  private volatile boolean unsafeStaleReads;

  /** The cluster map digested for routing: slot → group, group → Ratis group and division. */
  private record Layout(
      ClusterMap map, short[] slotToGroup, RaftGroupId[] groupIds, RaftServer.Division[] divisions,
      GroupWriteQueue[] writeQueues) {
    static final Layout EMPTY =
        new Layout(ClusterMap.getDefaultInstance(), new short[HashSlot.COUNT],
            new RaftGroupId[0], new RaftServer.Division[0], new GroupWriteQueue[0]);
  }

  /**
   * @param maxEntryBytes      bound on the argument bytes grouped into one log entry
   * @param writeEntriesInFlight write entries this node's groups have in flight at once (0: no
   *                           bound); a group past it waits, and its next entry carries more
   */
  public RaftSlotGroupRouter(String selfId, ScheduledExecutorService scheduler, long maxEntryBytes,
      int writeEntriesInFlight) {
    this.selfId = selfId;
    this.maxEntryBytes = maxEntryBytes;
    this.scheduler = scheduler;
    FreshReadIndex.check();
    this.entrySlots = new EntrySlots(writeEntriesInFlight,
        TimeUnit.MILLISECONDS.toNanos(ENTRY_SLOT_HOLD_MILLIS));
    if (entrySlots.bounded()) {
      scheduler.scheduleWithFixedDelay(entrySlots::sweep, ENTRY_SLOT_HOLD_MILLIS / 2,
          ENTRY_SLOT_HOLD_MILLIS / 2, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Until a read waiting on a heartbeat round has its answer, asks the followers for a heartbeat
   * every couple of milliseconds: Ratis can lose the one it asks for itself (see {@link
   * FreshReadIndex#heartbeatAgain}), and the read would then wait ~500 ms for a regular one.
   */
  private void askForHeartbeats(Object leaderState, CompletableFuture<?> reply, long deadline) {
    FreshReadIndex.heartbeatAgain(leaderState);
    if (!reply.isDone() && System.nanoTime() < deadline) {
      scheduler.schedule(() -> {
        if (!reply.isDone()) {
          askForHeartbeats(leaderState, reply, deadline);
        }
      }, 2, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Test-only: every replica answers reads from its own state machine (Ratis stale reads, no
   * leader check, no read index), as a follower-reading store would. Never on in production.
   */
  public void unsafeStaleReads(boolean on) {
    this.unsafeStaleReads = on;
  }

  @Override
  public boolean servesStaleReads(int group) {
    Layout l = layout;
    return unsafeStaleReads && group < l.divisions().length && l.divisions()[group] != null;
  }

  /** Binds the started Ratis server. */
  public void attach(RaftServer server) {
    this.server = server;
  }

  /** Tells topology() which nodes this node can reach (failed nodes are flagged as in Redis). */
  public void setReachability(Predicate<String> reachable) {
    this.reachable = reachable;
  }

  /** Registers the state machine Ratis created for a slot group. */
  public void register(RaftGroupId groupId, SlotGroupStateMachine machine) {
    machines.put(groupId, machine);
    machine.notifying(keyspaceEvents);
  }

  /** Rebuilds the routing layout from a new cluster map. */
  public void onClusterMap(ClusterMap map) {
    int n = map.getGroupsCount();
    short[] slotToGroup = new short[HashSlot.COUNT];
    RaftGroupId[] ids = new RaftGroupId[n];
    RaftServer.Division[] divisions = new RaftServer.Division[n];
    GroupWriteQueue[] queues = new GroupWriteQueue[n];
    GroupWriteQueue[] previous = layout.writeQueues();
    for (SlotGroupInfo g : map.getGroupsList()) {
      for (SlotRange r : g.getSlotsList()) {
        for (int s = r.getFrom(); s <= r.getTo(); s++) {
          slotToGroup[s] = (short) g.getIndex();
        }
      }
      ids[g.getIndex()] = groupId(g);
      divisions[g.getIndex()] = division(ids[g.getIndex()]);
      int index = g.getIndex();
      // Keep a group's queue across map changes: it holds the order of writes in flight.
      queues[index] = index < previous.length ? previous[index] : new GroupWriteQueue(
          entry -> submit(index, new WriteMessage(entry), RaftClientRequest.writeRequestType()),
          WRITES_IN_FLIGHT, MAX_COMMANDS_PER_ENTRY, maxEntryBytes, new Scripts(index), entrySlots);
    }
    layout = new Layout(map, slotToGroup, ids, divisions, queues);
  }

  /**
   * Write scripts of one group, run first on this node (the leader) in a thread of their own: a
   * script may run for seconds, and must not hold a Netty event loop or a Ratis thread.
   */
  private final class Scripts implements GroupWriteQueue.ScriptLane {
    private final int group;

    Scripts(int group) {
      this.group = group;
    }

    @Override
    public boolean runsFirst(byte[][] args) {
      KeyspaceCommand c = KeyspaceCommandTable.standard().resolve(args);
      return c != null && c.leaderFirst();
    }

    @Override
    public CompletableFuture<SlotGroupStore.DryRun> dryRun(
        byte[][] args, boolean resp3, long timeMs, long seed) {
      return CompletableFuture.supplyAsync(
          () -> localStore(group).dryRun(args, resp3, timeMs, seed), SCRIPT_THREADS);
    }

    @Override
    public CompletableFuture<Boolean> unchangedSince(long lastDataChange) {
      // Once a linearizable read passed, this replica holds every committed entry.
      return read(group, BARRIER, false)
          .thenApply(ignored -> localStore(group).lastDataChange() == lastDataChange);
    }
  }

  /** The read a script's reply waits for: any read, for its linearizable barrier. */
  private static final byte[][] BARRIER = {
      "exists".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
      "kvorum:barrier".getBytes(java.nio.charset.StandardCharsets.US_ASCII)};

  /**
   * Threads of the scripts' dry runs: one per group at most runs at a time (the group's write
   * queue waits for it), so the pool is bounded by the groups this node leads.
   */
  private static final java.util.concurrent.ExecutorService SCRIPT_THREADS =
      java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "script-dry-run");
        t.setDaemon(true);
        return t;
      });

  /** Re-resolves local divisions (after groups were added on this node). */
  public void refreshDivisions() {
    onClusterMap(layout.map());
  }

  /** Called by state machines when a group learns of a new leader. */
  public void onLeaderChanged(RaftGroupId group, RaftPeerId leader) {
    LOG.debug("group {} has leader {}", group, leader);
    // A lease belongs to one term; dropping it also releases the old leader state it refers to.
    // Always safe: the next read through Ratis starts a new one.
    leases.remove(group);
  }

  /** Called by state machines with the keys an applied entry wrote (on the apply thread). */
  public void keysWritten(RaftGroupId id, List<byte[]> keys) {
    if (keysWrittenListeners.isEmpty()) {
      return;
    }
    RaftGroupId[] ids = layout.groupIds();
    for (int g = 0; g < ids.length; g++) {
      if (id.equals(ids[g])) {
        for (KeysWrittenListener l : keysWrittenListeners) {
          l.keysWritten(g, keys);
        }
        return;
      }
    }
  }

  /** Called by state machines with the keyspace notifications of an entry proposed here. */
  public void keyspaceEvents(RaftGroupId id, List<KeyspaceEvent> events) {
    if (keyspaceEventListeners.isEmpty()) {
      return;
    }
    RaftGroupId[] ids = layout.groupIds();
    for (int g = 0; g < ids.length; g++) {
      if (id.equals(ids[g])) {
        for (KeyspaceEventListener l : keyspaceEventListeners) {
          l.keyspaceEvents(g, events);
        }
        return;
      }
    }
  }

  @Override
  public void onKeyspaceEvents(KeyspaceEventListener listener) {
    keyspaceEventListeners.add(listener);
  }

  @Override
  public void keyspaceEventsEnabled(boolean enabled) {
    keyspaceEvents = enabled;
    for (SlotGroupStateMachine m : machines.values()) {
      m.notifying(enabled);
    }
  }

  @Override
  public void onKeysWritten(KeysWrittenListener listener) {
    keysWrittenListeners.add(listener);
  }

  public static RaftGroupId groupId(SlotGroupInfo g) {
    ByteBuffer b = g.getRaftGroupId().asReadOnlyByteBuffer();
    return RaftGroupId.valueOf(new UUID(b.getLong(), b.getLong()));
  }

  private RaftServer.Division division(RaftGroupId id) {
    RaftServer s = server;
    if (s == null) {
      return null;
    }
    try {
      return s.getDivision(id);
    } catch (IOException e) {
      return null;
    }
  }

  /** The local state machine of a group, or null when this node holds no replica of it. */
  public SlotGroupStateMachine machine(int group) {
    Layout l = layout;
    return group < l.groupIds().length ? machines.get(l.groupIds()[group]) : null;
  }

  @Override
  public int groupCount() {
    return layout.groupIds().length;
  }

  @Override
  public int groupOf(int slot) {
    return layout.slotToGroup()[slot];
  }

  @Override
  public Route route(int group) {
    Layout l = layout;
    if (group >= l.groupIds().length) {
      return new Route.Unavailable("no slot group " + group);
    }
    RaftServer.Division d = l.divisions()[group];
    String leader;
    if (d == null) {
      // No replica here: send the client to the leader the group last reported to the map. If
      // that is stale, the node there holds a replica and redirects again.
      leader = l.map().getGroups(group).getLeader();
      if (leader.isEmpty() || leader.equals(selfId)) {
        return new Route.Unavailable("slot group " + group + " has no known leader");
      }
    } else {
      DivisionInfo info = d.getInfo();
      if (info.isLeader()) {
        return Route.LOCAL;
      }
      RaftPeerId id = info.getLeaderId();
      SlotGroupInfo reported = l.map().getGroups(group);
      if (id != null && !id.toString().equals(selfId)) {
        leader = id.toString();
      } else if (id != null) {
        // This replica is not the leader but still names itself (it just stepped down, or was
        // cut off): never redirect a client to this node itself; wait for the election.
        return new Route.Unavailable("slot group " + group + " is electing a leader");
      } else if (!reported.getLeader().isEmpty() && !reported.getLeader().equals(selfId)
          && info.getCurrentTerm() <= reported.getLeaderTerm()) {
        // A replica still catching up (or just added) knows no leader yet; the map does.
        leader = reported.getLeader();
      } else {
        return new Route.Unavailable("slot group " + group + " has no leader");
      }
    }
    for (NodeInfo n : l.map().getNodesList()) {
      if (n.getId().equals(leader)) {
        return new Route.Remote(n.getId(), n.getRespHost(), n.getRespPort());
      }
    }
    return new Route.Unavailable("leader " + leader + " of slot group " + group + " is unknown");
  }

  @Override
  public CompletableFuture<Route> awaitRoute(int group, Duration maxWait) {
    CompletableFuture<Route> result = new CompletableFuture<>();
    long deadline = System.nanoTime() + maxWait.toNanos();
    pollRoute(group, deadline, result);
    return result;
  }

  private void pollRoute(int group, long deadline, CompletableFuture<Route> result) {
    Route r = route(group);
    if (!(r instanceof Route.Unavailable) || System.nanoTime() >= deadline) {
      result.complete(r);
      return;
    }
    scheduler.schedule(() -> pollRoute(group, deadline, result), 25, TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletableFuture<List<Reply>> write(int group, List<byte[][]> commands, boolean resp3) {
    Layout l = layout;
    if (group >= l.writeQueues().length) {
      return CompletableFuture.failedFuture(new NotLeaderException(group, "no such slot group"));
    }
    return l.writeQueues()[group].enqueue(commands, resp3);
  }

  @Override
  public CompletableFuture<Reply> read(int group, byte[][] args, boolean resp3) {
    ReadMessage message = new ReadMessage(args, resp3);
    CompletableFuture<Reply> alone = readAlone(group, message);
    if (alone != null) {
      return alone;
    }
    RaftClientRequest.Type type = unsafeStaleReads
        ? RaftClientRequest.staleReadRequestType(0) : RaftClientRequest.readRequestType();
    return submit(group, message, type)
        .thenApply(m -> m.replies().get(0));
  }

  /**
   * A read this node's leading replica may answer straight from its state machine; null when it
   * may not. Two cases need no heartbeat round: the group's only voter is this replica (Ratis's
   * own singleton shortcut, taken here before building a client request and futures around it,
   * ~7% of the event loops' CPU under a one-node GET load), or the leader has committed in its
   * term and holds this term's {@link ReadLease}. A group with a configuration change under way
   * is no singleton, and a replica that has not applied all it committed goes through Ratis,
   * which waits for that.
   */
  private CompletableFuture<Reply> readAlone(int group, ReadMessage message) {
    Layout l = layout;
    RaftServer.Division d = group < l.divisions().length ? l.divisions()[group] : null;
    if (d == null || unsafeStaleReads || !d.getInfo().isLeader()) {
      return null;
    }
    // As Ratis's own singleton check: one voter now, at most one before.
    org.apache.ratis.server.RaftConfiguration conf = d.getRaftConf();
    if (conf.getCurrentPeers().size() != 1 || conf.getPreviousPeers().size() > 1) {
      Object leaderState = FreshReadIndex.patch(d);
      if (leaderState == null || !d.getInfo().isLeaderReady()) {
        return null;
      }
      ReadLease lease = leaseOf(d, leaderState);
      if (lease == null || !lease.covers(System.nanoTime())) {
        return null;
      }
    }
    SlotGroupStateMachine machine = machines.get(l.groupIds()[group]);
    if (machine == null || machine.getLastAppliedTermIndex().getIndex()
        < d.getRaftLog().getLastCommittedIndex()) {
      return null;
    }
    return machine.query(message).handle((m, e) -> {
      if (e != null) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null
            ? e.getCause() : e;
        throw new CompletionException(new RaftUnavailableException(String.valueOf(cause)));
      }
      return ((ReplyMessage) m).replies().get(0);
    });
  }

  /**
   * This term's read lease of a group this division leads; null while reads may not use one (the
   * lease is off, or a leadership transfer is under way, which also ends the lease for good).
   */
  private ReadLease leaseOf(RaftServer.Division d, Object leaderState) {
    RaftGroupId id = d.getMemberId().getGroupId();
    if (!FreshReadIndex.leaseAllowed(leaderState)) {
      leases.remove(id);
      return null;
    }
    ReadLease lease = leases.get(id);
    if (lease != null && lease.belongsTo(leaderState)) {
      return lease;
    }
    long duration = ReadLease.durationNanos(d.getRaftServer().getProperties());
    return leases.compute(id, (k, old) -> old != null && old.belongsTo(leaderState)
        ? old : new ReadLease(leaderState, duration));
  }

  @Override
  public CompletableFuture<List<WatchedKey>> watch(int group, List<byte[]> keys) {
    // The barrier: once it completes, this replica has applied everything committed before the
    // WATCH, so the state it now reads (and the index the watch starts at) is linearizable.
    byte[][] barrier = {"exists".getBytes(java.nio.charset.StandardCharsets.US_ASCII), keys.get(0)};
    return read(group, barrier, false).thenApply(ignored -> {
      SlotGroupStore store = localStore(group);
      SlotGroupStore.WatchState state = store.watch(keys, System.currentTimeMillis());
      List<WatchedKey> out = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        out.add(new WatchedKey(keys.get(i), state.index(), state.live()[i]));
      }
      return out;
    });
  }

  @Override
  public void unwatch(int group) {
    SlotGroupStateMachine m = machine(group);
    SlotGroupStore store = m == null ? null : m.store();
    if (store != null) {
      store.unwatch();
    }
  }

  @Override
  public CompletableFuture<Reply> transaction(int group, List<byte[][]> commands, boolean resp3,
      List<WatchedKey> watched, boolean readOnly) {
    if (readOnly) {
      return submit(group, new ReadTransactionMessage(commands, resp3, watched),
          RaftClientRequest.readRequestType()).thenApply(m -> m.replies().get(0));
    }
    Layout l = layout;
    if (group >= l.writeQueues().length) {
      return CompletableFuture.failedFuture(new NotLeaderException(group, "no such slot group"));
    }
    List<byte[]> live = new ArrayList<>();
    for (WatchedKey w : watched) {
      if (w.live()) {
        live.add(w.key());
      }
    }
    java.util.function.LongSupplier check = watched.isEmpty() ? null : () -> {
      SlotGroupStateMachine m = machine(group);
      SlotGroupStore store = m == null ? null : m.store();
      return store == null ? -1 : store.checkWatched(watched);
    };
    return l.writeQueues()[group].enqueueTransaction(commands, resp3, live, check);
  }

  private SlotGroupStore localStore(int group) {
    SlotGroupStateMachine m = machine(group);
    SlotGroupStore store = m == null ? null : m.store();
    if (store == null) {
      throw new NotLeaderException(group, "slot group " + group + " has no replica on this node");
    }
    return store;
  }

  private CompletableFuture<ReplyMessage> submit(
      int group, org.apache.ratis.protocol.Message message, RaftClientRequest.Type type) {
    Layout l = layout;
    RaftServer.Division d = group < l.divisions().length ? l.divisions()[group] : null;
    if (d == null) {
      return CompletableFuture.failedFuture(
          new NotLeaderException(group, "slot group " + group + " has no replica on this node"));
    }
    RaftClientRequest request =
        RaftClientRequest.newBuilder()
            .setClientId(clientId)
            .setServerId(d.getId())
            .setGroupId(l.groupIds()[group])
            .setCallId(callIds.incrementAndGet())
            .setMessage(message)
            .setType(type)
            .build();
    CompletableFuture<RaftClientReply> reply;
    long term = d.getInfo().getCurrentTerm();
    Object leaderState = null;
    if (type.is(org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase.READ)) {
      leaderState = FreshReadIndex.patch(d);
    }
    // Only a read submitted once the leader is ready takes a heartbeat round in Ratis (before,
    // it waits for the term's first entry), so only such a read renews the lease.
    ReadLease lease = leaderState != null && d.getInfo().isLeaderReady()
        ? leaseOf(d, leaderState) : null;
    long submittedAt = System.nanoTime();
    try {
      // Straight into the division: RaftServer#submitClientRequestAsync would hop to Ratis's
      // client thread pool and block the caller (a Netty event loop) until the hop completes.
      reply = ((RaftClientAsynchronousProtocol) d).submitClientRequestAsync(request);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new RaftUnavailableException(e.getMessage()));
    }
    // Ratis refuses a request it will not append (not leader, not ready) before returning; a
    // reply that fails later may belong to an entry already in the log.
    if (lease != null) {
      reply.whenComplete((r, e) -> lease.readCompleted(submittedAt, e == null && r.isSuccess()));
    }
    boolean refusedBeforeAppend = reply.isDone();
    if (leaderState != null && !refusedBeforeAppend && FreshReadIndex.needsRound(leaderState)) {
      askForHeartbeats(leaderState, reply, System.nanoTime() + READ_ROUND_PROMPT_NANOS);
    }
    CompletableFuture<ReplyMessage> result = reply.handle((r, e) -> {
      if (e != null) {
        throw new CompletionException(translate(group, e));
      }
      return toReplyMessage(group, r);
    });
    if (refusedBeforeAppend
        || type.is(org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase.READ)
        || type.is(org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase.STALEREAD)) {
      return result;
    }
    SlotGroupStateMachine machine = machines.get(l.groupIds()[group]);
    long callId = request.getCallId();
    return result.handle((m, e) -> {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof NotLeaderException && machine != null) {
        return awaitOrphan(group, machine, callId, term);
      }
      return e == null ? CompletableFuture.completedFuture(m)
          : CompletableFuture.<ReplyMessage>failedFuture(cause);
    }).thenCompose(f -> f);
  }

  /**
   * A write whose leader stepped down after appending it: a later leader may still commit it, so
   * neither "failed" nor "done" is true yet. Wait (bounded) for this replica to learn which; a
   * truncated write is answered like a refused one, an unresolved one as of unknown outcome.
   */
  private CompletableFuture<ReplyMessage> awaitOrphan(
      int group, SlotGroupStateMachine machine, long callId, long term) {
    CompletableFuture<ReplyMessage> outcome = machine.awaitOrphan(clientId, callId, term);
    CompletableFuture<ReplyMessage> bounded = new CompletableFuture<>();
    var timer = scheduler.schedule(() -> {
      machine.forgetOrphan(callId);
      bounded.completeExceptionally(new OutcomeUnknownException(
          "leadership of slot group " + group + " was lost before the write committed"));
    }, ORPHAN_WAIT_SECONDS, TimeUnit.SECONDS);
    outcome.whenComplete((m, e) -> {
      timer.cancel(false);
      if (e == null) {
        bounded.complete(m);
      } else if (e instanceof SlotGroupStateMachine.NotAppliedException) {
        bounded.completeExceptionally(new NotLeaderException(group, e.getMessage()));
      } else {
        bounded.completeExceptionally(new OutcomeUnknownException(e.getMessage()));
      }
    });
    return bounded;
  }

  /** Ratis's own exceptions, as the gateway knows them: leadership moved, or try again. */
  static Throwable translate(int group, Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof NotLeaderException || cause instanceof RaftUnavailableException) {
      return cause;
    }
    if (cause instanceof org.apache.ratis.protocol.exceptions.NotLeaderException
        || cause instanceof org.apache.ratis.protocol.exceptions.LeaderNotReadyException
        || cause instanceof org.apache.ratis.protocol.exceptions.LeaderSteppingDownException) {
      return new NotLeaderException(group, cause.getMessage());
    }
    if (cause instanceof IOException) {
      return new RaftUnavailableException(cause.getMessage());
    }
    return cause;
  }

  private static ReplyMessage toReplyMessage(int group, RaftClientReply r) {
    if (r.isSuccess() && r.getMessage() instanceof ReplyMessage m) {
      return m;
    }
    if (r.getNotLeaderException() != null) {
      throw new CompletionException(
          new NotLeaderException(group, r.getNotLeaderException().getMessage()));
    }
    RaftException e = r.getException();
    if (e instanceof org.apache.ratis.protocol.exceptions.LeaderNotReadyException
        || e instanceof org.apache.ratis.protocol.exceptions.LeaderSteppingDownException
        || e instanceof org.apache.ratis.protocol.exceptions.ReadIndexException
        || e instanceof org.apache.ratis.protocol.exceptions.ReadException) {
      throw new CompletionException(new NotLeaderException(group, e.getMessage()));
    }
    throw new CompletionException(
        new RaftUnavailableException(e == null ? "unexpected reply " + r : e.getMessage()));
  }

  @Override
  public List<Integer> ledGroups() {
    Layout l = layout;
    List<Integer> led = new ArrayList<>();
    for (int g = 0; g < l.divisions().length; g++) {
      RaftServer.Division d = l.divisions()[g];
      if (d != null && d.getInfo().isLeader()) {
        led.add(g);
      }
    }
    return led;
  }

  @Override
  public ClusterTopology topology() {
    Layout l = layout;
    List<ClusterTopology.Node> nodes = new ArrayList<>();
    for (NodeInfo n : l.map().getNodesList()) {
      nodes.add(new ClusterTopology.Node(
          n.getId(), n.getRespHost(), n.getRespPort(),
          n.getState() != NodeState.NODE_STATE_DOWN && reachable.test(n.getId())));
    }
    List<ClusterTopology.Group> groups = new ArrayList<>();
    for (SlotGroupInfo g : l.map().getGroupsList()) {
      List<ClusterTopology.SlotRange> ranges = new ArrayList<>();
      for (SlotRange r : g.getSlotsList()) {
        ranges.add(new ClusterTopology.SlotRange(r.getFrom(), r.getTo()));
      }
      RaftServer.Division d = l.divisions()[g.getIndex()];
      // While an election runs here, keep showing the last reported leader (as Redis Cluster
      // shows the old master until a failover completes): a client that refreshes its topology
      // mid-election must not lose the slots; the old leader answers MOVED or TRYAGAIN.
      RaftPeerId id = d == null ? null : d.getInfo().getLeaderId();
      String leader = id != null ? id.toString() : g.getLeader().isEmpty() ? null : g.getLeader();
      groups.add(new ClusterTopology.Group(g.getIndex(), ranges, leader, g.getReplicasList()));
    }
    return new ClusterTopology(selfId, l.map().getEpoch(), nodes, groups);
  }

  @Override
  public CompletableFuture<Void> snapshotAll() {
    Layout l = layout;
    RaftServer s = server;
    List<CompletableFuture<RaftClientReply>> all = new ArrayList<>();
    for (RaftGroupId id : l.groupIds()) {
      if (machines.containsKey(id)) {
        // A creation gap of 1 forces a new snapshot whenever anything was applied since the last.
        all.add(s.snapshotManagementAsync(
            SnapshotManagementRequest.newCreate(clientId, s.getId(), id, callIds.incrementAndGet(),
                60_000, 1)));
      }
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenRun(() -> {
          for (CompletableFuture<RaftClientReply> f : all) {
            RaftClientReply r = f.join();
            if (!r.isSuccess()) {
              throw new CompletionException(new RaftUnavailableException(
                  "snapshot failed: " + r.getException()));
            }
          }
          lastSnapshotSeconds = System.currentTimeMillis() / 1000;
        });
  }

  @Override
  public long lastSnapshotSeconds() {
    return lastSnapshotSeconds;
  }

  @Override
  public GroupReplication replication(int group) {
    Layout l = layout;
    if (group < 0 || group >= l.groupIds().length) {
      return null;
    }
    RaftServer.Division d = l.divisions()[group];
    if (d == null || !d.getInfo().isLeader()) {
      return null;
    }
    long[] match = d.getInfo().getFollowerMatchIndices();
    return new GroupReplication(d.getRaftLog().getLastCommittedIndex(),
        match == null ? new long[0] : match);
  }

  @Override
  public List<GroupStats> groupStats() {
    Layout l = layout;
    List<GroupStats> stats = new ArrayList<>();
    for (int g = 0; g < l.groupIds().length; g++) {
      RaftServer.Division d = l.divisions()[g];
      SlotGroupStateMachine m = machines.get(l.groupIds()[g]);
      if (d == null || m == null || m.store() == null) {
        continue;
      }
      DivisionInfo info = d.getInfo();
      SlotGroupStore store = m.store();
      RaftPeerId leader = info.getLeaderId();
      RaftPeerRole role = info.getCurrentRole();
      if (role == null) {
        continue; // the division is closing: its replica was just moved off this node
      }
      try {
        stats.add(new GroupStats(
            g,
            l.groupIds()[g].getUuid().toString(),
            role.name().toLowerCase(java.util.Locale.ROOT),
            leader == null ? null : leader.toString(),
            info.getCurrentTerm(),
            d.getRaftLog().getLastCommittedIndex(),
            info.getLastAppliedIndex(),
            store.keyCount(),
            store.sizeOnDisk()));
      } catch (StorageException e) {
        // Closed under us (replica removed, or a snapshot being installed): the caller falls
        // back to the cluster map's view of this group.
        LOG.debug("no stats for slot group {}: {}", g, e.getMessage());
      }
    }
    return stats;
  }
}
