package io.kvorum.resp.server;

import java.util.concurrent.CompletableFuture;

/**
 * What SHUTDOWN does: supplied by the server module, which owns the process. Completing normally
 * means the node is going down (the client gets no reply, as with Redis); completing
 * exceptionally answers {@code -ERR Errors trying to SHUTDOWN. Check logs.}.
 */
@FunctionalInterface
public interface ShutdownHook {

  /** SHUTDOWN's flags: SAVE / NOSAVE (neither: default), NOW, FORCE. */
  record Request(boolean save, boolean noSave, boolean now, boolean force) {}

  CompletableFuture<Void> shutdown(Request request);

  /** A hook that refuses (embedded use and tests without a process to stop). */
  ShutdownHook REFUSE = r -> CompletableFuture.failedFuture(
      new UnsupportedOperationException("SHUTDOWN is not enabled on this node"));
}
