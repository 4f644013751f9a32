package io.kvorum.it.differential;

import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.RespReply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

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
    if ((first.equals("OBJECT") || first.equals("CLUSTER")) && args.size() > 1) {
      return first + " " + args.get(1).toUpperCase(java.util.Locale.ROOT);
    }
    return first;
  }

  List<byte[]> bytes() {
    return RawResp.utf8(args.toArray(String[]::new));
  }

  /** redis-cli style: SET "{t}a" "x\r\n" "EX" "100" (arguments quoted and escaped, the name bare). */
  String display() {
    if (args.isEmpty()) {
      return "(empty command)";
    }
    return args.get(0) + args.stream().skip(1)
        .map(arg -> " \"" + RespReply.escape(arg.getBytes(StandardCharsets.UTF_8)).replace("\"", "\\\"") + "\"")
        .collect(Collectors.joining());
  }
}
