package io.kvorum.resp.server;

import io.kvorum.resp.cluster.ClusterCommands;
import io.kvorum.resp.command.CommandCommands;
import io.kvorum.resp.command.GatewayCommand;
import io.kvorum.resp.config.ConfigCommands;
import io.kvorum.resp.connection.ClientCommands;
import io.kvorum.resp.connection.ConnectionCommands;
import io.kvorum.resp.info.InfoCommand;
import io.kvorum.resp.pubsub.PubSubCommands;
import io.kvorum.resp.replication.RoleCommand;
import io.kvorum.resp.replication.WaitCommand;
import io.kvorum.resp.transaction.TransactionCommands;
import io.kvorum.resp.script.ScriptKillCommands;
import io.kvorum.resp.slowlog.SlowLogCommands;
import java.util.ArrayList;
import java.util.List;

/** The commands the gateway answers itself, gathered from their feature packages. */
public final class GatewayCommands {
  private GatewayCommands() {}

  public static List<GatewayCommand> all() {
    List<GatewayCommand> all = new ArrayList<>();
    all.addAll(ConnectionCommands.table());
    all.addAll(ClientCommands.table());
    all.addAll(CommandCommands.table());
    all.addAll(ConfigCommands.table());
    all.addAll(ClusterCommands.table());
    all.addAll(InfoCommand.table());
    all.addAll(ServerCommands.table());
    all.addAll(PubSubCommands.table());
    all.addAll(TransactionCommands.table());
    all.addAll(ScriptKillCommands.table());
    all.addAll(WaitCommand.table());
    all.addAll(RoleCommand.table());
    all.addAll(SlowLogCommands.table());
    return all;
  }
}
