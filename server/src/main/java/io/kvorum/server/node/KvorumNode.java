package io.kvorum.server.node;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.raft.node.RaftNode;
import io.kvorum.raft.node.RaftNodeConfig;
import io.kvorum.raft.route.GroupStats;
import io.kvorum.resp.server.GatewayConfig;
import io.kvorum.resp.server.RespServer;
import io.kvorum.resp.server.ShutdownHook;
import io.kvorum.server.admin.AdminService;
import io.kvorum.server.admin.AdminToken;
import io.kvorum.server.admin.NodeControl;
import io.kvorum.server.config.ServerConfig;
import io.kvorum.server.join.AdminJoiner;
import io.kvorum.server.proxy.GrpcForwarder;
import io.kvorum.server.proxy.NodeService;
import io.kvorum.server.pubsub.PeerPublisher;
import io.kvorum.server.snapshot.GrpcSnapshotFetcher;
import io.kvorum.server.snapshot.SnapshotSender;
import io.kvorum.server.snapshot.TransferRate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Kvorum node: the Raft layer (meta group and slot groups on RocksDB), the RESP
 * gateway clients talk to (and its proxy port, if configured), and the admin gRPC service, which
 * also serves the commands other nodes' proxy ports forward here. Closing it stops them in the
 * order that loses nothing: clients first, then Raft (which flushes every store).
 */
