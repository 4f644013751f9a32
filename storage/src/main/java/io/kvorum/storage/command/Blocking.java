package io.kvorum.storage.command;

import io.kvorum.storage.keyspace.Keyspace;

/**
 * How an invocation of a command flagged {@code blocking} waits. The command's handler makes one
 * non-blocking attempt and answers {@link io.kvorum.storage.reply.Reply#NULL_ARRAY} (Redis's reply
 * on timeout) when there is nothing to serve; the gateway, which does the waiting, then parks the
 * client on the invocation's keys and repeats the attempt, wrapped in {@link
 * KeyspaceCommandTable#SERVE_BLOCKED}, whenever one of those keys is written.
 *
 * <p>A feature attaches its rule to the table entry, e.g. {@code KeyspaceCommand.of(spec, keys,
 * handler).blocking(args -> ...)}; a command with the flag but without a rule never waits.
 */
@FunctionalInterface
public interface Blocking {
  /** {@link #timeoutMillis} of an invocation that never waits (XREAD without BLOCK). */
  long NO_WAIT = -1;

  /**
   * How long this invocation may wait in milliseconds, 0 meaning forever, or {@link #NO_WAIT}.
   * Throws {@link io.kvorum.storage.reply.RedisError} for an invalid timeout; the gateway then
   * does not wait and the attempt answers the error in Redis's order of checks.
   */
  long timeoutMillis(byte[][] args);

  /**
   * Whether the invocation names a position relative to the time it starts (XREAD's {@code $}),
   * which {@link #resolve} must fix before the first attempt.
   */
  default boolean needsResolve(byte[][] args) {
    return false;
  }

  /**
   * The invocation with every start-relative argument made absolute against {@code keyspace} (a
   * read): the form that is attempted first and repeated while the client waits, so entries that
   * arrive during the wait are served. Throws {@link io.kvorum.storage.reply.RedisError} as the
   * command would.
   */
  default byte[][] resolve(Keyspace keyspace, byte[][] args) {
    return args;
  }
}
