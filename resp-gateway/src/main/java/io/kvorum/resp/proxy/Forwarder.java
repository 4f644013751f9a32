package io.kvorum.resp.proxy;

import io.kvorum.storage.reply.Reply;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends keyed commands to the node that leads their slot group, which runs them as if they had
 * come on its own proxy port (the server implements this over node-to-node gRPC). Completes with
 * one reply per command, or exceptionally with a {@link ForwardException}. Cancelling the future
 * abandons the call (the client of a forwarded blocking command went away).
 */
@FunctionalInterface
public interface Forwarder {

  CompletableFuture<List<Reply>> forward(String nodeId, ForwardRequest request);

  /** No node-to-node transport (a gateway on its own): every forward fails undelivered. */
  Forwarder NONE = (nodeId, request) -> CompletableFuture.failedFuture(
      new ForwardException(false, "no node-to-node transport to reach node " + nodeId));
}
