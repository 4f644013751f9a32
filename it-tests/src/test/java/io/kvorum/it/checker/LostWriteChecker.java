package io.kvorum.it.checker;

import io.kvorum.it.history.Op;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the set and list keys of a history (SADD / RPUSH of unique elements) against their final
 * contents, read after the faults healed:
 *
 * <ul>
 *   <li>every acknowledged element is there (no lost write);
 *   <li>no element whose write was refused is there (a refused write was not applied);
 *   <li>nothing is there that nobody wrote;
 *   <li>in lists, no element appears twice, and an element acknowledged before another was sent
 *       comes before it (appends are not reordered).
 * </ul>
 */
public final class LostWriteChecker {

  /** Findings for one key; {@link #problems} is empty when the key is fine. */
  public record Report(String key, int acknowledged, int unknown, int failed, int present,
      List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /**
   * @param history      every operation of the run (only SADD and RPUSH are looked at)
   * @param finalContent each set or list key with its members (SMEMBERS / LRANGE 0 -1) read at
   *                     the end; a key missing here is a failed final read
   */
  public List<Report> check(List<Op> history, Map<String, List<String>> finalContent) {
    Map<String, List<Op>> byKey = new HashMap<>();
    for (Op op : history) {
      if (op.kind() == Op.Kind.SADD || op.kind() == Op.Kind.RPUSH) {
        byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      }
    }
    List<Report> out = new ArrayList<>();
    for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
      out.add(checkKey(e.getKey(), e.getValue(), finalContent.get(e.getKey())));
    }
    out.sort(Comparator.comparing(Report::key));
    return out;
  }

  private static Report checkKey(String key, List<Op> ops, List<String> content) {
    List<String> problems = new ArrayList<>();
    int acked = 0;
    int unknown = 0;
    int failed = 0;
    for (Op op : ops) {
      switch (op.outcome()) {
        case OK -> acked++;
        case UNKNOWN -> unknown++;
        case FAIL -> failed++;
      }
    }
    if (content == null) {
      problems.add("final read of " + key + " failed");
      return new Report(key, acked, unknown, failed, 0, problems);
    }
    Map<String, Integer> position = new HashMap<>();
    Set<String> duplicates = new HashSet<>();
    for (int i = 0; i < content.size(); i++) {
      if (position.putIfAbsent(content.get(i), i) != null) {
        duplicates.add(content.get(i));
      }
    }
    Set<String> written = new HashSet<>();
    for (Op op : ops) {
      written.add(op.value());
      boolean there = position.containsKey(op.value());
      if (op.outcome() == Op.Outcome.OK && !there) {
        problems.add("lost acknowledged write: " + op.describe());
      } else if (op.outcome() == Op.Outcome.FAIL && there) {
        problems.add("refused write was applied: " + op.describe());
      }
    }
    for (String element : position.keySet()) {
      if (!written.contains(element)) {
        problems.add("element nobody wrote: " + element);
      }
    }
    for (String d : duplicates) {
      problems.add("element appears more than once: " + d);
    }
    if (ops.get(0).kind() == Op.Kind.RPUSH) {
      problems.addAll(reorderings(ops, position));
    }
    return new Report(key, acked, unknown, failed, content.size(), problems);
  }

  /** Acknowledged appends a, b with a done before b was sent, yet b before a in the list. */
  private static List<String> reorderings(List<Op> ops, Map<String, Integer> position) {
    List<Op> acked = new ArrayList<>();
    for (Op op : ops) {
      if (op.outcome() == Op.Outcome.OK && position.containsKey(op.value())) {
        acked.add(op);
      }
    }
    acked.sort(Comparator.comparingLong(Op::completed));
    List<String> out = new ArrayList<>();
    // Walk in completion order keeping the latest list position among those already completed;
    // an op sent after that completion must sit after that position.
    List<Op> byInvoke = new ArrayList<>(acked);
    byInvoke.sort(Comparator.comparingLong(Op::invoked));
    int done = 0;
    int maxPos = -1;
    Op maxOp = null;
    for (Op b : byInvoke) {
      while (done < acked.size() && acked.get(done).completed() < b.invoked()) {
        Op a = acked.get(done++);
        int p = position.get(a.value());
        if (p > maxPos) {
          maxPos = p;
          maxOp = a;
        }
      }
      if (maxOp != null && position.get(b.value()) < maxPos && out.size() < 10) {
        out.add("append reordered: " + b.describe() + " sits before " + maxOp.describe());
      }
    }
    return out;
  }
}
