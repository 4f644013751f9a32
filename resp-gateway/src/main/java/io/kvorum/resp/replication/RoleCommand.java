package io.kvorum.resp.replication;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.resp.command.GatewayCommand;
import io.kvorum.storage.reply.Reply;
import java.util.List;

/**
 * ROLE: every node answers as a master without Redis replicas, as INFO replication and CLUSTER
 * NODES describe it. A node leads some slot groups and follows others; Redis's roles cannot say
 * that, and its replicas are Raft followers that Redis clients never need to reach.
 */
public final class RoleCommand {
  private RoleCommand() {}

  public static List<GatewayCommand> table() {
    return List.of(GatewayCommand.immediate(of("role", 1, "noscript loading stale fast", 0, 0, 0,
        "@admin @fast @dangerous", ""), c -> new Reply.Array(List.of(
            Reply.bulk("master"),
            Reply.integer(0), new Reply.Array(List.of())))));
  }
}
