package io.kvorum.storage.script;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyFinder;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.dump.FunctionPayload;
import io.kvorum.storage.generic.GlobPattern;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * FCALL, FCALL_RO and FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS/HELP as in Redis 7.0
 * (FUNCTION KILL is the gateway's: it must answer while a script holds its group).
 *
 * <p>Libraries live in every slot group (FUNCTION LOAD, DELETE, FLUSH and RESTORE are log
 * entries the gateway sends to every group of the cluster), so FCALL finds a function whichever
 * group its keys are in. FCALL is a log entry: the function runs at apply time on every
 * replica, and first on the leader, like EVAL. FCALL_RO is a read.
 */
public final class FunctionCommands {
  private static final List<String> HELP = List.of(
      "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
      "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
      "      libraries with the new libraries (notice that even on this option there is a chance of failure",
      "      in case of functions name collision with another library).",
      "HELP",
      "    Prints this help.");

  private FunctionCommands() {}

  /**
   * FCALL's keys: none when numkeys is not valid, so the invocation still reaches the command,
   * which reports Redis's error in Redis's order ("Function not found" first).
   */
  static final KeyFinder FCALL_KEYS = args -> {
    long n;
    try {
      n = Long.parseLong(new String(args[2], StandardCharsets.ISO_8859_1));
    } catch (NumberFormatException e) {
      return new int[0];
    }
    if (n < 0 || n > args.length - 3) {
      return new int[0];
    }
    int[] idx = new int[(int) n];
    for (int i = 0; i < n; i++) {
      idx[i] = 3 + i;
    }
    return idx;
  };

  public static List<KeyspaceCommand> table() {
    String fcallFlags = "noscript stale skip_monitor no_mandatory_keys movablekeys";
    String everyShard = "request_policy:all_shards response_policy:all_succeeded";
    return List.of(
        KeyspaceCommand.of(of("fcall", -3, fcallFlags, 0, 0, 0, "@slow @scripting", ""),
            FCALL_KEYS, (ctx, args) -> fcall(ctx, args, false)).alwaysLogged().runFirstOnLeader(),
        KeyspaceCommand.of(of("fcall_ro", -3, "readonly " + fcallFlags, 0, 0, 0,
            "@slow @scripting", ""), FCALL_KEYS, (ctx, args) -> fcall(ctx, args, true)),
        KeyspaceCommand.of(of("function", -2, "", 0, 0, 0, "@slow", ""), null),
        KeyspaceCommand.of(of("function|load", -3, "write denyoom noscript", 0, 0, 0,
            "@write @slow @scripting", everyShard), FunctionCommands::load).inEveryGroup(),
        KeyspaceCommand.of(of("function|list", -2, "noscript", 0, 0, 0, "@slow @scripting",
            "nondeterministic_output_order"), FunctionCommands::list),
        KeyspaceCommand.of(of("function|delete", 3, "write noscript", 0, 0, 0,
            "@write @slow @scripting", everyShard), FunctionCommands::delete).inEveryGroup(),
        KeyspaceCommand.of(of("function|flush", -2, "write noscript", 0, 0, 0,
            "@write @slow @scripting", everyShard), FunctionCommands::flush).inEveryGroup(),
        KeyspaceCommand.of(of("function|dump", 2, "noscript", 0, 0, 0, "@slow @scripting", ""),
            (ctx, args) -> Reply.bulk(
                FunctionPayload.encode(FunctionStore.libraries(ctx.keyspace())))),
        KeyspaceCommand.of(of("function|restore", -3, "write denyoom noscript", 0, 0, 0,
            "@write @slow @scripting", everyShard), FunctionCommands::restore).inEveryGroup(),
        KeyspaceCommand.of(of("function|stats", 2, "noscript allow_busy", 0, 0, 0,
            "@slow @scripting",
            "nondeterministic_output request_policy:all_shards response_policy:special"),
            FunctionCommands::stats),
        KeyspaceCommand.of(of("function|help", 2, "loading stale", 0, 0, 0, "@slow @scripting",
            ""), (ctx, args) -> help()));
  }

  private static Reply fcall(CommandContext ctx, byte[][] args, boolean ro) {
    String name = new String(args[1], StandardCharsets.ISO_8859_1);
    String owner = FunctionStore.owner(ctx.keyspace(), name);
    byte[] code = owner == null ? null : FunctionStore.code(ctx.keyspace(), owner);
    if (code == null) {
      return Reply.error("ERR Function not found");
    }
    long n;
    try {
      n = Long.parseLong(new String(args[2], StandardCharsets.ISO_8859_1));
    } catch (NumberFormatException e) {
      return Reply.error("ERR Bad number of keys provided");
    }
    if (n > args.length - 3) {
      return Reply.error("ERR Number of keys can't be greater than number of args");
    }
    if (n < 0) {
      return Reply.error("ERR Number of keys can't be negative");
    }
    FunctionLibrary lib = FunctionLibrary.load(ctx.keyspace(), code);
    FunctionLibrary.Function fn = null;
    for (FunctionLibrary.Function f : lib.functions()) {
      if (f.name().equalsIgnoreCase(name)) {
        fn = f;
        break;
      }
    }
    if (fn == null) {
      return Reply.error("ERR Function not found");
    }
    // scriptPrepareForRun's order.
    if (fn.flags().contains(ScriptFlag.NO_CLUSTER)) {
      return Reply.error("ERR Can not run script on cluster, 'no-cluster' flag is set.");
    }
    if (ro && !fn.flags().contains(ScriptFlag.NO_WRITES)) {
      return Reply.error(ScriptCommands.RO_WITH_WRITE_FLAG);
    }
    byte[][] keys = Arrays.copyOfRange(args, 3, 3 + (int) n);
    byte[][] argv = Arrays.copyOfRange(args, 3 + (int) n, args.length);
    return ScriptEngine.fcall(ctx, KeyspaceCommandTable.standard(), lib, fn, keys, argv, ro);
  }

  private static Reply load(CommandContext ctx, byte[][] args) {
    boolean replace = false;
    int pos = 2;
    while (pos < args.length - 1) {
      byte[] opt = args[pos++];
      if (Keywords.is(opt, "replace")) {
        replace = true;
        continue;
      }
      return Reply.error("ERR Unknown option given: "
          + new String(opt, StandardCharsets.ISO_8859_1));
    }
    byte[] code = args[pos];
    Keyspace ks = ctx.keyspace();
    FunctionLibrary.Meta meta = FunctionLibrary.meta(code);
    byte[] old = FunctionStore.code(ks, meta.name());
    if (old != null && !replace) {
      if (Arrays.equals(old, code)) {
        // The gateway sends FUNCTION LOAD to every group, and cluster clients send it to every
        // node: the same library arriving again is that broadcast, not a conflicting load.
        return Reply.bulk(meta.name());
      }
      return Reply.error("ERR Library '" + meta.name() + "' already exists");
    }
    FunctionLibrary lib = FunctionLibrary.load(ks, code);
    for (FunctionLibrary.Function f : lib.functions()) {
      String owner = FunctionStore.owner(ks, f.name());
      if (owner != null && !owner.equals(lib.name())) {
        return Reply.error("ERR Function " + f.name() + " already exists");
      }
    }
    FunctionStore.put(ks, lib);
    return Reply.bulk(lib.name());
  }

  private static Reply list(CommandContext ctx, byte[][] args) {
    boolean withCode = false;
    byte[] pattern = null;
    for (int i = 2; i < args.length; i++) {
      if (!withCode && Keywords.is(args[i], "withcode")) {
        withCode = true;
        continue;
      }
      if (pattern == null && Keywords.is(args[i], "libraryname")) {
        if (i >= args.length - 1) {
          return Reply.error("ERR library name argument was not given");
        }
        pattern = args[++i];
        continue;
      }
      return Reply.error("ERR Unknown argument "
          + new String(args[i], StandardCharsets.ISO_8859_1));
    }
    List<Reply> out = new ArrayList<>();
    for (byte[] code : FunctionStore.libraries(ctx.keyspace())) {
      FunctionLibrary lib = FunctionLibrary.load(ctx.keyspace(), code);
      byte[] libName = lib.name().getBytes(StandardCharsets.ISO_8859_1);
      if (pattern != null && !GlobPattern.matches(pattern, libName, true)) {
        continue;
      }
      List<Reply> fns = new ArrayList<>();
      for (FunctionLibrary.Function f : lib.functions()) {
        List<Reply> flags = new ArrayList<>();
        for (ScriptFlag flag : ScriptFlag.values()) {
          if (f.flags().contains(flag)) {
            flags.add(Reply.status(flag.redisName()));
          }
        }
        fns.add(new Reply.MapReply(List.of(
            Reply.bulk("name"), Reply.bulk(f.name()),
            Reply.bulk("description"),
            f.description() == null ? Reply.NULL : Reply.bulk(f.description()),
            Reply.bulk("flags"), new Reply.SetReply(flags))));
      }
      List<Reply> map = new ArrayList<>(List.of(
          Reply.bulk("library_name"), Reply.bulk(libName),
          Reply.bulk("engine"), Reply.bulk("LUA"),
          Reply.bulk("functions"), Reply.array(fns)));
      if (withCode) {
        map.add(Reply.bulk("library_code"));
        map.add(Reply.bulk(code));
      }
      out.add(new Reply.MapReply(map));
    }
    return Reply.array(out);
  }

  private static Reply delete(CommandContext ctx, byte[][] args) {
    String name = new String(args[2], StandardCharsets.ISO_8859_1);
    if (!FunctionStore.delete(ctx.keyspace(), name)) {
      return Reply.error("ERR Library not found");
    }
    return Reply.OK;
  }

  private static Reply flush(CommandContext ctx, byte[][] args) {
    if (args.length > 3) {
      return Reply.error("ERR unknown subcommand or wrong number of arguments for '"
          + new String(args[1], StandardCharsets.ISO_8859_1) + "'. Try FUNCTION HELP.");
    }
    if (args.length == 3 && !Keywords.is(args[2], "sync") && !Keywords.is(args[2], "async")) {
      return Reply.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    }
    FunctionStore.flush(ctx.keyspace());
    return Reply.OK;
  }

  /** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE], checks in functionRestoreCommand's order. */
  private static Reply restore(CommandContext ctx, byte[][] args) {
    if (args.length > 4) {
      return Reply.error("ERR unknown subcommand or wrong number of arguments for '"
          + new String(args[1], StandardCharsets.ISO_8859_1) + "'. Try FUNCTION HELP.");
    }
    boolean replace = false;
    boolean flush = false;
    if (args.length == 4) {
      if (Keywords.is(args[3], "replace")) {
        replace = true;
      } else if (Keywords.is(args[3], "flush")) {
        flush = true;
      } else if (!Keywords.is(args[3], "append")) {
        return Reply.error("ERR Wrong restore policy given, value should be either FLUSH, "
            + "APPEND or REPLACE.");
      }
    }
    Keyspace ks = ctx.keyspace();
    // The payload's libraries, checked among themselves as Redis loads them into a fresh set.
    Map<String, FunctionLibrary> incoming = new LinkedHashMap<>();
    Set<String> incomingFunctions = new HashSet<>();
    for (byte[] code : FunctionPayload.decode(args[2])) {
      FunctionLibrary.Meta meta = FunctionLibrary.meta(code);
      if (incoming.containsKey(meta.name())) {
        return Reply.error("ERR Library '" + meta.name() + "' already exists");
      }
      FunctionLibrary lib = FunctionLibrary.load(ks, code);
      for (FunctionLibrary.Function f : lib.functions()) {
        if (!incomingFunctions.add(f.name().toLowerCase(Locale.ROOT))) {
          return Reply.error("ERR Function " + f.name() + " already exists");
        }
      }
      incoming.put(lib.name(), lib);
    }
    if (flush) {
      FunctionStore.flush(ks);
    } else {
      for (String name : incoming.keySet()) {
        if (!replace && FunctionStore.code(ks, name) != null) {
          return Reply.error("ERR Library " + name + " already exists");
        }
      }
      for (FunctionLibrary lib : incoming.values()) {
        for (FunctionLibrary.Function f : lib.functions()) {
          String owner = FunctionStore.owner(ks, f.name());
          if (owner != null && !incoming.containsKey(owner)) {
            return Reply.error("ERR Function " + f.name() + " already exists");
          }
        }
      }
    }
    for (FunctionLibrary lib : incoming.values()) {
      FunctionStore.put(ks, lib);
    }
    return Reply.OK;
  }

  private static Reply stats(CommandContext ctx, byte[][] args) {
    int libraries = 0;
    int functions = 0;
    for (byte[] code : FunctionStore.libraries(ctx.keyspace())) {
      libraries++;
      functions += FunctionLibrary.load(ctx.keyspace(), code).functions().size();
    }
    // A script runs inside its group's apply or read, never beside this command: no script is
    // running from this command's point of view.
    return new Reply.MapReply(List.of(
        Reply.bulk("running_script"), Reply.NULL,
        Reply.bulk("engines"), new Reply.MapReply(List.of(
            Reply.bulk("LUA"), new Reply.MapReply(List.of(
                Reply.bulk("libraries_count"), Reply.integer(libraries),
                Reply.bulk("functions_count"), Reply.integer(functions)))))));
  }

  private static Reply help() {
    return Reply.statusLines(HELP);
  }
}
