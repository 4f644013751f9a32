package io.kvorum.resp.command;

import io.kvorum.storage.reply.Reply;

/** Runs a gateway command at once, on the connection's event loop. */
@FunctionalInterface
public interface GatewayHandler {
  /** The reply, or null when the command sends none (CLIENT REPLY OFF). */
  Reply execute(Invocation call);
}
