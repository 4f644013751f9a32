package io.kvorum.resp.cluster;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.raft.route.ClusterTopology;
import io.kvorum.raft.route.Route;
import io.kvorum.resp.command.GatewayCommand;
import io.kvorum.resp.command.HelpText;
import io.kvorum.resp.command.Invocation;
import io.kvorum.resp.routing.KeyspaceDispatcher;
import io.kvorum.resp.server.Gateway;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * CLUSTER KEYSLOT/INFO/MYID/SLOTS/SHARDS/NODES/COUNTKEYSINSLOT/GETKEYSINSLOT/HELP from the router's
 * topology, in Redis 7.0's formats. Each slot group's Raft leader is the "master" of its slots.
 *
 * <p>On the proxy port the cluster looks like one node, this proxy port, owning every slot whose
 * group has a leader (as Redis Enterprise's proxy presents itself): a cluster-aware client pointed
 * there sends everything to the proxy, which forwards it.
 */
public final class ClusterCommands {
  private ClusterCommands() {}

  public static List<GatewayCommand> table() {
    String nd = "nondeterministic_output";
    return List.of(
        GatewayCommand.container(of("cluster", -2, "", 0, 0, 0, "@slow", "")),
        GatewayCommand.immediate(of("cluster|keyslot", 3, "stale", 0, 0, 0, "@slow", ""),
            c -> Reply.integer(HashSlot.of(c.arg(2)))),
        GatewayCommand.immediate(of("cluster|info", 2, "stale", 0, 0, 0, "@slow", nd),
            ClusterCommands::info),
        GatewayCommand.immediate(of("cluster|myid", 2, "stale", 0, 0, 0, "@slow", ""),
            c -> Reply.bulk(NodeIds.redisId(c.gateway().router().topology().selfId()))),
        GatewayCommand.immediate(of("cluster|slots", 2, "stale", 0, 0, 0, "@slow", nd),
            ClusterCommands::slots),
        GatewayCommand.immediate(of("cluster|shards", 2, "stale", 0, 0, 0, "@slow", nd),
            ClusterCommands::shards),
        GatewayCommand.immediate(of("cluster|nodes", 2, "stale", 0, 0, 0, "@slow", nd),
            ClusterCommands::nodes),
        GatewayCommand.ordered(of("cluster|countkeysinslot", 3, "stale", 0, 0, 0, "@slow", ""),
            ClusterCommands::countKeysInSlot),
        GatewayCommand.ordered(of("cluster|getkeysinslot", 4, "stale", 0, 0, 0, "@slow", nd),
            ClusterCommands::getKeysInSlot),
        GatewayCommand.immediate(of("cluster|help", 2, "loading stale", 0, 0, 0, "@slow", ""),
            c -> HelpText.reply("CLUSTER", HELP)));
  }

  private static final List<String> HELP = List.of(
      "COUNTKEYSINSLOT <slot>",
      "    Return the number of keys in <slot>.",
      "GETKEYSINSLOT <slot> <count>",
      "    Return key names stored by current node in a slot.",
      "INFO",
      "    Return information about the cluster.",
      "KEYSLOT <key>",
      "    Return the hash slot for <key>.",
      "MYID",
      "    Return the node id.",
      "NODES",
      "    Return cluster configuration seen by node. Output format:",
      "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
      "SLOTS",
      "    Return information about slots range mappings. Each range is made of:",
      "    start, end, master and replicas IP addresses, ports and ids",
      "SHARDS",
      "    Return information about slot range mappings and the nodes associated with them.");

  /** A node's client-facing address: this node's announce address, others' from the map. */
  private record Address(String host, int port) {}

  /** The topology a connection is shown, and the address it is told this node has. */
  private record View(ClusterTopology topology, Address self) {}

  private static View view(Invocation c) {
    Gateway gw = c.gateway();
    ClusterTopology t = gw.router().topology();
    if (c.client() != null && c.client().proxy()) {
      return new View(singleEndpoint(t), new Address(gw.announceHost(), gw.boundProxyPort()));
    }
    return new View(t, new Address(gw.announceHost(), gw.announcePort()));
  }

  /**
   * The proxy port's view: this node alone, leading every group that has a leader (a group
   * without one stays out, so its slots show as failing, as on the cluster port).
   */
  static ClusterTopology singleEndpoint(ClusterTopology t) {
    String self = t.selfId();
    List<ClusterTopology.Group> groups = new ArrayList<>(t.groups().size());
    for (ClusterTopology.Group g : t.groups()) {
      groups.add(new ClusterTopology.Group(g.index(), g.slots(), g.leader() == null ? null : self,
          List.of(self)));
    }
    ClusterTopology.Node me = t.node(self);
    List<ClusterTopology.Node> nodes = List.of(me != null ? me
        : new ClusterTopology.Node(self, "", 0, true));
    return new ClusterTopology(self, t.epoch(), nodes, groups);
  }

  private static Address address(View v, String nodeId) {
    if (nodeId.equals(v.topology().selfId())) {
      return v.self();
    }
    ClusterTopology.Node n = v.topology().node(nodeId);
    return n == null ? new Address("", 0) : new Address(n.host(), n.port());
  }

  private static boolean up(ClusterTopology t, String nodeId) {
    if (nodeId.equals(t.selfId())) {
      return true;
    }
    ClusterTopology.Node n = t.node(nodeId);
    return n != null && n.up();
  }

  static Reply info(Invocation c) {
    ClusterTopology t = view(c).topology();
    int assigned = SlotMap.assignedSlots(t);
    int ok = 0;
    Set<String> masters = new HashSet<>();
    for (SlotMap.Range r : SlotMap.ranges(t)) {
      if (up(t, r.leader())) {
        ok += r.to() - r.from() + 1;
        masters.add(r.leader());
      }
    }
    String text = "cluster_state:" + (ok == HashSlot.COUNT ? "ok" : "fail") + "\r\n"
        + "cluster_slots_assigned:" + assigned + "\r\n"
        + "cluster_slots_ok:" + ok + "\r\n"
        + "cluster_slots_pfail:0\r\n"
        + "cluster_slots_fail:" + (assigned - ok) + "\r\n"
        + "cluster_known_nodes:" + t.nodes().size() + "\r\n"
        + "cluster_size:" + masters.size() + "\r\n"
        + "cluster_current_epoch:" + t.epoch() + "\r\n"
        + "cluster_my_epoch:" + t.epoch() + "\r\n"
        + "cluster_stats_messages_sent:0\r\n"
        + "cluster_stats_messages_received:0\r\n"
        + "total_cluster_links_buffer_limit_exceeded:0\r\n";
    return new Reply.Verbatim("txt", text.getBytes(StandardCharsets.UTF_8));
  }

  static Reply slots(Invocation c) {
    View v = view(c);
    ClusterTopology t = v.topology();
    List<Reply> out = new ArrayList<>();
    for (SlotMap.Range r : SlotMap.ranges(t)) {
      List<Reply> entry = new ArrayList<>();
      entry.add(Reply.integer(r.from()));
      entry.add(Reply.integer(r.to()));
      entry.add(slotsNode(v, r.leader()));
      for (String f : r.followers()) {
        if (up(t, f)) {
          entry.add(slotsNode(v, f));
        }
      }
      out.add(new Reply.Array(entry));
    }
    return new Reply.Array(out);
  }

  private static Reply slotsNode(View v, String nodeId) {
    Address a = address(v, nodeId);
    return Reply.array(Reply.bulk(a.host()), Reply.integer(a.port()),
        Reply.bulk(NodeIds.redisId(nodeId)), new Reply.MapReply(List.of()));
  }

  static Reply shards(Invocation c) {
    View v = view(c);
    ClusterTopology t = v.topology();
    // One shard per distinct (leader, replicas): all its ranges, then its nodes.
    Map<List<Object>, List<SlotMap.Range>> shards = new LinkedHashMap<>();
    for (SlotMap.Range r : SlotMap.ranges(t)) {
      shards.computeIfAbsent(List.of(r.leader(), r.followers()), k -> new ArrayList<>()).add(r);
    }
    List<Reply> out = new ArrayList<>();
    for (List<SlotMap.Range> ranges : shards.values()) {
      List<Reply> slots = new ArrayList<>();
      for (SlotMap.Range r : ranges) {
        slots.add(Reply.integer(r.from()));
        slots.add(Reply.integer(r.to()));
      }
      SlotMap.Range first = ranges.get(0);
      List<Reply> nodes = new ArrayList<>();
      nodes.add(shardNode(v, first.leader(), "master"));
      for (String f : first.followers()) {
        nodes.add(shardNode(v, f, "replica"));
      }
      out.add(new Reply.MapReply(List.of(
          Reply.bulk("slots"), new Reply.Array(slots),
          Reply.bulk("nodes"), new Reply.Array(nodes))));
    }
    return new Reply.Array(out);
  }

  private static Reply shardNode(View v, String nodeId, String role) {
    ClusterTopology t = v.topology();
    Address a = address(v, nodeId);
    return new Reply.MapReply(List.of(
        Reply.bulk("id"), Reply.bulk(NodeIds.redisId(nodeId)),
        Reply.bulk("port"), Reply.integer(a.port()),
        Reply.bulk("ip"), Reply.bulk(a.host()),
        Reply.bulk("endpoint"), Reply.bulk(a.host()),
        Reply.bulk("role"), Reply.bulk(role),
        Reply.bulk("replication-offset"), Reply.integer(0),
        Reply.bulk("health"), Reply.bulk(up(t, nodeId) ? "online" : "failed")));
  }

  static Reply nodes(Invocation c) {
    View v = view(c);
    ClusterTopology t = v.topology();
    Map<String, StringBuilder> slotsByNode = new LinkedHashMap<>();
    for (SlotMap.Range r : SlotMap.ranges(t)) {
      StringBuilder sb = slotsByNode.computeIfAbsent(r.leader(), k -> new StringBuilder());
      sb.append(' ').append(r.from());
      if (r.to() != r.from()) {
        sb.append('-').append(r.to());
      }
    }
    List<String> ids = new ArrayList<>();
    ids.add(t.selfId());
    for (ClusterTopology.Node n : t.nodes()) {
      if (!n.id().equals(t.selfId())) {
        ids.add(n.id());
      }
    }
    long now = System.currentTimeMillis();
    StringBuilder out = new StringBuilder();
    for (String id : ids) {
      boolean self = id.equals(t.selfId());
      boolean up = up(t, id);
      Address a = address(v, id);
      out.append(NodeIds.redisId(id)).append(' ')
          .append(a.host()).append(':').append(a.port()).append("@0 ")
          .append(self ? "myself,master" : up ? "master" : "master,fail")
          .append(" - 0 ").append(self || !up ? 0 : now).append(' ')
          .append(t.epoch()).append(' ')
          .append(up ? "connected" : "disconnected");
      StringBuilder slots = slotsByNode.get(id);
      if (slots != null) {
        out.append(slots);
      }
      out.append('\n');
    }
    return new Reply.Verbatim("txt", out.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static int parseSlot(Invocation c, int i, String error) {
    long slot = RedisNumbers.parseLong(c.arg(i));
    if (slot < 0 || slot >= HashSlot.COUNT) {
      throw new RedisError(error);
    }
    return (int) slot;
  }

  static CompletableFuture<Reply> countKeysInSlot(Invocation c) {
    int slot = parseSlot(c, 2, "ERR Invalid slot");
    return inSlot(c, slot, new byte[][] {
        KeyspaceDispatcher.COUNT_KEYS_IN_SLOT.getBytes(StandardCharsets.US_ASCII),
        RedisNumbers.toBytes(slot)}, Reply.ZERO);
  }

  static CompletableFuture<Reply> getKeysInSlot(Invocation c) {
    long slot = RedisNumbers.parseLong(c.arg(2));
    long count = RedisNumbers.parseLong(c.arg(3));
    if (slot < 0 || slot >= HashSlot.COUNT || count < 0) {
      return CompletableFuture.completedFuture(
          new Reply.Error("ERR Invalid slot or number of keys"));
    }
    return inSlot(c, (int) slot, new byte[][] {
        KeyspaceDispatcher.GET_KEYS_IN_SLOT.getBytes(StandardCharsets.US_ASCII),
        RedisNumbers.toBytes(slot), RedisNumbers.toBytes(count)}, Reply.EMPTY_ARRAY);
  }

  /**
   * Reads a slot's keys where this node leads its group; like Redis, other slots look empty. On
   * the proxy port, which owns every slot, any slot's (forwarded to its leader).
   */
  private static CompletableFuture<Reply> inSlot(Invocation c, int slot, byte[][] call, Reply none) {
    Gateway gw = c.gateway();
    int group = gw.router().groupOf(slot);
    if (c.client() != null && c.client().proxy()) {
      return gw.proxy().read(group, slot, call, c.resp3());
    }
    if (!(gw.router().route(group) instanceof Route.Local)) {
      return CompletableFuture.completedFuture(none);
    }
    return gw.dispatcher().read(group, slot, call, c.resp3());
  }
}
