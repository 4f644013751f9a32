package io.kvorum.storage.command;

import io.kvorum.storage.keyspace.Keyspace;
import java.util.SplittableRandom;

/**
 * What a keyspace command runs with: the keyspace of one slot group, the clock and randomness of
 * the log entry (so every replica computes the same result), and the client's protocol version.
 */
public final class CommandContext {
  private final Keyspace keyspace;
  private final boolean resp3;
  private final SplittableRandom random;

  public CommandContext(Keyspace keyspace, boolean resp3, SplittableRandom random) {
    this.keyspace = keyspace;
    this.resp3 = resp3;
    this.random = random;
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
}
