package io.kvorum.storage.command;

import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * All commands that read or write a slot group's keyspace, looked up by name. Subcommands are
 * stored as {@code container|sub}; a container itself (OBJECT) has no handler. Internal commands
 * (proposed by the node itself, such as active expiry) live here too but are never offered to
 * clients.
 */
public final class KeyspaceCommandTable {
  /**
   * {@code kvorum.serve-blocked <command> <args…>}: repeats the attempt of a client blocked on
   * {@code <command>}, with {@link CommandContext#servesBlockedClient()} set; proposed (or, for a
   * read-only command, read) by the gateway when a key the client waits for was written.
   */
  public static final String SERVE_BLOCKED = "kvorum.serve-blocked";
  /**
   * {@code kvorum.resolve-blocked <command> <args…>}, a read: the invocation as {@link
   * Blocking#resolve} fixes it when the command starts, as an array of bulk strings.
   */
  public static final String RESOLVE_BLOCKED = "kvorum.resolve-blocked";

  private final Map<String, KeyspaceCommand> commands = new LinkedHashMap<>();
  private final Map<String, KeyspaceCommand> internal = new LinkedHashMap<>();

  private KeyspaceCommandTable() {}

  /** The table built from every data-type feature of this module. */
  public static KeyspaceCommandTable standard() {
    return Standard.TABLE;
  }

  private static final class Standard {
    static final KeyspaceCommandTable TABLE = build(KeyspaceFeatures.all(), KeyspaceFeatures.internal());
  }

  /**
   * The standard table plus those of {@code extra}'s entries whose names it does not define, so
   * tests can stand in for data types that do not exist yet.
   */
  public static KeyspaceCommandTable standardPlus(List<KeyspaceCommand> extra) {
    KeyspaceCommandTable standard = standard();
    KeyspaceCommandTable t = new KeyspaceCommandTable();
    t.commands.putAll(standard.commands);
    t.internal.putAll(standard.internal);
    for (KeyspaceCommand c : extra) {
      t.commands.putIfAbsent(c.name(), c);
    }
    t.addBlockingWrappers();
    return t;
  }

  /** A table of the given public and internal entries. */
  public static KeyspaceCommandTable build(
      List<List<KeyspaceCommand>> features, List<KeyspaceCommand> internalCommands) {
    KeyspaceCommandTable t = new KeyspaceCommandTable();
    for (List<KeyspaceCommand> feature : features) {
      for (KeyspaceCommand c : feature) {
        if (t.commands.put(c.name(), c) != null) {
          throw new IllegalStateException("command defined twice: " + c.name());
        }
      }
    }
    for (KeyspaceCommand c : internalCommands) {
      t.internal.put(c.name(), c);
    }
    t.addBlockingWrappers();
    return t;
  }

  /** The internal commands that wrap this table's blocking commands. */
  private void addBlockingWrappers() {
    internal.put(SERVE_BLOCKED, KeyspaceCommand.of(
        CommandSpec.of(SERVE_BLOCKED, -2, "write", 0, 0, 0, "", ""),
        (ctx, args) -> execute(ctx.servingBlockedClient(), inner(args))));
    internal.put(RESOLVE_BLOCKED, KeyspaceCommand.of(
        CommandSpec.of(RESOLVE_BLOCKED, -2, "readonly", 0, 0, 0, "", ""), this::resolveBlocked));
  }

  private static byte[][] inner(byte[][] args) {
    return Arrays.copyOfRange(args, 1, args.length);
  }

  private Reply resolveBlocked(CommandContext ctx, byte[][] args) {
    byte[][] call = inner(args);
    KeyspaceCommand c = resolve(call);
    if (c == null || c.blocking() == null) {
      return Reply.error("ERR " + lower(call[0]) + " does not block");
    }
    List<Reply> out = new ArrayList<>(call.length);
    for (byte[] a : c.blocking().resolve(ctx.keyspace(), call)) {
      out.add(Reply.bulk(a));
    }
    return Reply.array(out);
  }

  /**
   * True for an invocation of a command flagged {@code blocking}, or its {@link #SERVE_BLOCKED}
   * repetition.
   */
  public boolean isBlocking(byte[][] args) {
    KeyspaceCommand c = resolve(args);
    if (c != null && c.name().equals(SERVE_BLOCKED) && args.length > 1) {
      c = resolve(inner(args));
    }
    return c != null && c.spec().has(CommandFlag.BLOCKING);
  }

  /** Public entries, containers and subcommands included, in definition order. */
  public Collection<KeyspaceCommand> commands() {
    return Collections.unmodifiableCollection(commands.values());
  }

  /** The entry for a lower-case name such as {@code get} or {@code object|encoding}. */
  public KeyspaceCommand get(String lowerName) {
    return commands.get(lowerName);
  }

  /**
   * The entry an invocation runs: the subcommand entry for containers. Null when unknown; this
   * is reached only for log entries and reads the gateway already validated.
   */
  public KeyspaceCommand resolve(byte[][] args) {
    String name = lower(args[0]);
    KeyspaceCommand c = commands.get(name);
    if (c == null) {
      c = internal.get(name);
    }
    if (c != null && c.handler() == null && args.length > 1) {
      c = commands.get(name + "|" + lower(args[1]));
    }
    return c;
  }

  /** Runs an invocation, turning thrown Redis errors into error replies. */
  public Reply execute(CommandContext ctx, byte[][] args) {
    KeyspaceCommand c = resolve(args);
    if (c == null) {
      String container = lower(args[0]);
      KeyspaceCommand base = commands.get(container);
      if (base != null && base.handler() == null) {
        // Redis 7.0's reply for an unknown subcommand of a container (processCommand).
        String sub = Keywords.cString(args[1], 128);
        return Reply.error("ERR unknown subcommand '" + sub.replace('\r', ' ').replace('\n', ' ')
            + "'. Try " + Keywords.upper(args[0]) + " HELP.");
      }
      return Reply.error("ERR unknown command '" + container + "'");
    }
    if (c.handler() == null) {
      // A container without its subcommand: Redis checks the container's own arity.
      return Reply.error("ERR wrong number of arguments for '" + c.name() + "' command");
    }
    if (!c.spec().arityAccepts(args.length)) {
      return Reply.error("ERR wrong number of arguments for '" + c.name() + "' command");
    }
    try {
      return c.handler().execute(ctx, args);
    } catch (RedisError e) {
      return e.reply();
    }
  }

  /** ASCII lower case of a command name. */
  public static String lower(byte[] name) {
    return new String(name, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
  }
}
