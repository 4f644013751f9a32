package io.kvorum.raft.route;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.raft.group.ReplyMessage;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Group commit for one slot group: writes from all connections that arrive while earlier entries
 * are in flight travel together in the next log entry. Under light load every write is submitted
 * at once; under heavy load the Raft and RocksDB cost per entry is shared by many writes. Entries
 * are submitted in arrival order, so one connection's writes keep their order.
 */
final class GroupWriteQueue {
  private final Function<SlotGroupEntry, CompletableFuture<ReplyMessage>> submitter;
  private final int maxInFlight;
  private final int maxCommands;
  private final long maxBytes;
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private int inFlight;

  /** Writes of one caller: one or more commands answered together. */
  private record Pending(List<byte[][]> commands, boolean resp3, long bytes,
      CompletableFuture<List<Reply>> future) {}

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
    long bytes = 0;
    for (byte[][] args : commands) {
      for (byte[] a : args) {
        bytes += a.length + 8;
      }
    }
    Pending p = new Pending(commands, resp3, bytes, new CompletableFuture<>());
    synchronized (this) {
      waiting.add(p);
      if (inFlight < maxInFlight) {
        inFlight++;
        // Submitted under the lock: the order entries reach Ratis is the order writes arrived.
        submit(takeBatch());
      }
    }
    return p.future();
  }

  private List<Pending> takeBatch() {
    List<Pending> batch = new ArrayList<>();
    long bytes = 0;
    int commands = 0;
    while (!waiting.isEmpty()) {
      Pending next = waiting.peek();
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

  private void submit(List<Pending> batch) {
    SlotGroupEntry.Builder entry = SlotGroupEntry.newBuilder()
        .setTimeMs(System.currentTimeMillis())
        .setRandomSeed(ThreadLocalRandom.current().nextLong());
    for (Pending p : batch) {
      for (byte[][] args : p.commands()) {
        CommandCall.Builder call = CommandCall.newBuilder().setResp3(p.resp3());
        for (byte[] a : args) {
          call.addArgs(ByteString.copyFrom(a));
        }
        entry.addCalls(call);
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
      synchronized (this) {
        if (waiting.isEmpty()) {
          inFlight--;
        } else {
          submit(takeBatch());
        }
      }
      complete(batch, message, error);
    });
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
      int n = p.commands().size();
      p.future().complete(replies.subList(at, at + n));
      at += n;
    }
  }
}
