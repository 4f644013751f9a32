package io.kvorum.resp.command;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandFlag;
import io.kvorum.storage.command.CommandSpec;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * COMMAND, COMMAND COUNT/INFO/DOCS/LIST/GETKEYS/HELP. The first eight COMMAND INFO fields come from
 * the table's {@link CommandSpec}s; key specifications and documentation from Redis's captured
 * metadata ({@link RedisCommandData}), derived from first/last/step for commands Redis lacks.
 */
public final class CommandCommands {
  /** Redis's ACL category order (COMMAND INFO lists categories in it). */
  private static final List<String> CATEGORY_ORDER = List.of(
      "@keyspace", "@read", "@write", "@set", "@sortedset", "@list", "@hash", "@string",
      "@bitmap", "@hyperloglog", "@geo", "@stream", "@pubsub", "@admin", "@fast", "@slow",
      "@blocking", "@dangerous", "@connection", "@transaction", "@scripting");
  /** Flags Redis keeps out of COMMAND INFO. */
  private static final List<CommandFlag> HIDDEN_FLAGS = List.of(
      CommandFlag.MAY_REPLICATE, CommandFlag.SENTINEL, CommandFlag.ONLY_SENTINEL,
      CommandFlag.PROTECTED);

  private CommandCommands() {}

  public static List<GatewayCommand> table() {
    String cat = "@slow @connection";
    return List.of(
        GatewayCommand.immediate(of("command", -1, "loading stale", 0, 0, 0, cat,
            "nondeterministic_output_order"), CommandCommands::all),
        GatewayCommand.immediate(of("command|count", 2, "loading stale", 0, 0, 0, cat, ""),
            c -> Reply.integer(c.gateway().commands().topLevel().size())),
        GatewayCommand.immediate(of("command|info", -2, "loading stale", 0, 0, 0, cat,
            "nondeterministic_output_order"), CommandCommands::info),
        GatewayCommand.immediate(of("command|docs", -2, "loading stale", 0, 0, 0, cat,
            "nondeterministic_output_order"), CommandCommands::docs),
        GatewayCommand.immediate(of("command|list", -2, "loading stale", 0, 0, 0, cat,
            "nondeterministic_output_order"), CommandCommands::list),
        GatewayCommand.immediate(of("command|getkeys", -4, "loading stale", 0, 0, 0, cat, ""),
            CommandCommands::getKeys),
        GatewayCommand.immediate(of("command|help", 2, "loading stale", 0, 0, 0, cat, ""),
            c -> HelpText.reply("COMMAND", HELP)));
  }

