package io.kvorum.raft.route;

import io.kvorum.storage.keyspace.KeyspaceEvent;
import java.util.List;

/**
 * Told the keyspace notifications of each entry this node applied as the leader that proposed
 * it, so each write's notifications are published once, not once per replica. Called on the
 * group's apply thread: it must only hand them over, never block.
 */
@FunctionalInterface
public interface KeyspaceEventListener {
  void keyspaceEvents(int group, List<KeyspaceEvent> events);
}
