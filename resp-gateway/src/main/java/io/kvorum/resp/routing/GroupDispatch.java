package io.kvorum.resp.routing;

import io.kvorum.storage.reply.Reply;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a connection's keyed commands go: the cluster port's {@link KeyspaceDispatcher} (local
 * leader, else {@code -MOVED}) or the proxy port's dispatcher (local leader, else forwarded).
 */
public interface GroupDispatch {

  /** A read of one command on {@code group}, whose keys are in {@code slot}. */
  CompletableFuture<Reply> read(int group, int slot, byte[][] args, boolean resp3);

  /** Writes proposed together as one log entry of {@code group}; one reply per command. */
  CompletableFuture<List<Reply>> write(
      int group, int[] slots, List<byte[][]> commands, boolean resp3);
}
