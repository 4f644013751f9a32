package io.kvorum.storage.script;

/** A flag of a script's {@code #!lua flags=…} shebang line (Redis 7.0's scripts_flags_def). */
public enum ScriptFlag {
  NO_WRITES("no-writes"),
  ALLOW_OOM("allow-oom"),
  ALLOW_STALE("allow-stale"),
  NO_CLUSTER("no-cluster"),
  ALLOW_CROSS_SLOT_KEYS("allow-cross-slot-keys");

  private final String redisName;

  ScriptFlag(String redisName) {
    this.redisName = redisName;
  }

  /** The name used in the shebang and in FUNCTION LIST. */
  public String redisName() {
    return redisName;
  }

  /** The flag spelled {@code name}, or null. */
  static ScriptFlag of(String name) {
    for (ScriptFlag f : values()) {
      if (f.redisName.equals(name)) {
        return f;
      }
    }
    return null;
  }
}
