package io.kvorum.resp.script;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.resp.command.GatewayCommand;
import io.kvorum.storage.script.RunningScripts;
import java.util.List;

/**
 * SCRIPT KILL and FUNCTION KILL: answered on the event loop, never queued behind the slot group
 * whose script they are about (that group's apply may be the busy thing).
 */
public final class ScriptKillCommands {
  private ScriptKillCommands() {}

  public static List<GatewayCommand> table() {
    String flags = "noscript allow_busy";
    String tips = "request_policy:all_shards response_policy:one_succeeded";
    return List.of(
        GatewayCommand.immediate(of("script|kill", 2, flags, 0, 0, 0, "@slow @scripting", tips),
            c -> RunningScripts.kill(false)),
        GatewayCommand.immediate(of("function|kill", 2, flags, 0, 0, 0, "@slow @scripting",
            tips), c -> RunningScripts.kill(true)));
  }
}
