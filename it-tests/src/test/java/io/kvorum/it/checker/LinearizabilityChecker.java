package io.kvorum.it.checker;

import io.kvorum.it.history.Op;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that a history of register operations (GET, SET, SET NX/XX, DEL) is linearizable, key by
 * key (a history is linearizable iff each key's sub-history is): the Wing &amp; Gong search with
 * Lowe's memoization of (linearized set, state), as in Porcupine.
 *
 * <p>Operations that definitely failed are left out (they did nothing). Reads of unknown outcome
 * are left out too (they change nothing); writes of unknown outcome stay, with a completion time
 * of "never", so the search may place them anywhere after their invocation, or after everything
 * else, which is the same as never having happened.
 */
public final class LinearizabilityChecker {
  private final Duration budgetPerKey;

  /** @param budgetPerKey time the search may spend on one key before giving up (inconclusive) */
  public LinearizabilityChecker(Duration budgetPerKey) {
    this.budgetPerKey = budgetPerKey;
  }

  /** The verdict for one key. */
  public sealed interface Verdict {
    String key();

    /** Some order of the operations explains every reply. */
    record Linearizable(String key, int ops) implements Verdict {}

    /**
     * No order does. {@code stuckAt} is an operation the longest valid prefix could not be extended
     * past, {@code stateThen} the register value after that prefix.
     */
    record Violation(String key, int ops, Op stuckAt, String stateThen, List<Op> around)
        implements Verdict {}

    /** The search ran out of its time budget. */
    record Inconclusive(String key, int ops) implements Verdict {}
  }

  /** The verdicts for every key of {@code history}'s register operations. */
  public List<Verdict> check(List<Op> history) {
    Map<String, List<Op>> byKey = new LinkedHashMap<>();
    for (Op op : history) {
      if (!op.kind().isRegister() || op.outcome() == Op.Outcome.FAIL
          || op.kind() == Op.Kind.GET && op.outcome() == Op.Outcome.UNKNOWN) {
        continue;
      }
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
    }
    List<Verdict> out = new ArrayList<>();
    byKey.forEach((key, ops) -> out.add(checkKey(key, ops)));
    return out;
  }

  /** One call or return event in the doubly linked list the search lifts entries out of. */
  private static final class Entry {
    final Op op;
    final int id;
    final boolean call;
    final long time;
    Entry match;
    Entry prev;
    Entry next;

    Entry(Op op, int id, boolean call, long time) {
      this.op = op;
      this.id = id;
      this.call = call;
      this.time = time;
    }
  }

  private record Frame(Entry entry, String state) {}

  private record Seen(BitSet linearized, String state) {}

  private Verdict checkKey(String key, List<Op> ops) {
    List<Entry> events = new ArrayList<>(ops.size() * 2);
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      Entry call = new Entry(op, i, true, op.invoked());
      Entry ret = new Entry(op, i, false, op.completed());
      call.match = ret;
      events.add(call);
      events.add(ret);
    }
    // Calls before returns at equal times: touching intervals count as concurrent (never a
    // false violation from clock granularity).
    events.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> !e.call));
    Entry head = new Entry(null, -1, false, Long.MIN_VALUE);
    Entry last = head;
    for (Entry e : events) {
      last.next = e;
      e.prev = last;
      last = e;
    }

    long deadline = System.nanoTime() + budgetPerKey.toNanos();
    BitSet linearized = new BitSet(ops.size());
    Set<Seen> cache = new HashSet<>();
    Deque<Frame> calls = new ArrayDeque<>();
    String state = null;
    Entry entry = head.next;
    int deepest = -1;
    Entry stuck = null;
    String stuckState = null;
    long steps = 0;
    while (head.next != null) {
      if ((++steps & 0xFFF) == 0 && System.nanoTime() > deadline) {
        return new Verdict.Inconclusive(key, ops.size());
      }
      if (entry.call) {
        Object next = RegisterModel.step(state, entry.op);
        if (next != RegisterModel.ILLEGAL) {
          BitSet after = (BitSet) linearized.clone();
          after.set(entry.id);
          if (cache.add(new Seen(after, (String) next))) {
            calls.push(new Frame(entry, state));
            state = (String) next;
            linearized.set(entry.id);
            lift(entry);
            entry = head.next;
            continue;
          }
        }
        entry = entry.next;
      } else {
        // A return whose call is not linearized yet: the prefix cannot be extended; backtrack.
        if (calls.size() > deepest) {
          deepest = calls.size();
          stuck = entry;
          stuckState = state;
        }
        if (calls.isEmpty()) {
          return new Verdict.Violation(key, ops.size(), stuck.op, stuckState, around(ops, stuck.op));
        }
        Frame top = calls.pop();
        entry = top.entry();
        state = top.state();
        linearized.clear(entry.id);
        unlift(entry);
        entry = entry.next;
      }
    }
    return new Verdict.Linearizable(key, ops.size());
  }

  /** The operations overlapping or just before {@code op}, for a readable report. */
  private static List<Op> around(List<Op> ops, Op op) {
    List<Op> out = new ArrayList<>();
    for (Op o : ops) {
      boolean overlaps = o.invoked() <= op.completed() && o.completed() >= op.invoked() - 2_000_000_000L;
      if (overlaps) {
        out.add(o);
      }
    }
    out.sort(Comparator.comparingLong(Op::invoked));
    return out.size() > 40 ? out.subList(out.size() - 40, out.size()) : out;
  }

  private static void lift(Entry call) {
    call.prev.next = call.next;
    if (call.next != null) {
      call.next.prev = call.prev;
    }
    Entry ret = call.match;
    ret.prev.next = ret.next;
    if (ret.next != null) {
      ret.next.prev = ret.prev;
    }
  }

  private static void unlift(Entry call) {
    Entry ret = call.match;
    ret.prev.next = ret;
    if (ret.next != null) {
      ret.next.prev = ret;
    }
    call.prev.next = call;
    if (call.next != null) {
      call.next.prev = call;
    }
  }
}
