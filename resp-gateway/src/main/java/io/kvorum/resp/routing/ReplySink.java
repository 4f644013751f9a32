package io.kvorum.resp.routing;

import io.kvorum.storage.reply.Reply;

/** Where the reply of one queued command goes (its place in the connection's reply order). */
@FunctionalInterface
public interface ReplySink {
  void complete(Reply reply);
}
