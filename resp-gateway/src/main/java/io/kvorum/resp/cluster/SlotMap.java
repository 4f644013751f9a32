package io.kvorum.resp.cluster;

import io.kvorum.raft.route.ClusterTopology;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The cluster map as Redis Cluster presents it: slot ranges with a master (the group's Raft
 * leader) and replicas (its other replicas), adjacent ranges with the same nodes merged, so a
 * one-node cluster owns {@code 0-16383} exactly like a Redis node owning every slot.
 */
public final class SlotMap {

  /** An inclusive slot range served by {@code leader}, replicated on {@code followers}. */
  public record Range(int from, int to, String leader, Set<String> followers) {}

  private SlotMap() {}

  /** Led ranges in slot order, merged; ranges of groups without a leader are left out. */
  public static List<Range> ranges(ClusterTopology topology) {
    List<Range> raw = new ArrayList<>();
    for (ClusterTopology.Group g : topology.groups()) {
      if (g.leader() == null) {
        continue;
      }
      Set<String> followers = new TreeSet<>(g.replicas());
      followers.remove(g.leader());
      for (ClusterTopology.SlotRange r : g.slots()) {
        raw.add(new Range(r.from(), r.to(), g.leader(), followers));
      }
    }
    raw.sort(Comparator.comparingInt(Range::from));
    List<Range> merged = new ArrayList<>();
    for (Range r : raw) {
      Range last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && last.to() + 1 == r.from() && Objects.equals(last.leader(), r.leader())
          && last.followers().equals(r.followers())) {
        merged.set(merged.size() - 1, new Range(last.from(), r.to(), last.leader(), last.followers()));
      } else {
        merged.add(r);
      }
    }
    return merged;
  }

  /** Slots that belong to some group (led or not). */
  public static int assignedSlots(ClusterTopology topology) {
    int n = 0;
    for (ClusterTopology.Group g : topology.groups()) {
      for (ClusterTopology.SlotRange r : g.slots()) {
        n += r.to() - r.from() + 1;
      }
    }
    return n;
  }
}
