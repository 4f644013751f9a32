package io.kvorum.storage.command;

/** A command flag as {@code COMMAND INFO} reports it. */
public enum CommandFlag {
  WRITE("write"),
  READONLY("readonly"),
  DENYOOM("denyoom"),
  MODULE("module"),
  ADMIN("admin"),
  PUBSUB("pubsub"),
  NOSCRIPT("noscript"),
  BLOCKING("blocking"),
  LOADING("loading"),
  STALE("stale"),
  SKIP_MONITOR("skip_monitor"),
  SKIP_SLOWLOG("skip_slowlog"),
  ASKING("asking"),
  FAST("fast"),
  NO_AUTH("no_auth"),
  MAY_REPLICATE("may_replicate"),
  SENTINEL("sentinel"),
  ONLY_SENTINEL("only_sentinel"),
  NO_MANDATORY_KEYS("no_mandatory_keys"),
  PROTECTED("protected"),
  NO_ASYNC_LOADING("no_async_loading"),
  NO_MULTI("no_multi"),
  MOVABLEKEYS("movablekeys"),
  ALLOW_BUSY("allow_busy");

  private final String redisName;

  CommandFlag(String redisName) {
    this.redisName = redisName;
  }

  /** The lower-case name Redis prints. */
  public String redisName() {
    return redisName;
  }

  /** The flag for a Redis name such as {@code "readonly"}. */
  public static CommandFlag ofRedisName(String name) {
    for (CommandFlag f : values()) {
      if (f.redisName.equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown command flag " + name);
  }
}
