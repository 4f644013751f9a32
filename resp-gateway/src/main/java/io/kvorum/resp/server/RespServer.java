package io.kvorum.resp.server;

import io.kvorum.raft.route.SlotGroupRouter;
import io.kvorum.resp.command.CommandTable;
import io.kvorum.resp.connection.ClientConnection;
import io.kvorum.resp.connection.ConnectionHandler;
import io.kvorum.resp.metrics.ServerStats;
import io.kvorum.resp.protocol.RespDecoder;
import io.kvorum.resp.pubsub.ClientSubscriptions;
import io.kvorum.resp.pubsub.PubSubHub;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RESP server: a Netty listener (epoll when available, else NIO, TCP_NODELAY) whose
 * connections speak RESP2/RESP3 and reach the slot groups through a {@link SlotGroupRouter}.
 * With a proxy port, a second listener on the same event loops: its connections are the same
 * except that commands led elsewhere are forwarded instead of redirected.
 */
public final class RespServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RespServer.class);
  /** How often shard subscriptions are checked against the groups this node leads. */
  static final long SHARD_SWEEP_MILLIS = 200;

  private final Gateway gateway;
  private EventLoopGroup bossGroup;
  private EventLoopGroup workerGroup;
  private Channel serverChannel;
  private Channel proxyChannel;
  private ScheduledFuture<?> housekeeping;
  private ScheduledFuture<?> shardSweep;

  /**
   * @param config   listener, limits and settings
   * @param router   the Raft layer: slot → group, routes, reads, writes, topology
   * @param meters   where command and error statistics are registered (INFO reads them back)
   * @param shutdown what SHUTDOWN does; {@link ShutdownHook#REFUSE} to refuse it
   */
  public RespServer(GatewayConfig config, SlotGroupRouter router, MeterRegistry meters,
      ShutdownHook shutdown) {
    this(config, router, meters, shutdown, KeyspaceCommandTable.standard());
  }

  /** As above with an explicit keyspace command table (tests). */
  public RespServer(GatewayConfig config, SlotGroupRouter router, MeterRegistry meters,
      ShutdownHook shutdown, KeyspaceCommandTable keyspace) {
    ServerStats stats = new ServerStats(meters);
    CommandTable table = CommandTable.create(keyspace, GatewayCommands.all(), stats);
    this.gateway = new Gateway(config, router, table, stats, shutdown);
  }

  /** Binds the listener; throws IllegalStateException when the address cannot be bound. */
  public synchronized RespServer start() {
    if (serverChannel != null) {
      return this;
    }
    GatewayConfig config = gateway.config();
    boolean epoll = config.nativeTransport() && Epoll.isAvailable();
    Class<? extends ServerChannel> channelType;
    if (epoll) {
      bossGroup = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
      workerGroup =
          new MultiThreadIoEventLoopGroup(config.eventLoopThreads(), EpollIoHandler.newFactory());
      channelType = EpollServerSocketChannel.class;
    } else {
      bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      workerGroup =
          new MultiThreadIoEventLoopGroup(config.eventLoopThreads(), NioIoHandler.newFactory());
      channelType = NioServerSocketChannel.class;
    }
    InputMeter meter = new InputMeter(gateway.stats());
    try {
      serverChannel = listen(channelType, meter, config.port(), false);
      if (config.proxyEnabled()) {
        proxyChannel = listen(channelType, meter, config.proxyPort(), true);
      }
    } catch (RuntimeException e) {
      if (serverChannel != null) {
        serverChannel.close().syncUninterruptibly();
        serverChannel = null;
      }
      stopLoops();
      throw e;
    }
    gateway.boundPort(((InetSocketAddress) serverChannel.localAddress()).getPort());
    housekeeping = workerGroup.scheduleAtFixedRate(this::housekeeping, 1, 1, TimeUnit.SECONDS);
    shardSweep = workerGroup.scheduleAtFixedRate(this::dropMovedShardChannels,
        SHARD_SWEEP_MILLIS, SHARD_SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    LOG.info("RESP gateway listening on {}:{} ({})", config.bindAddress(), gateway.boundPort(),
        epoll ? "epoll" : "nio");
    if (proxyChannel != null) {
      gateway.boundProxyPort(((InetSocketAddress) proxyChannel.localAddress()).getPort());
      LOG.info("RESP proxy port listening on {}:{}", config.bindAddress(), gateway.boundProxyPort());
    }
    return this;
  }

  /** Binds one listener; {@code proxy} connections forward commands led elsewhere. */
  private Channel listen(Class<? extends ServerChannel> channelType, InputMeter meter, int port,
      boolean proxy) {
    GatewayConfig config = gateway.config();
    ServerBootstrap b = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(channelType)
        .option(ChannelOption.SO_BACKLOG, 511)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ConnectionHandler handler = new ConnectionHandler(gateway, proxy);
            ch.pipeline().addLast(meter, new RespDecoder(handler.limits()), handler);
          }
        });
    try {
      return b.bind(new InetSocketAddress(config.bindAddress(), port))
          .syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot listen on " + config.bindAddress() + ":" + port
          + (proxy ? " (proxy port)" : ""), e);
    }
  }

  /** The bound proxy port, or {@link GatewayConfig#NO_PROXY_PORT} without one. */
  public int proxyPort() {
    return gateway.boundProxyPort();
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return gateway.boundPort();
  }

  /** The node-wide services (statistics, clients, settings …). */
  public Gateway gateway() {
    return gateway;
  }

  /** Closes the listener and every client connection. */
  public synchronized void stop() {
    if (housekeeping != null) {
      housekeeping.cancel(false);
      housekeeping = null;
    }
    if (shardSweep != null) {
      shardSweep.cancel(false);
      shardSweep = null;
    }
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
      serverChannel = null;
    }
    if (proxyChannel != null) {
      proxyChannel.close().syncUninterruptibly();
      proxyChannel = null;
    }
    for (ClientConnection c : gateway.clients().all()) {
      c.kill();
    }
    stopLoops();
    gateway.blockedClients().close();
  }

  private void stopLoops() {
    if (bossGroup != null) {
      bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      bossGroup = null;
    }
    if (workerGroup != null) {
      workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      workerGroup = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * Cluster-port shard subscribers of slots whose group this node no longer leads get {@code
   * sunsubscribe} frames, as Redis 7 sends when a slot moves away; their client resubscribes at
   * the new leader (MOVED). Checked every {@link #SHARD_SWEEP_MILLIS}: a leader that steps down
   * is noticed even when no new leader is known yet.
   */
  private void dropMovedShardChannels() {
    PubSubHub pubsub = gateway.pubsub();
    if (pubsub.size(ClientSubscriptions.Kind.SHARD) == 0) {
      return;
    }
    int dropped = pubsub.dropShardChannels();
    if (dropped > 0) {
      LOG.info("unsubscribed shard subscribers of {} channels whose slot group moved away", dropped);
    }
  }

  /** Once a second: the ops/sec sample and the idle {@code timeout}, as Redis's clientsCron. */
  private void housekeeping() {
    long now = System.currentTimeMillis();
    gateway.stats().sample(now);
    long timeout = gateway.settings().timeoutSeconds();
    if (timeout <= 0) {
      return;
    }
    for (ClientConnection c : gateway.clients().all()) {
      if (c.pendingReplies() == 0 && (now - c.lastInteractionMillis()) / 1000 > timeout) {
        LOG.debug("closing idle client {} {}", c.id(), c.addr());
        c.kill();
      }
    }
  }

  /** Counts bytes received (INFO total_net_input_bytes). Shared by all connections. */
  @ChannelHandler.Sharable
  private static final class InputMeter extends ChannelInboundHandlerAdapter {
    private final ServerStats stats;

    InputMeter(ServerStats stats) {
      this.stats = stats;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf b) {
        stats.netInput(b.readableBytes());
      }
      ctx.fireChannelRead(msg);
    }
  }
}
