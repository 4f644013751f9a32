package io.kvorum.storage.expiry;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.CommandSpec;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.reply.Reply;
import java.util.List;

/**
 * Active expiry. The leader finds keys past their deadline ({@link
 * io.kvorum.storage.engine.SlotGroupStore#dueForExpiry}) and proposes {@value #EXPIRE_DUE} through
 * Raft, so every replica deletes the same keys at the same log position. Each key is re-checked
 * against the entry's clock: a key whose expiry was changed meanwhile stays.
 */
public final class ExpiryCommands {
  /** Internal command: {@code kvorum.expire-due key [key …]}; never offered to clients. */
  public static final String EXPIRE_DUE = "kvorum.expire-due";

  private ExpiryCommands() {}

  public static List<KeyspaceCommand> internal() {
    return List.of(
        KeyspaceCommand.of(
            CommandSpec.of(EXPIRE_DUE, -2, "write", 1, -1, 1, "", ""),
            ExpiryCommands::expireDue));
  }

  private static Reply expireDue(CommandContext ctx, byte[][] args) {
    long deleted = 0;
    for (int i = 1; i < args.length; i++) {
      if (ctx.keyspace().expireIfDue(args[i])) {
        deleted++;
      }
    }
    return Reply.integer(deleted);
  }
}
