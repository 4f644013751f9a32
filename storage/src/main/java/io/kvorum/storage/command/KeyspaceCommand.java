package io.kvorum.storage.command;

/**
 * One entry of the keyspace command table: the command's metadata, how to find its keys, and the
 * code that runs it inside a slot group's state machine (writes) or read path (reads).
 */
public record KeyspaceCommand(CommandSpec spec, KeyFinder keys, KeyspaceHandler handler) {

  /** An entry whose keys are at the spec's legacy positions. */
  public static KeyspaceCommand of(CommandSpec spec, KeyspaceHandler handler) {
    return new KeyspaceCommand(spec, KeyFinder.positional(spec), handler);
  }

  /** An entry with {@code movablekeys}: the finder reads numkeys-style arguments. */
  public static KeyspaceCommand of(CommandSpec spec, KeyFinder keys, KeyspaceHandler handler) {
    return new KeyspaceCommand(spec, keys, handler);
  }

  public String name() {
    return spec.name();
  }
}
