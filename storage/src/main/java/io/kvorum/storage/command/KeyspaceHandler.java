package io.kvorum.storage.command;

import io.kvorum.storage.reply.Reply;

/**
 * Executes one keyspace command against one slot group. {@code args[0]} is the command name as
 * sent (and {@code args[1]} the subcommand for container commands). Errors are thrown as {@link
 * io.kvorum.storage.reply.RedisError}. Must be deterministic given the context.
 */
@FunctionalInterface
public interface KeyspaceHandler {
  Reply execute(CommandContext ctx, byte[][] args);
}
