package io.kvorum.resp.connection;

import io.kvorum.resp.command.CommandEntry;
import io.kvorum.resp.routing.ReplySink;
import io.kvorum.resp.routing.RouteErrors;
import io.kvorum.storage.reply.Reply;

/**
 * A command's place in its connection's reply order. Replies are written strictly in request
 * order, each in the protocol the connection spoke when the command arrived.
 */
final class PendingReply implements ReplySink {
  /** The command, for its statistics; null for protocol errors and unknown commands. */
  final CommandEntry entry;
  final boolean resp3;
  final long startNanos;
  /** Execution time of a command that ran at once; -1: measured when the reply arrives. */
  long durationNanos = -1;
  /** The command ran (it was not refused before running). */
  final boolean executed;
  boolean silent;
  boolean closeAfter;
  boolean done;
  Reply reply;
  /** The command's arguments, for the slow log; null for what never ran as a command. */
  byte[][] args;
  /** Called when the reply arrives (before it is written). */
  Runnable onComplete;

  PendingReply(CommandEntry entry, boolean resp3, boolean silent, boolean executed) {
    this.entry = entry;
    this.resp3 = resp3;
    this.silent = silent;
    this.executed = executed;
    this.startNanos = System.nanoTime();
  }

  static PendingReply done(CommandEntry entry, Reply reply, boolean resp3, boolean silent,
      boolean executed) {
    PendingReply p = new PendingReply(entry, resp3, silent, executed);
    p.reply = reply;
    p.done = true;
    return p;
  }

  @Override
  public void complete(Reply r) {
    reply = r;
    if (r == RouteErrors.OUTCOME_UNKNOWN) {
      // No reply could be true: close the connection so the client sees an unknown outcome.
      silent = true;
      closeAfter = true;
    }
    done = true;
    if (onComplete != null) {
      onComplete.run();
    }
  }
}
