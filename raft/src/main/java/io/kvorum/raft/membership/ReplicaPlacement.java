package io.kvorum.raft.membership;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.MetaEntry;
import io.kvorum.proto.meta.MetaReplicas;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.NodeState;
import io.kvorum.proto.meta.SlotGroupInfo;
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
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Grows replication as nodes join, on the meta leader only: the meta group up to 3 replicas and
 * every slot group up to {@code min(RF, nodes)}, one replica at a time per group, then spreads
 * group leadership evenly over the nodes. Each step is idempotent and derived from the map and
 * the groups' own Raft configurations, so a new meta leader simply carries on.
 *
 * <p>Adding a replica: the target node creates the group with an empty configuration (it waits,
 * holding no vote), then the group's leader commits the configuration that includes it; Ratis
 * brings it up to date by snapshot (RocksDB checkpoint) and log.
 */
public final class ReplicaPlacement {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaPlacement.class);
  /** Meta group size once enough nodes exist: survives one node down, cheap to commit to. */
  static final int META_REPLICAS = 3;
  private static final long MOVE_TIMEOUT_MS = 120_000;

  private final RaftGroupId metaGroup;
  private final Supplier<RaftServer> server;
  private final Supplier<ClusterMap> map;
  private final MetaClient meta;
  private final RaftClients clients;
  private final ExecutorService workers;
  private final int maxConcurrentMoves;
  private final Predicate<String> reachable;
  /** Group index (−1 for meta, −1000−index for a leader transfer) → deadline of the step. */
  private final Map<Integer, Long> inFlight = new ConcurrentHashMap<>();

  public ReplicaPlacement(RaftGroupId metaGroup, Supplier<RaftServer> server,
      Supplier<ClusterMap> map, MetaClient meta, RaftClients clients, ExecutorService workers,
      int maxConcurrentMoves, Predicate<String> reachable) {
    this.reachable = reachable;
    this.metaGroup = metaGroup;
    this.server = server;
    this.map = map;
    this.meta = meta;
    this.clients = clients;
    this.workers = workers;
    this.maxConcurrentMoves = maxConcurrentMoves;
  }

  /** One pass: called periodically on every node; does nothing unless this node leads meta. */
  public void tick() {
    RaftServer.Division metaDivision = meta.localLeader();
    if (metaDivision == null) {
      inFlight.clear();
      return;
    }
    long now = System.currentTimeMillis();
    inFlight.values().removeIf(deadline -> deadline < now);
    ClusterMap m = map.get();
    // A node this one cannot reach gets no new replica or leadership until it answers again.
    List<NodeInfo> up = upNodes(m).stream().filter(n -> reachable.test(n.getId())).toList();
    if (up.isEmpty()) {
      return;
    }
    growMeta(metaDivision, m, up);
    boolean growing = growGroups(m, up);
    if (!growing && moves() == 0 && !inFlight.containsKey(-1)) {
      // A frozen node (GC pause, SIGSTOP, stuck disk) still accepts TCP connections, so it passes
      // `reachable`; but a leadership transfer to it times out, and the group refuses writes while
      // the transfer is pending. Leadership only goes to nodes that answer Raft right now.
      Set<String> silent = silentMetaFollowers(metaDivision);
      spreadLeaders(m, up.stream().filter(n -> !silent.contains(n.getId())).toList());
    }
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

  static List<NodeInfo> upNodes(ClusterMap m) {
    List<NodeInfo> up = new ArrayList<>();
    for (NodeInfo n : m.getNodesList()) {
      if (n.getState() == NodeState.NODE_STATE_UP) {
        up.add(n);
      }
    }
    return up;
  }

  private void growMeta(RaftServer.Division d, ClusterMap m, List<NodeInfo> up) {
    if (inFlight.containsKey(-1) || !d.getRaftConf().getPreviousPeers().isEmpty()) {
      return;
    }
    List<String> current = ordered(m, ids(d.getRaftConf().getCurrentPeers()));
    if (!current.equals(m.getMetaReplicasList())) {
      proposeMetaReplicas(current);
      return;
    }
    if (current.size() >= Math.min(META_REPLICAS, up.size())) {
      return;
    }
    NodeInfo target = up.stream().filter(n -> !current.contains(n.getId())).findFirst()
        .orElse(null);
    if (target == null) {
      return;
    }
    List<String> next = new ArrayList<>(current);
    next.add(target.getId());
    inFlight.put(-1, System.currentTimeMillis() + MOVE_TIMEOUT_MS);
    workers.execute(() -> {
      try {
        addReplica(metaGroup, m, current, target);
        proposeMetaReplicas(next);
        LOG.info("meta group now on {}", next);
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot add node {} to the meta group: {}", target.getId(), e.toString());
      } finally {
        inFlight.remove(-1);
      }
    });
  }

  private void proposeMetaReplicas(List<String> replicas) {
    meta.propose(MetaEntry.newBuilder()
        .setMetaReplicas(MetaReplicas.newBuilder().addAllReplicas(replicas)).build());
  }

  /** Starts adding replicas where groups have too few; true while any group is short. */
  private boolean growGroups(ClusterMap m, List<NodeInfo> up) {
    int rf = Math.min(Math.max(1, m.getReplicationFactor()), up.size());
    Map<String, Integer> load = new HashMap<>();
    for (NodeInfo n : up) {
      load.put(n.getId(), 0);
    }
    for (SlotGroupInfo g : m.getGroupsList()) {
      for (String r : g.getReplicasList()) {
        load.computeIfPresent(r, (k, v) -> v + 1);
      }
    }
    boolean short_ = false;
    for (SlotGroupInfo g : m.getGroupsList()) {
      if (g.getReplicasCount() >= rf) {
        continue;
      }
      short_ = true;
      if (inFlight.containsKey(g.getIndex()) || moves() >= maxConcurrentMoves) {
        continue;
      }
      NodeInfo target = null;
      for (NodeInfo n : up) {
        if (!g.getReplicasList().contains(n.getId())
            && (target == null || load.get(n.getId()) < load.get(target.getId()))) {
          target = n;
        }
      }
      if (target == null) {
        continue;
      }
      load.merge(target.getId(), 1, Integer::sum);
      NodeInfo to = target;
      inFlight.put(g.getIndex(), System.currentTimeMillis() + MOVE_TIMEOUT_MS);
      workers.execute(() -> {
        try {
          addReplica(RaftSlotGroupRouter.groupId(g), m, g.getReplicasList(), to);
          LOG.info("slot group {} gained a replica on {}", g.getIndex(), to.getId());
          // The group's leader reports the new configuration to the map; until the map shows
          // it, the step stays in flight so it is not started twice.
          waitUntil(() -> map.get().getGroups(g.getIndex()).getReplicasList().contains(to.getId()));
        } catch (IOException | RuntimeException e) {
          LOG.warn("cannot add a replica of slot group {} on {}: {}", g.getIndex(), to.getId(),
              e.toString());
        } finally {
          inFlight.remove(g.getIndex());
        }
      });
    }
    return short_;
  }

  private int moves() {
    int n = 0;
    for (Integer k : inFlight.keySet()) {
      if (k >= 0) {
        n++;
      }
    }
    return n;
  }

  /**
   * Moves leadership from nodes leading the most groups to those leading the fewest, a few groups
   * at a time, until every node leads within one group of the others.
   */
  private void spreadLeaders(ClusterMap m, List<NodeInfo> up) {
    Map<String, Integer> leaders = new HashMap<>();
    for (NodeInfo n : up) {
      leaders.put(n.getId(), 0);
    }
    for (SlotGroupInfo g : m.getGroupsList()) {
      if (g.getLeader().isEmpty()) {
        return;
      }
      leaders.computeIfPresent(g.getLeader(), (k, v) -> v + 1);
    }
    Set<Integer> planned = new HashSet<>();
    while (transfers() + planned.size() < maxConcurrentMoves) {
      String most = null;
      String fewest = null;
      for (NodeInfo n : up) {
        String id = n.getId();
        if (most == null || leaders.get(id) > leaders.get(most)) {
          most = id;
        }
        if (fewest == null || leaders.get(id) < leaders.get(fewest)) {
          fewest = id;
        }
      }
      if (leaders.get(most) - leaders.get(fewest) <= 1) {
        return;
      }
      SlotGroupInfo pick = null;
      for (SlotGroupInfo g : m.getGroupsList()) {
        if (g.getLeader().equals(most) && g.getReplicasList().contains(fewest)
            && !planned.contains(g.getIndex()) && !inFlight.containsKey(transferKey(g))) {
          pick = g;
          break;
        }
      }
      if (pick == null) {
        return;
      }
      planned.add(pick.getIndex());
      leaders.merge(most, -1, Integer::sum);
      leaders.merge(fewest, 1, Integer::sum);
      transfer(m, pick, fewest);
    }
  }

  /** In-flight key of a leadership transfer (negative: never a group index or the meta step). */
  private static int transferKey(SlotGroupInfo g) {
    return -1000 - g.getIndex();
  }

  private int transfers() {
    int n = 0;
    for (Integer k : inFlight.keySet()) {
      if (k <= -1000) {
        n++;
      }
    }
    return n;
  }

  private void transfer(ClusterMap m, SlotGroupInfo g, String to) {
    inFlight.put(transferKey(g), System.currentTimeMillis() + MOVE_TIMEOUT_MS);
    workers.execute(() -> {
      try (RaftClient c = clients.client(RaftSlotGroupRouter.groupId(g),
          RaftClients.peers(m, g.getReplicasList()))) {
        RaftClientReply r = c.admin().transferLeadership(RaftPeerId.valueOf(to), 10_000);
        if (!r.isSuccess()) {
          throw new IOException(String.valueOf(r.getException()));
        }
        LOG.info("slot group {} leadership moved to {}", g.getIndex(), to);
        waitUntil(() -> to.equals(map.get().getGroups(g.getIndex()).getLeader()));
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot move leadership of slot group {} to {}: {}", g.getIndex(), to,
            e.toString());
      } finally {
        inFlight.remove(transferKey(g));
      }
    });
  }

  /** Creates an empty replica of {@code group} on {@code target}, then adds it as a voter. */
  private void addReplica(RaftGroupId group, ClusterMap m, List<String> current, NodeInfo target)
      throws IOException {
    RaftPeer peer = RaftClients.peer(target);
    try (RaftClient c = clients.client(group, List.of(peer))) {
      RaftClientReply r = c.getGroupManagementApi(peer.getId()).add(RaftGroup.valueOf(group));
      if (!r.isSuccess() && !String.valueOf(r.getException()).contains("AlreadyExists")) {
        throw new IOException("group add on " + target.getId() + ": " + r.getException());
      }
    } catch (AlreadyExistsException e) {
      // a previous attempt created it; the configuration change below is what counts
    }
    List<RaftPeer> peers = new ArrayList<>(RaftClients.peers(m, current));
    try (RaftClient c = clients.client(group, peers)) {
      peers.add(peer);
      RaftClientReply r = c.admin().setConfiguration(peers);
      if (!r.isSuccess()) {
        throw new IOException("setConfiguration: " + r.getException());
      }
    }
  }

  private static void waitUntil(Supplier<Boolean> done) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!done.get() && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
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
