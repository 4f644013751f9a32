package io.kvorum.server.config;

import java.nio.file.Path;

/**
 * Every setting of a Kvorum node, after merging (lowest to highest precedence) built-in defaults,
 * the config file, {@code KVORUM_*} environment variables and command-line flags.
 *
 * @param announceHost    host clients are told to use (MOVED, CLUSTER SLOTS); defaults to bind
 * @param announcePort    RESP port clients are told to use; defaults to port
 * @param clusterAnnounceHost host other nodes use to reach this node's Raft and admin ports;
 *                        defaults to announceHost (differs in containers, where clients come
 *                        through published ports and nodes through the container network)
 * @param protoMaxBulkLen largest bulk string a client may send, in bytes
 * @param queryBufferLimit largest total size of one command, in bytes (bounds a Raft log entry)
 * @param slotGroups      slot groups created when a new cluster is bootstrapped
 * @param proxyPort       RESP port where commands led by other nodes are forwarded to them
 *                        instead of redirected; {@link #NO_PROXY_PORT} when off (the default)
 * @param zone            failure domain label of this node (empty: none)
 * @param nodeDownTimeoutSeconds unreachable this long, a node is marked down and its replicas
 *                        are recreated on other nodes
 * @param maxMoves        replica moves the balancer runs at once
 * @param moveBytesPerSec cap on the bytes/s of all snapshots this node sends to other replicas
 *                        together (moves, lagging replicas); 0 for none
 * @param adminToken      shared secret every admin and node-to-node gRPC call must carry; null
 *                        when off
 * @param leaderLease     reads on a group's leader are served under Ratis's leader lease (no
 *                        heartbeat round per read), relying on bounded clock drift between nodes
 * @param writeEntriesInFlight write log entries this node's slot groups have in flight at once;
 *                        0 for no bound
 * @param ioThreads       RESP event-loop threads (Redis's {@code io-threads})
 */
public record ServerConfig(
    String bind,
    int port,
    int raftPort,
    int adminPort,
    Path dataDir,
    String join,
    String nodeId,
    String announceHost,
    int announcePort,
    String clusterAnnounceHost,
    String requirePass,
    int maxClients,
    long protoMaxBulkLen,
    long queryBufferLimit,
    int timeoutSeconds,
    int slotGroups,
    long blockCacheBytes,
    long writeBufferBytes,
    int proxyPort,
    String zone,
    int nodeDownTimeoutSeconds,
    int maxMoves,
    long moveBytesPerSec,
    String adminToken,
    boolean leaderLease,
    int writeEntriesInFlight,
    int ioThreads) {

  /** {@link #proxyPort} when the node has no proxy port. */
  public static final int NO_PROXY_PORT = -1;

  /** The same settings with {@code --join} set to {@code join} (null: none). */
  public ServerConfig withJoin(String join) {
    return new ServerConfig(bind, port, raftPort, adminPort, dataDir, join, nodeId, announceHost,
        announcePort, clusterAnnounceHost, requirePass, maxClients, protoMaxBulkLen,
        queryBufferLimit, timeoutSeconds, slotGroups, blockCacheBytes, writeBufferBytes, proxyPort,
        zone, nodeDownTimeoutSeconds, maxMoves, moveBytesPerSec, adminToken, leaderLease,
        writeEntriesInFlight, ioThreads);
  }
}
