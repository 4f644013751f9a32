package io.kvorum.storage.command;

/**
 * Finds the key arguments of one invocation. Most commands use the spec's legacy
 * (first, last, step) positions; commands with {@code movablekeys} (ZUNIONSTORE, LMPOP, …) supply
 * their own finder that reads numkeys-style arguments.
 */
@FunctionalInterface
public interface KeyFinder {
  /**
   * The indexes in {@code args} that hold keys, or throws {@link
   * io.kvorum.storage.reply.RedisError} when the key-count argument itself is invalid.
   */
  int[] keyIndexes(byte[][] args);

  /** The finder for a spec's legacy (first, last, step) positions. */
  static KeyFinder positional(CommandSpec spec) {
    int first = spec.firstKey();
    int last = spec.lastKey();
    int step = spec.keyStep();
    if (first <= 0) {
      return args -> NONE;
    }
    if (first == last) {
      return args -> args.length > first ? new int[] {first} : NONE;
    }
    return args -> {
      int end = last < 0 ? args.length + last : Math.min(last, args.length - 1);
      if (end < first) {
        return NONE;
      }
      int[] idx = new int[(end - first) / step + 1];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = first + i * step;
      }
      return idx;
    };
  }

  int[] NONE = new int[0];
}
