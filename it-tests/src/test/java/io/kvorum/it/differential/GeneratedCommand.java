package io.kvorum.it.differential;

import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.RespReply;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One command of a random sequence, and how its replies are compared. */
record GeneratedCommand(List<String> args, Check check) {

  GeneratedCommand {
    args = List.copyOf(args);
  }

  static GeneratedCommand exact(String... args) {
    return new GeneratedCommand(List.of(args), Check.EXACT);
  }

  /** The command name in upper case, for statistics ("SET", "OBJECT ENCODING", "FOO"). */
  String name() {
    String first = args.isEmpty() ? "" : args.get(0).toUpperCase(java.util.Locale.ROOT);
    if (CONTAINERS.contains(first) && args.size() > 1) {
      return first + " " + args.get(1).toUpperCase(java.util.Locale.ROOT);
    }
    return first;
  }

  /** Commands whose statistics are kept per subcommand. */
  static final java.util.Set<String> CONTAINERS = java.util.Set.of("OBJECT", "CLUSTER", "XGROUP", "XINFO",
      "SCRIPT", "FUNCTION");

  List<byte[]> bytes() {
    return RawResp.utf8(args.toArray(String[]::new));
  }

  /** redis-cli style: SET "{t}a" "x\r\n" "EX" "100" (arguments quoted and escaped, the name bare). */
  String display() {
    if (args.isEmpty()) {
      return "(empty command)";
    }
    boolean restore = check == Check.RESTORE_OWN || check == Check.RESTORE_ORACLE || check == Check.RESTORE_CORRUPT;
    StringBuilder out = new StringBuilder(args.get(0));
    for (int i = 1; i < args.size(); i++) {
      String quoted = "\"" + RespReply.escape(args.get(i).getBytes(StandardCharsets.UTF_8)).replace("\"", "\\\"") + "\"";
      out.append(' ').append(restore && i == 3 ? "<payload: DUMP " + quoted + ">" : quoted);
    }
    return out.toString();
  }
}
