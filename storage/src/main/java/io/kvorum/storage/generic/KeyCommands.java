package io.kvorum.storage.generic;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.reply.Reply;
import java.util.List;

/** The generic keyspace commands (DEL, EXISTS, EXPIRE, TTL, …). */
public final class KeyCommands {
  private KeyCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("del", -2, "write", 1, -1, 1, "@keyspace @write @slow", ""),
            KeyCommands::del),
        KeyspaceCommand.of(of("exists", -2, "readonly fast", 1, -1, 1, "@keyspace @read @fast", ""),
            KeyCommands::exists));
  }

  static Reply del(CommandContext ctx, byte[][] args) {
    long n = 0;
    for (int i = 1; i < args.length; i++) {
      if (ctx.keyspace().delete(args[i])) {
        n++;
      }
    }
    return Reply.integer(n);
  }

  static Reply exists(CommandContext ctx, byte[][] args) {
    long n = 0;
    for (int i = 1; i < args.length; i++) {
      if (ctx.keyspace().exists(args[i])) {
        n++;
      }
    }
    return Reply.integer(n);
  }
}
