package io.kvorum.server.admin;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.Move;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.SlotGroupInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The readable lines of WatchEvents: what changed from one cluster map to the next. */
public final class MapChanges {
  private MapChanges() {}

  /** One line per change from {@code before} to {@code after}, in a stable order. */
  public static List<String> describe(ClusterMap before, ClusterMap after) {
    List<String> out = new ArrayList<>();
    Map<String, NodeInfo> old = new HashMap<>();
    for (NodeInfo n : before.getNodesList()) {
      old.put(n.getId(), n);
    }
    for (NodeInfo n : after.getNodesList()) {
      NodeInfo was = old.remove(n.getId());
      if (was == null) {
        out.add("node " + n.getId() + " joined (" + n.getRespHost() + ":" + n.getRespPort() + ")");
      } else if (was.getState() != n.getState()) {
        out.add("node " + n.getId() + " " + state(n));
      }
    }
    for (String gone : old.keySet()) {
      out.add("node " + gone + " removed");
    }
    if (before.getReplicationFactor() != after.getReplicationFactor()) {
      out.add("replication factor " + after.getReplicationFactor());
    }
    if (!before.getMetaReplicasList().equals(after.getMetaReplicasList())) {
      out.add("meta group on " + String.join(",", after.getMetaReplicasList()));
    }
    Map<Long, Move> oldMoves = new HashMap<>();
    for (Move m : before.getMovesList()) {
      oldMoves.put(m.getId(), m);
    }
    for (Move m : after.getMovesList()) {
      if (oldMoves.remove(m.getId()) == null) {
        out.add("move " + m.getId() + " started: " + describe(m));
      }
    }
    for (Move m : oldMoves.values()) {
      out.add("move " + m.getId() + " done: " + describe(m));
    }
    for (SlotGroupInfo g : after.getGroupsList()) {
      SlotGroupInfo was = g.getIndex() < before.getGroupsCount()
          ? before.getGroups(g.getIndex()) : SlotGroupInfo.getDefaultInstance();
      if (!was.getReplicasList().equals(g.getReplicasList())) {
        out.add("group " + g.getIndex() + " replicas " + String.join(",", g.getReplicasList()));
      }
      if (!was.getLeader().equals(g.getLeader())) {
        out.add("group " + g.getIndex() + " leader " + g.getLeader() + " (term "
            + g.getLeaderTerm() + ")");
      }
    }
    return out;
  }

  /** "group 3: n1 -> n4 (balance)". */
  public static String describe(Move m) {
    return "group " + m.getGroup() + ": " + (m.getRemoveNode().isEmpty() ? "-" : m.getRemoveNode())
        + " -> " + (m.getAddNode().isEmpty() ? "-" : m.getAddNode()) + " (" + m.getReason() + ")";
  }

  /** "up", "down", "leaving". */
  public static String state(NodeInfo n) {
    return switch (n.getState()) {
      case NODE_STATE_UP -> "up";
      case NODE_STATE_DOWN -> "down";
      case NODE_STATE_LEAVING -> "leaving";
      default -> n.getState().name().toLowerCase(Locale.ROOT);
    };
  }
}
