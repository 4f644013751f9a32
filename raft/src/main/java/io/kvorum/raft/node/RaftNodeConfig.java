package io.kvorum.raft.node;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the Raft layer of one node needs to start.
 *
 * @param nodeId            this node's id (40 hex chars by default); null to reuse the one stored
 *                          in the data dir or generate one on first start
 * @param dataDir           root of the node's data: {@code node.properties} and {@code raft/}
 * @param bindHost          address the Raft gRPC server listens on
 * @param raftPort          Raft gRPC port
 * @param advertiseHost     host other nodes use to reach this node's Raft port
 * @param respHost          host clients are redirected to (MOVED, CLUSTER SLOTS)
 * @param respPort          RESP port clients are redirected to
 * @param hasProxyPort      the node has a RESP proxy port ({@code --proxy-port}); recorded in
 *                          the cluster map, so that other nodes send SPUBLISH messages to its
 *                          proxy-port shard subscribers
 * @param adminAddress      host:port of the admin gRPC service
 * @param slotGroups        number of slot groups created when the cluster is bootstrapped
 * @param replicationFactor replicas per slot group once enough nodes exist
 * @param electionTimeoutMin lower bound of the randomized Raft election timeout
 * @param electionTimeoutMax upper bound of the randomized Raft election timeout
 * @param leaderLease       serve linearizable reads under a leader lease instead of a heartbeat
 *                          round (trades a bounded-clock-drift assumption for latency)
 * @param snapshotEvery     log entries between automatic snapshots of a group
 * @param maxEntryBytes     the largest log entry (one command or one coalesced batch); Ratis's
 *                          buffers are sized from it
 * @param blockCacheBytes   RocksDB block cache shared by all groups
 * @param writeBufferBytes  RocksDB memtable budget shared by all groups
 * @param zone              failure domain label (empty: none); replicas of a group are spread
 *                          over distinct zones when enough exist
 * @param nodeDownTimeout   how long a node must be unreachable before the meta leader marks it
 *                          down and recreates its replicas elsewhere
 * @param maxConcurrentMoves replica moves the meta leader runs at once
 * @param writeEntriesInFlight write log entries this node's slot groups have in flight at once
 *                          (0: no bound); a group past the bound waits, and its next entry
 *                          carries every write that arrived meanwhile
 * @param unsafeStaleReads  test-only: every replica serves reads from its own state, unordered
 *                          with the leader (stale reads); see RaftSlotGroupRouter
 */
public record RaftNodeConfig(
    String nodeId,
    Path dataDir,
    String bindHost,
    int raftPort,
    String advertiseHost,
    String respHost,
    int respPort,
    boolean hasProxyPort,
    String adminAddress,
    int slotGroups,
    int replicationFactor,
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    boolean leaderLease,
    long snapshotEvery,
    int maxEntryBytes,
    long blockCacheBytes,
    long writeBufferBytes,
    String zone,
    Duration nodeDownTimeout,
    int maxConcurrentMoves,
    int writeEntriesInFlight,
    boolean unsafeStaleReads) {

  /** The default bound on write entries in flight: two per CPU the JVM may use. */
  public static int defaultWriteEntriesInFlight() {
    return 2 * Runtime.getRuntime().availableProcessors();
  }

  /** Defaults for a single local node; ports and paths are the caller's. */
  public static RaftNodeConfig defaults(
      Path dataDir, String host, int raftPort, int respPort, String adminAddress) {
    return new RaftNodeConfig(
        null,
        dataDir,
        host,
        raftPort,
        host,
        host,
        respPort,
        false,
        adminAddress,
        16,
        3,
        Duration.ofMillis(1000),
        Duration.ofMillis(2000),
        true,
        100_000,
        (16 << 20) + (1 << 20),
        256L << 20,
        128L << 20,
        "",
        Duration.ofSeconds(60),
        4,
        defaultWriteEntriesInFlight(),
        false);
  }

  public RaftNodeConfig withNodeId(String id) {
    return new RaftNodeConfig(id, dataDir, bindHost, raftPort, advertiseHost, respHost, respPort,
        hasProxyPort, adminAddress, slotGroups, replicationFactor, electionTimeoutMin,
        electionTimeoutMax, leaderLease, snapshotEvery, maxEntryBytes, blockCacheBytes,
        writeBufferBytes, zone, nodeDownTimeout, maxConcurrentMoves, writeEntriesInFlight,
        unsafeStaleReads);
  }

  /** This config with the balancer's settings. */
  public RaftNodeConfig withMembership(String zone, Duration nodeDownTimeout, int maxMoves) {
    return new RaftNodeConfig(nodeId, dataDir, bindHost, raftPort, advertiseHost, respHost,
        respPort, hasProxyPort, adminAddress, slotGroups, replicationFactor, electionTimeoutMin,
        electionTimeoutMax, leaderLease, snapshotEvery, maxEntryBytes, blockCacheBytes,
        writeBufferBytes, zone, nodeDownTimeout, maxMoves, writeEntriesInFlight, unsafeStaleReads);
  }
}
