package io.kvorum.raft.membership;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.GroupReport;
import io.kvorum.proto.meta.MetaEntry;
import io.kvorum.proto.meta.SlotGroupInfo;
import io.kvorum.raft.route.RaftSlotGroupRouter;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;

/**
 * Keeps the map's view of each slot group true: every group this node leads reports its leader,
 * term and committed replicas to the meta group whenever the map disagrees. Nodes holding no
 * replica of a group route its clients by this report.
 */
public final class LeaderReports {
  private final String selfId;
  private final Supplier<RaftServer> server;
  private final Supplier<ClusterMap> map;
  private final MetaClient meta;
  private final Set<Integer> pending = ConcurrentHashMap.newKeySet();

  public LeaderReports(String selfId, Supplier<RaftServer> server, Supplier<ClusterMap> map,
      MetaClient meta) {
    this.selfId = selfId;
    this.server = server;
    this.map = map;
    this.meta = meta;
  }

  /** Reports every led group whose map entry is out of date; cheap when nothing changed. */
  public void tick() {
    RaftServer s = server.get();
    ClusterMap m = map.get();
    if (s == null) {
      return;
    }
    for (SlotGroupInfo g : m.getGroupsList()) {
      RaftServer.Division d;
      try {
        d = s.getDivision(RaftSlotGroupRouter.groupId(g));
      } catch (IOException e) {
        continue;
      }
      DivisionInfo info = d.getInfo();
      if (!info.isLeader() || !info.isLeaderReady()
          || !d.getRaftConf().getPreviousPeers().isEmpty()) {
        continue;
      }
      Set<String> ids = new HashSet<>();
      for (RaftPeer p : d.getRaftConf().getCurrentPeers()) {
        ids.add(p.getId().toString());
      }
      List<String> replicas = ReplicaPlacement.ordered(m, ids);
      long term = info.getCurrentTerm();
      if (g.getLeader().equals(selfId) && g.getLeaderTerm() == term
          && g.getReplicasList().equals(replicas)) {
        continue;
      }
      if (!pending.add(g.getIndex())) {
        continue;
      }
      meta.propose(MetaEntry.newBuilder().setGroupReport(GroupReport.newBuilder()
              .setIndex(g.getIndex()).setLeader(selfId).setTerm(term).addAllReplicas(replicas))
              .build())
          .whenComplete((r, e) -> pending.remove(g.getIndex()));
    }
  }
}
