package io.kvorum.resp.routing;

import io.kvorum.storage.reply.Reply;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's keyspace commands in flight, in per-slot-group lanes. Within a lane a read
 * never overtakes an earlier write and a write is not proposed while an earlier read is pending
 * (the read could otherwise see it); consecutive reads run concurrently, and so do consecutive
 * writes, which are also coalesced into one log entry when they are queued together. Lanes of
 * different groups are independent. Ordered commands (keyspace-wide ones, SCAN, SAVE …) are
 * barriers: they start when everything before them finished and hold everything after them.
 *
 * <p>Confined to the connection's event loop; router futures hop back onto it.
 */
public final class KeyspaceLanes {
  private static final Logger LOG = LoggerFactory.getLogger(KeyspaceLanes.class);

  private final GroupDispatch dispatcher;
  private final Executor eventLoop;
  private final Runnable onProgress;
  private final int maxWriteBatch;
  private final long maxBatchBytes;
  private final Map<Integer, Lane> lanes = new HashMap<>();
  private final List<Lane> dirty = new ArrayList<>();
  /** Commands that arrived behind a barrier, in arrival order. */
  private final ArrayDeque<Object> blocked = new ArrayDeque<>();
  private boolean barrierRunning;
  /** Lane operations queued or running. */
  private int outstanding;

  /**
   * @param eventLoop  the connection's event loop: completions run there
   * @param onProgress called on the event loop after replies were completed
   */
  public KeyspaceLanes(
      GroupDispatch dispatcher, Executor eventLoop, Runnable onProgress, int maxWriteBatch) {
    this(dispatcher, eventLoop, onProgress, maxWriteBatch, Long.MAX_VALUE);
  }

  /**
   * @param maxBatchBytes most argument bytes of writes coalesced into one call (a batch the proxy
   *                      port forwards is one message, bounded like one command); a single
   *                      larger command still goes alone
   */
  public KeyspaceLanes(GroupDispatch dispatcher, Executor eventLoop, Runnable onProgress,
      int maxWriteBatch, long maxBatchBytes) {
    this.dispatcher = dispatcher;
    this.eventLoop = eventLoop;
    this.onProgress = onProgress;
    this.maxWriteBatch = maxWriteBatch;
    this.maxBatchBytes = maxBatchBytes;
  }

  /** A keyspace command for {@code group}; it starts at the next {@link #flush()}. */
  public void submit(int group, int slot, boolean write, boolean resp3, byte[][] args, ReplySink sink) {
    submit(group, slot, write, resp3, args, false, sink);
  }

  /**
   * A keyspace command for {@code group}; {@code alone}: a write never coalesced with others (a
   * write script, which the leader runs first and answers on its own, so a failure of its call
   * is its own).
   */
  public void submit(int group, int slot, boolean write, boolean resp3, byte[][] args,
      boolean alone, ReplySink sink) {
    Step step = new Step(group, slot, write, resp3, args, alone, sink);
    if (barrierRunning || !blocked.isEmpty()) {
      blocked.add(step);
      return;
    }
    enqueue(step);
  }

  /** A barrier: runs when everything before it completed; everything after waits for it. */
  public void submitOrdered(Supplier<CompletableFuture<Reply>> task, ReplySink sink) {
    Barrier b = new Barrier(task, sink);
    if (barrierRunning || !blocked.isEmpty() || outstanding > 0) {
      blocked.add(b);
      return;
    }
    run(b);
  }

  /** Starts what can start: called once the commands of one socket read are all queued. */
  public void flush() {
    for (int i = 0; i < dirty.size(); i++) {
      Lane lane = dirty.get(i);
      lane.dirty = false;
      pump(lane);
    }
    dirty.clear();
  }

  /** Keyspace operations queued or running, and barriers waiting or running. */
  public boolean idle() {
    return outstanding == 0 && !barrierRunning && blocked.isEmpty();
  }

  private void enqueue(Step step) {
    Lane lane = lanes.computeIfAbsent(step.group, Lane::new);
    Op last = lane.waiting.peekLast();
    long bytes = maxBatchBytes == Long.MAX_VALUE ? 0 : bytes(step.args);
    if (step.write && last != null && last.write && last.resp3 == step.resp3 && !step.alone
        && !last.steps.get(0).alone && last.steps.size() < maxWriteBatch
        && last.bytes + bytes <= maxBatchBytes) {
      last.steps.add(step);
      last.bytes += bytes;
    } else {
      Op op = new Op(step.write, step.resp3);
      op.steps.add(step);
      op.bytes = bytes;
      lane.waiting.add(op);
      outstanding++;
    }
    if (!lane.dirty) {
      lane.dirty = true;
      dirty.add(lane);
    }
  }

