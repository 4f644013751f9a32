package io.kvorum.storage.script;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyFinder;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD/EXISTS/FLUSH/HELP as in Redis 7.0.
 *
 * <p>EVAL and EVALSHA are log entries (a script may write): the script runs at apply time on
 * every replica against the entry's keyspace, with the entry's clock and randomness, so every
 * replica reaches the same state. The leader runs them first ({@link
 * KeyspaceCommand#leaderFirst}), where SCRIPT KILL can stop them before they write. EVAL_RO and
 * EVALSHA_RO are reads. SCRIPT LOAD and FLUSH are
 * log entries the gateway sends to every slot group of the cluster ({@code
 * request_policy:all_nodes}), so the script cache of every group holds every loaded script.
 */
public final class ScriptCommands {
  static final String NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";
  static final String RO_WITH_WRITE_FLAG =
      "ERR Can not execute a script with write flag using *_ro command.";
  private static final List<String> HELP = List.of(
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DEBUG (YES|SYNC|NO)",
      "    Set the debug mode for subsequent scripts executed.",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it.",
      "HELP",
      "    Prints this help.");

  private ScriptCommands() {}

  /** The keys of EVAL-style invocations: {@code numkeys} at index 2, the keys after it. */
  public static final KeyFinder NUMKEYS_AT_2 = args -> {
    int n = numkeys(args);
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = 3 + i;
    }
    return idx;
  };

  public static List<KeyspaceCommand> table() {
    String evalFlags = "noscript stale skip_monitor no_mandatory_keys movablekeys";
    return List.of(
        KeyspaceCommand.of(of("eval", -3, evalFlags, 0, 0, 0, "@slow @scripting", ""),
            NUMKEYS_AT_2, (ctx, args) -> eval(ctx, args, false, false)).alwaysLogged()
            .runFirstOnLeader(),
        KeyspaceCommand.of(of("evalsha", -3, evalFlags, 0, 0, 0, "@slow @scripting", ""),
            NUMKEYS_AT_2, (ctx, args) -> eval(ctx, args, true, false)).alwaysLogged()
            .runFirstOnLeader(),
        KeyspaceCommand.of(of("eval_ro", -3, "readonly " + evalFlags, 0, 0, 0,
            "@slow @scripting", ""), NUMKEYS_AT_2, (ctx, args) -> eval(ctx, args, false, true)),
        KeyspaceCommand.of(of("evalsha_ro", -3, "readonly " + evalFlags, 0, 0, 0,
            "@slow @scripting", ""), NUMKEYS_AT_2, (ctx, args) -> eval(ctx, args, true, true)),
        KeyspaceCommand.of(of("script", -2, "", 0, 0, 0, "@slow", ""), null),
        KeyspaceCommand.of(of("script|load", 3, "noscript stale", 0, 0, 0, "@slow @scripting",
            "request_policy:all_nodes response_policy:all_succeeded"), ScriptCommands::load)
            .alwaysLogged(),
        KeyspaceCommand.of(of("script|exists", -3, "noscript", 0, 0, 0, "@slow @scripting",
            "request_policy:all_shards response_policy:agg_logical_and"),
            ScriptCommands::exists),
        KeyspaceCommand.of(of("script|flush", -2, "noscript", 0, 0, 0, "@slow @scripting",
            "request_policy:all_nodes response_policy:all_succeeded"), ScriptCommands::flush)
            .alwaysLogged(),
        KeyspaceCommand.of(of("script|help", 2, "loading stale", 0, 0, 0, "@slow @scripting", ""),
            (ctx, args) -> help()));
  }

  /** The numkeys argument of an EVAL-style invocation, checked as Redis does. */
  static int numkeys(byte[][] args) {
    long n = RedisNumbers.parseLong(args[2]);
    if (n < 0) {
      throw new RedisError("ERR Number of keys can't be negative");
    }
    if (n > args.length - 3) {
      throw new RedisError("ERR Number of keys can't be greater than number of args");
    }
    return (int) n;
  }

  private static Reply eval(CommandContext ctx, byte[][] args, boolean bySha, boolean ro) {
    int n = numkeys(args);
    LuaScript script;
    if (bySha) {
      byte[] body = args[1].length == 40 ? ScriptStore.get(ctx.keyspace(), lowerSha(args[1])) : null;
      if (body == null) {
        return Reply.error(NOSCRIPT);
      }
      script = LuaScript.parse(body);
    } else {
      script = LuaScript.parse(args[1]);
      ScriptEngine.compileEval(script);
      // Redis caches every EVAL'd script, so a later EVALSHA finds it.
      ScriptStore.put(ctx.keyspace(), script.sha(), args[1]);
    }
    if (script.flags().contains(ScriptFlag.NO_CLUSTER)) {
      return Reply.error("ERR Can not run script on cluster, 'no-cluster' flag is set.");
    }
    if (ro && script.shebang() && !script.noWrites()) {
      // A script with a shebang declares whether it writes; without one (compatibility mode)
      // EVAL_RO runs it and refuses its writes one by one.
      return Reply.error(RO_WITH_WRITE_FLAG);
    }
    byte[][] keys = Arrays.copyOfRange(args, 3, 3 + n);
    byte[][] argv = Arrays.copyOfRange(args, 3 + n, args.length);
    return ScriptEngine.eval(ctx, KeyspaceCommandTable.standard(), script, keys, argv, ro);
  }

  private static String lowerSha(byte[] sha) {
    return new String(sha, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
  }

  private static Reply load(CommandContext ctx, byte[][] args) {
    LuaScript script = LuaScript.parse(args[2]);
    ScriptEngine.compileEval(script);
    ScriptStore.put(ctx.keyspace(), script.sha(), args[2]);
    return Reply.bulk(script.sha());
  }

  private static Reply exists(CommandContext ctx, byte[][] args) {
    List<Reply> out = new ArrayList<>(args.length - 2);
    for (int i = 2; i < args.length; i++) {
      boolean found = args[i].length == 40 && ScriptStore.get(ctx.keyspace(), lowerSha(args[i])) != null;
      out.add(Reply.integer(found ? 1 : 0));
    }
    return Reply.array(out);
  }

  private static Reply flush(CommandContext ctx, byte[][] args) {
    if (args.length > 3 || (args.length == 3 && !Keywords.is(args[2], "sync")
        && !Keywords.is(args[2], "async"))) {
      return Reply.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    }
    ScriptStore.flush(ctx.keyspace());
    return Reply.OK;
  }

  private static Reply help() {
    return Reply.statusLines(HELP);
  }
}
