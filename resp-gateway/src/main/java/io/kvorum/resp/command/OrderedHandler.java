package io.kvorum.resp.command;

import io.kvorum.storage.reply.Reply;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a gateway command that reads or changes keyspace state (SAVE, CLUSTER COUNTKEYSINSLOT, …):
 * it starts only after the connection's earlier keyspace commands completed, and later ones wait
 * for it, so it observes the connection's own writes.
 */
@FunctionalInterface
public interface OrderedHandler {
  CompletableFuture<Reply> execute(Invocation call);
}