  private static long bytes(byte[][] args) {
    long n = 0;
    for (byte[] a : args) {
      n += a.length;
    }
    return n;
  }

  private void pump(Lane lane) {
    while (!lane.waiting.isEmpty()) {
      Op op = lane.waiting.peek();
      if (lane.running > 0 && lane.runningWrite != op.write) {
        return;
      }
      lane.waiting.poll();
      start(lane, op);
    }
  }

  private void start(Lane lane, Op op) {
    lane.running++;
    lane.runningWrite = op.write;
    if (op.write) {
      int n = op.steps.size();
      int[] slots = new int[n];
      List<byte[][]> commands = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        slots[i] = op.steps.get(i).slot;
        commands.add(op.steps.get(i).args);
      }
      dispatcher.write(lane.group, slots, commands, op.resp3)
          .whenComplete((replies, error) -> onLoop(() -> finish(lane, op, replies, error)));
    } else {
      Step s = op.steps.get(0);
      dispatcher.read(lane.group, s.slot, s.args, op.resp3)
          .whenComplete((reply, error) -> onLoop(() -> finish(lane, op, List.of(reply), error)));
    }
  }

  private void finish(Lane lane, Op op, List<Reply> replies, Throwable error) {
    for (int i = 0; i < op.steps.size(); i++) {
      Reply r;
      if (error != null || replies == null || i >= replies.size() || replies.get(i) == null) {
        LOG.warn("keyspace command on group {} failed", lane.group, error);
        r = new Reply.Error("ERR internal error");
      } else {
        r = replies.get(i);
      }
      op.steps.get(i).sink.complete(r);
    }
    lane.running--;
    outstanding--;
    pump(lane);
    if (outstanding == 0) {
      release();
    }
    onProgress.run();
  }

  private void run(Barrier b) {
    barrierRunning = true;
    CompletableFuture<Reply> f;
    try {
      f = b.task.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((reply, error) -> onLoop(() -> {
      Reply r = reply;
      if (error != null) {
        Throwable cause = KeyspaceDispatcher.unwrap(error);
        if (cause instanceof io.kvorum.storage.reply.RedisError re) {
          r = re.reply();
        } else {
          LOG.warn("ordered command failed", cause);
          r = new Reply.Error("ERR " + cause.getMessage());
        }
      }
      b.sink.complete(r);
      barrierRunning = false;
      release();
      onProgress.run();
    }));
  }

  /** Moves commands held behind a barrier into their lanes, up to the next barrier. */
  private void release() {
    while (!barrierRunning && !blocked.isEmpty()) {
      Object next = blocked.peek();
      if (next instanceof Barrier b) {
        if (outstanding > 0) {
          break;
        }
        blocked.poll();
        run(b);
      } else {
        blocked.poll();
        enqueue((Step) next);
      }
    }
    flush();
  }

  private void onLoop(Runnable r) {
    try {
      eventLoop.execute(r);
    } catch (RejectedExecutionException e) {
      // The server is stopping; the connection is gone with it.
    }
  }

  private static final class Lane {
    final int group;
    final ArrayDeque<Op> waiting = new ArrayDeque<>();
    int running;
    boolean runningWrite;
    boolean dirty;

    Lane(int group) {
      this.group = group;
    }
  }

  /** One router call: a read, or a batch of writes proposed as one log entry. */
  private static final class Op {
    final boolean write;
    final boolean resp3;
    final List<Step> steps = new ArrayList<>(1);
    /** Argument bytes of the steps (counted only when batches are bounded by bytes). */
    long bytes;

    Op(boolean write, boolean resp3) {
      this.write = write;
      this.resp3 = resp3;
    }
  }

  private record Step(int group, int slot, boolean write, boolean resp3, byte[][] args,
      boolean alone, ReplySink sink) {}

  private record Barrier(Supplier<CompletableFuture<Reply>> task, ReplySink sink) {}
}