  private static final List<String> HELP = List.of(
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.");

  static Reply all(Invocation c) {
    List<Reply> out = new ArrayList<>();
    for (CommandEntry e : c.gateway().commands().topLevel()) {
      out.add(infoOf(e));
    }
    return new Reply.Array(out);
  }

  static Reply info(Invocation c) {
    if (c.argc() == 2) {
      return all(c);
    }
    List<Reply> out = new ArrayList<>();
    for (int i = 2; i < c.argc(); i++) {
      CommandEntry e = c.gateway().commands().find(c.text(i));
      out.add(e == null ? Reply.NULL : infoOf(e));
    }
    return new Reply.Array(out);
  }

  static Reply docs(Invocation c) {
    List<Reply> out = new ArrayList<>();
    if (c.argc() == 2) {
      for (CommandEntry e : c.gateway().commands().topLevel()) {
        out.add(Reply.bulk(e.name()));
        out.add(docsOf(e));
      }
    } else {
      for (int i = 2; i < c.argc(); i++) {
        CommandEntry e = c.gateway().commands().find(c.text(i));
        if (e != null) {
          out.add(Reply.bulk(e.name()));
          out.add(docsOf(e));
        }
      }
    }
    return new Reply.MapReply(out);
  }

  static Reply list(Invocation c) {
    List<CommandEntry> all = c.gateway().commands().all();
    List<Reply> out = new ArrayList<>();
    if (c.argc() == 2) {
      for (CommandEntry e : all) {
        out.add(Reply.bulk(e.name()));
      }
      return new Reply.Array(out);
    }
    if (c.argc() != 5 || !c.is(2, "filterby")) {
      return new Reply.Error(RedisError.SYNTAX);
    }
    String type = c.lower(3);
    String arg = c.text(4);
    for (CommandEntry e : all) {
      boolean match = switch (type) {
        case "module" -> false;
        case "aclcat" -> e.spec().aclCategories().contains("@" + arg.toLowerCase(Locale.ROOT));
        case "pattern" -> Glob.matches(arg, e.name(), true);
        default -> throw new RedisError(RedisError.SYNTAX);
      };
      if (match) {
        out.add(Reply.bulk(e.name()));
      }
    }
    return new Reply.Array(out);
  }

  static Reply getKeys(Invocation c) {
    byte[][] cmd = Arrays.copyOfRange(c.args(), 2, c.argc());
    CommandEntry e = c.gateway().commands().get(
        new String(cmd[0], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
    if (e != null && e.isContainer() && cmd.length >= 2) {
      e = e.subcommands().get(new String(cmd[1], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
    }
    if (e == null) {
      return new Reply.Error("ERR Invalid command specified");
    }
    if (!hasKeys(e)) {
      return new Reply.Error("ERR The command has no key arguments");
    }
    if (!e.spec().arityAccepts(cmd.length)) {
      return new Reply.Error("ERR Invalid number of arguments specified for command");
    }
    int[] idx;
    try {
      idx = e.keys().keyIndexes(cmd);
    } catch (RedisError err) {
      idx = new int[0];
    }
    if (idx.length == 0 && !e.spec().has(CommandFlag.NO_MANDATORY_KEYS)) {
      return new Reply.Error("ERR Invalid arguments specified for command");
    }
    List<Reply> out = new ArrayList<>();
    for (int i : idx) {
      out.add(Reply.bulk(cmd[i]));
    }
    return new Reply.Array(out);
  }

  private static boolean hasKeys(CommandEntry e) {
    if (e.spec().firstKey() > 0 || e.spec().has(CommandFlag.MOVABLEKEYS)) {
      return true;
    }
    Reply.Array redis = RedisCommandData.load().info(e.name());
    return redis != null && !RedisCommandData.items(redis.items().get(8)).isEmpty();
  }

  /** The COMMAND INFO entry of one command: ten fields, subcommands nested. */
  public static Reply infoOf(CommandEntry e) {
    CommandSpec s = e.spec();
    List<Reply> flags = new ArrayList<>();
    s.flags().stream().filter(f -> !HIDDEN_FLAGS.contains(f))
        .sorted(Comparator.comparingInt(Enum::ordinal))
        .forEach(f -> flags.add(new Reply.Status(f.redisName())));
    List<Reply> acl = new ArrayList<>();
    s.aclCategories().stream()
        .sorted(Comparator.comparingInt(CommandCommands::categoryRank))
        .forEach(a -> acl.add(new Reply.Status(a)));
    List<Reply> tips = new ArrayList<>();
    for (String t : s.tips()) {
      tips.add(Reply.bulk(t));
    }
    Reply subcommands;
    if (e.subcommandEntries().isEmpty()) {
      subcommands = new Reply.SetReply(List.of());
    } else {
      List<Reply> subs = new ArrayList<>();
      for (CommandEntry sub : e.subcommandEntries()) {
        subs.add(infoOf(sub));
      }
      subcommands = new Reply.Array(subs);
    }
    return new Reply.Array(List.of(
        Reply.bulk(s.name()), Reply.integer(s.arity()), new Reply.SetReply(flags),
        Reply.integer(s.firstKey()), Reply.integer(s.lastKey()), Reply.integer(s.keyStep()),
        new Reply.SetReply(acl), new Reply.SetReply(tips), keySpecs(e), subcommands));
  }

  private static int categoryRank(String category) {
    int i = CATEGORY_ORDER.indexOf(category);
    return i < 0 ? CATEGORY_ORDER.size() : i;
  }

  /** Redis's key specifications, or ones derived from the legacy first/last/step positions. */
  static Reply keySpecs(CommandEntry e) {
    Reply.Array redis = RedisCommandData.load().info(e.name());
    if (redis != null) {
      return redis.items().get(8);
    }
    CommandSpec s = e.spec();
    if (s.firstKey() <= 0) {
      return new Reply.SetReply(List.of());
    }
    int lastKey = s.lastKey() < 0 ? s.lastKey() : s.lastKey() - s.firstKey();
    Reply flags = new Reply.SetReply(List.of(new Reply.Status(s.isWrite() ? "RW" : "RO")));
    Reply begin = new Reply.MapReply(List.of(
        Reply.bulk("type"), Reply.bulk("index"),
        Reply.bulk("spec"), new Reply.MapReply(List.of(Reply.bulk("index"), Reply.integer(s.firstKey())))));
    Reply find = new Reply.MapReply(List.of(
        Reply.bulk("type"), Reply.bulk("range"),
        Reply.bulk("spec"), new Reply.MapReply(List.of(
            Reply.bulk("lastkey"), Reply.integer(lastKey),
            Reply.bulk("keystep"), Reply.integer(s.keyStep()),
            Reply.bulk("limit"), Reply.integer(0)))));
    return new Reply.SetReply(List.of(new Reply.MapReply(List.of(
        Reply.bulk("flags"), flags, Reply.bulk("begin_search"), begin,
        Reply.bulk("find_keys"), find))));
  }

  /** The COMMAND DOCS map of one command, listing only the subcommands this table has. */
  public static Reply docsOf(CommandEntry e) {
    Reply.MapReply redis = RedisCommandData.load().docs(e.name());
    List<Reply> kv = new ArrayList<>();
    if (redis == null) {
      kv.addAll(fallbackDocs(e).keysAndValues());
    } else {
      List<Reply> src = redis.keysAndValues();
      for (int i = 0; i < src.size(); i += 2) {
        if (!RedisCommandData.text(src.get(i)).equals("subcommands")) {
          kv.add(src.get(i));
          kv.add(src.get(i + 1));
        }
      }
    }
    if (!e.subcommandEntries().isEmpty()) {
      List<Reply> subs = new ArrayList<>();
      for (CommandEntry sub : e.subcommandEntries()) {
        subs.add(Reply.bulk(sub.name()));
        subs.add(docsOf(sub));
      }
      kv.add(Reply.bulk("subcommands"));
      kv.add(new Reply.MapReply(subs));
    }
    return new Reply.MapReply(kv);
  }

  private static Reply.MapReply fallbackDocs(CommandEntry e) {
    String summary = switch (e.name()) {
      case "client|setinfo" -> "Set client or connection specific info";
      case "client|no-touch" ->
          "Controls whether commands sent by the client will alter the LRU/LFU of the keys they access.";
      default -> "";
    };
    String since = e.name().startsWith("client|") ? "7.2.0" : "";
    String group = e.spec().aclCategories().contains("@connection") ? "connection" : "generic";
    return new Reply.MapReply(List.of(
        Reply.bulk("summary"), Reply.bulk(summary),
        Reply.bulk("since"), Reply.bulk(since),
        Reply.bulk("group"), Reply.bulk(group),
        Reply.bulk("complexity"), Reply.bulk("O(1)")));
  }
}
