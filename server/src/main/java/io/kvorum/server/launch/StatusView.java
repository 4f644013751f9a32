package io.kvorum.server.launch;

import io.kvorum.proto.admin.GroupStatus;
import io.kvorum.proto.admin.NodeTransfer;
import io.kvorum.proto.admin.StatusReply;
import io.kvorum.proto.meta.Move;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.SlotRange;
import io.kvorum.server.admin.MapChanges;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kvorum admin status} output: a table for people, or one JSON object whose field names
 * scripts rely on: {@code nodes[].id/resp/admin/state/zone/replicas/leaders/meta/
 * snapshot_bytes_sent} (null for a node that did not answer),
 * {@code groups[].id/slots/replicas/leader/term/applied_index/size_on_disk/keys}, plus
 * {@code cluster_id}, {@code epoch}, {@code replication_factor}, {@code meta_leader},
 * {@code moves[].id/group/from/to/reason}.
 */
final class StatusView {
  private StatusView() {}

  /** Replicas held per node id (every node of the map, zero included), in map order. */
  static Map<String, Integer> replicasPerNode(StatusReply s) {
    Map<String, Integer> c = new LinkedHashMap<>();
    for (NodeInfo n : s.getNodesList()) {
      c.put(n.getId(), 0);
    }
    for (GroupStatus g : s.getGroupsList()) {
      for (String r : g.getReplicasList()) {
        c.merge(r, 1, Integer::sum);
      }
    }
    return c;
  }

  /** Snapshot bytes sent per node id, for the nodes that answered. */
  static Map<String, Long> sent(StatusReply s) {
    Map<String, Long> c = new LinkedHashMap<>();
    for (NodeTransfer t : s.getTransfersList()) {
      c.put(t.getNodeId(), t.getSnapshotBytesSent());
    }
    return c;
  }

  /** Groups led per node id, in map order. */
  static Map<String, Integer> leadersPerNode(StatusReply s) {
    Map<String, Integer> c = new LinkedHashMap<>();
    for (NodeInfo n : s.getNodesList()) {
      c.put(n.getId(), 0);
    }
    for (GroupStatus g : s.getGroupsList()) {
      if (!g.getLeader().isEmpty()) {
        c.merge(g.getLeader(), 1, Integer::sum);
      }
    }
    return c;
  }

  static String table(StatusReply s) {
    StringBuilder b = new StringBuilder();
    b.append("cluster ").append(s.getClusterId()).append(", epoch ").append(s.getEpoch())
        .append(", replication factor ").append(s.getReplicationFactor()).append(", ")
        .append(s.getGroupsCount()).append(" slot groups\n\n");
    Map<String, Integer> replicas = replicasPerNode(s);
    Map<String, Integer> leaders = leadersPerNode(s);
    List<String[]> rows = new ArrayList<>();
    Map<String, Long> sent = sent(s);
    rows.add(new String[] {"NODE", "STATE", "RESP", "ADMIN", "ZONE", "REPLICAS", "LEADERS",
        "META", "SNAPSHOTS SENT"});
    for (NodeInfo n : s.getNodesList()) {
      Long bytes = sent.get(n.getId());
      rows.add(new String[] {n.getId(), MapChanges.state(n), n.getRespHost() + ":"
          + n.getRespPort(), n.getAdminAddress(), n.getZone().isEmpty() ? "-" : n.getZone(),
          String.valueOf(replicas.get(n.getId())), String.valueOf(leaders.get(n.getId())),
          s.getMetaReplicasList().contains(n.getId()) ? "yes" : "",
          bytes == null ? "?" : Progress.bytes(bytes)});
    }
    columns(b, rows);
    b.append('\n').append(balance(s)).append('\n');
    if (s.getMovesCount() > 0) {
      b.append(s.getMovesCount()).append(" moves in progress:\n");
      for (Move m : s.getMovesList()) {
        b.append("  move ").append(m.getId()).append(' ').append(MapChanges.describe(m))
            .append('\n');
      }
    }
    b.append('\n');
    rows.clear();
    rows.add(new String[] {"GROUP", "SLOTS", "LEADER", "TERM", "APPLIED", "KEYS", "SIZE",
        "REPLICAS"});
    for (GroupStatus g : s.getGroupsList()) {
      List<String> ranges = new ArrayList<>();
      for (SlotRange r : g.getSlotsList()) {
        ranges.add(r.getFrom() + "-" + r.getTo());
      }
      rows.add(new String[] {String.valueOf(g.getIndex()), String.join(",", ranges),
          g.getLeader().isEmpty() ? "(none)" : shortId(g.getLeader()),
          String.valueOf(g.getTerm()), String.valueOf(g.getAppliedIndex()),
          String.valueOf(g.getKeys()), String.valueOf(g.getSizeOnDisk()),
          String.join(",", g.getReplicasList().stream().map(StatusView::shortId).toList())});
    }
    columns(b, rows);
    return b.toString();
  }

