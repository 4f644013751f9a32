package io.kvorum.resp.proxy;

import java.util.List;

/**
 * Keyed commands of one slot group on their way to its leader.
 *
 * @param slots       the hash slot of each command's keys
 * @param write       the commands are writes, proposed together as one log entry
 * @param hops        forwards taken so far, this one included; bounded by {@link
 *                    ProxyDispatcher#MAX_HOPS}
 * @param blockMillis for one blocking command (BLPOP, XREAD BLOCK …), how much longer it may
 *                    wait (0: forever); {@link #NOT_BLOCKING} otherwise
 */
public record ForwardRequest(int group, int[] slots, List<byte[][]> commands, boolean resp3,
    boolean write, int hops, long blockMillis) {

  public static final long NOT_BLOCKING = -1;

  public boolean blocking() {
    return blockMillis != NOT_BLOCKING;
  }

  /** The same commands one hop further. */
  ForwardRequest hop() {
    return new ForwardRequest(group, slots, commands, resp3, write, hops + 1, blockMillis);
  }

  /** The same blocking command with {@code millis} left to wait. */
  ForwardRequest blockFor(long millis) {
    return new ForwardRequest(group, slots, commands, resp3, write, hops, millis);
  }
}
