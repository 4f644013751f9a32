package io.kvorum.raft.route;

import java.util.List;

/**
 * Told which keys each log entry applied on this node created or changed, so the gateway can serve
 * clients blocked on them. Called on the group's apply thread, on leaders and followers alike:
 * it must only hand the keys over, never block or propose.
 */
@FunctionalInterface
public interface KeysWrittenListener {
  /** {@code keys} of slot group {@code group}, in write order, repeats included. */
  void keysWritten(int group, List<byte[]> keys);
}
