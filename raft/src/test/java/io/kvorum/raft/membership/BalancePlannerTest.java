package io.kvorum.raft.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.Move;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.NodeState;
import io.kvorum.proto.meta.SlotGroupInfo;
import io.kvorum.raft.membership.BalancePlanner.ForgetNode;
import io.kvorum.raft.membership.BalancePlanner.LeaderStep;
import io.kvorum.raft.membership.BalancePlanner.MoveStep;
import io.kvorum.raft.membership.BalancePlanner.Step;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BalancePlannerTest {
  private static final int MAX_MOVES = 4;

  private static NodeInfo node(String id, String zone) {
    return NodeInfo.newBuilder().setId(id).setZone(zone).setState(NodeState.NODE_STATE_UP).build();
  }

  /** A cluster of {@code groups} groups all on node n1 (as bootstrapped), with nodes n1..nN. */
  private static ClusterMap fresh(int nodes, int groups) {
    ClusterMap.Builder b = ClusterMap.newBuilder().setClusterId("c").setReplicationFactor(3);
    for (int i = 1; i <= nodes; i++) {
      b.addNodes(node("n" + i, ""));
    }
    for (int g = 0; g < groups; g++) {
      b.addGroups(SlotGroupInfo.newBuilder().setIndex(g).addReplicas("n1").setLeader("n1"));
    }
    return b.addMetaReplicas("n1").build();
  }

  private static Set<String> all(ClusterMap m) {
    Set<String> ids = new HashSet<>();
    for (NodeInfo n : m.getNodesList()) {
      ids.add(n.getId());
    }
    return ids;
  }

  private static ClusterMap withState(ClusterMap m, String id, NodeState state) {
    ClusterMap.Builder b = m.toBuilder();
    for (int i = 0; i < b.getNodesCount(); i++) {
      if (b.getNodes(i).getId().equals(id)) {
        b.setNodes(i, b.getNodes(i).toBuilder().setState(state));
      }
    }
    return b.build();
  }

  private static ClusterMap addNode(ClusterMap m, NodeInfo n) {
    return m.toBuilder().addNodes(n).build();
  }

  /** Executes steps the way the cluster would once they finish (moves complete at once). */
  private static ClusterMap apply(ClusterMap m, List<Step> steps) {
    ClusterMap.Builder b = m.toBuilder();
    for (Step s : steps) {
      if (s instanceof MoveStep mv) {
        SlotGroupInfo g = b.getGroups(mv.group());
        List<String> r = new ArrayList<>(g.getReplicasList());
        if (!mv.add().isEmpty()) {
          r.add(mv.add());
        }
        r.remove(mv.remove());
        String leader = r.contains(g.getLeader()) ? g.getLeader() : r.get(0);
        b.setGroups(mv.group(), g.toBuilder().clearReplicas().addAllReplicas(r).setLeader(leader));
      } else if (s instanceof LeaderStep l) {
        b.setGroups(l.group(), b.getGroups(l.group()).toBuilder().setLeader(l.to()));
      } else if (s instanceof ForgetNode f) {
        for (int i = 0; i < b.getNodesCount(); i++) {
          if (b.getNodes(i).getId().equals(f.node())) {
            b.removeNodes(i);
            break;
          }
        }
      }
    }
    return b.build();
  }

  /** Plans and applies until the plan is empty; fails if it does not settle. */
  private static ClusterMap settle(ClusterMap m, Set<String> reachable) {
    for (int round = 0; round < 500; round++) {
      List<Step> steps = BalancePlanner.plan(m, reachable, MAX_MOVES);
      if (steps.isEmpty()) {
        return m;
      }
      assertThat(steps.stream().filter(s -> s instanceof MoveStep).count())
          .isLessThanOrEqualTo(MAX_MOVES);
      m = apply(m, steps);
    }
    throw new AssertionError("the plan never settles: " + m);
  }

  private static ClusterMap settle(ClusterMap m) {
    return settle(m, all(m));
  }

  private static Map<String, Integer> replicaCounts(ClusterMap m) {
    Map<String, Integer> c = new HashMap<>();
    for (NodeInfo n : m.getNodesList()) {
      if (n.getState() == NodeState.NODE_STATE_UP) {
        c.put(n.getId(), 0);
      }
    }
    for (SlotGroupInfo g : m.getGroupsList()) {
      for (String r : g.getReplicasList()) {
        c.merge(r, 1, Integer::sum);
      }
    }
    return c;
  }

  private static Map<String, Integer> leaderCounts(ClusterMap m) {
    Map<String, Integer> c = new HashMap<>();
    for (NodeInfo n : m.getNodesList()) {
      if (n.getState() == NodeState.NODE_STATE_UP) {
        c.put(n.getId(), 0);
      }
    }
    for (SlotGroupInfo g : m.getGroupsList()) {
      c.merge(g.getLeader(), 1, Integer::sum);
    }
    return c;
  }

  private static void assertBalanced(ClusterMap m, int rf) {
    for (SlotGroupInfo g : m.getGroupsList()) {
      assertThat(g.getReplicasList()).as("group %d", g.getIndex()).hasSize(rf)
          .doesNotHaveDuplicates();
      assertThat(g.getReplicasList()).contains(g.getLeader());
    }
    Map<String, Integer> replicas = replicaCounts(m);
    assertThat(Collections.max(replicas.values()) - Collections.min(replicas.values()))
        .as("replicas per node %s", replicas).isLessThanOrEqualTo(1);
    Map<String, Integer> leaders = leaderCounts(m);
    assertThat(Collections.max(leaders.values()) - Collections.min(leaders.values()))
        .as("leaders per node %s", leaders).isLessThanOrEqualTo(1);
  }

  @Test
  void aNewNodeGetsReplicasOfTheShortGroupsAtMostMaxMovesAtOnce() {
    List<Step> steps = BalancePlanner.plan(fresh(2, 8), Set.of("n1", "n2"), MAX_MOVES);
    assertThat(steps).hasSize(MAX_MOVES).allSatisfy(s -> assertThat(s)
        .isEqualTo(new MoveStep(((MoveStep) s).group(), "n2", "", "repair")));
  }

  @Test
  void growingOneToThreeToFiveNodesEndsBalanced() {
    ClusterMap m = settle(fresh(1, 16));
    assertBalanced(m, 1);
    m = settle(addNode(addNode(m, node("n2", "")), node("n3", "")));
    assertBalanced(m, 3);
    m = settle(addNode(addNode(m, node("n4", "")), node("n5", "")));
    assertBalanced(m, 3);
    assertThat(replicaCounts(m).values()).allSatisfy(c -> assertThat(c).isBetween(9, 10));
  }

  @Test
  void aDownNodesReplicasAreRecreatedOnTheSurvivors() {
    ClusterMap m = settle(fresh(5, 16));
    m = withState(m, "n3", NodeState.NODE_STATE_DOWN);
    Set<String> reachable = new HashSet<>(all(m));
    reachable.remove("n3");
    List<Step> first = BalancePlanner.plan(m, reachable, MAX_MOVES);
    assertThat(first).allSatisfy(s -> {
      MoveStep mv = (MoveStep) s;
      assertThat(mv.remove()).isEqualTo("n3");
      assertThat(mv.add()).isNotIn("n3", "");
      assertThat(mv.reason()).isEqualTo("drain");
    });
    m = settle(m, reachable);
    for (SlotGroupInfo g : m.getGroupsList()) {
      assertThat(g.getReplicasList()).hasSize(3).doesNotContain("n3");
    }
    assertBalanced(m, 3);
    assertThat(m.getNodesList()).as("a down node stays in the map: it may come back")
        .extracting(NodeInfo::getId).contains("n3");
  }

  @Test
  void aNodeThatIsUpButUnreachableIsNeitherDrainedNorGivenReplicas() {
    ClusterMap m = settle(fresh(3, 8));
    ClusterMap grown = addNode(m, node("n4", ""));
    List<Step> steps = BalancePlanner.plan(grown, Set.of("n1", "n2", "n4"), MAX_MOVES);
    assertThat(steps).isNotEmpty().allSatisfy(s -> {
      MoveStep mv = (MoveStep) s;
      assertThat(mv.add()).isEqualTo("n4");
      assertThat(mv.remove()).isNotEqualTo("n3");
    });
    assertThat(BalancePlanner.plan(m, Set.of("n1", "n2"), MAX_MOVES)).isEmpty();
  }

  @Test
  void aLeavingNodeIsDrainedThenForgotten() {
    ClusterMap m = settle(fresh(4, 12));
    m = withState(m, "n2", NodeState.NODE_STATE_LEAVING);
    m = settle(m);
    assertThat(m.getNodesList()).extracting(NodeInfo::getId).containsExactly("n1", "n3", "n4");
    assertBalanced(m, 3);
  }

  @Test
  void aLeavingMetaReplicaIsNotForgottenWhileItHoldsTheMetaGroup() {
    ClusterMap m = settle(fresh(4, 4));
    m = withState(m.toBuilder().clearMetaReplicas().addMetaReplicas("n2").build(), "n2",
        NodeState.NODE_STATE_LEAVING);
    m = settle(m);
    assertThat(m.getNodesList()).extracting(NodeInfo::getId).contains("n2");
    for (SlotGroupInfo g : m.getGroupsList()) {
      assertThat(g.getReplicasList()).doesNotContain("n2");
    }
  }

  @Test
  void withNoSpareNodeADownReplicaStaysAndALeavingOneGoes() {
    ClusterMap m = settle(fresh(3, 4));
    ClusterMap down = settle(withState(m, "n3", NodeState.NODE_STATE_DOWN), Set.of("n1", "n2"));
    for (SlotGroupInfo g : down.getGroupsList()) {
      assertThat(g.getReplicasList()).as("nothing to gain by removing it")
          .containsExactlyInAnyOrder("n1", "n2", "n3");
    }
    // the node comes back: nothing to do
    assertThat(BalancePlanner.plan(withState(down, "n3", NodeState.NODE_STATE_UP), all(m),
        MAX_MOVES)).isEmpty();
    ClusterMap oneRf = m.toBuilder().setReplicationFactor(2).build();
    oneRf = settle(withState(settle(oneRf), "n3", NodeState.NODE_STATE_LEAVING));
    for (SlotGroupInfo g : oneRf.getGroupsList()) {
      assertThat(g.getReplicasList()).containsExactlyInAnyOrder("n1", "n2");
    }
    assertThat(oneRf.getNodesList()).extracting(NodeInfo::getId).containsExactly("n1", "n2");
  }

  @Test
  void replicasOfAGroupGoToDistinctZones() {
    ClusterMap.Builder b = fresh(0, 12).toBuilder();
    b.addNodes(node("n1", "a")).addNodes(node("n2", "a")).addNodes(node("n3", "b"))
        .addNodes(node("n4", "b")).addNodes(node("n5", "c")).addNodes(node("n6", "c"));
    ClusterMap m = settle(b.build());
    Map<String, String> zone = new HashMap<>();
    for (NodeInfo n : m.getNodesList()) {
      zone.put(n.getId(), n.getZone());
    }
    for (SlotGroupInfo g : m.getGroupsList()) {
      assertThat(g.getReplicasList().stream().map(zone::get).distinct().count())
          .as("zones of group %d %s", g.getIndex(), g.getReplicasList()).isEqualTo(3);
    }
    assertBalanced(m, 3);
  }

  @Test
  void twoReplicasInOneZoneAreSpreadWhenAnotherZoneAppears() {
    ClusterMap.Builder b = fresh(0, 3).toBuilder();
    b.addNodes(node("n1", "a")).addNodes(node("n2", "a")).addNodes(node("n3", "b"));
    ClusterMap m = settle(b.build());
    m = settle(addNode(m, node("n4", "c")));
    for (SlotGroupInfo g : m.getGroupsList()) {
      assertThat(g.getReplicasList()).as("group %d", g.getIndex()).contains("n3", "n4")
          .containsAnyOf("n1", "n2");
    }
  }

  @Test
  void movesInProgressCountAgainstTheCapAndTheirGroupsAreLeftAlone() {
    ClusterMap m = fresh(2, 8).toBuilder()
        .addMoves(Move.newBuilder().setId(1).setGroup(0).setAddNode("n2"))
        .addMoves(Move.newBuilder().setId(2).setGroup(1).setAddNode("n2"))
        .addMoves(Move.newBuilder().setId(3).setGroup(2).setAddNode("n2")).build();
    List<Step> steps = BalancePlanner.plan(m, Set.of("n1", "n2"), MAX_MOVES);
    assertThat(steps).singleElement().isEqualTo(new MoveStep(3, "n2", "", "repair"));
  }

  @Test
  void loweringTheReplicationFactorShrinksGroupsKeepingTheirLeaders() {
    ClusterMap m = settle(fresh(3, 6));
    m = settle(m.toBuilder().setReplicationFactor(2).build());
    for (SlotGroupInfo g : m.getGroupsList()) {
      assertThat(g.getReplicasList()).hasSize(2).contains(g.getLeader());
    }
    assertBalanced(m, 2);
  }

  @Test
  void leadersMoveOnlyWhenNoReplicaMoveIsPending() {
    ClusterMap m = settle(fresh(3, 6));
    ClusterMap allOnN1 = m.toBuilder().clearGroups().addAllGroups(m.getGroupsList().stream()
        .map(g -> g.toBuilder().setLeader("n1").build()).toList()).build();
    List<Step> steps = BalancePlanner.plan(allOnN1, all(m), MAX_MOVES);
    assertThat(steps).isNotEmpty().allSatisfy(s -> assertThat(s).isInstanceOf(LeaderStep.class));
    ClusterMap moving = allOnN1.toBuilder()
        .addMoves(Move.newBuilder().setId(1).setGroup(0).setAddNode("n2")).build();
    assertThat(BalancePlanner.plan(moving, all(m), MAX_MOVES)).isEmpty();
  }

  @Test
  void aBalancedClusterNeedsNoSteps() {
    ClusterMap m = settle(fresh(5, 16));
    assertThat(BalancePlanner.plan(m, all(m), MAX_MOVES)).isEmpty();
  }
}
