package io.kvorum.resp.command;

import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.List;

/** The reply of {@code X HELP}, framed like Redis's addReplyHelp. */
public final class HelpText {
  private HelpText() {}

  public static Reply reply(String command, List<String> lines) {
    List<Reply> out = new ArrayList<>(lines.size() + 3);
    out.add(new Reply.Status(command + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
    for (String l : lines) {
      out.add(new Reply.Status(l));
    }
    out.add(new Reply.Status("HELP"));
    out.add(new Reply.Status("    Prints this help."));
    return new Reply.Array(out);
  }
}
