package io.kvorum.it.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A concurrent history of client operations. Clients call {@link #invoke} right before sending a
 * command and complete the returned handle once they know its outcome, so an operation's interval
 * always covers the moment the server could have applied it.
 */
public final class History {
  private final ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();

  /** An operation in flight. */
  public final class Pending {
    private final int process;
    private final Op.Kind kind;
    private final String key;
    private final String value;
    private final long invoked = System.nanoTime();
    private boolean done;

    private Pending(int process, Op.Kind kind, String key, String value) {
      this.process = process;
      this.kind = kind;
      this.key = key;
      this.value = value;
    }

    /** The server answered with the command's reply ({@code result} null for nil). */
    public Op ok(String result) {
      return finish(result, System.nanoTime(), Op.Outcome.OK, null);
    }

    /** The server refused the command before applying it. */
    public Op fail(String why) {
      return finish(null, System.nanoTime(), Op.Outcome.FAIL, why);
    }

    /** The outcome cannot be known (timeout, connection lost): it may take effect any time later. */
    public Op unknown(String why) {
      return finish(null, Long.MAX_VALUE, Op.Outcome.UNKNOWN, why);
    }

    private Op finish(String result, long completed, Op.Outcome outcome, String detail) {
      if (done) {
        throw new IllegalStateException("operation completed twice");
      }
      done = true;
      Op op = new Op(process, kind, key, value, result, invoked, completed, outcome, detail);
      ops.add(op);
      return op;
    }
  }

  /** Records that {@code process} is about to send {@code kind key [value]}. */
  public Pending invoke(int process, Op.Kind kind, String key, String value) {
    return new Pending(process, kind, key, value);
  }

  /** Adds an operation built elsewhere (hand-made histories in tests). */
  public void add(Op op) {
    ops.add(op);
  }

  /** Every completed operation, in invocation order. */
  public List<Op> ops() {
    List<Op> out = new ArrayList<>(ops);
    out.sort(Comparator.comparingLong(Op::invoked));
    return out;
  }

  /** Operations with the given outcome. */
  public long count(Op.Outcome outcome) {
    return ops.stream().filter(o -> o.outcome() == outcome).count();
  }

  public int size() {
    return ops.size();
  }
}
