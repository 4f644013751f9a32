package io.kvorum.raft.route;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.proto.slotgroup.Transaction;
import io.kvorum.raft.group.ReplyMessage;
import io.kvorum.storage.engine.SlotGroupStore;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Group commit for one slot group: writes from all connections that arrive while earlier entries
 * are in flight travel together in the next log entry. Under light load every write is submitted
 * at once; under heavy load the Raft and RocksDB cost per entry is shared by many writes. Entries
 * are submitted in arrival order, so one connection's writes keep their order. The node's groups
 * also share a bound on entries in flight ({@link EntrySlots}): on a busy node a group waits for a
 * slot, and its next entry carries more writes.
 *
 * <p>A MULTI/EXEC transaction is one call of an entry. One with WATCHed keys is checked right
 * before its entry is submitted, when every earlier entry of the group has been applied here
 * (nothing is in flight then): it goes first in its entry, carrying the applied index it was
 * checked at, or is answered with a null array at once if a watched key changed.
 *
 * <p>A write script (EVAL, EVALSHA, FCALL) holds the queue as an exclusive lane: once everything
 * before it is applied, the leader runs it first ({@link ScriptLane#dryRun}, where SCRIPT KILL
 * can stop it) while later writes wait, as they wait behind a script in Redis. A dry run that
 * wrote is proposed alone in its entry with the clock and seed it ran with, guarded by the
 * state it saw; if that state changed before it was applied (a new leader's entries), it is
 * run again, at most {@link #SCRIPT_ATTEMPTS} times, then proposed unguarded. A killed dry run
 * is answered at once; one that wrote nothing is answered from the dry run once a read barrier
 * shows the state it saw is still the group's.
 */
final class GroupWriteQueue {
  /** Dry runs of one script before it is proposed unguarded (run only at apply, as a log entry). */
  static final int SCRIPT_ATTEMPTS = 5;

  /** How the queue runs write scripts first; null runs them only at apply. */
  interface ScriptLane {
    /** Whether {@code args} is a write script the leader runs first. */
    boolean runsFirst(byte[][] args);

    /** The dry run (off the caller's thread) with the entry's clock and seed. */
    CompletableFuture<SlotGroupStore.DryRun> dryRun(
        byte[][] args, boolean resp3, long timeMs, long seed);

    /**
     * After a linearizable read barrier: whether the group's last data change is still {@code
     * lastDataChange}, so a dry run's reply from that state is current.
     */
    CompletableFuture<Boolean> unchangedSince(long lastDataChange);
  }

  private final Function<SlotGroupEntry, CompletableFuture<ReplyMessage>> submitter;
  private final ScriptLane scripts;
  private final EntrySlots slots;
  private final int maxInFlight;
  private final int maxCommands;
  private final long maxBytes;
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private int inFlight;

  /**
   * Writes of one caller: one or more commands answered together, or (when {@code transaction})
   * one MULTI/EXEC unit answered with one reply. {@code check} (watched transactions only) gives
   * the applied index at which no watched key changed, or -1.
   */
  private record Pending(List<byte[][]> commands, boolean resp3, long bytes,
      CompletableFuture<List<Reply>> future, boolean transaction, List<byte[]> liveKeys,
      LongSupplier check, boolean script) {}

  /**
   * @param maxInFlight entries of this group submitted but not yet applied before writes queue
   * @param maxCommands most commands in one entry
   * @param maxBytes    most argument bytes in one entry (a single bigger write still goes alone)
   */
  GroupWriteQueue(Function<SlotGroupEntry, CompletableFuture<ReplyMessage>> submitter,
      int maxInFlight, int maxCommands, long maxBytes) {
    this(submitter, maxInFlight, maxCommands, maxBytes, null, EntrySlots.unbounded());
  }

  /**
   * @param scripts runs write scripts first on the leader; null: only at apply
   * @param slots   the node's bound on entries in flight, shared by its groups' queues
   */
  GroupWriteQueue(Function<SlotGroupEntry, CompletableFuture<ReplyMessage>> submitter,
      int maxInFlight, int maxCommands, long maxBytes, ScriptLane scripts, EntrySlots slots) {
    this.submitter = submitter;
    this.scripts = scripts;
    this.slots = slots;
    this.maxInFlight = maxInFlight;
    this.maxCommands = maxCommands;
    this.maxBytes = maxBytes;
  }

  CompletableFuture<List<Reply>> enqueue(List<byte[][]> commands, boolean resp3) {
    if (scripts == null || commands.stream().noneMatch(scripts::runsFirst)) {
      return add(List.of(plain(commands, resp3, false))).get(0).future();
    }
    // Each script is a unit of its own; the writes between them keep their places. (The gateway
    // sends a script alone; a caller mixing them gets one failure for all if a part fails.)
    List<Pending> parts = new ArrayList<>();
    List<byte[][]> run = new ArrayList<>();
    for (byte[][] args : commands) {
      if (scripts.runsFirst(args)) {
        if (!run.isEmpty()) {
          parts.add(plain(run, resp3, false));
          run = new ArrayList<>();
        }
        parts.add(plain(List.<byte[][]>of(args), resp3, true));
      } else {
        run.add(args);
      }
    }
    if (!run.isEmpty()) {
      parts.add(plain(run, resp3, false));
    }
    add(parts);
    CompletableFuture<?>[] all = parts.stream().map(Pending::future)
        .toArray(CompletableFuture<?>[]::new);
    return CompletableFuture.allOf(all).thenApply(v -> {
      List<Reply> replies = new ArrayList<>(commands.size());
      for (Pending p : parts) {
        replies.addAll(p.future().join());
      }
      return replies;
    });
  }

  private static Pending plain(List<byte[][]> commands, boolean resp3, boolean script) {
    return new Pending(commands, resp3, bytes(commands), new CompletableFuture<>(), false,
        List.of(), null, script);
  }

  /**
   * A MULTI/EXEC transaction as one unit of an entry; completes with its array of replies, or a
   * null array when aborted by WATCH.
   *
   * @param liveKeys watched keys that existed at WATCH (aborted at apply if expired by then)
   * @param check    null without watched keys; else the applied index at which no watched key
   *                 changed, or -1 (called under this queue's lock with nothing in flight)
   */
  CompletableFuture<Reply> enqueueTransaction(List<byte[][]> commands, boolean resp3,
      List<byte[]> liveKeys, LongSupplier check) {
    return add(List.of(new Pending(commands, resp3, bytes(commands), new CompletableFuture<>(),
        true, liveKeys, check, false))).get(0).future().thenApply(r -> r.get(0));
  }

  private static long bytes(List<byte[][]> commands) {
    long bytes = 0;
    for (byte[][] args : commands) {
      for (byte[] a : args) {
        bytes += a.length + 8;
      }
    }
    return bytes;
  }

  /** Queues {@code parts} together, in order; returns them. */
  private List<Pending> add(List<Pending> parts) {
    boolean start = false;
    synchronized (this) {
      waiting.addAll(parts);
      if (inFlight < maxInFlight) {
        inFlight++;
        start = true;
      }
    }
    if (start) {
      slots.acquire(this::onSlot);
    }
    return parts;
  }

  /** An entry handed to Ratis, with the writes it carries and the node slot it holds. */
  private record Proposed(
      List<Pending> batch, CompletableFuture<ReplyMessage> reply, EntrySlots.Slot slot) {}

  /** Holding one of this group's in-flight places and a node slot: submits what is waiting. */
  private void onSlot(EntrySlots.Slot slot) {
    List<Pending> aborted = new ArrayList<>();
    Proposed proposed;
    synchronized (this) {
      // Submitted under the lock: the order entries reach Ratis is the order writes arrived.
      proposed = submitNext(aborted, slot);
    }
    // Outside the lock: a proposal Ratis refused at once completes here, and giving its slot
    // back runs another group's submission, which must not nest inside this group's lock.
    if (proposed == null) {
      slots.release(slot);
    } else {
      whenApplied(proposed);
    }
    abort(aborted);
  }

  /**
   * An in-flight place came back (an entry or a script is done): asks for a node slot again if
   * writes wait, else gives the place up.
   */
  private void next() {
    boolean more;
    synchronized (this) {
      more = !waiting.isEmpty();
      if (!more) {
        inFlight--;
      }
    }
    if (more) {
      slots.acquire(this::onSlot);
    }
  }

  /** Watched transactions whose keys changed: EXEC's null reply (completed outside the lock). */
  private static void abort(List<Pending> aborted) {
    for (Pending p : aborted) {
      p.future().complete(List.of(Reply.NULL_ARRAY));
    }
  }

  /**
   * Under the lock, with one in-flight place taken: submits the next batch, or gives the place
   * back when nothing is left (watched transactions found changed go to {@code aborted}). Returns
   * the entry submitted, holding {@code slot} until it is applied, or null; a script runs without
   * a slot (its dry run may take seconds), and keeps only the group's place.
   */
  private Proposed submitNext(List<Pending> aborted, EntrySlots.Slot slot) {
    while (!waiting.isEmpty()) {
      List<Pending> batch = takeBatch();
      long guard = -1;
      Pending first = batch.get(0);
      if (first.script()) {
        runScript(first, 1);
        return null;
      }
      if (first.check() != null) {
        guard = first.check().getAsLong();
        if (guard < 0) {
          aborted.add(batch.remove(0));
          if (batch.isEmpty()) {
            continue;
          }
        }
      }
      return submit(batch, guard, slot);
    }
    inFlight--;
    return null;
  }

  private List<Pending> takeBatch() {
    List<Pending> batch = new ArrayList<>();
    long bytes = 0;
    int commands = 0;
    while (!waiting.isEmpty()) {
      Pending next = waiting.peek();
      if (next.script()) {
        // A script has the queue to itself: it goes alone, after everything before it.
        if (batch.isEmpty()) {
          batch.add(waiting.poll());
        }
        break;
      }
      if (!batch.isEmpty() && next.check() != null) {
        // A watched transaction is checked against everything applied: it leads its own entry.
        break;
      }
      boolean fits = batch.isEmpty()
          || (bytes + next.bytes() <= maxBytes && commands + next.commands().size() <= maxCommands);
      if (!fits) {
        break;
      }
      batch.add(waiting.poll());
      bytes += next.bytes();
      commands += next.commands().size();
    }
    return batch;
  }

  /**
   * Attempt {@code attempt} of a write script, holding the queue's in-flight slot (everything
   * before it is applied; everything after it waits): its dry run, then its guarded entry, its
   * reply, or another attempt.
   */
  private void runScript(Pending p, int attempt) {
    if (attempt > SCRIPT_ATTEMPTS) {
      // The group kept changing under it: run it as any write, at apply only.
      whenApplied(submit(List.of(p), -1, null));
      return;
    }
    byte[][] args = p.commands().get(0);
    long time = System.currentTimeMillis();
    long seed = ThreadLocalRandom.current().nextLong();
    CompletableFuture<SlotGroupStore.DryRun> dry;
    try {
      dry = scripts.dryRun(args, p.resp3(), time, seed);
    } catch (RuntimeException e) {
      dry = CompletableFuture.failedFuture(e);
    }
    dry.whenComplete((run, error) -> {
      if (error != null) {
        scriptDone(p, null, error);
      } else if (run.killed()) {
        scriptDone(p, List.of(run.reply()), null);
      } else if (run.wrote()) {
        CommandCall.Builder call = call(args, p.resp3()).setGuarded(true)
            .setLastDataChange(run.lastDataChange());
        propose(SlotGroupEntry.newBuilder().setTimeMs(time).setRandomSeed(seed).addCalls(call)
            .build()).whenComplete((message, failure) -> {
              if (failure == null && message.replies().get(0) == SlotGroupStore.GUARD_MOVED) {
                runScript(p, attempt + 1);
              } else {
                scriptDone(p, failure == null ? message.replies() : null, failure);
              }
            });
      } else {
        unchangedSince(run.lastDataChange()).whenComplete((same, failure) -> {
          if (failure != null) {
            scriptDone(p, null, failure);
          } else if (same) {
            scriptDone(p, List.of(run.reply()), null);
          } else {
            runScript(p, attempt + 1);
          }
        });
      }
    });
  }

  private CompletableFuture<Boolean> unchangedSince(long lastDataChange) {
    try {
      return scripts.unchangedSince(lastDataChange);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<ReplyMessage> propose(SlotGroupEntry entry) {
    try {
      return submitter.apply(entry);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** A script is answered: the queue moves on first, as after any entry. */
  private void scriptDone(Pending p, List<Reply> replies, Throwable error) {
    next();
    if (error != null) {
      p.future().completeExceptionally(error);
    } else {
      p.future().complete(replies);
    }
  }

  /**
   * Proposes {@code batch} as one entry; the caller attaches {@link #whenApplied}.
   *
   * @param guard the applied index the first (watched) transaction was checked at, or -1
   * @param slot  the node slot the entry holds until it is applied, or null
   */
  private Proposed submit(List<Pending> batch, long guard, EntrySlots.Slot slot) {
    SlotGroupEntry.Builder entry = SlotGroupEntry.newBuilder()
        .setTimeMs(System.currentTimeMillis())
        .setRandomSeed(ThreadLocalRandom.current().nextLong());
    for (Pending p : batch) {
      if (p.transaction()) {
        Transaction.Builder tx = Transaction.newBuilder();
        for (byte[][] args : p.commands()) {
          tx.addCommands(call(args, p.resp3()));
        }
        if (p.check() != null) {
          tx.setGuarded(true).setAppliedIndex(guard);
        }
        for (byte[] k : p.liveKeys()) {
          tx.addLiveKeys(ByteString.copyFrom(k));
        }
        entry.addCalls(CommandCall.newBuilder().setResp3(p.resp3()).setTransaction(tx));
        continue;
      }
      for (byte[][] args : p.commands()) {
        entry.addCalls(call(args, p.resp3()));
      }
    }
    return new Proposed(batch, propose(entry.build()), slot);
  }

  private void whenApplied(Proposed p) {
    p.reply().whenComplete((message, error) -> {
      // The next entry goes to the log before this one's replies are delivered, so its fsync
      // overlaps the reply work instead of waiting for it.
      slots.release(p.slot());
      next();
      complete(p.batch(), message, error);
    });
  }

  private static CommandCall.Builder call(byte[][] args, boolean resp3) {
    CommandCall.Builder call = CommandCall.newBuilder().setResp3(resp3);
    for (byte[] a : args) {
      call.addArgs(ByteString.copyFrom(a));
    }
    return call;
  }

  private static void complete(List<Pending> batch, ReplyMessage message, Throwable error) {
    if (error != null) {
      for (Pending p : batch) {
        p.future().completeExceptionally(error);
      }
      return;
    }
    List<Reply> replies = message.replies();
    int at = 0;
    for (Pending p : batch) {
      int n = p.transaction() ? 1 : p.commands().size();
      p.future().complete(replies.subList(at, at + n));
      at += n;
    }
  }
}
