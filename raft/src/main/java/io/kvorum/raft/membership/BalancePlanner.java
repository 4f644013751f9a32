package io.kvorum.raft.membership;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.Move;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.NodeState;
import io.kvorum.proto.meta.SlotGroupInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The balancer's brain, a pure function: cluster map (with the moves already in progress) and
 * the nodes the meta leader can reach now → the next bounded steps toward the goal state.
 *
 * <p>Goal: every slot group has {@code min(RF, up or down nodes)} replicas, on up nodes only, in distinct
 * zones where enough zones exist; replica counts per node within one of each other; leaders per
 * node within one of each other. Rules are tried in this order, each group taking at most one
 * move at a time and at most {@code maxMoves} moves running in the whole cluster:
 *
 * <ol>
 *   <li>drain: a replica on a down or leaving node (or a node no longer in the map) is replaced
 *       on another node; without one, a leaving node's replica is just removed when the group
 *       has enough replicas without it (a down node's stays);
 *   <li>repair: a group short of replicas gains one;
 *   <li>shrink: a group with more replicas than the goal (replication factor lowered) loses one;
 *   <li>zone: a group with two replicas in one zone moves one to an unused zone;
 *   <li>balance: a replica moves from the fullest node to the emptiest while they differ by more
 *       than one (never making a group's zones less diverse);
 *   <li>leaders, only when no move runs or is planned: leadership moves from the node leading
 *       the most groups to one leading the fewest while they differ by more than one;
 *   <li>forget: a leaving node that holds nothing any more is removed from the map.
 * </ol>
 *
 * <p>A node that is up in the map but unreachable right now is neither drained (that waits for
 * the node-down timeout) nor given anything.
 */
public final class BalancePlanner {
  private BalancePlanner() {}

  /** One step of the plan. */
  public sealed interface Step permits MoveStep, LeaderStep, ForgetNode {}

  /**
   * Adds a replica of {@code group} on {@code add} (empty: none), then removes the one on
   * {@code remove} (empty: none); recorded in the map as a {@link Move} before it runs.
   */
  public record MoveStep(int group, String add, String remove, String reason) implements Step {}

  /** Makes {@code to} the leader of {@code group}; derived afresh each time, never recorded. */
  public record LeaderStep(int group, String from, String to) implements Step {}

  /** Removes a drained leaving node from the map. */
  public record ForgetNode(String node) implements Step {}

  /**
   * The next steps from {@code map}.
   *
   * @param reachable nodes the meta leader can reach now (targets must be among them)
   * @param maxMoves  replica moves allowed to run at once (those in the map count)
   */
  public static List<Step> plan(ClusterMap map, Set<String> reachable, int maxMoves) {
    return new Pass(map, reachable, maxMoves).run();
  }

  /**
   * Replicas each group should have: {@code min(RF, nodes up or down)}, at least 1. A down node
   * counts: it may come back, and the group should not shrink meanwhile; a leaving one does not.
   */
  public static int replicasGoal(ClusterMap map) {
    int nodes = 0;
    for (NodeInfo n : map.getNodesList()) {
      if (n.getState() == NodeState.NODE_STATE_UP || n.getState() == NodeState.NODE_STATE_DOWN) {
        nodes++;
      }
    }
    return Math.max(1, Math.min(Math.max(1, map.getReplicationFactor()), nodes));
  }

  /** The replicas of {@code g} once its move in progress (if any) is done. */
  static List<String> projected(SlotGroupInfo g, Move move) {
    List<String> r = new ArrayList<>(g.getReplicasList());
    if (move != null) {
      if (!move.getAddNode().isEmpty() && !r.contains(move.getAddNode())) {
        r.add(move.getAddNode());
      }
      r.remove(move.getRemoveNode());
    }
    return r;
  }

  /** The state of one planning pass. */
  private static final class Pass {
    private final ClusterMap map;
    private final int maxMoves;
    private final int goal;
    /** Node id → zone, for every node in the map, in map order. */
    private final Map<String, String> zones = new LinkedHashMap<>();
    /** Up and reachable nodes: the only ones that may receive replicas or leadership. */
    private final List<String> eligible = new ArrayList<>();
    /** Nodes whose replicas must go: down, leaving. */
    private final Set<String> draining = new HashSet<>();
    private final Set<String> down = new HashSet<>();
    /** Replica count per eligible node, after the moves in progress and those planned. */
    private final Map<String, Integer> load = new HashMap<>();
    /** Group index → replicas after the moves in progress and those planned. */
    private final Map<Integer, List<String>> replicas = new HashMap<>();
    private final Set<Integer> busy = new HashSet<>();
    private final List<Step> steps = new ArrayList<>();
    private int slots;

    Pass(ClusterMap map, Set<String> reachable, int maxMoves) {
      this.map = map;
      this.maxMoves = maxMoves;
      this.goal = replicasGoal(map);
      for (NodeInfo n : map.getNodesList()) {
        zones.put(n.getId(), n.getZone());
        if (n.getState() == NodeState.NODE_STATE_UP && reachable.contains(n.getId())) {
          eligible.add(n.getId());
          load.put(n.getId(), 0);
        } else if (n.getState() == NodeState.NODE_STATE_DOWN
            || n.getState() == NodeState.NODE_STATE_LEAVING) {
          draining.add(n.getId());
          if (n.getState() == NodeState.NODE_STATE_DOWN) {
            down.add(n.getId());
          }
        }
      }
      Map<Integer, Move> moves = new HashMap<>();
      for (Move m : map.getMovesList()) {
        moves.put(m.getGroup(), m);
        busy.add(m.getGroup());
      }
      for (SlotGroupInfo g : map.getGroupsList()) {
        List<String> r = projected(g, moves.get(g.getIndex()));
        replicas.put(g.getIndex(), r);
        for (String id : r) {
          load.computeIfPresent(id, (k, v) -> v + 1);
        }
      }
      this.slots = maxMoves - map.getMovesCount();
    }

    List<Step> run() {
      if (eligible.isEmpty()) {
        return steps;
      }
      for (SlotGroupInfo g : map.getGroupsList()) {
        drain(g);
      }
      for (SlotGroupInfo g : map.getGroupsList()) {
        repair(g);
      }
      for (SlotGroupInfo g : map.getGroupsList()) {
        shrink(g);
      }
      for (SlotGroupInfo g : map.getGroupsList()) {
        spreadZones(g);
      }
      balance();
      if (map.getMovesCount() == 0 && steps.isEmpty()) {
        leaders();
      }
      forget();
      return steps;
    }

    private boolean free(SlotGroupInfo g) {
      return slots > 0 && !busy.contains(g.getIndex());
    }

    private void move(SlotGroupInfo g, String add, String remove, String reason) {
      steps.add(new MoveStep(g.getIndex(), add == null ? "" : add, remove == null ? "" : remove,
          reason));
      busy.add(g.getIndex());
      slots--;
      List<String> r = replicas.get(g.getIndex());
      if (add != null) {
        r.add(add);
        load.computeIfPresent(add, (k, v) -> v + 1);
      }
      if (remove != null) {
        r.remove(remove);
        load.computeIfPresent(remove, (k, v) -> v - 1);
      }
    }

    private void drain(SlotGroupInfo g) {
      for (String r : List.copyOf(replicas.get(g.getIndex()))) {
        if (!free(g)) {
          return;
        }
        if (!draining.contains(r) && zones.containsKey(r)) {
          continue;
        }
        String target = target(g, r);
        if (target != null) {
          move(g, target, r, "drain");
        } else if (!down.contains(r) && healthyReplicas(g) >= goal
            && replicas.get(g.getIndex()).size() > 1) {
          // A leaving (or forgotten) node must end up empty. A down replica with no node to
          // replace it stays: removing it would not ease the quorum, and if the node comes
          // back it catches up from its log instead of a whole snapshot.
          move(g, null, r, "drain");
        }
      }
    }

    private int healthyReplicas(SlotGroupInfo g) {
      int n = 0;
      for (String r : replicas.get(g.getIndex())) {
        if (zones.containsKey(r) && !draining.contains(r)) {
          n++;
        }
      }
      return n;
    }

    private void repair(SlotGroupInfo g) {
      if (free(g) && replicas.get(g.getIndex()).size() < goal) {
        String target = target(g, null);
        if (target != null) {
          move(g, target, null, "repair");
        }
      }
    }

    private void shrink(SlotGroupInfo g) {
      List<String> r = replicas.get(g.getIndex());
      if (!free(g) || r.size() <= goal) {
        return;
      }
      String victim = null;
      for (String id : r) {
        boolean better = victim == null
            || (victim.equals(g.getLeader()) && !id.equals(g.getLeader()))
            || (!id.equals(g.getLeader()) && loadOf(id) > loadOf(victim));
        if (better) {
          victim = id;
        }
      }
      move(g, null, victim, "shrink");
    }

    private int loadOf(String id) {
      return load.getOrDefault(id, Integer.MAX_VALUE);
    }

    /** Moves a replica sharing its zone with another of the group into an unused zone. */
    private void spreadZones(SlotGroupInfo g) {
      if (!free(g)) {
        return;
      }
      List<String> r = replicas.get(g.getIndex());
      Map<String, Integer> perZone = new HashMap<>();
      for (String id : r) {
        perZone.merge(zones.getOrDefault(id, ""), 1, Integer::sum);
      }
      String crowded = null;
      for (String id : r) {
        String z = zones.getOrDefault(id, "");
        if (!z.isEmpty() && perZone.get(z) > 1
            && (crowded == null || loadOf(id) > loadOf(crowded))) {
          crowded = id;
        }
      }
      if (crowded == null) {
        return;
      }
      String target = null;
      for (String id : eligible) {
        String z = zones.get(id);
        if (!r.contains(id) && !z.isEmpty() && !perZone.containsKey(z)
            && (target == null || load.get(id) < load.get(target))) {
          target = id;
        }
      }
      if (target != null) {
        move(g, target, crowded, "zone");
      }
    }

    /**
     * The eligible node to receive a replica of {@code g} in place of {@code replacing} (null:
     * an extra replica): a zone the group's other replicas do not use first, then the fewest
     * replicas, then map order.
     */
    private String target(SlotGroupInfo g, String replacing) {
      List<String> r = replicas.get(g.getIndex());
      Set<String> usedZones = new HashSet<>();
      for (String id : r) {
        if (!id.equals(replacing)) {
          usedZones.add(zones.getOrDefault(id, ""));
        }
      }
      String best = null;
      boolean bestNewZone = false;
      for (String id : eligible) {
        if (r.contains(id)) {
          continue;
        }
        String z = zones.get(id);
        boolean newZone = !z.isEmpty() && !usedZones.contains(z);
        if (best == null || (newZone && !bestNewZone)
            || (newZone == bestNewZone && load.get(id) < load.get(best))) {
          best = id;
          bestNewZone = newZone;
        }
      }
      return best;
    }

    private int distinctZones(List<String> r) {
      Set<String> z = new HashSet<>();
      for (String id : r) {
        z.add(zones.getOrDefault(id, ""));
      }
      return z.size();
    }

    private void balance() {
      while (slots > 0) {
        String most = null;
        String fewest = null;
        for (String id : eligible) {
          if (most == null || load.get(id) > load.get(most)) {
            most = id;
          }
          if (fewest == null || load.get(id) < load.get(fewest)) {
            fewest = id;
          }
        }
        if (load.get(most) - load.get(fewest) <= 1) {
          return;
        }
        SlotGroupInfo pick = null;
        for (SlotGroupInfo g : map.getGroupsList()) {
          List<String> r = replicas.get(g.getIndex());
          if (busy.contains(g.getIndex()) || !r.contains(most) || r.contains(fewest)) {
            continue;
          }
          List<String> after = new ArrayList<>(r);
          after.remove(most);
          after.add(fewest);
          if (distinctZones(after) < distinctZones(r)) {
            continue;
          }
          // A group that most does not lead moves without a leadership change.
          if (pick == null || (pick.getLeader().equals(most) && !g.getLeader().equals(most))) {
            pick = g;
          }
        }
        if (pick == null) {
          return;
        }
        move(pick, fewest, most, "balance");
      }
    }

    private void leaders() {
      Map<String, Integer> led = new HashMap<>();
      for (String id : eligible) {
        led.put(id, 0);
      }
      for (SlotGroupInfo g : map.getGroupsList()) {
        if (g.getLeader().isEmpty()) {
          return;
        }
        led.computeIfPresent(g.getLeader(), (k, v) -> v + 1);
      }
      Set<Integer> planned = new HashSet<>();
      while (planned.size() < maxMoves) {
        // The transfer between the most unequal pair of (leader, replica) of any group: from a
        // node leading the most groups straight to the emptiest may be impossible when no group
        // has replicas on both, while a step through a third node is not.
        SlotGroupInfo pick = null;
        String pickTo = null;
        int gap = 1;
        for (SlotGroupInfo g : map.getGroupsList()) {
          String from = g.getLeader();
          if (planned.contains(g.getIndex()) || !led.containsKey(from)) {
            continue;
          }
          for (String to : g.getReplicasList()) {
            if (led.containsKey(to) && led.get(from) - led.get(to) > gap) {
              gap = led.get(from) - led.get(to);
              pick = g;
              pickTo = to;
            }
          }
        }
        if (pick == null) {
          chainLeaders(led, planned);
          return;
        }
        planned.add(pick.getIndex());
        led.merge(pick.getLeader(), -1, Integer::sum);
        led.merge(pickTo, 1, Integer::sum);
        steps.add(new LeaderStep(pick.getIndex(), pick.getLeader(), pickTo));
      }
    }

    /**
     * When no group lets the busiest leader hand over to the idlest directly (their replicas are
     * never together, e.g. two nodes of one zone), two transfers through a third node B: a group
     * of the busiest to B, and one of B's to the idlest.
     */
    private void chainLeaders(Map<String, Integer> led, Set<Integer> planned) {
      String most = null;
      String fewest = null;
      for (String id : eligible) {
        if (most == null || led.get(id) > led.get(most)) {
          most = id;
        }
        if (fewest == null || led.get(id) < led.get(fewest)) {
          fewest = id;
        }
      }
      if (led.get(most) - led.get(fewest) <= 1) {
        return;
      }
      for (SlotGroupInfo first : map.getGroupsList()) {
        if (!first.getLeader().equals(most) || planned.contains(first.getIndex())) {
          continue;
        }
        for (String via : first.getReplicasList()) {
          if (via.equals(most) || !led.containsKey(via)) {
            continue;
          }
          for (SlotGroupInfo second : map.getGroupsList()) {
            if (second.getLeader().equals(via) && second.getReplicasList().contains(fewest)
                && !planned.contains(second.getIndex())) {
              steps.add(new LeaderStep(first.getIndex(), most, via));
              steps.add(new LeaderStep(second.getIndex(), via, fewest));
              return;
            }
          }
        }
      }
    }

    private void forget() {
      for (NodeInfo n : map.getNodesList()) {
        if (n.getState() != NodeState.NODE_STATE_LEAVING
            || map.getMetaReplicasList().contains(n.getId())) {
          continue;
        }
        boolean holds = false;
        for (SlotGroupInfo g : map.getGroupsList()) {
          holds |= g.getReplicasList().contains(n.getId());
        }
        for (Move m : map.getMovesList()) {
          holds |= m.getAddNode().equals(n.getId()) || m.getRemoveNode().equals(n.getId());
        }
        if (!holds) {
          steps.add(new ForgetNode(n.getId()));
        }
      }
    }
  }
}
