package io.kvorum.storage.generic;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.string.StringEncoding;
import java.util.List;

/**
 * OBJECT, a container command as in Redis 7.0: the container entry has no handler, each
 * subcommand ({@code object|encoding}, …) is its own entry with its own arity and flags.
 */
public final class ObjectCommands {
  static final String NO_LFU =
      "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that"
          + " when switching between policies at runtime LRU and LFU data will take some time to"
          + " adjust.";

  private static final List<String> HELP = List.of(
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.");

  private ObjectCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("object", -2, "", 0, 0, 0, "@slow", ""), null),
        KeyspaceCommand.of(of("object|help", 2, "loading stale", 0, 0, 0, "@keyspace @slow", ""),
            ObjectCommands::help),
        KeyspaceCommand.of(
            of("object|encoding", 3, "readonly", 2, 2, 1, "@keyspace @read @slow",
                "nondeterministic_output"),
            ObjectCommands::encoding),
        KeyspaceCommand.of(
            of("object|freq", 3, "readonly", 2, 2, 1, "@keyspace @read @slow",
                "nondeterministic_output"),
            ObjectCommands::freq),
        KeyspaceCommand.of(
            of("object|idletime", 3, "readonly", 2, 2, 1, "@keyspace @read @slow",
                "nondeterministic_output"),
            ObjectCommands::idletime),
        KeyspaceCommand.of(
            of("object|refcount", 3, "readonly", 2, 2, 1, "@keyspace @read @slow",
                "nondeterministic_output"),
            ObjectCommands::refcount));
  }

  static Reply help(CommandContext ctx, byte[][] args) {
    return Reply.statusLines(HELP);
  }

  static Reply encoding(CommandContext ctx, byte[][] args) {
    KeyMeta meta = ctx.keyspace().lookup(args[2]);
    return meta == null ? Reply.NULL : Reply.bulk(KeyMeta.Encoding.name(meta.encoding()));
  }

  /** Redis tracks access frequency only under an LFU maxmemory policy; Kvorum has none. */
  static Reply freq(CommandContext ctx, byte[][] args) {
    if (ctx.keyspace().lookup(args[2]) == null) {
      return Reply.NULL;
    }
    throw new RedisError(NO_LFU);
  }

  /**
   * Always 0 for an existing key. Redis answers the seconds since the last access; Kvorum does not
   * record access times (a read would have to write, and replicas would disagree), and not even
   * the time of the last write is kept, so 0 ("just used") is the honest lower bound.
   */
  static Reply idletime(CommandContext ctx, byte[][] args) {
    return ctx.keyspace().lookup(args[2]) == null ? Reply.NULL : Reply.ZERO;
  }

  /** 2147483647 for Redis's shared integer objects (0..9999 stored as int), else 1. */
  static Reply refcount(CommandContext ctx, byte[][] args) {
    KeyMeta meta = ctx.keyspace().lookup(args[2]);
    if (meta == null) {
      return Reply.NULL;
    }
    return Reply.integer(meta.type() == RedisType.STRING ? StringEncoding.refcount(meta) : 1);
  }
}
