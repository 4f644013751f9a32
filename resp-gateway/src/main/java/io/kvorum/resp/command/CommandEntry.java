package io.kvorum.resp.command;

import io.kvorum.resp.metrics.CommandStats;
import io.kvorum.storage.command.CommandSpec;
import io.kvorum.storage.command.KeyFinder;
import io.kvorum.storage.command.KeyspaceCommand;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One command of the gateway's table: its metadata, how it runs, its subcommands (for
 * containers) and its statistics.
 */
public final class CommandEntry {

  /** How a command is executed. */
  public enum Kind {
    /** CLIENT, CONFIG, OBJECT …: only its subcommands run. */
    CONTAINER,
    /** A keyspace command with keys: routed to the slot group of its keys. */
    KEYSPACE,
    /** A keyless keyspace command tipped {@code request_policy:all_shards}: every led group. */
    ALL_GROUPS,
    /**
     * A keyless keyspace command tipped {@code request_policy:all_nodes} (SCRIPT LOAD, SCRIPT
     * FLUSH) or marked {@code everyGroup} (FUNCTION LOAD/DELETE/FLUSH/RESTORE): a log entry in
     * every slot group of the cluster, through each group's leader wherever it is, so every
     * group holds its effect whichever node leads it later.
     */
    EVERY_GROUP,
    /** SCAN: walks the led groups' slot ranges with a resumable cursor. */
    SCAN,
    /** A gateway command answered at once on the event loop. */
    IMMEDIATE,
    /** A gateway command that runs in order with the connection's keyspace commands. */
    ORDERED
  }

  private final CommandSpec spec;
  private final Kind kind;
  private final KeyspaceCommand keyspace;
  private final GatewayCommand gateway;
  private final KeyFinder keys;
  private final Map<String, CommandEntry> subcommands = new LinkedHashMap<>();
  private final CommandStats stats;

  CommandEntry(CommandSpec spec, Kind kind, KeyspaceCommand keyspace, GatewayCommand gateway,
      CommandStats stats) {
    this.spec = spec;
    this.kind = kind;
    this.keyspace = keyspace;
    this.gateway = gateway;
    this.keys = keyspace != null ? keyspace.keys() : KeyFinder.positional(spec);
    this.stats = stats;
  }

  public CommandSpec spec() {
    return spec;
  }

  /** Full name: {@code get}, {@code client|list}. */
  public String name() {
    return spec.name();
  }

  public Kind kind() {
    return kind;
  }

  /** The storage entry of a keyspace command, else null. */
  public KeyspaceCommand keyspace() {
    return keyspace;
  }

  /** The gateway entry of a gateway command, else null. */
  public GatewayCommand gateway() {
    return gateway;
  }

  public KeyFinder keys() {
    return keys;
  }

  /** Submitted as a log entry: write-flagged, or a keyspace command that must be logged anyway (PFCOUNT). */
  public boolean isWrite() {
    return keyspace != null ? keyspace.runsAsWrite() : spec.isWrite();
  }

  public CommandStats stats() {
    return stats;
  }

  /** True when the command has subcommands (COMMAND also runs without one). */
  public boolean isContainer() {
    return kind == Kind.CONTAINER || !subcommands.isEmpty();
  }

  /** Subcommands by lower-case sub name ({@code list} for {@code client|list}), in table order. */
  public Map<String, CommandEntry> subcommands() {
    return Collections.unmodifiableMap(subcommands);
  }

  public Collection<CommandEntry> subcommandEntries() {
    return Collections.unmodifiableCollection(subcommands.values());
  }

  void addSubcommand(CommandEntry sub) {
    String n = sub.name();
    subcommands.put(n.substring(n.indexOf('|') + 1), sub);
  }

  @Override
  public String toString() {
    return name() + "(" + kind + ")";
  }
}
