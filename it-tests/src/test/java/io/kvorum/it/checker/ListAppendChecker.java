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
 * An Elle-style list-append checker for MULTI/EXEC transactions: each transaction appends unique
 * values to lists (RPUSH) and reads lists (LRANGE 0 -1), all on keys of one slot. Because every
 * appended value is unique and lists only grow, the longest read of a key fixes the one order of
 * its appends, and every other observation must agree with it:
 *
 * <ol>
 *   <li>(a) every read of a key is a prefix of that order: no reordering, no duplicate, no value
 *       nobody appended to that key;
 *   <li>(b) atomicity: of one transaction's appends, the final reads hold all or none, and none
 *       at all of a failed transaction's;
 *   <li>(c) the final reads hold every append of an acknowledged transaction;
 *   <li>(d) a read inside an acknowledged transaction ends with that transaction's own earlier
 *       appends to the key (and holds none of its later ones); no read ever sees a failed
 *       transaction's append;
 *   <li>(e) real time: a transaction acknowledged before another was invoked is visible to it
 *       (its reads of a key hold the first one's appends to that key), and comes before it in
 *       every key both appended to.
 * </ol>
 *
 * A transaction with an unknown outcome may have happened, atomically, or not at all.
 */
public final class ListAppendChecker {

  /** One operation inside a transaction. */
  public sealed interface MicroOp {
    String key();
  }

  /** RPUSH key value (values are unique per key across the history). */
  public record Append(String key, String value) implements MicroOp {
    @Override
    public String toString() {
      return "append " + key + " " + value;
    }
  }

  /** LRANGE key 0 -1; {@code values} is what EXEC answered, null unless the transaction is ok. */
  public record Read(String key, List<String> values) implements MicroOp {
    @Override
    public String toString() {
      return "read " + key + (values == null ? "" : " -> " + tail(values));
    }
  }

  /**
   * One MULTI/EXEC as the client saw it.
   *
   * @param invoked   when MULTI was about to be sent (monotonic nanoseconds)
   * @param completed when EXEC's reply (or the failure) arrived; {@link Long#MAX_VALUE} if unknown
   */
  public record Txn(int process, List<MicroOp> ops, long invoked, long completed,
      Op.Outcome outcome, String detail) {

    /** A short description for reports. */
    public String describe() {
      String end = switch (outcome) {
        case OK -> "ok";
        case FAIL -> "failed: " + detail;
        case UNKNOWN -> "unknown: " + detail;
      };
      return "p" + process + " " + ops + " " + end + " [" + invoked / 1_000_000 + " ms, "
          + (completed == Long.MAX_VALUE ? "never" : completed / 1_000_000 + " ms") + "]";
    }
  }

  /** What the check found; {@link #problems} is empty when the history is fine. */
  public record Report(int transactions, int acknowledged, int acknowledgedAppends, int reads,
      List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /** A problem list stops growing here, so one broken run cannot flood the report. */
  private static final int MAX_PROBLEMS = 50;

  /**
   * @param history    every transaction of the run
   * @param finalReads each key's LRANGE 0 -1 after the faults healed; a key that was appended to
   *                   but is missing here counts as a failed final read
   */
  public Report check(List<Txn> history, Map<String, List<String>> finalReads) {
    List<String> problems = new ArrayList<>();
    // key -> value -> the transaction that appended it
    Map<String, Map<String, Txn>> writers = new HashMap<>();
    int acknowledged = 0;
    int acknowledgedAppends = 0;
    int reads = 0;
    for (Txn t : history) {
      if (t.outcome() == Op.Outcome.OK) {
        acknowledged++;
      }
      for (MicroOp m : t.ops()) {
        if (m instanceof Append a) {
          Txn before = writers.computeIfAbsent(a.key(), k -> new HashMap<>()).put(a.value(), t);
          if (before != null) {
            add(problems, "history error: " + a.value() + " appended to " + a.key() + " twice");
          }
          if (t.outcome() == Op.Outcome.OK) {
            acknowledgedAppends++;
          }
        } else if (m instanceof Read r && r.values() != null) {
          reads++;
        }
      }
    }

    // The order of each key: its longest read (the final read in a healthy run).
    Map<String, List<String>> orders = new HashMap<>();
    Set<String> keys = new HashSet<>(writers.keySet());
    keys.addAll(finalReads.keySet());
    for (String key : keys) {
      List<String> longest = finalReads.get(key);
      for (Txn t : history) {
        for (MicroOp m : t.ops()) {
          if (m instanceof Read r && r.key().equals(key) && r.values() != null
              && (longest == null || r.values().size() > longest.size())) {
            longest = r.values();
          }
        }
      }
      orders.put(key, longest == null ? List.of() : longest);
    }
    Map<String, Map<String, Integer>> positions = new HashMap<>();
    orders.forEach((key, order) -> {
      Map<String, Integer> at = new HashMap<>();
      for (int i = 0; i < order.size(); i++) {
        at.putIfAbsent(order.get(i), i);
      }
      positions.put(key, at);
    });

    // (a) every read a prefix of its key's order, of values appended to that key, no duplicates.
    for (String key : keys) {
      if (finalReads.containsKey(key)) {
        checkRead(problems, key, finalReads.get(key), orders.get(key), writers, "final read");
      }
    }
    for (Txn t : history) {
      for (MicroOp m : t.ops()) {
        if (m instanceof Read r && r.values() != null) {
          checkRead(problems, r.key(), r.values(), orders.get(r.key()), writers,
              "read in " + t.describe());
        }
      }
    }

    for (Txn t : history) {
      int visible = 0;
      int appends = 0;
      for (MicroOp m : t.ops()) {
        if (m instanceof Append a) {
          List<String> fin = finalReads.get(a.key());
          boolean there = fin != null && fin.contains(a.value());
          if (fin != null) {
            // A key without a final read is reported below; it cannot judge atomicity.
            appends++;
          }
          if (there) {
            visible++;
          }
          // (c) no lost acknowledged append.
          if (t.outcome() == Op.Outcome.OK && !there) {
            add(problems, fin == null ? "no final read of " + a.key() + ", which holds "
                + a.value() + " of acknowledged " + t.describe()
                : "lost append: " + a.key() + " lacks " + a.value() + " of acknowledged "
                + t.describe());
          }
          // (d) a failed transaction's append is never read, finally or inside a transaction.
          if (t.outcome() == Op.Outcome.FAIL
              && positions.get(a.key()).containsKey(a.value())) {
            add(problems, "failed transaction applied: " + a.key() + " holds " + a.value()
                + " of " + t.describe());
          }
        }
      }
      // (b) all or nothing.
      if (visible > 0 && visible < appends) {
        add(problems, "not atomic: " + visible + " of " + appends + " appends visible of "
            + t.describe());
      }
      if (t.outcome() == Op.Outcome.OK) {
        checkOwnReads(problems, t);
      }
    }

    checkRealTime(problems, history, positions);
    return new Report(history.size(), acknowledged, acknowledgedAppends, reads,
        List.copyOf(problems));
  }

  private static void checkRead(List<String> problems, String key, List<String> read,
      List<String> order, Map<String, Map<String, Txn>> writers, String where) {
    Map<String, Txn> written = writers.getOrDefault(key, Map.of());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < read.size(); i++) {
      String v = read.get(i);
      if (!seen.add(v)) {
        add(problems, "duplicate: " + key + " holds " + v + " twice in " + where);
        return;
      }
      if (!written.containsKey(v)) {
        add(problems, "nobody appended " + v + " to " + key + ", yet " + where + " saw it");
        return;
      }
      if (i >= order.size() || !order.get(i).equals(v)) {
        add(problems, "reordered: " + where + " of " + key + " has " + v + " at " + i
            + " but the longest read has " + (i < order.size() ? order.get(i) : "nothing"));
        return;
      }
    }
  }

  /** (d) A read after the transaction's own appends to the key ends with them, in order. */
  private static void checkOwnReads(List<String> problems, Txn t) {
    for (int i = 0; i < t.ops().size(); i++) {
      if (!(t.ops().get(i) instanceof Read r) || r.values() == null) {
        continue;
      }
      List<String> earlier = new ArrayList<>();
      List<String> later = new ArrayList<>();
      for (int j = 0; j < t.ops().size(); j++) {
        if (t.ops().get(j) instanceof Append a && a.key().equals(r.key())) {
          (j < i ? earlier : later).add(a.value());
        }
      }
      List<String> v = r.values();
      boolean endsWithOwn = v.size() >= earlier.size()
          && v.subList(v.size() - earlier.size(), v.size()).equals(earlier);
      if (!endsWithOwn) {
        add(problems, "read does not end with its own appends " + earlier + ": " + r.key()
            + " read " + tail(v) + " in " + t.describe());
      }
      for (String l : later) {
        if (v.contains(l)) {
          add(problems, "read sees its own later append " + l + " in " + t.describe());
        }
      }
    }
  }

  /**
   * (e) For every pair T1 acknowledged before T2 was invoked: T2's reads of a key hold T1's
   * appends to it, and where both appended to a key, T1's value comes first.
   */
  private static void checkRealTime(List<String> problems, List<Txn> history,
      Map<String, Map<String, Integer>> positions) {
    List<Txn> acked = new ArrayList<>();
    for (Txn t : history) {
      if (t.outcome() == Op.Outcome.OK) {
        acked.add(t);
      }
    }
    acked.sort(Comparator.comparingLong(Txn::completed));
    List<Txn> byInvoke = new ArrayList<>(history);
    byInvoke.sort(Comparator.comparingLong(Txn::invoked));
    for (Txn t2 : byInvoke) {
      for (Txn t1 : acked) {
        if (t1.completed() >= t2.invoked()) {
          break;
        }
        for (MicroOp m1 : t1.ops()) {
          if (!(m1 instanceof Append a1)) {
            continue;
          }
          for (MicroOp m2 : t2.ops()) {
            if (m2 instanceof Read r && r.values() != null && r.key().equals(a1.key())
                && !holds(r.values(), positions.get(a1.key()).get(a1.value()))) {
              add(problems, "stale read: " + t2.describe() + " read " + r.key() + " without "
                  + a1.value() + " of " + t1.describe() + ", acknowledged before it began");
            } else if (m2 instanceof Append a2 && a2.key().equals(a1.key())) {
              Integer p1 = positions.get(a1.key()).get(a1.value());
              Integer p2 = positions.get(a2.key()).get(a2.value());
              if (p1 != null && p2 != null && p2 < p1) {
                add(problems, "reordered in real time: " + a2.key() + " has " + a2.value()
                    + " before " + a1.value() + ", though " + t1.describe()
                    + " was acknowledged before " + t2.describe() + " began");
              }
            }
          }
        }
      }
    }
  }

  /**
   * Whether a read holds the value at {@code position} of its key's order. A read that is not a
   * prefix of the order was reported already; for one that is, this is O(1) instead of a scan.
   */
  private static boolean holds(List<String> read, Integer position) {
    return position != null && position < read.size();
  }

  private static String tail(List<String> v) {
    return v.size() <= 4 ? v.toString()
        : "[…, " + String.join(", ", v.subList(v.size() - 4, v.size())) + "]";
  }

  private static void add(List<String> problems, String problem) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(problem);
    }
  }
}
