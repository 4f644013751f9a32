package io.kvorum.storage.command;

/**
 * One entry of the keyspace command table: the command's metadata, how to find its keys, the code
 * that runs it inside a slot group's state machine (writes) or read path (reads), and for commands
 * flagged {@code blocking} how an invocation waits (null: never).
 *
 * @param logged run as a log entry although Redis flags the command read-only, because Redis lets
 *     it change the stored value (PFCOUNT writes its cardinality cache, and propagates to
 *     replicas when it does); the read path cannot write, so such a command must be applied on
 *     every replica like a write
 * @param everyGroup a keyless write whose effect every slot group of the cluster must hold
 *     (FUNCTION LOAD/DELETE/FLUSH/RESTORE): the gateway makes it a log entry in each group
 *     whichever node leads it, although Redis's tips say {@code request_policy:all_shards}
 * @param leaderFirst a write script (EVAL, EVALSHA, FCALL): the leader runs it first against its
 *     own state with the writes thrown away (where SCRIPT KILL can stop it) and proposes it only
 *     once that run completed, guarded by the state it ran against
 */
public record KeyspaceCommand(CommandSpec spec, KeyFinder keys, KeyspaceHandler handler,
    Blocking blocking, boolean logged, boolean everyGroup, boolean leaderFirst) {

  /** An entry that is neither {@link #everyGroup} nor {@link #leaderFirst}. */
  public KeyspaceCommand(CommandSpec spec, KeyFinder keys, KeyspaceHandler handler,
      Blocking blocking, boolean logged) {
    this(spec, keys, handler, blocking, logged, false, false);
  }

  /** An entry that never waits. */
  public KeyspaceCommand(CommandSpec spec, KeyFinder keys, KeyspaceHandler handler) {
    this(spec, keys, handler, null, false);
  }

  /** An entry whose keys are at the spec's legacy positions. */
  public static KeyspaceCommand of(CommandSpec spec, KeyspaceHandler handler) {
    return new KeyspaceCommand(spec, KeyFinder.positional(spec), handler);
  }

  /** An entry with {@code movablekeys}: the finder reads numkeys-style arguments. */
  public static KeyspaceCommand of(CommandSpec spec, KeyFinder keys, KeyspaceHandler handler) {
    return new KeyspaceCommand(spec, keys, handler);
  }

  /** This entry, run as a log entry whatever its flags say (see {@link #logged}). */
  public KeyspaceCommand alwaysLogged() {
    return new KeyspaceCommand(spec, keys, handler, blocking, true, everyGroup, leaderFirst);
  }

  /** This entry, sent to every slot group of the cluster (see {@link #everyGroup}). */
  public KeyspaceCommand inEveryGroup() {
    return new KeyspaceCommand(spec, keys, handler, blocking, logged, true, leaderFirst);
  }

  /** This entry, run first on the leader before it is proposed (see {@link #leaderFirst}). */
  public KeyspaceCommand runFirstOnLeader() {
    return new KeyspaceCommand(spec, keys, handler, blocking, logged, everyGroup, true);
  }

  /** Whether the gateway must submit it as a log entry: a write, or {@link #logged}. */
  public boolean runsAsWrite() {
    return logged || spec.isWrite();
  }

  /** This entry with the rule by which its invocations wait; the spec must be flagged blocking. */
  public KeyspaceCommand blocking(Blocking rule) {
    if (!spec.has(CommandFlag.BLOCKING)) {
      throw new IllegalArgumentException(spec.name() + " is not flagged blocking");
    }
    return new KeyspaceCommand(spec, keys, handler, rule, logged, everyGroup, leaderFirst);
  }

  public String name() {
    return spec.name();
  }
}
