package io.kvorum.raft.node;

import com.google.protobuf.ByteString;
import io.kvorum.proto.meta.Bootstrap;
import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.MetaEntry;
import io.kvorum.proto.meta.Move;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.SetNodeState;
import io.kvorum.proto.meta.SetReplicationFactor;
import io.kvorum.proto.meta.StartMove;
import io.kvorum.proto.meta.NodeState;
import io.kvorum.proto.meta.SlotGroupInfo;
import io.kvorum.proto.meta.SlotRange;
import io.kvorum.proto.meta.UpsertNode;
import io.kvorum.raft.expiry.ActiveExpiry;
import io.kvorum.raft.group.SlotGroupStateMachine;
import io.kvorum.raft.membership.AdminRefusal;
import io.kvorum.raft.membership.BalancePlanner;
import io.kvorum.raft.membership.LeaderReports;
import io.kvorum.raft.membership.MetaClient;
import io.kvorum.raft.membership.PeerLiveness;
import io.kvorum.raft.membership.RaftClients;
import io.kvorum.raft.membership.ReplicaPlacement;
import io.kvorum.raft.meta.MetaStateMachine;
import io.kvorum.raft.route.FreshReadIndex;
import io.kvorum.raft.route.RaftSlotGroupRouter;
import io.kvorum.raft.route.SlotGroupRouter;
import io.kvorum.raft.snapshot.HeldSnapshot;
import io.kvorum.raft.snapshot.SnapshotDownloads;
import io.kvorum.raft.snapshot.SnapshotFetcher;
import io.kvorum.storage.engine.NodeStorage;
import io.kvorum.storage.engine.StorageException;
import io.kvorum.storage.slot.HashSlot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft side of one Kvorum node: one Ratis {@link RaftServer} hosting the meta group and the
 * slot groups this node replicates. On first start without {@code --join} it bootstraps a
 * one-node cluster; on restart Ratis reloads every group from the data dir and replays its log.
 */
