package io.kvorum.raft.route;

import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.transaction.WatchedKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one interface the RESP gateway uses to reach the Raft layer: which slot group owns a slot,
 * whether this node leads it, and how to run a keyspace command there. Writes become Raft log
 * entries committed on a majority before their future completes; reads go through Ratis's
 * linearizable read path.
 */
public interface SlotGroupRouter {

  /** Number of slot groups in the cluster map. */
  int groupCount();

  /** The slot group that owns {@code slot}. */
  int groupOf(int slot);

  /** Where commands for {@code group} can be served right now, without waiting. */
  Route route(int group);

  /**
   * Completes with a route once {@code group} has a leader, or with {@link Route.Unavailable}
   * after {@code maxWait} (an election that takes longer).
   */
  CompletableFuture<Route> awaitRoute(int group, Duration maxWait);

  /**
   * Proposes one or more write commands as one log entry of {@code group} (which this node must
   * lead) and completes with one reply per command once the entry is committed and applied.
   * Completes exceptionally with {@link NotLeaderException} if leadership moved.
   */
  CompletableFuture<List<Reply>> write(int group, List<byte[][]> commands, boolean resp3);

  /** Proposes a single write command; see {@link #write(int, List, boolean)}. */
  default CompletableFuture<Reply> write(int group, byte[][] args, boolean resp3) {
    return write(group, List.<byte[][]>of(args), resp3).thenApply(r -> r.get(0));
  }

  /**
   * True when this node answers reads of {@code group} from its own replica whatever its role: only
   * under the test-only unsafe stale-reads mode, which the fault tests use to show their checkers
   * catch stale reads.
   */
  default boolean servesStaleReads(int group) {
    return false;
  }

  /** Runs a read-only command on {@code group} after a linearizable read barrier. */
  CompletableFuture<Reply> read(int group, byte[][] args, boolean resp3);

  /**
   * WATCH of {@code keys} on {@code group} (which this node must lead), after a linearizable read
   * barrier: the group starts remembering which keys change, and the result says where each
   * watch starts. Every successful call must be matched by one {@link #unwatch}.
   */
  default CompletableFuture<List<WatchedKey>> watch(int group, List<byte[]> keys) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("WATCH"));
  }

  /** Ends one {@link #watch} of {@code group}. */
  default void unwatch(int group) {}

  /**
   * EXEC: runs {@code commands} on {@code group} as one transaction and completes with the array
   * of their replies, or a null array when a {@code watched} key changed. A read-only
   * transaction is served by the linearizable read path from one snapshot; any other is one unit
   * of one log entry, applied atomically on every replica.
   */
  default CompletableFuture<Reply> transaction(int group, List<byte[][]> commands, boolean resp3,
      List<WatchedKey> watched, boolean readOnly) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("EXEC"));
  }

  /**
   * Registers a listener told of the keys every entry applied on this node writes (see {@link
   * KeysWrittenListener}); blocked clients wait for these.
   */
  void onKeysWritten(KeysWrittenListener listener);

  /**
   * Registers a listener told of the keyspace notifications of every entry this node applies as
   * its proposing leader (see {@link KeyspaceEventListener}).
   */
  default void onKeyspaceEvents(KeyspaceEventListener listener) {}

  /**
   * Turns the collection of keyspace notifications on or off for every group of this node
   * (notify-keyspace-events); off costs nothing while applying.
   */
  default void keyspaceEventsEnabled(boolean enabled) {}

  /**
   * The replication of {@code group} as its leader sees it, or null when this node does not lead
   * it (WAIT). A router without followers answers a group it serves with none.
   */
  GroupReplication replication(int group);

  /** Slot groups this node currently leads (keyspace-wide commands cover exactly these). */
  List<Integer> ledGroups();

  /** Nodes, slot groups and their current leaders, for CLUSTER SLOTS/SHARDS/NODES. */
  ClusterTopology topology();

  /** Takes a snapshot (RocksDB checkpoint) of every group this node hosts: SAVE / BGSAVE. */
  CompletableFuture<Void> snapshotAll();

  /** Unix seconds of the last completed {@link #snapshotAll} or automatic snapshot. */
  long lastSnapshotSeconds();

  /** Live per-group state for INFO and the admin API. */
  List<GroupStats> groupStats();
}