public final class KvorumNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KvorumNode.class);
  /** Room for protobuf framing around the largest command a client may send. */
  private static final int ENTRY_OVERHEAD = 1 << 20;
  /**
   * Largest node-to-node message: a forwarded request carries at most one command's worth of
   * arguments, and CONFIG SET may raise client-query-buffer-limit up to 512mb.
   */
  private static final int MAX_NODE_MESSAGE = (512 << 20) + ENTRY_OVERHEAD;

  /** Not final: joining a cluster (admin JoinCluster) restarts the parts with --join set. */
  private volatile ServerConfig config;
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Held while the parts start or stop, so a shutdown never meets a half-restarted node. */
  private final Object lifecycle = new Object();
  // Volatile: a join restarts them while other threads (the forwarder's lookups) read them.
  private volatile RaftNode raft;
  private volatile Server admin;
  private volatile RespServer resp;
  private volatile GrpcForwarder forwarder;
  private volatile PeerPublisher publisher;
  private volatile GrpcSnapshotFetcher snapshotFetcher;
  private volatile SnapshotSender snapshotSender;

  private final boolean unsafeStaleReads;

  private KvorumNode(ServerConfig config, boolean unsafeStaleReads) {
    this.config = config;
    this.unsafeStaleReads = unsafeStaleReads;
  }

  /** Starts a node and returns once it serves clients. */
  public static KvorumNode start(ServerConfig config) {
    return start(config, false);
  }

  /**
   * Starts a node; {@code unsafeStaleReads} (tests of the fault checkers only) lets every replica
   * answer reads from its own state without a leader or read barrier, which returns stale data.
   */
  public static KvorumNode start(ServerConfig config, boolean unsafeStaleReads) {
    if (unsafeStaleReads) {
      for (int i = 0; i < 3; i++) {
        LOG.warn("UNSAFE: --unsafe-stale-reads is on: reads are served by any replica without a "
            + "read barrier and may return stale data. For testing the fault checkers only.");
      }
    }
    KvorumNode node = new KvorumNode(config, unsafeStaleReads);
    try {
      synchronized (node.lifecycle) {
        node.startParts();
      }
      return node;
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  /**
   * Admin JoinCluster, after the checks and the reply: restarts this node empty as a member of
   * the cluster whose member's admin port is {@code seed}, in the background.
   */
  private void joinCluster(String seed) {
    Thread t = new Thread(() -> rejoin(seed), "kvorum-join-cluster");
    t.start();
  }

  /**
   * Stops every part (clients first), deletes the node's one-node cluster and starts the parts
   * again with {@code --join seed} on the same ports and node id. The node was empty, so if the
   * join fails it starts as a fresh standalone node again; if even that fails the process exits
   * (status 1) for its supervisor to restart, rather than stay up half-dead. A concurrent close
   * waits for the lock, so a shutdown never meets a half-restarted node.
   */
  private void rejoin(String seed) {
    synchronized (lifecycle) {
      if (closed.get()) {
        return;
      }
      // Clients are stopped first; a key written since the check would be lost: count again.
      resp.close();
      long keys = 0;
      for (GroupStats g : raft.router().groupStats()) {
        keys += g.keys();
      }
      ServerConfig standalone = config.withJoin(null);
      stopParts();
      if (keys > 0) {
        LOG.error("not joining {}: {} keys were written since the join was accepted; "
            + "restarting as before", seed, keys);
        config = standalone;
        startOrExit();
        return;
      }
      RaftNode.wipeClusterState(config.dataDir());
      config = standalone.withJoin(seed);
      try {
        startParts();
        LOG.info("joined the cluster of {}", seed);
        return;
      } catch (RuntimeException e) {
        LOG.error("cannot join the cluster of {} ({}); starting again as a new one-node cluster",
            seed, e.getMessage(), e);
        stopParts();
      }
      RaftNode.wipeClusterState(config.dataDir());
      config = standalone;
      startOrExit();
    }
  }

  private void startOrExit() {
    try {
      startParts();
    } catch (RuntimeException e) {
      LOG.error("cannot start again after a join: {}; exiting", e.getMessage(), e);
      stopParts();
      // Halt, not exit: the shutdown hook's close() would wait for the lock this thread holds.
      // Every part is stopped already (Raft closed, stores flushed).
      Runtime.getRuntime().halt(1);
    }
  }

  private void startParts() {
    // Nodes reach each other's admin and Raft ports at the cluster address, which in containers is
    // not the address clients on the host are given.
    String adminAddress = config.clusterAnnounceHost() + ":" + config.adminPort();
    RaftNodeConfig defaults = RaftNodeConfig.defaults(
        config.dataDir(), config.bind(), config.raftPort(), config.announcePort(), adminAddress);
    RaftNodeConfig raftConfig = new RaftNodeConfig(
        config.nodeId(),
        config.dataDir(),
        config.bind(),
        config.raftPort(),
        config.clusterAnnounceHost(),
        config.announceHost(),
        config.announcePort(),
        config.proxyPort() != ServerConfig.NO_PROXY_PORT,
        adminAddress,
        config.slotGroups(),
        defaults.replicationFactor(),
        defaults.electionTimeoutMin(),
        defaults.electionTimeoutMax(),
        config.leaderLease(),
        defaults.snapshotEvery(),
        Math.toIntExact(config.queryBufferLimit() + ENTRY_OVERHEAD),
        config.blockCacheBytes(),
        config.writeBufferBytes(),
        config.zone(),
        Duration.ofSeconds(config.nodeDownTimeoutSeconds()),
        config.maxMoves(),
        config.writeEntriesInFlight(),
        unsafeStaleReads);
    // Replicas here download snapshots from other nodes' admin ports (Ratis only tells them to).
    snapshotFetcher = new GrpcSnapshotFetcher(config.adminToken());
    raft = RaftNode.start(raftConfig, config.join() == null ? null
        : new AdminJoiner(config.join(), Duration.ofSeconds(60), config.adminToken()),
        snapshotFetcher);
    snapshotSender = new SnapshotSender(raft::holdSnapshot,
        new TransferRate(config.moveBytesPerSec()));

    GatewayConfig gateway = GatewayConfig.defaults()
        .withBind(config.bind(), config.port())
        .withAnnounce(config.announceHost(), config.announcePort())
        .withMaxClients(config.maxClients())
        .withRequirepass(config.requirePass())
        .withTimeout(config.timeoutSeconds())
        .withLimits(config.protoMaxBulkLen(), GatewayConfig.defaults().maxMultibulkLength(),
            config.queryBufferLimit())
        .withRouteWait(Duration.ofSeconds(2))
        .withIoThreads(config.ioThreads(), true)
        .withProxyPort(config.proxyPort() == ServerConfig.NO_PROXY_PORT
            ? GatewayConfig.NO_PROXY_PORT : config.proxyPort());
    // A registry per start: after a join's restart, gauges must read the new gateway, and a
    // registry keeps the first gauge registered under a name.
    MeterRegistry meters = new SimpleMeterRegistry();
    resp = new RespServer(gateway, raft.router(), meters, this::shutdownFromClient);
    forwarder = new GrpcForwarder(this::adminAddressOf, Integer.MAX_VALUE, config.adminToken());
    resp.gateway().proxy().forwarder(forwarder);
    publisher = new PeerPublisher(this::peerAdminAddresses, this::shardPeerAdminAddresses,
        MAX_NODE_MESSAGE);
    resp.gateway().pubsub().fanout(publisher);

    try {
      admin = NettyServerBuilder
          .forAddress(new InetSocketAddress(config.bind(), config.adminPort()))
          .addService(ServerInterceptors.intercept(
              new AdminService(raft, config.adminToken(), control()),
              AdminToken.check(config.adminToken())))
          .addService(ServerInterceptors.intercept(
              new NodeService(resp.gateway().proxy(), resp.gateway().pubsub(), snapshotSender),
              AdminToken.check(config.adminToken())))
          .maxInboundMessageSize(MAX_NODE_MESSAGE)
          // Other nodes' forwarders ping this often; gRPC's default would cut them off.
          .permitKeepAliveTime(GrpcForwarder.KEEPALIVE.toMillis() / 2, TimeUnit.MILLISECONDS)
          .build()
          .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot listen on admin port " + config.bind() + ":" + config.adminPort(), e);
    }

    resp.start();
    LOG.info("Kvorum node {} ready: RESP {}:{}{}, Raft {}, admin {}, data {}", raft.nodeId(),
        config.bind(), resp.port(),
        resp.proxyPort() == GatewayConfig.NO_PROXY_PORT ? "" : ", proxy " + resp.proxyPort(),
        config.raftPort(), config.adminPort(), config.dataDir().toAbsolutePath().normalize());
  }

  /** The admin service's view of this process (its snapshot sender, restarting to join). */
  private NodeControl control() {
    SnapshotSender sender = snapshotSender;
    return new NodeControl() {
      @Override
      public long snapshotBytesSent() {
        return sender.bytesSent();
      }

      @Override
      public void joinCluster(String seedAdmin) {
        KvorumNode.this.joinCluster(seedAdmin);
      }
    };
  }

  /** {@code host:port} of a node's admin port from the cluster map, or null. */
  private String adminAddressOf(String nodeId) {
    for (NodeInfo n : raft.clusterMap().getNodesList()) {
      if (n.getId().equals(nodeId)) {
        return n.getAdminAddress();
      }
    }
    return null;
  }

  /** Admin addresses of every other node in the cluster map (pub/sub fan-out). */
  private List<String> peerAdminAddresses() {
    List<String> out = new ArrayList<>();
    String self = raft.nodeId();
    for (NodeInfo n : raft.clusterMap().getNodesList()) {
      if (!n.getId().equals(self) && !n.getAdminAddress().isEmpty()) {
        out.add(n.getAdminAddress());
      }
    }
    return out;
  }

  /**
   * Admin addresses of the other nodes an SPUBLISH must reach: the leader of the channel's slot
   * (its cluster-port shard subscribers) and every node with a proxy port (its proxy-port ones).
   */
  private List<String> shardPeerAdminAddresses(String leaderNodeId) {
    return PeerPublisher.shardTargets(raft.clusterMap().getNodesList(), raft.nodeId(),
        leaderNodeId);
  }

  /** SHUTDOWN over RESP: stop in the background so the command's connection can close first. */
  private CompletableFuture<Void> shutdownFromClient(ShutdownHook.Request request) {
    LOG.info("SHUTDOWN requested by a client");
    Thread t = new Thread(() -> {
      close();
      System.exit(0);
    }, "kvorum-shutdown-command");
    t.start();
    return CompletableFuture.completedFuture(null);
  }

  /** Sends this node's snapshots to other replicas (its rate cap counts the bytes sent). */
  public SnapshotSender snapshotSender() {
    return snapshotSender;
  }

  public RaftNode raft() {
    return raft;
  }

  /** The bound RESP port (useful when configured as 0). */
  public int respPort() {
    return resp.port();
  }

  /** The bound proxy port, or {@link GatewayConfig#NO_PROXY_PORT} without one. */
  public int proxyPort() {
    return resp.proxyPort();
  }

  /** Blocks until the node has been closed. */
  public void awaitTermination() {
    try {
      terminated.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      awaitTermination();
      return;
    }
    LOG.info("shutting down");
    try {
      synchronized (lifecycle) {
        stopParts();
      }
    } finally {
      LOG.info("stopped");
      terminated.countDown();
    }
  }

  /** Stops the parts in the order that loses nothing: clients first, Raft (flushing) last. */
  private void stopParts() {
    try {
      if (resp != null) {
        resp.close();
      }
      if (admin != null) {
        admin.shutdown();
        if (snapshotSender != null) {
          // Snapshot streams run long: stop them rather than wait for them.
          snapshotSender.close();
        }
        admin.awaitTermination(5, TimeUnit.SECONDS);
      }
      if (forwarder != null) {
        forwarder.close();
      }
      if (publisher != null) {
        publisher.close();
      }
      if (snapshotSender != null) {
        snapshotSender.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (raft != null) {
        raft.close();
      }
      if (snapshotFetcher != null) {
        snapshotFetcher.close();
      }
      resp = null;
      admin = null;
      forwarder = null;
      publisher = null;
      snapshotSender = null;
      raft = null;
      snapshotFetcher = null;
    }
  }
}
