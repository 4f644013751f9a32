package io.kvorum.resp.slowlog;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.resp.command.GatewayCommand;
import io.kvorum.resp.command.HelpText;
import io.kvorum.resp.command.Invocation;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.Reply;
import java.util.List;

/** SLOWLOG GET/LEN/RESET/HELP, as Redis 7.0 answers them, over this node's {@link SlowLog}. */
public final class SlowLogCommands {
  private SlowLogCommands() {}

  public static List<GatewayCommand> table() {
    String admin = "@admin @slow @dangerous";
    String flags = "admin loading stale";
    return List.of(
        GatewayCommand.container(of("slowlog", -2, "", 0, 0, 0, "@slow", "")),
        GatewayCommand.immediate(of("slowlog|reset", 2, flags, 0, 0, 0, admin,
            "request_policy:all_nodes response_policy:all_succeeded"), c -> {
              c.gateway().slowLog().reset();
              return Reply.OK;
            }),
        GatewayCommand.immediate(of("slowlog|help", 2, "loading stale", 0, 0, 0, "@slow", ""),
            c -> HelpText.reply("SLOWLOG", HELP)),
        GatewayCommand.immediate(of("slowlog|get", -2, flags, 0, 0, 0, admin,
            "request_policy:all_nodes nondeterministic_output"), SlowLogCommands::get),
        GatewayCommand.immediate(of("slowlog|len", 2, flags, 0, 0, 0, admin,
            "request_policy:all_nodes response_policy:agg_sum nondeterministic_output"),
            c -> Reply.integer(c.gateway().slowLog().length())));
  }

  private static final List<String> HELP = List.of(
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.");

  private static Reply get(Invocation c) {
    long count = 10;
    if (c.argc() == 3) {
      Long n = RedisNumbers.parseLongOrNull(c.arg(2));
      if (n == null || n < -1) {
        return new Reply.Error("ERR count should be greater than or equal to -1");
      }
      count = n;
    } else if (c.argc() > 3) {
      return new Reply.Error("ERR unknown subcommand or wrong number of arguments for '"
          + c.text(1) + "'. Try SLOWLOG HELP.");
    }
    return c.gateway().slowLog().get(count);
  }
}
