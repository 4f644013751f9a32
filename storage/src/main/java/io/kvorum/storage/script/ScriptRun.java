package io.kvorum.storage.script;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.CommandFlag;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.notify.KeyspaceEventRules;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * One invocation of a script or function: what {@code redis.call} may do and runs against, with
 * Redis's checks in Redis's order (scriptCall): unknown command, arity, commands scripts may not
 * call, writes from a read-only script, then the Redis Cluster rule that every key is in the
 * slot the invocation was routed by.
 */
final class ScriptRun {
  /** Redis commands a script may not call here (they are the gateway's, or noscript in Redis). */
  private static final Set<String> NOT_FROM_SCRIPTS = Set.of(
      "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro", "script", "function",
      "multi", "exec", "discard", "watch", "unwatch", "subscribe", "unsubscribe", "psubscribe",
      "punsubscribe", "ssubscribe", "sunsubscribe", "auth", "hello", "client", "config", "debug",
      "monitor", "shutdown", "sync", "psync", "replicaof", "slaveof", "save", "bgsave",
      "bgrewriteaof", "cluster", "readonly", "readwrite", "asking", "reset", "quit", "select",
      "swapdb", "migrate", "wait", "failover", "acl", "latency", "memory", "module", "slowlog",
      "info", "lastsave", "role", "command", "publish", "spublish", "pubsub", "object|freq",
      "dbsize", "keys", "scan", "randomkey", "flushall", "flushdb", "lolwut");

  final CommandContext ctx;
  final KeyspaceCommandTable table;
  final LuaScript script;
  /** EVAL_RO / FCALL_RO, or a script flagged no-writes. */
  final boolean readOnly;
  /** The slot of the declared keys, -1 when none were declared. */
  private int slot;
  private final boolean keysDeclared;
  /** RESP version of the script's own client ({@code redis.setresp}). */
  boolean resp3;
  final String name;
  final Lrand48 random;
  private volatile boolean killed;
  private boolean wrote;

  ScriptRun(CommandContext ctx, KeyspaceCommandTable table, LuaScript script, String name,
      boolean readOnly, byte[][] keys) {
    this.ctx = ctx;
    this.table = table;
    this.script = script;
    this.name = name;
    this.readOnly = readOnly;
    this.slot = keys.length == 0 ? -1 : HashSlot.of(keys[0]);
    this.keysDeclared = keys.length > 0;
    // math.random draws from the log entry's randomness, so every replica sees the same numbers.
    this.random = new Lrand48((int) ctx.random().nextLong());
  }

  /** The slot of the declared keys, -1 when none were declared. */
  int slot() {
    return slot;
  }

  /**
   * Whether the run is part of a log entry (every replica runs it, so none may stop it); the
   * leader's dry run of a write script writes only to a batch it throws away, so it is not.
   */
  boolean replicated() {
    return ctx.keyspace().writable() && !ctx.isDryRun();
  }

  /** Asks the run to stop at its next instruction check (SCRIPT KILL). */
  void kill() {
    killed = true;
  }

  boolean killed() {
    return killed;
  }

  /** Whether a write command ran (Redis refuses to kill such a script). */
  boolean wrote() {
    return wrote;
  }

  /**
   * Runs one {@code redis.call}; returns the command's reply (possibly an error reply) or throws
   * {@link ScriptCallError} for what Redis refuses before running the command.
   */
  Reply call(byte[][] argv) {
    String name = KeyspaceCommandTable.lower(argv[0]);
    KeyspaceCommand c = table.get(name);
    if (c != null && c.handler() == null && argv.length > 1) {
      c = table.get(name + "|" + KeyspaceCommandTable.lower(argv[1]));
      if (c == null) {
        throw new ScriptCallError("Unknown Redis command called from script");
      }
    }
    if (c == null) {
      Reply emulated = emulated(name, argv);
      if (emulated != null) {
        return emulated;
      }
      if (NOT_FROM_SCRIPTS.contains(name)) {
        throw new ScriptCallError("This Redis command is not allowed from script");
      }
      throw new ScriptCallError("Unknown Redis command called from script");
    }
    if (!c.spec().arityAccepts(argv.length)) {
      throw new ScriptCallError("Wrong number of args calling Redis command from script");
    }
    if (c.spec().has(CommandFlag.NOSCRIPT) || c.handler() == null) {
      throw new ScriptCallError("This Redis command is not allowed from script");
    }
    if (c.spec().isWrite() && (readOnly || !ctx.keyspace().writable())) {
      throw new ScriptCallError("Write commands are not allowed from read-only scripts.");
    }
    checkKeys(c, argv);
    if (c.spec().isWrite()) {
      wrote = true;
    }
    Keyspace ks = ctx.keyspace();
    int touched = ks.touchCount();
    Reply reply = table.execute(new CommandContext(ks, resp3, ctx.random()), argv);
    if (ks.collectsEvents()) {
      // Redis notifies each command a script calls, as if a client had sent it.
      KeyspaceEventRules.emit(argv, reply, ks.touchedSince(touched), ks);
    }
    return reply;
  }

  private void checkKeys(KeyspaceCommand c, byte[][] argv) {
    int[] idx;
    try {
      idx = c.keys().keyIndexes(argv);
    } catch (RedisError e) {
      return; // the command itself reports its bad key count
    }
    for (int i : idx) {
      int s = HashSlot.of(argv[i]);
      if (slot < 0 && !keysDeclared) {
        // The invocation was routed without a key: the slot group it runs in was chosen
        // without knowing this key, so it may not own it.
        throw new ScriptCallError("Script attempted to access a non local key in a cluster node");
      }
      if (s != slot) {
        if (script.shebang() && !script.flags().contains(ScriptFlag.ALLOW_CROSS_SLOT_KEYS)) {
          throw new ScriptCallError(
              "Script attempted to access keys that do not hash to the same slot");
        }
        throw new ScriptCallError("Script attempted to access a non local key in a cluster node");
      }
    }
  }

  /** Keyless commands a script may call although they are the gateway's: TIME, PING, ECHO. */
  private Reply emulated(String name, byte[][] argv) {
    switch (name) {
      case "time" -> {
        if (argv.length != 1) {
          throw new ScriptCallError("Wrong number of args calling Redis command from script");
        }
        // The entry's time, so every replica computes the same.
        long now = ctx.now();
        return Reply.array(Reply.bulk(Long.toString(Math.floorDiv(now, 1000))),
            Reply.bulk(Long.toString(Math.floorMod(now, 1000) * 1000)));
      }
      case "ping" -> {
        if (argv.length > 2) {
          throw new ScriptCallError("Wrong number of args calling Redis command from script");
        }
        return argv.length == 1 ? Reply.PONG : Reply.bulk(argv[1]);
      }
      case "echo" -> {
        if (argv.length != 2) {
          throw new ScriptCallError("Wrong number of args calling Redis command from script");
        }
        return Reply.bulk(argv[1]);
      }
      default -> {
        return null;
      }
    }
  }

  /** Throws the error Redis gives when a run was killed. */
  void checkKilled() {
    if (killed) {
      ctx.killed();
      throw new org.luaj.vm2.LuaError(
          LuaReplies.errorTable(RunningScripts.KILLED));
    }
  }

  /** A refusal of {@code redis.call} before the command ran; the text has no error code. */
  static final class ScriptCallError extends RuntimeException {
    ScriptCallError(String message) {
      super(message, null, false, false);
    }
  }

  static String ascii(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
