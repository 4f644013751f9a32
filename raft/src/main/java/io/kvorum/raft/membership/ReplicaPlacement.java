package io.kvorum.raft.membership;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.EndMove;
import io.kvorum.proto.meta.MetaEntry;
import io.kvorum.proto.meta.MetaReplicas;
import io.kvorum.proto.meta.Move;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.NodeState;
import io.kvorum.proto.meta.RemoveNode;
import io.kvorum.proto.meta.SetNodeState;
import io.kvorum.proto.meta.SlotGroupInfo;
import io.kvorum.proto.meta.StartMove;
import io.kvorum.raft.membership.BalancePlanner.ForgetNode;
import io.kvorum.raft.membership.BalancePlanner.LeaderStep;
import io.kvorum.raft.membership.BalancePlanner.MoveStep;
import io.kvorum.raft.membership.BalancePlanner.Step;
import io.kvorum.raft.route.RaftSlotGroupRouter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The balancer's hands, on the meta leader only: every second it marks nodes down (unreachable
 * for the node-down timeout) or up again, keeps the meta group on 3 or 5 healthy nodes, asks {@link
 * BalancePlanner} for the next steps, records each replica move in the map ({@link Move}) and
 * drives every recorded move to its end. Because moves live in the map, a new meta leader drives
 * the moves its predecessor started; every phase of a move checks the group's committed replicas
 * (as its leader reports them to the map) first, so a resumed move repeats nothing.
 *
 * <p>A move: the target creates the group with an empty configuration (it waits, holding no
 * vote), the group's leader adds it (Ratis catches it up by snapshot + log before the new
 * configuration commits), leadership leaves the replica to remove if it has it, the leader
 * commits the configuration without it, and that node deletes its copy (a down node deletes it
 * when it comes back: see {@code RaftNode}'s stale replica cleanup).
 */
public final class ReplicaPlacement {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaPlacement.class);
  /** Meta group size while the cluster has fewer than 5 nodes: survives one node down. */
  static final int META_REPLICAS = 3;
  /**
   * Meta group size once the cluster has 5 or more nodes (as CockroachDB's system ranges): it
   * survives two nodes down, so a second failure while the first is being healed still leaves a
   * map to heal from. Even sizes tolerate no more failures than the odd size below them.
   */
  static final int META_REPLICAS_LARGE = 5;
  /**
   * How long a move waits for one configuration change to show in the map before asking again
   * (a repeated request while the change is still running is refused as in progress, harmless;
   * one that was lost, e.g. to a leader change, is made again).
   */
  private static final long PHASE_TIMEOUT_MS = 30_000;
  private static final long TRANSFER_TIMEOUT_MS = 30_000;
  /**
   * How long Ratis may hold a leadership transfer open. The group refuses writes meanwhile, so it
   * is short: a reachable, caught-up transferee wins its election within a second or two.
   */
  static final long RATIS_TRANSFER_MS = 3_000;
  /**
   * Leaders are balanced only after no leader changed on its own (an election, not one of our
   * transfers) for this long, and only onto a node that has answered probes for this long. Right
   * after a fault the node that lost its leaders has the fewest and looks like the best target,
   * yet may be the one just cut off; one just back is still catching up its logs, and Ratis
   * holds a transfer (and the group's writes) until the transferee is up to date, for up to
   * {@link #RATIS_TRANSFER_MS}.
   */
  static final long LEADERS_SETTLE_MS = 10_000;
  /** Pause before asking again after a configuration change was refused. */
  private static final long RETRY_MS = 3_000;
  /** A node counts as reachable for new replicas if it answered a probe this recently. */
  private static final long REACHABLE_MS = 3_000;
  private static final int META_STEP = -1;

  private final RaftGroupId metaGroup;
  private final Supplier<ClusterMap> map;
  private final MetaClient meta;
  private final RaftClients clients;
  private final ExecutorService workers;
  private final int maxConcurrentMoves;
  private final PeerLiveness liveness;
  private final long nodeDownTimeoutMs;
  /** Move ids driven by a worker of this node. */
  private final Set<Long> driving = ConcurrentHashMap.newKeySet();
  /** Leadership transfers and the meta step in flight: group index (−1 meta) → deadline. */
  private final Map<Integer, Long> inFlight = new ConcurrentHashMap<>();
  /** Group index → the leader the map showed at the last tick. */
  private final Map<Integer, String> lastLeaders = new HashMap<>();
  /** Group index → the node this balancer last asked to take over its leadership. */
  private final Map<Integer, String> transferTargets = new ConcurrentHashMap<>();
  /** When a leader last changed other than by one of our transfers (ticks are on one thread). */
  private long leadersChangedAt;

  /**
   * @param nodeDownTimeoutMs how long a node must fail every probe before its replicas are
   *                          recreated elsewhere
   */
  public ReplicaPlacement(RaftGroupId metaGroup, Supplier<ClusterMap> map, MetaClient meta,
      RaftClients clients, ExecutorService workers, int maxConcurrentMoves, PeerLiveness liveness,
      long nodeDownTimeoutMs) {
    this.metaGroup = metaGroup;
    this.map = map;
    this.meta = meta;
    this.clients = clients;
    this.workers = workers;
    this.maxConcurrentMoves = maxConcurrentMoves;
    this.liveness = liveness;
    this.nodeDownTimeoutMs = nodeDownTimeoutMs;
  }

  /** Nodes the balancer may give replicas or leadership to now. */
  public Set<String> reachable(ClusterMap m) {
    long now = System.currentTimeMillis();
    Set<String> ids = new HashSet<>();
    for (NodeInfo n : m.getNodesList()) {
      if (liveness.answeredWithin(n.getId(), REACHABLE_MS, now)) {
        ids.add(n.getId());
      }
    }
    return ids;
  }

  /** What the balancer would do next from the current map (admin Rebalance, dry run). */
  public List<Step> plan() {
    ClusterMap m = map.get();
    return BalancePlanner.plan(m, reachable(m), maxConcurrentMoves);
  }

  /** One pass: called periodically on every node; does nothing unless this node leads meta. */
  public void tick() {
    RaftServer.Division metaDivision = meta.localLeader();
    if (metaDivision == null) {
      inFlight.clear();
      lastLeaders.clear();
      return;
    }
    long now = System.currentTimeMillis();
    inFlight.values().removeIf(deadline -> deadline < now);
    ClusterMap m = map.get();
    if (markDownOrUp(m, now)) {
      return;
    }
    Set<String> reachable = reachable(m);
    tendMeta(metaDivision, m, reachable);
    // A frozen node (GC pause, SIGSTOP, stuck disk) still accepts TCP connections, so it may pass
    // `reachable`; but a leadership transfer to it times out, and the group refuses writes while
    // the transfer is pending. Leadership only goes to nodes that answer Raft right now.
    Set<String> silent = silentMetaFollowers(metaDivision);
    boolean leadersSettled = leadersSettled(m, now);
    for (Step step : BalancePlanner.plan(m, reachable, maxConcurrentMoves)) {
      if (step instanceof MoveStep mv) {
        record(mv, now);
      } else if (step instanceof LeaderStep l && leadersSettled && !inFlight.containsKey(l.group())
          && !silent.contains(l.to())
          && liveness.answeringForMs(l.to(), now) >= LEADERS_SETTLE_MS) {
        transfer(m, m.getGroups(l.group()), l.to());
      } else if (step instanceof ForgetNode f) {
        LOG.info("node {} drained: removing it from the cluster map", f.node());
        meta.propose(MetaEntry.newBuilder()
            .setRemoveNode(RemoveNode.newBuilder().setNode(f.node())).build());
      }
    }
    for (Move move : map.get().getMovesList()) {
      if (driving.add(move.getId())) {
        workers.execute(() -> drive(move.getId()));
      }
    }
  }

  /**
   * Whether no group's leader has changed on its own for {@link #LEADERS_SETTLE_MS}: a change to
   * the node one of our transfers named is expected, any other (an election) restarts the wait.
   */
  boolean leadersSettled(ClusterMap m, long now) {
    if (lastLeaders.isEmpty()) {
      leadersChangedAt = now; // a new meta leader first watches a while
    }
    for (SlotGroupInfo g : m.getGroupsList()) {
      String leader = g.getLeader();
      String was = lastLeaders.put(g.getIndex(), leader);
      if (was != null && !was.equals(leader)
          && !leader.equals(transferTargets.remove(g.getIndex()))) {
        leadersChangedAt = now;
      }
    }
    return now - leadersChangedAt >= LEADERS_SETTLE_MS;
  }

  /** Records that {@code node} taking over {@code group} is this balancer's doing. */
  void expectLeader(int group, String node) {
    transferTargets.put(group, node);
  }

  /** Most a meta follower may go without answering this leader before it gets no leadership. */
  static final long SILENT_AFTER_MS = 2000;

  /** Meta replicas whose last answer to this (meta leader) node is older than SILENT_AFTER_MS. */
  private static Set<String> silentMetaFollowers(RaftServer.Division metaDivision) {
    Set<String> silent = new HashSet<>();
    var info = metaDivision.getInfo().getRoleInfoProto();
    if (!info.hasLeaderInfo()) {
      return silent;
    }
    for (var follower : info.getLeaderInfo().getFollowerInfoList()) {
      if (follower.getLastRpcElapsedTimeMs() > SILENT_AFTER_MS) {
        silent.add(follower.getId().getId().toStringUtf8());
      }
    }
    return silent;
  }

  /** Proposes state changes for nodes down too long or back; true if it proposed any. */
  private boolean markDownOrUp(ClusterMap m, long now) {
    boolean changed = false;
    for (NodeInfo n : m.getNodesList()) {
      NodeState to = null;
      if (n.getState() == NodeState.NODE_STATE_UP
          && liveness.unreachableForMs(n.getId(), now) >= nodeDownTimeoutMs) {
        to = NodeState.NODE_STATE_DOWN;
      } else if (n.getState() == NodeState.NODE_STATE_DOWN
          && liveness.answeredWithin(n.getId(), REACHABLE_MS, now)) {
        to = NodeState.NODE_STATE_UP;
      }
      if (to != null) {
        LOG.info("node {} is {}", n.getId(), to == NodeState.NODE_STATE_DOWN
            ? "down (unreachable for " + nodeDownTimeoutMs + " ms): its replicas move elsewhere"
            : "reachable again");
        await(meta.propose(MetaEntry.newBuilder().setSetNodeState(
            SetNodeState.newBuilder().setNode(n.getId()).setState(to)).build()));
        changed = true;
      }
    }
    return changed;
  }

  private void record(MoveStep mv, long now) {
    LOG.info("move of slot group {}: {} -> {} ({})", mv.group(),
        mv.remove().isEmpty() ? "-" : mv.remove(), mv.add().isEmpty() ? "-" : mv.add(),
        mv.reason());
    await(meta.propose(MetaEntry.newBuilder().setStartMove(StartMove.newBuilder().setMove(
        Move.newBuilder().setGroup(mv.group()).setAddNode(mv.add()).setRemoveNode(mv.remove())
            .setReason(mv.reason()).setStartedAtMs(now))).build()));
  }

  private static void await(java.util.concurrent.CompletableFuture<ClusterMap> f) {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("meta group: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Move find(ClusterMap m, long id) {
    for (Move mv : m.getMovesList()) {
      if (mv.getId() == id) {
        return mv;
      }
    }
    return null;
  }

  private static NodeInfo node(ClusterMap m, String id) {
    for (NodeInfo n : m.getNodesList()) {
      if (n.getId().equals(id)) {
        return n;
      }
    }
    return null;
  }

  /** Drives one recorded move to its end while this node leads meta; phases are idempotent. */
  private void drive(long id) {
    try {
      while (meta.localLeader() != null) {
        ClusterMap m = map.get();
        Move mv = find(m, id);
        if (mv == null) {
          return;
        }
        SlotGroupInfo g = m.getGroups(mv.getGroup());
        RaftGroupId group = RaftSlotGroupRouter.groupId(g);
        String add = mv.getAddNode();
        String remove = mv.getRemoveNode();
        if (!add.isEmpty() && !g.getReplicasList().contains(add)) {
          NodeInfo target = node(m, add);
          if (target == null || target.getState() != NodeState.NODE_STATE_UP) {
            end(mv, "its target " + add + " is no longer up");
            return;
          }
          boolean accepted = addReplica(group, m, g.getReplicasList(), target);
          awaitQuietly(() -> !present(id) || groupOf(mv).getReplicasList().contains(add),
              accepted ? PHASE_TIMEOUT_MS : RETRY_MS);
          continue;
        }
        if (!remove.isEmpty() && g.getReplicasList().contains(remove)) {
          if (g.getReplicasCount() == 1) {
            end(mv, "it would remove the group's last replica");
            return;
          }
          if (remove.equals(g.getLeader())) {
            String to = !add.isEmpty() ? add : g.getReplicasList().stream()
                .filter(r -> !r.equals(remove)).findFirst().orElseThrow();
            long wait = TRANSFER_TIMEOUT_MS;
            try {
              transferNow(m, g, to);
            } catch (IOException e) {
              LOG.info("move {}: leadership of slot group {} not moved yet: {}", id,
                  mv.getGroup(), e.toString());
              wait = RETRY_MS; // e.g. the new replica was still catching up: ask again soon
            }
            awaitQuietly(() -> !remove.equals(groupOf(mv).getLeader()), wait);
            continue;
          }
          removeReplica(group, m, g.getReplicasList(), remove);
          awaitQuietly(() -> !present(id) || !groupOf(mv).getReplicasList().contains(remove),
              PHASE_TIMEOUT_MS);
          continue;
        }
        if (!remove.isEmpty()) {
          deleteCopy(group, m, remove);
        }
        end(mv, null);
        return;
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("move {} paused (retried next pass): {}", id, e.toString());
      sleep(1000);
    } finally {
      driving.remove(id);
    }
  }

  private boolean present(long id) {
    return find(map.get(), id) != null;
  }

  private SlotGroupInfo groupOf(Move mv) {
    return map.get().getGroups(mv.getGroup());
  }

  private void end(Move mv, String abandonedBecause) {
    if (abandonedBecause == null) {
      LOG.info("move {} of slot group {} done", mv.getId(), mv.getGroup());
    } else {
      LOG.info("move {} of slot group {} dropped: {}", mv.getId(), mv.getGroup(),
          abandonedBecause);
    }
    await(meta.propose(MetaEntry.newBuilder()
        .setEndMove(EndMove.newBuilder().setId(mv.getId())).build()));
  }

  /**
   * The meta group's size for this map: 5 once the cluster has 5 members (nodes up or down, not
   * leaving), else 3. Counting down nodes too keeps a node that is briefly down from shrinking
   * the group and growing it back when the node returns.
   */
  static int metaTarget(ClusterMap m) {
    long members = m.getNodesList().stream()
        .filter(n -> n.getState() != NodeState.NODE_STATE_LEAVING).count();
    return members >= META_REPLICAS_LARGE ? META_REPLICAS_LARGE : META_REPLICAS;
  }

  /**
   * Keeps the meta group on {@link #metaTarget} up nodes, one replica at a time: replaces a down
   * or leaving replica, grows, shrinks.
   */
  private void tendMeta(RaftServer.Division d, ClusterMap m, Set<String> reachable) {
    if (inFlight.containsKey(META_STEP) || !d.getRaftConf().getPreviousPeers().isEmpty()) {
      return;
    }
    List<String> current = ordered(m, ids(d.getRaftConf().getCurrentPeers()));
    if (!current.equals(m.getMetaReplicasList())) {
      meta.propose(MetaEntry.newBuilder()
          .setMetaReplicas(MetaReplicas.newBuilder().addAllReplicas(current)).build());
      return;
    }
    int target = metaTarget(m);
    String bad = null;
    for (String id : current) {
      NodeInfo n = node(m, id);
      if (n == null || n.getState() != NodeState.NODE_STATE_UP) {
        bad = id;
      }
    }
    NodeInfo spare = null;
    for (NodeInfo n : m.getNodesList()) {
      if (n.getState() == NodeState.NODE_STATE_UP && reachable.contains(n.getId())
          && !current.contains(n.getId())) {
        spare = n;
        break;
      }
    }
    String self = d.getId().toString();
    if (bad != null && bad.equals(self)) {
      // This leader is leaving: hand meta leadership to a healthy replica, which carries on.
      for (String id : current) {
        NodeInfo n = node(m, id);
        if (!id.equals(self) && n != null && n.getState() == NodeState.NODE_STATE_UP) {
          metaStep(() -> {
            try (RaftClient c = clients.client(metaGroup, RaftClients.peers(m, current))) {
              c.admin().transferLeadership(RaftPeerId.valueOf(id), 10_000);
            }
          });
          return;
        }
      }
      return;
    }
    if (spare != null && current.size() < target + (bad == null ? 0 : 1)) {
      // Grow first, then drop the bad replica: the group never shrinks below its size on the way.
      NodeInfo joining = spare;
      metaStep(() -> {
        addReplica(metaGroup, m, current, joining);
        LOG.info("meta group gained a replica on {}", joining.getId());
      });
      return;
    }
    NodeInfo badNode = bad == null ? null : node(m, bad);
    // A down replica without a replacement stays: removing it would not make a quorum easier
    // (2 of 3 either way) and it may come back. A leaving or forgotten one goes, and so does one
    // the group no longer needs.
    String gone = null;
    if (bad != null && current.size() > 1
        && (current.size() > target || badNode == null
            || badNode.getState() == NodeState.NODE_STATE_LEAVING)) {
      gone = bad;
    } else if (current.size() > target) {
      // Shrinking healthy: drop a replica other than this leader's own.
      for (int i = current.size() - 1; i >= 0 && gone == null; i--) {
        if (!current.get(i).equals(self)) {
          gone = current.get(i);
        }
      }
    }
    if (gone != null) {
      String drop = gone;
      metaStep(() -> {
        removeReplica(metaGroup, m, current, drop);
        deleteCopy(metaGroup, m, drop);
        LOG.info("meta group replica on {} removed", drop);
      });
    }
  }

  /** A step of the meta group's own membership, one at a time. */
  private interface MetaStep {
    void run() throws IOException;
  }

  private void metaStep(MetaStep step) {
    inFlight.put(META_STEP, System.currentTimeMillis() + PHASE_TIMEOUT_MS);
    workers.execute(() -> {
      try {
        step.run();
      } catch (IOException | RuntimeException e) {
        LOG.warn("meta group change failed (retried): {}", e.toString());
      } finally {
        inFlight.remove(META_STEP);
      }
    });
  }

  /** Asks the leader of {@code g} to hand over to {@code to} now (blocking, bounded). */
  private void transferNow(ClusterMap m, SlotGroupInfo g, String to) throws IOException {
    if (g.getLeader().isEmpty()) {
      throw new IOException("slot group " + g.getIndex() + " has no known leader");
    }
    // Only to the leader this step was planned for, never retried on another: a transfer the
    // group's next leader carried out seconds later (the client's retries) would hand leadership
    // to a node chosen for conditions that no longer hold.
    try (RaftClient c = clients.oneShotClient(RaftSlotGroupRouter.groupId(g),
        RaftClients.peers(m, g.getReplicasList()), RaftPeerId.valueOf(g.getLeader()))) {
      RaftClientReply r = c.admin().transferLeadership(RaftPeerId.valueOf(to), RATIS_TRANSFER_MS);
      if (!r.isSuccess()) {
        throw new IOException("transfer leadership of slot group " + g.getIndex() + " to " + to
            + ": " + r.getException());
      }
    }
  }

  private void transfer(ClusterMap m, SlotGroupInfo g, String to) {
    inFlight.put(g.getIndex(), System.currentTimeMillis() + TRANSFER_TIMEOUT_MS);
    expectLeader(g.getIndex(), to);
    workers.execute(() -> {
      try {
        transferNow(m, g, to);
        LOG.info("slot group {} leadership moved to {}", g.getIndex(), to);
        waitUntil(() -> to.equals(map.get().getGroups(g.getIndex()).getLeader()),
            TRANSFER_TIMEOUT_MS);
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot move leadership of slot group {} to {}: {}", g.getIndex(), to,
            e.toString());
        transferTargets.remove(g.getIndex(), to);
      } finally {
        inFlight.remove(g.getIndex());
      }
    });
  }

  /**
   * Creates an empty replica of {@code group} on {@code target}, then asks the group's leader to
   * add it as a voter. False if the leader refused (the caller retries soon); true if it
   * accepted or is still catching the new peer up.
   */
  private boolean addReplica(RaftGroupId group, ClusterMap m, List<String> current,
      NodeInfo target) throws IOException {
    RaftPeer peer = RaftClients.peer(target);
    // Already there: a retried request, or an earlier attempt of this move. (A stale copy from
    // before the node was removed is deleted by the node itself; until then the add waits.)
    createEmpty(group, peer);
    try (RaftClient c = clients.client(group, RaftClients.peers(m, current))) {
      RaftClientReply r = c.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
          .setServersInNewConf(List.of(peer)).setMode(SetConfigurationRequest.Mode.ADD).build());
      if (!r.isSuccess()) {
        LOG.info("adding {} to {} refused: {}", target.getId(), group, r.getException());
        return false;
      }
      return true;
    } catch (IOException e) {
      // A big snapshot outlasts the client's timeout while the leader still catches the new
      // peer up; a refusal (leader changing, a change already running) is retried soon.
      boolean running = String.valueOf(e).contains("Timeout")
          || String.valueOf(e).contains("ReconfigurationInProgress");
      LOG.info("adding {} to {}: {}", target.getId(), group, e.toString());
      return running;
    }
  }

  /** Creates {@code group} with an empty configuration on {@code peer}; false if it existed. */
  private boolean createEmpty(RaftGroupId group, RaftPeer peer) throws IOException {
    try (RaftClient c = clients.client(group, List.of(peer))) {
      RaftClientReply r = c.getGroupManagementApi(peer.getId()).add(RaftGroup.valueOf(group));
      if (r.isSuccess()) {
        return true;
      }
      if (String.valueOf(r.getException()).contains("AlreadyExists")) {
        return false;
      }
      throw new IOException("group add on " + peer.getId() + ": " + r.getException());
    } catch (AlreadyExistsException e) {
      return false;
    }
  }

  /** Commits the configuration of {@code group} without {@code gone} (if still unchanged). */
  private void removeReplica(RaftGroupId group, ClusterMap m, List<String> current, String gone)
      throws IOException {
    List<String> next = new ArrayList<>(current);
    next.remove(gone);
    try (RaftClient c = clients.client(group, RaftClients.peers(m, next))) {
      RaftClientReply r = c.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
          .setServersInCurrentConf(RaftClients.peers(m, current))
          .setServersInNewConf(RaftClients.peers(m, next))
          .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build());
      if (!r.isSuccess()) {
        throw new IOException("remove " + gone + ": " + r.getException());
      }
    }
  }

  /** Deletes the removed replica's data on its node, if that node answers now. */
  private void deleteCopy(RaftGroupId group, ClusterMap m, String nodeId) {
    NodeInfo n = node(m, nodeId);
    if (n == null || !liveness.answeredWithin(nodeId, REACHABLE_MS, System.currentTimeMillis())) {
      return;
    }
    RaftPeer peer = RaftClients.peer(n);
    try (RaftClient c = clients.client(group, List.of(peer))) {
      c.getGroupManagementApi(peer.getId()).remove(group, true, false);
    } catch (IOException e) {
      // Not there any more, or unreachable: the node's own stale replica cleanup deletes it.
      LOG.debug("cannot delete {} on {}: {}", group, nodeId, e.toString());
    }
  }

  /** Waits until {@code done} or the timeout; the caller re-checks the map either way. */
  private static void awaitQuietly(Supplier<Boolean> done, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!done.get() && System.currentTimeMillis() < deadline) {
      sleep(100);
    }
  }

  private static void waitUntil(Supplier<Boolean> done, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!done.get()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("timed out after " + timeoutMs + " ms");
      }
      sleep(100);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static Set<String> ids(Collection<RaftPeer> peers) {
    Set<String> ids = new HashSet<>();
    for (RaftPeer p : peers) {
      ids.add(p.getId().toString());
    }
    return ids;
  }

  /** Node ids in the map's node order (join order), so replica lists are stable. */
  static List<String> ordered(ClusterMap m, Set<String> ids) {
    List<String> out = new ArrayList<>();
    for (NodeInfo n : m.getNodesList()) {
      if (ids.contains(n.getId())) {
        out.add(n.getId());
      }
    }
    for (String id : ids) {
      if (!out.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }
}
