package io.kvorum.resp.command;

import io.kvorum.resp.metrics.ServerStats;
import io.kvorum.storage.command.CommandSpec;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every command a client can call: the keyspace commands of {@link KeyspaceCommandTable} (run in
 * slot groups) merged with the gateway's own connection and server commands. One entry per
 * command; containers hold their {@code container|sub} entries.
 */
public final class CommandTable {
  private static final int NAME_LIMIT = 128;

  private final Map<String, CommandEntry> commands = new LinkedHashMap<>();

  private CommandTable() {}

  /**
   * Builds the table. A gateway command wins over a keyspace command of the same name only where
   * the keyspace table lacks it (the gateway supplies fallbacks such as SCAN's entry).
   */
  public static CommandTable create(
      KeyspaceCommandTable keyspace, List<GatewayCommand> gatewayCommands, ServerStats stats) {
    CommandTable t = new CommandTable();
    List<CommandEntry> subs = new ArrayList<>();
    for (KeyspaceCommand c : keyspace.commands()) {
      CommandSpec spec = c.spec();
      CommandEntry.Kind kind;
      if (c.handler() == null) {
        kind = CommandEntry.Kind.CONTAINER;
      } else if (spec.name().equals("scan")) {
        kind = CommandEntry.Kind.SCAN;
      } else if ((spec.hasTip("request_policy:all_nodes") || c.everyGroup())
          && spec.firstKey() == 0) {
        kind = CommandEntry.Kind.EVERY_GROUP;
      } else if (spec.hasTip("request_policy:all_shards") && spec.firstKey() == 0) {
        kind = CommandEntry.Kind.ALL_GROUPS;
      } else {
        kind = CommandEntry.Kind.KEYSPACE;
      }
      CommandEntry e = new CommandEntry(spec, kind, c, null, stats.command(spec.name()));
      t.place(e, subs);
    }
    for (GatewayCommand g : gatewayCommands) {
      if (t.find(g.name()) != null || subs.stream().anyMatch(s -> s.name().equals(g.name()))) {
        continue;
      }
      CommandEntry.Kind kind = g.immediate() != null ? CommandEntry.Kind.IMMEDIATE
          : g.ordered() != null ? CommandEntry.Kind.ORDERED : CommandEntry.Kind.CONTAINER;
      if (g.name().equals("scan")) {
        kind = CommandEntry.Kind.SCAN;
      }
      t.place(new CommandEntry(g.spec(), kind, null, g, stats.command(g.name())), subs);
    }
    for (CommandEntry sub : subs) {
      String container = sub.name().substring(0, sub.name().indexOf('|'));
      CommandEntry parent = t.commands.get(container);
      if (parent == null) {
        throw new IllegalStateException("subcommand " + sub.name() + " has no container");
      }
      parent.addSubcommand(sub);
    }
    return t;
  }

  private void place(CommandEntry e, List<CommandEntry> subs) {
    if (e.spec().isSubcommand()) {
      subs.add(e);
    } else if (commands.putIfAbsent(e.name(), e) != null) {
      throw new IllegalStateException("command defined twice: " + e.name());
    }
  }

  /** A top-level entry by lower-case name, or null. */
  public CommandEntry get(String lowerName) {
    return commands.get(lowerName);
  }

  /** An entry by full name ({@code get}, {@code client|list}), ignoring case; null if unknown. */
  public CommandEntry find(String fullName) {
    String n = fullName.toLowerCase(Locale.ROOT);
    int bar = n.indexOf('|');
    if (bar < 0) {
      return commands.get(n);
    }
    CommandEntry parent = commands.get(n.substring(0, bar));
    return parent == null ? null : parent.subcommands().get(n.substring(bar + 1));
  }

  /** Top-level entries in table order. */
  public Collection<CommandEntry> topLevel() {
    return Collections.unmodifiableCollection(commands.values());
  }

  /** Every entry, each container followed by its subcommands. */
  public List<CommandEntry> all() {
    List<CommandEntry> out = new ArrayList<>();
    for (CommandEntry e : commands.values()) {
      out.add(e);
      out.addAll(e.subcommandEntries());
    }
    return out;
  }

  /** The outcome of looking up an invocation: the entry to run, or the error Redis gives. */
  public record Lookup(CommandEntry entry, Reply.Error error, CommandEntry rejectedEntry) {}

  /**
   * Finds the entry {@code args} invoke and checks its arity, with Redis 7.0's errors for unknown
   * commands, unknown subcommands and wrong argument counts. {@code rejectedEntry} is set when an
   * existing command was refused (arity), for its {@code rejected_calls}.
   */
  public Lookup lookup(byte[][] args) {
    String name = latin1(args[0]).toLowerCase(Locale.ROOT);
    CommandEntry e = commands.get(name);
    if (e == null) {
      return new Lookup(null, unknownCommand(args), null);
    }
    if (e.isContainer() && args.length >= 2) {
      CommandEntry sub = e.subcommands().get(latin1(args[1]).toLowerCase(Locale.ROOT));
      if (sub == null) {
        return new Lookup(null, new Reply.Error("ERR unknown subcommand '"
            + truncate(cString(args[1]), NAME_LIMIT) + "'. Try "
            + latin1(args[0]).toUpperCase(Locale.ROOT) + " HELP."), null);
      }
      e = sub;
    }
    if (!e.spec().arityAccepts(args.length)) {
      return new Lookup(null, wrongArity(e.name()), e);
    }
    return new Lookup(e, null, null);
  }

  public static Reply.Error wrongArity(String fullName) {
    return new Reply.Error("ERR wrong number of arguments for '" + fullName + "' command");
  }

  /** Redis 7.0's text: the name and up to 128 characters of quoted arguments. */
  static Reply.Error unknownCommand(byte[][] args) {
    StringBuilder quoted = new StringBuilder();
    for (int i = 1; i < args.length && quoted.length() < NAME_LIMIT; i++) {
      int room = NAME_LIMIT - quoted.length();
      quoted.append('\'').append(truncate(cString(args[i]), room)).append("' ");
    }
    return new Reply.Error("ERR unknown command '" + truncate(cString(args[0]), NAME_LIMIT)
        + "', with args beginning with: " + quoted);
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  /** The text C's {@code %s} prints for an argument: Redis stops at the first NUL byte. */
  static String cString(byte[] b) {
    int n = 0;
    while (n < b.length && b[n] != 0) {
      n++;
    }
    return new String(b, 0, n, StandardCharsets.ISO_8859_1);
  }

  static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
