package io.kvorum.resp.server;

import io.kvorum.raft.route.Route;
import io.kvorum.raft.route.SlotGroupRouter;
import io.kvorum.resp.blocking.BlockedClients;
import io.kvorum.resp.command.CommandTable;
import io.kvorum.resp.connection.ClientRegistry;
import io.kvorum.resp.metrics.ServerStats;
import io.kvorum.resp.proxy.ProxyDispatcher;
import io.kvorum.resp.pubsub.KeyspaceNotifications;
import io.kvorum.resp.pubsub.PubSubHub;
import io.kvorum.resp.routing.KeyspaceDispatcher;
import io.kvorum.resp.slowlog.SlowLog;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;

/** The node-wide services every connection and command handler uses. */
public final class Gateway {
  /** The Redis version Kvorum advertises: clients feature-detect on it. */
  public static final String REDIS_VERSION = "7.0.15";
  /** Kvorum's own version, from the jar manifest when packaged. */
  public static final String KVORUM_VERSION = versionOf();

  private final GatewayConfig config;
  private final GatewaySettings settings;
  private final SlotGroupRouter router;
  private final ClientRegistry clients;
  private final CommandTable commands;
  private final ServerStats stats;
  private final KeyspaceDispatcher dispatcher;
  private final ProxyDispatcher proxy;
  private final BlockedClients blockedClients;
  private final PubSubHub pubsub = new PubSubHub();
  private final SlowLog slowLog = new SlowLog();
  private final KeyspaceNotifications notifications;
  private final ShutdownHook shutdownHook;
  private final long startMillis = System.currentTimeMillis();
  private final String runId;
  private final AtomicBoolean saving = new AtomicBoolean();
  private volatile boolean lastSaveOk = true;
  private volatile int boundPort;
  private volatile int boundProxyPort = GatewayConfig.NO_PROXY_PORT;

  Gateway(GatewayConfig config, SlotGroupRouter router, CommandTable commands, ServerStats stats,
      ShutdownHook shutdownHook) {
    this.config = config;
    this.settings = new GatewaySettings(config);
    this.router = router;
    this.clients = new ClientRegistry();
    this.commands = commands;
    this.stats = stats;
    this.dispatcher = new KeyspaceDispatcher(router, config.routeWait(), config.scanCursorCapacity());
    this.blockedClients = new BlockedClients(dispatcher, router);
    router.onKeysWritten(blockedClients::keysWritten);
    this.notifications = new KeyspaceNotifications(pubsub, router);
    pubsub.ledSlots(slot -> router.route(router.groupOf(slot)) instanceof Route.Local);
    this.proxy = new ProxyDispatcher(router, config.routeWait(), dispatcher, blockedClients,
        commands, clients::nextId);
    this.shutdownHook = shutdownHook;
    byte[] id = new byte[20];
    new SecureRandom().nextBytes(id);
    this.runId = HexFormat.of().formatHex(id);
    this.boundPort = config.port();
  }

  private static String versionOf() {
    String v = Gateway.class.getPackage().getImplementationVersion();
    return v != null ? v : "0.1.0-SNAPSHOT";
  }

  public GatewayConfig config() {
    return config;
  }

  public GatewaySettings settings() {
    return settings;
  }

  public SlotGroupRouter router() {
    return router;
  }

  public ClientRegistry clients() {
    return clients;
  }

  public CommandTable commands() {
    return commands;
  }

  public ServerStats stats() {
    return stats;
  }

  public KeyspaceDispatcher dispatcher() {
    return dispatcher;
  }

  /**
   * The proxy port's routing (commands led elsewhere are forwarded); also serves what other
   * nodes' proxy ports forward here, so it exists with or without a proxy port of this node.
   */
  public ProxyDispatcher proxy() {
    return proxy;
  }

  /** Clients waiting in BLPOP, BZPOPMIN, XREAD BLOCK …. */
  public BlockedClients blockedClients() {
    return blockedClients;
  }

  /** The node's pub/sub subscriptions and message delivery. */
  public SlowLog slowLog() {
    return slowLog;
  }

  public PubSubHub pubsub() {
    return pubsub;
  }

  /** notify-keyspace-events and the publication of keyspace notifications. */
  public KeyspaceNotifications notifications() {
    return notifications;
  }

  public ShutdownHook shutdownHook() {
    return shutdownHook;
  }

  public long startMillis() {
    return startMillis;
  }

  /** A random 40-hex id of this process (INFO run_id). */
  public String runId() {
    return runId;
  }

  /** The port the server listens on (the configured one, or the one picked for port 0). */
  public int boundPort() {
    return boundPort;
  }

  void boundPort(int port) {
    this.boundPort = port;
  }

  /** The bound proxy port, or {@link GatewayConfig#NO_PROXY_PORT}. */
  public int boundProxyPort() {
    return boundProxyPort;
  }

  void boundProxyPort(int port) {
    this.boundProxyPort = port;
  }

  /** The host this node gives clients in MOVED and CLUSTER replies. */
  public String announceHost() {
    if (config.announceHost() != null && !config.announceHost().isBlank()) {
      return config.announceHost();
    }
    String bind = config.bindAddress();
    if (bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("*")) {
      try {
        return InetAddress.getLocalHost().getHostAddress();
      } catch (UnknownHostException e) {
        return "127.0.0.1";
      }
    }
    return bind;
  }

  /** The port this node gives clients in MOVED and CLUSTER replies. */
  public int announcePort() {
    return config.announcePort() > 0 ? config.announcePort() : boundPort;
  }

  /** Set while a SAVE/BGSAVE snapshot runs; false if one already was. */
  public boolean startSaving() {
    return saving.compareAndSet(false, true);
  }

  public void finishSaving(boolean ok) {
    lastSaveOk = ok;
    saving.set(false);
  }

  public boolean saving() {
    return saving.get();
  }

  public boolean lastSaveOk() {
    return lastSaveOk;
  }
}