  /** The first 8 characters of a node id: enough to tell nodes apart in the group table. */
  static String shortId(String id) {
    return id.length() > 8 ? id.substring(0, 8) : id;
  }

  /** "balance: replicas per node 9..10, leaders per node 3..4: balanced". */
  static String balance(StatusReply s) {
    List<Integer> r = new ArrayList<>();
    List<Integer> l = new ArrayList<>();
    Map<String, Integer> replicas = replicasPerNode(s);
    Map<String, Integer> leaders = leadersPerNode(s);
    for (NodeInfo n : s.getNodesList()) {
      if (MapChanges.state(n).equals("up")) {
        r.add(replicas.get(n.getId()));
        l.add(leaders.get(n.getId()));
      }
    }
    if (r.isEmpty()) {
      return "balance: no node is up";
    }
    int rMin = Collections.min(r);
    int rMax = Collections.max(r);
    int lMin = Collections.min(l);
    int lMax = Collections.max(l);
    boolean balanced = rMax - rMin <= 1 && lMax - lMin <= 1 && s.getMovesCount() == 0;
    return "balance: replicas per up node " + rMin + ".." + rMax + ", leaders per up node "
        + lMin + ".." + lMax + ": " + (balanced ? "balanced" : "not balanced yet");
  }

  private static void columns(StringBuilder b, List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(width[i] - row[i].length() + 2));
        }
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
  }

  static String json(StatusReply s) {
    Map<String, Integer> replicas = replicasPerNode(s);
    Map<String, Integer> leaders = leadersPerNode(s);
    StringBuilder b = new StringBuilder("{");
    field(b, "cluster_id", str(s.getClusterId())).append(',');
    field(b, "epoch", String.valueOf(s.getEpoch())).append(',');
    field(b, "replication_factor", String.valueOf(s.getReplicationFactor())).append(',');
    field(b, "meta_leader", str(s.getMetaLeader())).append(',');
    List<String> nodes = new ArrayList<>();
    for (NodeInfo n : s.getNodesList()) {
      StringBuilder o = new StringBuilder("{");
      field(o, "id", str(n.getId())).append(',');
      field(o, "resp", str(n.getRespHost() + ":" + n.getRespPort())).append(',');
      field(o, "admin", str(n.getAdminAddress())).append(',');
      field(o, "raft", str(n.getRaftAddress())).append(',');
      field(o, "state", str(MapChanges.state(n))).append(',');
      field(o, "zone", str(n.getZone())).append(',');
      field(o, "replicas", String.valueOf(replicas.get(n.getId()))).append(',');
      field(o, "leaders", String.valueOf(leaders.get(n.getId()))).append(',');
      field(o, "meta", String.valueOf(s.getMetaReplicasList().contains(n.getId()))).append(',');
      Long sent = sent(s).get(n.getId());
      field(o, "snapshot_bytes_sent", sent == null ? "null" : String.valueOf(sent));
      nodes.add(o.append('}').toString());
    }
    field(b, "nodes", "[" + String.join(",", nodes) + "]").append(',');
    List<String> groups = new ArrayList<>();
    for (GroupStatus g : s.getGroupsList()) {
      StringBuilder o = new StringBuilder("{");
      field(o, "id", String.valueOf(g.getIndex())).append(',');
      List<String> ranges = new ArrayList<>();
      for (SlotRange r : g.getSlotsList()) {
        ranges.add("[" + r.getFrom() + "," + r.getTo() + "]");
      }
      field(o, "slots", "[" + String.join(",", ranges) + "]").append(',');
      field(o, "replicas", strings(g.getReplicasList())).append(',');
      field(o, "leader", str(g.getLeader())).append(',');
      field(o, "term", String.valueOf(g.getTerm())).append(',');
      field(o, "applied_index", String.valueOf(g.getAppliedIndex())).append(',');
      field(o, "size_on_disk", String.valueOf(g.getSizeOnDisk())).append(',');
      field(o, "keys", String.valueOf(g.getKeys()));
      groups.add(o.append('}').toString());
    }
    field(b, "groups", "[" + String.join(",", groups) + "]").append(',');
    List<String> moves = new ArrayList<>();
    for (Move m : s.getMovesList()) {
      StringBuilder o = new StringBuilder("{");
      field(o, "id", String.valueOf(m.getId())).append(',');
      field(o, "group", String.valueOf(m.getGroup())).append(',');
      field(o, "from", str(m.getRemoveNode())).append(',');
      field(o, "to", str(m.getAddNode())).append(',');
      field(o, "reason", str(m.getReason()));
      moves.add(o.append('}').toString());
    }
    field(b, "moves", "[" + String.join(",", moves) + "]");
    return b.append("}\n").toString();
  }

  private static StringBuilder field(StringBuilder b, String name, String json) {
    return b.append(str(name)).append(':').append(json);
  }

  private static String strings(List<String> values) {
    List<String> quoted = new ArrayList<>();
    for (String v : values) {
      quoted.add(str(v));
    }
    return "[" + String.join(",", quoted) + "]";
  }

  /** A JSON string literal. */
  static String str(String v) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : v.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
