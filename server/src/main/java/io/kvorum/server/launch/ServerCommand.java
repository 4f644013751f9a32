package io.kvorum.server.launch;

import io.kvorum.server.config.ServerConfig;
import io.kvorum.server.config.ServerConfigLoader;
import io.kvorum.server.node.KvorumNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kvorum server}: runs one node in the foreground until SIGTERM or SHUTDOWN. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a Kvorum node. Without --join it starts (or restarts) a cluster of its own.",
      "Settings come from flags, then KVORUM_* environment variables, then --config, then defaults."
    })
public final class ServerCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServerCommand.class);

  @Option(names = "--config", paramLabel = "FILE", description = "redis.conf-style settings file")
  Path config;

  @Option(names = "--bind", paramLabel = "ADDR", description = "listen address (default 127.0.0.1)")
  String bind;

  @Option(names = "--port", paramLabel = "N", description = "RESP port (default 6379)")
  String port;

  @Option(names = "--raft-port", paramLabel = "N", description = "Raft gRPC port (default 16379)")
  String raftPort;

  @Option(names = "--admin-port", paramLabel = "N", description = "admin gRPC port (default 7379)")
  String adminPort;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (default ./data)")
  String dataDir;

  @Option(names = "--join", paramLabel = "HOST:ADMINPORT", description = "join the cluster of this node")
  String join;

  @Option(names = "--node-id", paramLabel = "ID", description = "node id (default: generated, then kept in the data dir)")
  String nodeId;

  @Option(names = "--announce-host", paramLabel = "HOST", description = "host clients are redirected to")
  String announceHost;

  @Option(names = "--announce-port", paramLabel = "N", description = "RESP port clients are redirected to")
  String announcePort;

  @Option(names = "--cluster-announce-host", paramLabel = "HOST",
      description = "host other nodes reach this node's Raft and admin ports at (default: announce-host)")
  String clusterAnnounceHost;

  /**
   * Test-only: breaks linearizability on purpose so the fault tests can show their checkers catch
   * it. Hidden, flag-only (no environment variable or config file line can turn it on).
   */
  @Option(names = "--unsafe-stale-reads", hidden = true)
  boolean unsafeStaleReads;

  @Option(names = "--requirepass", paramLabel = "PASSWORD", description = "require AUTH with this password")
  String requirePass;

  @Option(names = "--maxclients", paramLabel = "N", description = "max client connections (default 10000)")
  String maxClients;

  @Option(names = "--proto-max-bulk-len", paramLabel = "SIZE", description = "largest bulk string (default 16mb)")
  String protoMaxBulkLen;

  @Option(names = "--client-query-buffer-limit", paramLabel = "SIZE", description = "largest command (default 17mb)")
  String queryBufferLimit;

  @Option(names = "--timeout", paramLabel = "SECONDS", description = "close idle clients after this many seconds (0 = never)")
  String timeout;

  @Option(names = "--slot-groups", paramLabel = "N", description = "slot groups of a new cluster (default 16)")
  String slotGroups;

  @Option(names = "--proxy-port", paramLabel = "N",
      description = "RESP port that forwards commands to their leader instead of redirecting (default off)")
  String proxyPort;

  @Option(names = "--zone", paramLabel = "NAME",
      description = "failure domain (zone/rack) of this node: replicas of a group go to distinct zones")
  String zone;

  @Option(names = "--node-down-timeout", paramLabel = "SECONDS",
      description = "unreachable this long, a node's replicas are recreated elsewhere (default 60)")
  String nodeDownTimeout;

  @Option(names = "--max-moves", paramLabel = "N",
      description = "replica moves the balancer runs at once (default 4)")
  String maxMoves;

  @Option(names = "--move-bytes-per-sec", paramLabel = "SIZE",
      description = "cap on the bytes/s of all snapshots this node sends to new or lagging "
          + "replicas together, e.g. 64mb; 0 for none (default 32mb)")
  String moveBytesPerSec;

  @Option(names = "--admin-token", paramLabel = "TOKEN",
      description = "shared secret every admin and node-to-node gRPC call must carry")
  String adminToken;

  @Option(names = "--leader-lease", paramLabel = "yes|no", arity = "0..1", fallbackValue = "yes",
      description = "serve leader reads under a Raft leader lease, without a heartbeat round per "
          + "read; assumes bounded clock drift between nodes (default yes; no: every read "
          + "confirms leadership with a round to a majority)")
  String leaderLease;

  @Option(names = "--write-entries-in-flight", paramLabel = "N|auto",
      description = "write log entries this node's slot groups have in flight at once; a group "
          + "past it waits, and its next entry carries more writes; 0 for no bound (default "
          + "auto: 2 per CPU)")
  String writeEntriesInFlight;

  @Option(names = "--io-threads", paramLabel = "N|auto",
      description = "RESP event-loop threads, 1-128 (default auto: one per CPU; nodes sharing a "
          + "machine should split its CPUs)")
  String ioThreads;

  @Override
  public Integer call() {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("bind", bind);
    flags.put("port", port);
    flags.put("raft-port", raftPort);
    flags.put("admin-port", adminPort);
    flags.put("data-dir", dataDir);
    flags.put("join", join);
    flags.put("node-id", nodeId);
    flags.put("announce-host", announceHost);
    flags.put("announce-port", announcePort);
    flags.put("cluster-announce-host", clusterAnnounceHost);
    flags.put("requirepass", requirePass);
    flags.put("maxclients", maxClients);
    flags.put("proto-max-bulk-len", protoMaxBulkLen);
    flags.put("client-query-buffer-limit", queryBufferLimit);
    flags.put("timeout", timeout);
    flags.put("slot-groups", slotGroups);
    flags.put("proxy-port", proxyPort);
    flags.put("zone", zone);
    flags.put("node-down-timeout", nodeDownTimeout);
    flags.put("max-moves", maxMoves);
    flags.put("move-bytes-per-sec", moveBytesPerSec);
    flags.put("admin-token", adminToken);
    flags.put("leader-lease", leaderLease);
    flags.put("write-entries-in-flight", writeEntriesInFlight);
    flags.put("io-threads", ioThreads);
    ServerConfig cfg;
    try {
      cfg = ServerConfigLoader.load(flags, System.getenv(), config);
    } catch (RuntimeException e) {
      System.err.println("kvorum: " + e.getMessage());
      return 2;
    }
    KvorumNode node;
    try {
      node = KvorumNode.start(cfg, unsafeStaleReads);
    } catch (RuntimeException | Error e) {
      LOG.error("cannot start: {}", e.getMessage(), e);
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "kvorum-shutdown"));
    node.awaitTermination();
    return 0;
  }
}
