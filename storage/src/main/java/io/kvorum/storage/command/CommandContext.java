package io.kvorum.storage.command;

import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a keyspace command runs with: the keyspace of one slot group, the clock and randomness of
 * the log entry (so every replica computes the same result), the client's protocol version, and
 * whether the command runs for a client that is already blocked ({@link
 * KeyspaceCommandTable#SERVE_BLOCKED}).
 */
public final class CommandContext {
  private final Keyspace keyspace;
  private final boolean resp3;
  private final SplittableRandom random;
  private final boolean servesBlockedClient;
  /** Set in a dry run (null otherwise) once SCRIPT KILL stopped it. */
  private final AtomicBoolean killed;

  public CommandContext(Keyspace keyspace, boolean resp3, SplittableRandom random) {
    this(keyspace, resp3, random, false, null);
  }

  private CommandContext(Keyspace keyspace, boolean resp3, SplittableRandom random,
      boolean servesBlockedClient, AtomicBoolean killed) {
    this.keyspace = keyspace;
    this.resp3 = resp3;
    this.random = random;
    this.servesBlockedClient = servesBlockedClient;
    this.killed = killed;
  }

  public Keyspace keyspace() {
    return keyspace;
  }

  /** Unix milliseconds all time-dependent logic must use. */
  public long now() {
    return keyspace.now();
  }

  public boolean resp3() {
    return resp3;
  }

  /** Deterministic randomness: seeded from the log entry on writes. */
  public SplittableRandom random() {
    return random;
  }

  /** This context for repeating the attempt of a client that is blocked. */
  public CommandContext servingBlockedClient() {
    return new CommandContext(keyspace, resp3, random, true, killed);
  }

  /** True when the command repeats the attempt of a blocked client. */
  public boolean servesBlockedClient() {
    return servesBlockedClient;
  }

  /**
   * This context for the leader's dry run of a write script: the keyspace is writable but its
   * batch is thrown away, so the run is this node's alone and may be stopped (SCRIPT KILL).
   */
  public CommandContext dryRun() {
    return new CommandContext(keyspace, resp3, random, servesBlockedClient, new AtomicBoolean());
  }

  /** True in the leader's dry run of a write script (see {@link #dryRun()}). */
  public boolean isDryRun() {
    return killed != null;
  }

  /** Records that SCRIPT KILL / FUNCTION KILL stopped this dry run. */
  public void killed() {
    if (killed != null) {
      killed.set(true);
    }
  }

  /** Whether SCRIPT KILL / FUNCTION KILL stopped this dry run. */
  public boolean wasKilled() {
    return killed != null && killed.get();
  }

  /**
   * True when a blocked client is being served and {@code key} holds a type other than the one it
   * waits for. Redis serves a blocked client only from keys of that type and leaves it blocked
   * otherwise, so such a key counts as empty here, where the first attempt answers WRONGTYPE.
   */
  public boolean skipsForBlockedClient(byte[] key, RedisType waitsFor) {
    if (!servesBlockedClient) {
      return false;
    }
    KeyMeta meta = keyspace.lookup(key);
    return meta != null && meta.type() != waitsFor;
  }
}