public final class RaftNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);

  /** The meta group's fixed id: one meta group per cluster, and a node is in one cluster. */
  public static final RaftGroupId META_GROUP_ID =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("kvorum:meta".getBytes()));

  private final RaftNodeConfig config;
  private final String nodeId;
  private final RaftPeer self;
  private final NodeStorage nodeStorage;
  private final ScheduledExecutorService scheduler;
  /** More replicas than this cost every write a wider quorum for no practical gain. */
  public static final int MAX_REPLICATION_FACTOR = 7;
  /** Checks in a row (5 s apart) a local replica must be unlisted before it is deleted. */
  static final int STALE_CHECKS = 3;
  /** The last cluster map seen, so a restarted node knows its cluster before any quorum. */
  static final String MAP_FILE = "cluster-map.pb";

  private final SnapshotDownloads downloads;
  private final MetaStateMachine meta;
  private final RaftSlotGroupRouter router;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final ActiveExpiry expiry;
  private final RaftClients raftClients = new RaftClients();
  private final MetaClient metaClient;
  private final ReplicaPlacement placement;
  private final LeaderReports reports;
  private final PeerLiveness liveness;
  private final ExecutorService moves;
  private volatile ClusterMap map = ClusterMap.getDefaultInstance();
  private volatile RaftServer server;
  private final List<Consumer<ClusterMap>> mapListeners = new CopyOnWriteArrayList<>();
  /** Groups Ratis loaded from the data dir at start (not created by a move since). */
  private final Set<RaftGroupId> loadedAtStart = ConcurrentHashMap.newKeySet();
  /** Local replicas the map no longer lists → consecutive checks that found them so. */
  private final Map<RaftGroupId, Integer> staleChecks = new ConcurrentHashMap<>();
  private final AtomicBoolean failed = new AtomicBoolean();
  private volatile boolean closing;

  /** Exit status of a node that stopped because a replica's storage failed (sysexits EX_IOERR). */
  public static final int EXIT_STORAGE_FAILED = 74;
  /** Exit status of a node whose Raft server closed itself (sysexits EX_TEMPFAIL: restart it). */
  public static final int EXIT_RAFT_CLOSED = 75;
  /** How long the orderly exit after a fail-stop may take before the process is halted. */
  private static final long FAIL_STOP_HALT_MS = 15_000;

  private RaftNode(RaftNodeConfig config, SnapshotFetcher fetcher) {
    this.downloads = new SnapshotDownloads(fetcher, this::adminAddressOf);
    this.meta = new MetaStateMachine(downloads);
    this.nodeId = NodeIdentity.loadOrCreate(config.dataDir(), config.nodeId());
    this.config = config.withNodeId(nodeId);
    this.self =
        RaftPeer.newBuilder()
            .setId(nodeId)
            .setAddress(config.advertiseHost() + ":" + config.raftPort())
            .build();
    this.nodeStorage = new NodeStorage(config.blockCacheBytes(), config.writeBufferBytes());
    this.scheduler = Executors.newScheduledThreadPool(1, r -> {
      Thread t = new Thread(r, "kvorum-raft-scheduler");
      t.setDaemon(true);
      return t;
    });
    this.router = new RaftSlotGroupRouter(nodeId, scheduler, config.maxEntryBytes() / 2,
        config.writeEntriesInFlight());
    router.unsafeStaleReads(config.unsafeStaleReads());
    this.expiry = new ActiveExpiry(router, scheduler);
    this.metaClient = new MetaClient(META_GROUP_ID, () -> server, () -> map, raftClients);
    // Each running move, leadership transfer and the meta step holds a thread while it waits;
    // one more runs the liveness probes.
    this.moves = Executors.newFixedThreadPool(2 * config.maxConcurrentMoves() + 3, r -> {
      Thread t = new Thread(r, "kvorum-membership");
      t.setDaemon(true);
      return t;
    });
    this.liveness = new PeerLiveness(nodeId, () -> map);
    this.placement = new ReplicaPlacement(META_GROUP_ID, () -> map, metaClient, raftClients,
        moves, config.maxConcurrentMoves(), liveness, config.nodeDownTimeout().toMillis());
    this.reports = new LeaderReports(nodeId, () -> server, () -> map, metaClient);
    router.setReachability(liveness::isUp);
  }

  /**
   * Starts the node and returns once every slot group it hosts has a leader.
   *
   * @throws IllegalStateException if the node cannot start (ports taken, corrupt data, timeout)
   */
  public static RaftNode start(RaftNodeConfig config) {
    return start(config, null);
  }

  /**
   * Starts the node; with a {@code joiner} (from {@code --join}) it joins that cluster instead of
   * creating its own, and returns at once: replicas are placed on it in the background.
   */
  public static RaftNode start(RaftNodeConfig config, ClusterJoiner joiner) {
    return start(config, joiner, SnapshotFetcher.NONE);
  }

  /**
   * Starts the node as {@link #start(RaftNodeConfig, ClusterJoiner)} does; {@code fetcher}
   * downloads another replica's snapshot when a group here must catch up from one.
   */
  public static RaftNode start(RaftNodeConfig config, ClusterJoiner joiner,
      SnapshotFetcher fetcher) {
    RaftNode node = new RaftNode(config, fetcher);
    try {
      node.startServer();
      node.bootstrapOrRecover(joiner);
      node.expiry.start();
      node.startMembershipTasks();
      return node;
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  public String nodeId() {
    return nodeId;
  }

  public SlotGroupRouter router() {
    return router;
  }

  /**
   * Holds this node's latest snapshot of {@code group} for sending to another replica; null if
   * the group has no snapshot here yet.
   *
   * @throws IllegalArgumentException if this node has no replica of the group
   */
  public HeldSnapshot holdSnapshot(RaftGroupId group) throws IOException {
    RaftServer s = server;
    if (s == null || !hostsGroup(group)) {
      throw new IllegalArgumentException("no replica of group " + group + " on this node");
    }
    org.apache.ratis.statemachine.StateMachine m = s.getDivision(group).getStateMachine();
    if (m instanceof SlotGroupStateMachine slot) {
      return slot.snapshotStore().hold();
    }
    if (m instanceof MetaStateMachine) {
      return meta.snapshotStore().hold();
    }
    throw new IllegalArgumentException("group " + group + " has no snapshots");
  }

  /** {@code host:port} of a node's admin port from the cluster map, or null. */
  private String adminAddressOf(String node) {
    for (NodeInfo n : map.getNodesList()) {
      if (n.getId().equals(node)) {
        return n.getAdminAddress();
      }
    }
    return null;
  }

  /** The freshest cluster map this node has seen. */
  public ClusterMap clusterMap() {
    return map;
  }

  /**
   * Admits a node into the cluster map (the admin API's Join, on any member): records its
   * addresses; replicas follow from the placement loop on the meta leader.
   *
   * @param clusterId the cluster the node already belongs to, "" for a brand-new node
   * @throws IllegalArgumentException if the node's description is incomplete
   * @throws AdminRefusal             FAILED_PRECONDITION if the node belongs to another cluster
   * @throws IllegalStateException    if the meta group cannot commit it in time
   */
  public ClusterMap admit(NodeInfo node, String clusterId) {
    if (node.getId().isEmpty() || node.getRaftAddress().isEmpty() || node.getRespHost().isEmpty()) {
      throw new IllegalArgumentException("a joining node must give its id, Raft and RESP addresses");
    }
    // Checked before anything is committed: recorded, a foreign node would stay in this map as a
    // down ghost that placement counts, and it hosts a meta group under the same fixed id.
    String ours = map.getClusterId();
    if (!clusterId.isEmpty() && !clusterId.equals(ours)) {
      throw new AdminRefusal(AdminRefusal.Kind.FAILED_PRECONDITION, "node " + node.getId()
          + " belongs to cluster " + clusterId + ", not " + ours);
    }
    NodeInfo recorded = findNode(map, node.getId());
    NodeInfo admitted = node.toBuilder()
        .setState(NodeState.NODE_STATE_UP)
        .setJoinedAtMs(recorded == null ? System.currentTimeMillis() : recorded.getJoinedAtMs())
        .build();
    ClusterMap after = await(metaClient.propose(MetaEntry.newBuilder()
        .setUpsertNode(UpsertNode.newBuilder().setNode(admitted)).build()), "join");
    onMap(after);
    LOG.info("node {} ({}) joined", node.getId(), node.getRaftAddress());
    return after;
  }

  /** Adopts {@code next} if it is newer than the map this node has; persists it for restarts. */
  private synchronized void onMap(ClusterMap next) {
    ClusterMap current = map;
    if (next.getClusterId().isEmpty()
        || (!current.getClusterId().isEmpty() && next.getEpoch() <= current.getEpoch())) {
      return;
    }
    map = next;
    router.onClusterMap(next);
    try {
      scheduler.execute(() -> persistMap(next));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closing: the scheduler stops before Ratis, which may still apply meta entries. The
      // meta log holds this map; throwing here would kill the meta group's apply thread.
      LOG.debug("not persisting map epoch {}: the node is closing", next.getEpoch());
    }
    for (Consumer<ClusterMap> l : mapListeners) {
      l.accept(next);
    }
  }

  /** Called with every newer cluster map this node adopts (admin WatchEvents). */
  public void addMapListener(Consumer<ClusterMap> listener) {
    mapListeners.add(listener);
  }

  public void removeMapListener(Consumer<ClusterMap> listener) {
    mapListeners.remove(listener);
  }

  /** The balancer's next steps from this node's map (admin Rebalance, dry run). */
  public List<BalancePlanner.Step> plan() {
    return placement.plan();
  }

  /** Runs a balancer pass now if this node leads the meta group (admin Rebalance). */
  public void rebalanceNow() {
    scheduler.execute(() -> runQuietly(placement::tick));
  }

  /**
   * Finds a node by id, unique id prefix, or RESP or admin {@code host:port}.
   *
   * @throws AdminRefusal NOT_FOUND if none or several match
   */
  public static NodeInfo resolveNode(ClusterMap m, String ref) {
    List<NodeInfo> hits = new ArrayList<>();
    for (NodeInfo n : m.getNodesList()) {
      if (n.getId().equals(ref) || (n.getRespHost() + ":" + n.getRespPort()).equals(ref)
          || n.getAdminAddress().equals(ref)) {
        return n;
      }
      if (ref.length() >= 4 && n.getId().startsWith(ref)) {
        hits.add(n);
      }
    }
    if (hits.size() == 1) {
      return hits.get(0);
    }
    throw new AdminRefusal(AdminRefusal.Kind.NOT_FOUND, hits.isEmpty()
        ? "no node '" + ref + "' in the cluster"
        : "'" + ref + "' matches " + hits.size() + " nodes; give more of the id");
  }

  private ClusterMap freshMap() {
    ClusterMap m = await(metaClient.read(), "read the cluster map");
    onMap(m);
    return m;
  }

  private ClusterMap propose(MetaEntry entry, String what) {
    ClusterMap after = await(metaClient.propose(entry), what);
    onMap(after);
    return after;
  }

  /**
   * Starts draining a node (admin Leave): its replicas and leadership move away, then it is
   * removed from the map. Idempotent.
   *
   * @throws AdminRefusal NOT_FOUND for an unknown node; FAILED_PRECONDITION when the other up
   *                      nodes cannot hold the replication factor's replicas
   */
  public NodeInfo leave(String ref) {
    ClusterMap m = freshMap();
    NodeInfo n = resolveNode(m, ref);
    if (n.getState() == NodeState.NODE_STATE_LEAVING) {
      return n;
    }
    int others = 0;
    for (NodeInfo o : m.getNodesList()) {
      if (!o.getId().equals(n.getId()) && o.getState() == NodeState.NODE_STATE_UP) {
        others++;
      }
    }
    if (others < m.getReplicationFactor()) {
      throw new AdminRefusal(AdminRefusal.Kind.FAILED_PRECONDITION, "cannot remove node "
          + n.getId() + ": the replication factor is " + m.getReplicationFactor() + " but only "
          + others + " other node" + (others == 1 ? " is" : "s are")
          + " up; add a node or lower the replication factor (set-rf) first");
    }
    propose(MetaEntry.newBuilder().setSetNodeState(SetNodeState.newBuilder()
        .setNode(n.getId()).setState(NodeState.NODE_STATE_LEAVING)).build(), "leave");
    LOG.info("node {} is leaving: draining its replicas", n.getId());
    rebalanceNow();
    return n;
  }

  /**
   * Records a manual move of one replica (admin MoveReplica); the balancer drives it.
   *
   * @return the move's id
   * @throws AdminRefusal when the group, the nodes or the group's state do not allow it
   */
  public long moveReplica(int group, String fromRef, String toRef) {
    ClusterMap m = freshMap();
    if (group < 0 || group >= m.getGroupsCount()) {
      throw new AdminRefusal(AdminRefusal.Kind.NOT_FOUND, "no slot group " + group
          + " (the cluster has " + m.getGroupsCount() + ")");
    }
    SlotGroupInfo g = m.getGroups(group);
    NodeInfo from = resolveNode(m, fromRef);
    NodeInfo to = resolveNode(m, toRef);
    if (!g.getReplicasList().contains(from.getId())) {
      throw new AdminRefusal(AdminRefusal.Kind.FAILED_PRECONDITION, "slot group " + group
          + " has no replica on " + from.getId());
    }
    if (g.getReplicasList().contains(to.getId())) {
      throw new AdminRefusal(AdminRefusal.Kind.FAILED_PRECONDITION, "slot group " + group
          + " already has a replica on " + to.getId());
    }
    if (to.getState() != NodeState.NODE_STATE_UP) {
      throw new AdminRefusal(AdminRefusal.Kind.FAILED_PRECONDITION, "node " + to.getId()
          + " is not up");
    }
    ClusterMap after = propose(MetaEntry.newBuilder().setStartMove(StartMove.newBuilder()
        .setMove(Move.newBuilder().setGroup(group).setAddNode(to.getId())
            .setRemoveNode(from.getId()).setReason("manual")
            .setStartedAtMs(System.currentTimeMillis()))).build(), "move a replica");
    for (Move mv : after.getMovesList()) {
      if (mv.getGroup() == group && mv.getReason().equals("manual")
          && mv.getAddNode().equals(to.getId()) && mv.getRemoveNode().equals(from.getId())) {
        rebalanceNow();
        return mv.getId();
      }
    }
    throw new AdminRefusal(AdminRefusal.Kind.FAILED_PRECONDITION, "slot group " + group
        + " already has a move in progress; try again when it is done");
  }

  /**
   * Makes {@code nodeRef}'s replica the leader of {@code group} (admin TransferLeader).
   *
   * @throws AdminRefusal when the node holds no replica of the group
   * @throws IllegalStateException when Ratis cannot hand over in time
   */
  public void transferLeader(int group, String nodeRef) {
    ClusterMap m = freshMap();
    if (group < 0 || group >= m.getGroupsCount()) {
      throw new AdminRefusal(AdminRefusal.Kind.NOT_FOUND, "no slot group " + group);
    }
    SlotGroupInfo g = m.getGroups(group);
    NodeInfo to = resolveNode(m, nodeRef);
    if (!g.getReplicasList().contains(to.getId())) {
      throw new AdminRefusal(AdminRefusal.Kind.FAILED_PRECONDITION, "node " + to.getId()
          + " holds no replica of slot group " + group + " (replicas: "
          + String.join(", ", g.getReplicasList()) + ")");
    }
    try (org.apache.ratis.client.RaftClient c = raftClients.client(
        RaftSlotGroupRouter.groupId(g), RaftClients.peers(m, g.getReplicasList()))) {
      RaftClientReply r = c.admin().transferLeadership(RaftPeerId.valueOf(to.getId()), 10_000);
      if (!r.isSuccess()) {
        throw new IllegalStateException(String.valueOf(r.getException()));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot transfer the leadership: " + e.getMessage(), e);
    }
  }

  /**
   * Sets the replicas per slot group (admin SetReplicationFactor).
   *
   * @throws AdminRefusal INVALID_ARGUMENT outside 1..{@value #MAX_REPLICATION_FACTOR}
   */
  public void setReplicationFactor(int rf) {
    if (rf < 1 || rf > MAX_REPLICATION_FACTOR) {
      throw new AdminRefusal(AdminRefusal.Kind.INVALID_ARGUMENT,
          "the replication factor must be between 1 and " + MAX_REPLICATION_FACTOR + ", got "
              + rf);
    }
    propose(MetaEntry.newBuilder().setSetReplicationFactor(
        SetReplicationFactor.newBuilder().setReplicationFactor(rf)).build(), "set the replication factor");
    rebalanceNow();
  }

  /**
   * Deletes the cluster state of a stopped node's data dir (every Raft group with its data, and
   * the saved map), keeping its node id: the node then starts as a new one (joining another
   * cluster). Only for a node whose groups hold nothing anyone needs.
   */
  public static void wipeClusterState(Path dataDir) {
    try {
      Files.deleteIfExists(dataDir.resolve(MAP_FILE));
      Files.deleteIfExists(dataDir.resolve(MAP_FILE + ".tmp"));
      Path raft = dataDir.resolve("raft");
      if (Files.exists(raft)) {
        try (var paths = Files.walk(raft)) {
          for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the cluster state in " + dataDir, e);
    }
  }

  private Path mapFile() {
    return config.dataDir().resolve(MAP_FILE);
  }

  private void persistMap(ClusterMap m) {
    if (m != map) {
      return;
    }
    try {
      Path tmp = config.dataDir().resolve(MAP_FILE + ".tmp");
      Files.write(tmp, m.toByteArray());
      Files.move(tmp, mapFile(), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("cannot save the cluster map in {}: {}", config.dataDir(), e.toString());
    }
  }

  private ClusterMap persistedMap() {
    try {
      return Files.exists(mapFile()) ? ClusterMap.parseFrom(Files.readAllBytes(mapFile())) : null;
    } catch (IOException e) {
      throw new IllegalStateException("unreadable cluster map " + mapFile() + ": " + e, e);
    }
  }

  private void startMembershipTasks() {
    scheduler.scheduleWithFixedDelay(() -> runQuietly(this::checkRaftServer), 1000, 1000,
        TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(() -> runQuietly(this::followMap), 500, 500,
        TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(() -> runQuietly(reports::tick), 300, 500,
        TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(() -> runQuietly(placement::tick), 1000, 1000,
        TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(() -> runQuietly(this::checkStaleReplicas), 5000, 5000,
        TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(() -> runQuietly(this::patchLeaders), 100, 100,
        TimeUnit.MILLISECONDS);
    // Probes block on connects, so they get a thread of their own.
    moves.execute(() -> {
      while (!scheduler.isShutdown()) {
        runQuietly(liveness::probe);
        sleep(1000);
      }
    });
  }

  private static void runQuietly(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.debug("membership task failed: {}", e.toString());
    }
  }

  /**
   * Nodes without a meta replica read the map from the meta group; the others get every change
   * applied locally. Also picks up divisions Ratis created for this node since the last pass.
   */
  private void followMap() {
    router.refreshDivisions();
    if (!hostsGroup(META_GROUP_ID) || !localMetaHasLeader()) {
      // A meta replica without a leader may be a stale one (removed while this node was down):
      // only the real meta group can tell it so.
      metaClient.read().thenAccept(this::onMap);
    }
  }

  /**
   * Reads that reach a leader through Ratis's own RPC (the meta group's, from nodes without a
   * meta replica) skip the router, which patches before each read it submits; a new leader is
   * patched here within 100 ms, long before it could have been deposed.
   */
  private void patchLeaders() {
    RaftServer s = server;
    if (s == null || closing) {
      return;
    }
    for (RaftGroupId id : s.getGroupIds()) {
      try {
        RaftServer.Division d = s.getDivision(id);
        if (d.getInfo().isLeader()) {
          FreshReadIndex.patch(d);
        }
      } catch (IOException e) {
        // removed meanwhile: nothing to patch
      }
    }
  }

  /** The meta group's leader as this node's meta replica knows it; null without one. */
  public String metaLeader() {
    try {
      RaftPeerId id = server.getDivision(META_GROUP_ID).getInfo().getLeaderId();
      return id == null ? null : id.toString();
    } catch (IOException e) {
      return null;
    }
  }

  private boolean localMetaHasLeader() {
    try {
      return server.getDivision(META_GROUP_ID).getInfo().getLeaderId() != null;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Deletes local replicas of groups the map no longer lists this node in: what a node finds
   * when it comes back after its replicas were recreated elsewhere, or when a removal's delete
   * could not reach it. Judged on the meta leader's map (linearizable read), and only after
   * {@link #STALE_CHECKS} checks in a row, so a replica being added (its move is recorded before
   * the group is created here) is never taken for stale.
   */
  private void checkStaleReplicas() {
    metaClient.read().thenAccept(fresh -> scheduler.execute(() -> runQuietly(() -> {
      onMap(fresh);
      judgeStale(fresh);
    })));
  }

  private void judgeStale(ClusterMap fresh) {
    if (fresh.getClusterId().isEmpty()) {
      return;
    }
    for (RaftGroupId id : server.getGroupIds()) {
      if (!isStale(fresh, id)) {
        staleChecks.remove(id);
        continue;
      }
      if (staleChecks.merge(id, 1, Integer::sum) < STALE_CHECKS) {
        continue;
      }
      // The map may lag the group by a report: only the group's leader can say this replica
      // is in no configuration (current, or old during a change) and so holds no vote.
      List<String> members = id.equals(META_GROUP_ID) ? fresh.getMetaReplicasList()
          : groupInfo(fresh, id).getReplicasList();
      Optional<Boolean> member =
          raftClients.inLeadersConf(id, RaftClients.peers(fresh, members), nodeId);
      if (member.isEmpty() || member.get()) {
        continue;
      }
      staleChecks.remove(id);
      LOG.info("node {}: deleting its stale replica of {} (the cluster map no longer lists it)",
          nodeId, id.equals(META_GROUP_ID) ? "the meta group" : id);
      loadedAtStart.remove(id);
      try {
        RaftClientReply r = server.groupManagement(GroupManagementRequest.newRemove(
            clientId, self.getId(), callIds.incrementAndGet(), id, true, false));
        if (!r.isSuccess()) {
          LOG.warn("cannot delete stale replica {}: {}", id, r.getException());
        }
      } catch (IOException e) {
        LOG.warn("cannot delete stale replica {}: {}", id, e.toString());
      }
      router.refreshDivisions();
    }
  }

  private static SlotGroupInfo groupInfo(ClusterMap m, RaftGroupId id) {
    for (SlotGroupInfo g : m.getGroupsList()) {
      if (RaftSlotGroupRouter.groupId(g).equals(id)) {
        return g;
      }
    }
    return SlotGroupInfo.getDefaultInstance();
  }

  private boolean isStale(ClusterMap fresh, RaftGroupId id) {
    if (id.equals(META_GROUP_ID)) {
      return !fresh.getMetaReplicasList().isEmpty()
          && !fresh.getMetaReplicasList().contains(nodeId);
    }
    for (SlotGroupInfo g : fresh.getGroupsList()) {
      if (RaftSlotGroupRouter.groupId(g).equals(id)) {
        if (g.getReplicasList().contains(nodeId)) {
          return false;
        }
        // A replica a move is adding is not stale, unless it was here before this process
        // started: then it is a copy from before the node was removed (or a half-added one from
        // before a restart), which the move cannot use; it is replaced by an empty one.
        if (!loadedAtStart.contains(id)) {
          for (Move mv : fresh.getMovesList()) {
            if (mv.getGroup() == g.getIndex() && mv.getAddNode().equals(nodeId)) {
              return false;
            }
          }
        }
        return true;
      }
    }
    return false;
  }

  private void startServer() {
    meta.addListener(this::onMap);
    try {
      server =
          RaftServer.newBuilder()
              .setServerId(RaftPeerId.valueOf(nodeId))
              .setProperties(RaftSettings.of(config, config.dataDir().resolve("raft").toFile()))
              .setStateMachineRegistry(this::stateMachineFor)
              .build();
      router.attach(server);
      server.start();
      server.getGroupIds().forEach(loadedAtStart::add);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the Raft server on port " + config.raftPort()
          + ": " + e.getMessage(), e);
    }
  }

  private org.apache.ratis.statemachine.StateMachine stateMachineFor(RaftGroupId id) {
    if (id.equals(META_GROUP_ID)) {
      return meta;
    }
    SlotGroupStateMachine m = new SlotGroupStateMachine(
        nodeStorage, router::onLeaderChanged, router::keysWritten, router::keyspaceEvents,
        this::storageFailed, downloads);
    router.register(id, m);
    return m;
  }

  private boolean hostsGroup(RaftGroupId id) {
    for (RaftGroupId g : server.getGroupIds()) {
      if (g.equals(id)) {
        return true;
      }
    }
    return false;
  }

  private void bootstrapOrRecover(ClusterJoiner joiner) {
    ClusterMap saved = persistedMap();
    boolean member = saved != null && saved.getNodesCount() > 1;
    if (joiner != null && !member) {
      ClusterMap joined;
      try {
        joined = joiner.join(selfInfo(), saved == null ? "" : saved.getClusterId());
      } catch (ClusterJoiner.Refused e) {
        throw new IllegalStateException(saved == null ? "cannot join: " + e.getMessage()
            : "the data dir belongs to cluster " + saved.getClusterId() + ", and the --join node "
                + "refused it (" + e.getMessage() + "); use an empty --data-dir to join another "
                + "cluster", e);
      } catch (RuntimeException e) {
        if (saved == null) {
          throw new IllegalStateException("cannot join: " + e.getMessage(), e);
        }
        LOG.warn("node {}: cannot reach the --join node ({}); restarting from the saved map",
            nodeId, e.getMessage());
        joined = saved;
      }
      if (saved != null && !saved.getClusterId().equals(joined.getClusterId())) {
        throw new IllegalStateException("the data dir belongs to cluster " + saved.getClusterId()
            + ", but the --join node is in cluster " + joined.getClusterId()
            + "; use an empty --data-dir to join another cluster");
      }
      onMap(joined);
      awaitLocalLeaders(Duration.ofSeconds(5));
      LOG.info("node {}: member of cluster {} ({} nodes)", nodeId, joined.getClusterId(),
          joined.getNodesCount());
      return;
    }
    if (member) {
      // A member of a multi-node cluster restarting: its groups elect with the other nodes,
      // which may still be starting too, so nothing here may wait for a quorum — nor for the
      // --join node (compose and systemd units keep passing it), which may be the one down.
      onMap(saved);
      scheduler.execute(this::announce);
      if (joiner != null) {
        // Not on the scheduler: the call may retry for a minute.
        Thread check = new Thread(() -> checkJoinTarget(joiner, saved.getClusterId()),
            "kvorum-join-check");
        check.setDaemon(true);
        check.start();
      }
      awaitLocalLeaders(Duration.ofSeconds(5));
      LOG.info("node {}: rejoining cluster {} ({} nodes)", nodeId, saved.getClusterId(),
          saved.getNodesCount());
      return;
    }
    if (!hostsGroup(META_GROUP_ID)) {
      LOG.info("node {}: creating a new one-node cluster", nodeId);
      addGroup(RaftGroup.valueOf(META_GROUP_ID, self));
    }
    awaitLeader(META_GROUP_ID, Duration.ofSeconds(30));
    ClusterMap current = await(metaClient.read(), "read the cluster map");
    if (current.getClusterId().isEmpty()) {
      current = await(metaClient.propose(
          MetaEntry.newBuilder().setBootstrap(bootstrapFor(config.slotGroups())).build()),
          "bootstrap");
    }
    onMap(current);
    NodeInfo recorded = findNode(current, nodeId);
    if (recorded == null || !sameAddresses(recorded, selfInfo())) {
      announce();
    }
    List<RaftGroupId> local = new ArrayList<>();
    for (SlotGroupInfo g : map.getGroupsList()) {
      if (g.getReplicasList().contains(nodeId)) {
        RaftGroupId id = RaftSlotGroupRouter.groupId(g);
        if (!hostsGroup(id)) {
          addGroup(RaftGroup.valueOf(id, self));
        }
        local.add(id);
      }
    }
    router.refreshDivisions();
    for (RaftGroupId id : local) {
      awaitLeader(id, Duration.ofSeconds(60));
    }
    LOG.info("node {}: cluster {} ready, {} slot groups", nodeId, map.getClusterId(),
        map.getGroupsCount());
  }

  /** A restarted member still given --join: only says so if that node is in another cluster. */
  private void checkJoinTarget(ClusterJoiner joiner, String clusterId) {
    try {
      ClusterMap theirs = joiner.join(selfInfo(), clusterId);
      if (!theirs.getClusterId().equals(clusterId)) {
        LOG.error("node {}: the --join node is in cluster {}, but this data dir belongs to cluster "
            + "{}; this node stays in its own cluster (use an empty --data-dir to join another)",
            nodeId, theirs.getClusterId(), clusterId);
      }
    } catch (ClusterJoiner.Refused e) {
      LOG.error("node {}: the --join node refused this node ({}); it stays in its own cluster {} "
          + "(use an empty --data-dir to join another)", nodeId, e.getMessage(), clusterId);
    } catch (RuntimeException e) {
      LOG.info("node {}: the --join node did not answer ({}); rejoined from the saved map",
          nodeId, e.getMessage());
    }
  }

  private static boolean sameAddresses(NodeInfo a, NodeInfo b) {
    return a.toBuilder().setJoinedAtMs(0).build().equals(b.toBuilder().setJoinedAtMs(0).build());
  }

  /** Records this node's current addresses in the map; retried until the meta group answers. */
  private void announce() {
    NodeInfo recorded = findNode(map, nodeId);
    NodeInfo me = selfInfo();
    if (recorded != null && sameAddresses(recorded, me)) {
      return;
    }
    NodeInfo updated = me.toBuilder()
        .setJoinedAtMs(recorded == null ? me.getJoinedAtMs() : recorded.getJoinedAtMs()).build();
    metaClient.propose(MetaEntry.newBuilder()
            .setUpsertNode(UpsertNode.newBuilder().setNode(updated)).build())
        .whenComplete((m, e) -> {
          if (e == null) {
            onMap(m);
          } else if (!scheduler.isShutdown()) {
            scheduler.schedule(this::announce, 2, TimeUnit.SECONDS);
          }
        });
  }

  /** Waits a little for the groups this node holds to elect, without failing the start. */
  private void awaitLocalLeaders(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    router.refreshDivisions();
    for (SlotGroupInfo g : map.getGroupsList()) {
      RaftGroupId id = RaftSlotGroupRouter.groupId(g);
      while (hostsGroup(id) && System.nanoTime() < deadline) {
        try {
          if (server.getDivision(id).getInfo().getLeaderId() != null) {
            break;
          }
        } catch (IOException e) {
          break;
        }
        sleep(50);
      }
    }
  }

  private static ClusterMap await(java.util.concurrent.CompletableFuture<ClusterMap> f,
      String what) {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("meta group: cannot " + what + ": "
          + (e.getCause() == null ? e : e.getCause()).toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private NodeInfo selfInfo() {
    return NodeInfo.newBuilder()
        .setId(nodeId)
        .setRespHost(config.respHost())
        .setRespPort(config.respPort())
        .setHasProxyPort(config.hasProxyPort())
        .setRaftAddress(self.getAddress())
        .setAdminAddress(config.adminAddress() == null ? "" : config.adminAddress())
        .setZone(config.zone() == null ? "" : config.zone())
        .setState(NodeState.NODE_STATE_UP)
        .setJoinedAtMs(System.currentTimeMillis())
        .build();
  }

  private static NodeInfo findNode(ClusterMap map, String id) {
    for (NodeInfo n : map.getNodesList()) {
      if (n.getId().equals(id)) {
        return n;
      }
    }
    return null;
  }

  private Bootstrap bootstrapFor(int groups) {
    Bootstrap.Builder b =
        Bootstrap.newBuilder()
            .setClusterId(UUID.randomUUID().toString())
            .setFirstNode(selfInfo())
            .setReplicationFactor(config.replicationFactor())
            .setTimeMs(System.currentTimeMillis());
    for (int i = 0; i < groups; i++) {
      int from = i * HashSlot.COUNT / groups;
      int to = (i + 1) * HashSlot.COUNT / groups - 1;
      UUID uuid = UUID.randomUUID();
      ByteBuffer id = ByteBuffer.allocate(16)
          .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
      b.addGroups(SlotGroupInfo.newBuilder()
          .setIndex(i)
          .setRaftGroupId(ByteString.copyFrom(id.array()))
          .addSlots(SlotRange.newBuilder().setFrom(from).setTo(to))
          .addReplicas(nodeId)
          .setPreferredLeader(nodeId));
    }
    return b.build();
  }

  private void addGroup(RaftGroup group) {
    try {
      RaftClientReply r = server.groupManagement(
          GroupManagementRequest.newAdd(clientId, self.getId(), callIds.incrementAndGet(), group));
      if (!r.isSuccess()) {
        throw new IllegalStateException("cannot create group " + group + ": " + r.getException());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create group " + group, e);
    }
  }

  private void awaitLeader(RaftGroupId id, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        RaftServer.Division d = server.getDivision(id);
        if (d.getInfo().isLeader() ? d.getInfo().isLeaderReady() : d.getInfo().getLeaderId() != null) {
          return;
        }
      } catch (IOException e) {
        // not created yet
      }
      sleep(20);
    }
    throw new IllegalStateException("group " + id + " has no leader after " + timeout);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Fail-stop: a replica whose RocksDB refuses an applied entry has diverged from the log it
   * acknowledged; serving reads from it or acknowledging more writes would lie. The process
   * exits; the group's other replicas keep serving, and a restart on a repaired disk replays the
   * log from the last index the database stored.
   */
  private void storageFailed(StorageException cause) {
    failStop(EXIT_STORAGE_FAILED, "Storage failed (" + cause.getMessage() + "); this node stops "
        + "now so that it neither serves nor acknowledges anything it could not store. Repair the "
        + "disk and restart it on the same data directory.");
  }

  /**
   * Ratis closes its server by itself after a JVM pause longer than its close threshold (the
   * node was frozen: SIGSTOP, swapping, a stuck disk). The gateway would go on answering PING
   * with no Raft behind it and never rejoin; exiting lets a supervisor restart it.
   */
  private void checkRaftServer() {
    RaftServer s = server;
    if (s != null && !closing && s.getLifeCycleState().isClosingOrClosed()) {
      failStop(EXIT_RAFT_CLOSED, "The Raft server closed itself (Ratis does so after a JVM pause "
          + "longer than " + RaftSettings.closeThreshold() + "); this node stops so that it is "
          + "restarted and rejoins, instead of serving clients with no Raft behind it.");
    }
  }

  /** Exits the process with {@code status} after logging why; halts if the orderly exit hangs. */
  private void failStop(int status, String reason) {
    if (!failed.compareAndSet(false, true)) {
      return;
    }
    LOG.error(reason);
    Thread exit = new Thread(() -> {
      // The orderly exit runs the shutdown hook, which closes Ratis, which may wait for the very
      // thread that reported the failure (a group's apply thread); bound it.
      Thread halt = new Thread(() -> {
        try {
          Thread.sleep(FAIL_STOP_HALT_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(status);
      }, "kvorum-fail-stop-halt");
      halt.setDaemon(true);
      halt.start();
      System.exit(status);
    }, "kvorum-fail-stop");
    exit.start();
  }

  /** Stops Ratis (closing every group's store) and releases the shared RocksDB resources. */
  @Override
  public void close() {
    closing = true;
    expiry.stop();
    scheduler.shutdownNow();
    moves.shutdownNow();
    metaClient.close();
    downloads.close();
    if (server != null) {
      try {
        server.close();
      } catch (IOException e) {
        LOG.warn("error while closing the Raft server", e);
      }
    }
    nodeStorage.close();
  }
}
