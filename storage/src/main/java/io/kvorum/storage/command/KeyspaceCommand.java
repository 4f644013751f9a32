package io.kvorum.storage.command;

/**
 * One entry of the keyspace command table: the command's metadata, how to find its keys, the code
 * that runs it inside a slot group's state machine (writes) or read path (reads), and for commands
 * flagged {@code blocking} how an invocation waits (null: never).
 */
public record KeyspaceCommand(
    CommandSpec spec, KeyFinder keys, KeyspaceHandler handler, Blocking blocking) {

  /** An entry that never waits. */
  public KeyspaceCommand(CommandSpec spec, KeyFinder keys, KeyspaceHandler handler) {
    this(spec, keys, handler, null);
  }

  /** An entry whose keys are at the spec's legacy positions. */
  public static KeyspaceCommand of(CommandSpec spec, KeyspaceHandler handler) {
    return new KeyspaceCommand(spec, KeyFinder.positional(spec), handler);
  }

  /** An entry with {@code movablekeys}: the finder reads numkeys-style arguments. */
  public static KeyspaceCommand of(CommandSpec spec, KeyFinder keys, KeyspaceHandler handler) {
    return new KeyspaceCommand(spec, keys, handler);
  }

  /** This entry with the rule by which its invocations wait; the spec must be flagged blocking. */
  public KeyspaceCommand blocking(Blocking rule) {
    if (!spec.has(CommandFlag.BLOCKING)) {
      throw new IllegalArgumentException(spec.name() + " is not flagged blocking");
    }
    return new KeyspaceCommand(spec, keys, handler, rule);
  }

  public String name() {
    return spec.name();
  }
}
