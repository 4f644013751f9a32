package io.kvorum.raft.route;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.proto.slotgroup.Transaction;
import io.kvorum.raft.group.ReplyMessage;
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
 * are submitted in arrival order, so one connection's writes keep their order.
 *
 * <p>A MULTI/EXEC transaction is one call of an entry. One with WATCHed keys is checked right
 * before its entry is submitted, when every earlier entry of the group has been applied here
 * (nothing is in flight then): it goes first in its entry, carrying the applied index it was
 * checked at, or is answered with a null array at once if a watched key changed.
 */
final class GroupWriteQueue {
  private final Function<SlotGroupEntry, CompletableFuture<ReplyMessage>> submitter;
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
      LongSupplier check) {}

  /**
   * @param maxInFlight entries of this group submitted but not yet applied before writes queue
   * @param maxCommands most commands in one entry
   * @param maxBytes    most argument bytes in one entry (a single bigger write still goes alone)
   */
  GroupWriteQueue(Function<SlotGroupEntry, CompletableFuture<ReplyMessage>> submitter,
      int maxInFlight, int maxCommands, long maxBytes) {
    this.submitter = submitter;
    this.maxInFlight = maxInFlight;
    this.maxCommands = maxCommands;
    this.maxBytes = maxBytes;
  }

  CompletableFuture<List<Reply>> enqueue(List<byte[][]> commands, boolean resp3) {
    return add(new Pending(commands, resp3, bytes(commands), new CompletableFuture<>(), false,
        List.of(), null));
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
    return add(new Pending(commands, resp3, bytes(commands), new CompletableFuture<>(), true,
        liveKeys, check)).thenApply(r -> r.get(0));
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

  private CompletableFuture<List<Reply>> add(Pending p) {
    List<Pending> aborted = new ArrayList<>();
    synchronized (this) {
      waiting.add(p);
      if (inFlight < maxInFlight) {
        inFlight++;
        // Submitted under the lock: the order entries reach Ratis is the order writes arrived.
        submitNext(aborted);
      }
    }
    abort(aborted);
    return p.future();
  }

  /** Watched transactions whose keys changed: EXEC's null reply (completed outside the lock). */
  private static void abort(List<Pending> aborted) {
    for (Pending p : aborted) {
      p.future().complete(List.of(Reply.NULL_ARRAY));
    }
  }

  /**
   * Under the lock, with one in-flight slot taken: submits the next batch, or gives the slot back
   * when nothing is left (watched transactions found changed go to {@code aborted}).
   */
  private void submitNext(List<Pending> aborted) {
    while (!waiting.isEmpty()) {
      List<Pending> batch = takeBatch();
      long guard = -1;
      Pending first = batch.get(0);
      if (first.check() != null) {
        guard = first.check().getAsLong();
        if (guard < 0) {
          aborted.add(batch.remove(0));
          if (batch.isEmpty()) {
            continue;
          }
        }
      }
      submit(batch, guard);
      return;
    }
    inFlight--;
  }

  private List<Pending> takeBatch() {
    List<Pending> batch = new ArrayList<>();
    long bytes = 0;
    int commands = 0;
    while (!waiting.isEmpty()) {
      Pending next = waiting.peek();
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

  /** @param guard the applied index the first (watched) transaction was checked at, or -1 */
  private void submit(List<Pending> batch, long guard) {
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
    CompletableFuture<ReplyMessage> result;
    try {
      result = submitter.apply(entry.build());
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    result.whenComplete((message, error) -> {
      // The next entry goes to the log before this one's replies are delivered, so its fsync
      // overlaps the reply work instead of waiting for it.
      List<Pending> aborted = new ArrayList<>();
      synchronized (this) {
        submitNext(aborted);
      }
      complete(batch, message, error);
      abort(aborted);
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
