package io.kvorum.resp.connection;

import io.kvorum.resp.command.CommandEntry;
import io.kvorum.resp.command.CommandTable;
import io.kvorum.resp.command.Invocation;
import io.kvorum.resp.metrics.ServerStats;
import io.kvorum.resp.protocol.ProtocolLimits;
import io.kvorum.resp.protocol.RespEncoder;
import io.kvorum.resp.protocol.RespInput;
import io.kvorum.resp.proxy.SplitCommand;
import io.kvorum.resp.routing.KeyspaceLanes;
import io.kvorum.resp.routing.RouteErrors;
import io.kvorum.resp.slowlog.SlowLog;
import io.kvorum.resp.server.Gateway;
import io.kvorum.resp.server.GatewaySettings;
import io.kvorum.resp.transaction.TransactionCommands;
import io.kvorum.storage.command.Blocking;
import io.kvorum.storage.command.CommandFlag;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.script.RunningScripts;
import io.kvorum.storage.slot.HashSlot;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: looks commands up, checks arity, authentication and slots, runs gateway
 * commands, hands keyspace commands to the connection's {@link KeyspaceLanes}, and writes every
 * reply in request order. Stops reading while too many commands are in flight. On the proxy port,
 * commands led elsewhere are forwarded ({@link io.kvorum.resp.proxy.ProxyDispatcher}) and the
 * read-only multi-key commands of {@link SplitCommand} are split across slot groups.
 */
public final class ConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
  private static final Reply.Error NOAUTH = new Reply.Error("NOAUTH Authentication required.");
  private static final byte[] MAX_CLIENTS =
      "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Gateway gateway;
  private final GatewaySettings settings;
  private final CommandTable table;
  private final ServerStats stats;
  private final int maxInFlight;
  private final boolean proxy;
  /** What a RESP2 connection may run while subscribed (Redis's processCommand check). */
  private static final Set<String> SUBSCRIBED_MODE = Set.of("ping", "subscribe", "ssubscribe",
      "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset");

  private final ArrayDeque<PendingReply> replies = new ArrayDeque<>();
  /** A drain is queued on the event loop for pushed frames (one write for a burst of them). */
  private boolean pushDrainQueued;
  /** Since when the output buffer has been over the pub/sub soft limit (0: it is not). */
  private long softLimitSinceMillis;
  private ChannelHandlerContext ctx;
  private ClientConnection client;
  private KeyspaceLanes lanes;
  /** After QUIT, a protocol error or maxclients: further input is ignored. */
  private boolean closing;

  public ConnectionHandler(Gateway gateway) {
    this(gateway, false);
  }

  /** @param proxy the connection came on the proxy port */
  public ConnectionHandler(Gateway gateway, boolean proxy) {
    this.gateway = gateway;
    this.proxy = proxy;
    this.settings = gateway.settings();
    this.table = gateway.commands();
    this.stats = gateway.stats();
    this.maxInFlight = gateway.config().maxInFlight();
  }

  /** The decoder's limits: the live settings, and this connection's authentication. */
  public ProtocolLimits limits() {
    long maxMultibulk = gateway.config().maxMultibulkLength();
    return new ProtocolLimits() {
      @Override
      public long maxBulkLength() {
        return settings.protoMaxBulkLength();
      }

      @Override
      public long maxMultibulkLength() {
        return maxMultibulk;
      }

      @Override
      public long maxQueryBuffer() {
        return settings.clientQueryBufferLimit();
      }

      @Override
      public boolean unauthenticated() {
        return client != null && !client.authenticated() && settings.passwordRequired();
      }
    };
  }

  /** The connection's state (null before it became active). */
  public ClientConnection client() {
    return client;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (gateway.clients().size() >= settings.maxClients()) {
      stats.connectionRejected();
      closing = true;
      ctx.writeAndFlush(Unpooled.wrappedBuffer(MAX_CLIENTS)).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    stats.connectionReceived();
    client = new ClientConnection(gateway.clients().nextId(), ctx.channel(),
        !settings.passwordRequired(), proxy);
    gateway.clients().add(client);
    client.outbox(this::push);
    lanes = proxy
        // A forwarded batch is one node-to-node message: bounded like one command.
        ? new KeyspaceLanes(gateway.proxy(), ctx.channel().eventLoop(), this::drain,
            gateway.config().maxWriteBatch(), settings.clientQueryBufferLimit())
        : new KeyspaceLanes(gateway.dispatcher(), ctx.channel().eventLoop(), this::drain,
            gateway.config().maxWriteBatch());
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (client != null) {
      gateway.clients().remove(client);
      client.outbox(null);
      gateway.pubsub().disconnected(client);
      gateway.blockedClients().disconnected(client);
      TransactionCommands.disconnected(gateway, client);
      if (proxy) {
        gateway.proxy().disconnected(client);
      }
    }
    closing = true;
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing || client == null) {
      return;
    }
    if (msg instanceof RespInput.Command c) {
      command(c.args());
    } else if (msg instanceof RespInput.Violation v) {
      closing = true;
      PendingReply p = v.error() == null
          ? PendingReply.done(null, null, client.resp3(), true, false)
          : PendingReply.done(null, new Reply.Error(v.error()), client.resp3(), false, false);
      p.closeAfter = true;
      replies.add(p);
      if (v.error() != null) {
        LOG.debug("client {} {}: {}", client.id(), client.addr(), v.error());
      } else {
        LOG.warn("closing client {} {} that reached the query buffer limit", client.id(), client.addr());
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (lanes != null) {
      lanes.flush();
    }
    drain();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      LOG.debug("connection error: {}", cause.toString());
    } else {
      LOG.warn("closing connection after an unexpected error", cause);
    }
    ctx.close();
  }

  private void command(byte[][] args) {
    int before = replies.size();
    dispatch(args);
    if (replies.size() > before) {
      replies.peekLast().args = args;
    }
  }

  private void dispatch(byte[][] args) {
    long now = System.currentTimeMillis();
    client.touch(now);
    boolean resp3 = client.resp3();
    CommandTable.Lookup lookup = table.lookup(args);
    if (lookup.error() != null) {
      if (lookup.rejectedEntry() != null) {
        client.lastCommand(lookup.rejectedEntry().name());
      }
      client.multi().flag();
      answerRefused(lookup.rejectedEntry(), lookup.error(), resp3);
      return;
    }
    CommandEntry entry = lookup.entry();
    client.lastCommand(entry.name());
    if (settings.passwordRequired() && !client.authenticated()
        && !entry.spec().has(CommandFlag.NO_AUTH)) {
      client.multi().flag();
      answerRefused(entry, NOAUTH, resp3);
      return;
    }
    if (!client.resp3() && client.subscriptions().any() && !SUBSCRIBED_MODE.contains(entry.name())) {
      answerRefused(entry, new Reply.Error("ERR Can't execute '" + entry.name()
          + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
          + "context"), resp3);
      return;
    }
    if (TransactionCommands.controls(entry)) {
      Reply refused = TransactionCommands.onRead(entry, client);
      if (refused != null) {
        replies.add(PendingReply.done(entry, refused, resp3, takeSilence(), true));
        return;
      }
    } else if (client.multi().active()) {
      Reply queued = TransactionCommands.queue(gateway, client, entry, args);
      // A queued command is counted when EXEC runs it, not now; a refused one is rejected.
      replies.add(PendingReply.done(
          queued == Reply.QUEUED ? null : entry, queued, resp3, takeSilence(), false));
      return;
    }
    Invocation call = new Invocation(gateway, client, args);
    switch (entry.kind()) {
      case IMMEDIATE -> immediate(entry, call);
      case ORDERED -> {
        PendingReply p = queue(entry, resp3);
        p.onComplete = () -> p.closeAfter |= client.takeCloseAfterReply();
        lanes.submitOrdered(() -> entry.gateway().ordered().execute(call), p);
      }
      case ALL_GROUPS -> lanes.submitOrdered(() -> proxy
          ? gateway.proxy().allGroups(entry.spec(), args, resp3)
          : gateway.dispatcher().allGroups(entry.spec(), args, resp3), queue(entry, resp3));
      case EVERY_GROUP -> lanes.submitOrdered(
          () -> gateway.proxy().everyGroup(entry.spec(), args, resp3), queue(entry, resp3));
      case SCAN -> lanes.submitOrdered(() -> proxy
          ? gateway.proxy().scan(args, resp3)
          : gateway.dispatcher().scan(args, resp3), queue(entry, resp3));
      case KEYSPACE -> keyspace(entry, args, resp3);
      case CONTAINER -> answerRefused(entry, CommandTable.wrongArity(entry.name()), resp3);
    }
    if (replies.size() >= maxInFlight && ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  private void immediate(CommandEntry entry, Invocation call) {
    boolean skip = client.takeSkip();
    long t0 = System.nanoTime();
    Reply reply;
    try {
      reply = entry.gateway().immediate().execute(call);
    } catch (RedisError e) {
      reply = e.reply();
    } catch (RuntimeException e) {
      LOG.warn("{} failed", entry.name(), e);
      reply = new Reply.Error("ERR " + e.getMessage());
    }
    boolean silent = skip || reply == null || client.replyOff();
    // Encoded in the protocol in force after the command: HELLO 3 answers in RESP3.
    PendingReply p = PendingReply.done(entry, reply, client.resp3(), silent, true);
    p.durationNanos = System.nanoTime() - t0;
    p.closeAfter = client.takeCloseAfterReply();
    if (p.closeAfter) {
      closing = true;
    }
    replies.add(p);
  }

  private void keyspace(CommandEntry entry, byte[][] args, boolean resp3) {
    int[] keys;
    try {
      keys = entry.keys().keyIndexes(args);
    } catch (RedisError e) {
      // An invalid numkeys-style argument: Redis runs the command, which fails with this error.
      replies.add(PendingReply.done(entry, e.reply(), resp3, takeSilence(), true));
      return;
    }
    int slot = -1;
    for (int k : keys) {
      int s = HashSlot.of(args[k]);
      if (slot < 0) {
        slot = s;
      } else if (s != slot) {
        if (proxy && SplitCommand.splittable(entry.name())) {
          split(entry, args, resp3);
        } else {
          answerRefused(entry, RouteErrors.CROSSSLOT, resp3);
        }
        return;
      }
    }
    int group;
    if (slot >= 0) {
      group = gateway.router().groupOf(slot);
    } else {
      // No key in this invocation: run it on any group this node leads.
      List<Integer> led = gateway.router().ledGroups();
      slot = 0;
      group = led.isEmpty() ? gateway.router().groupOf(0) : led.get(0);
    }
    String busy = busyError(entry, group);
    if (busy != null) {
      replies.add(PendingReply.done(entry, Reply.error(busy), resp3, takeSilence(), true));
      return;
    }
    KeyspaceCommand command = entry.keyspace();
    long wait = keys.length == 0 ? Blocking.NO_WAIT : waitTime(command, args);
    if (wait != Blocking.NO_WAIT) {
      // A barrier: the rest of the pipeline waits behind a blocked command, as in Redis.
      int g = group;
      int s = slot;
      lanes.submitOrdered(() -> proxy
          ? gateway.proxy().blocking(client, command, g, s, args, keys, resp3, wait)
          : gateway.blockedClients().run(client, command, g, s, args, keys, resp3, wait),
          queue(entry, resp3));
      return;
    }
    lanes.submit(group, slot, entry.isWrite(), resp3, args,
        command != null && command.leaderFirst(), queue(entry, resp3));
  }

  /**
   * Redis's {@code -BUSY} while a script of {@code group} (led here) has run longer than
   * busy-reply-threshold, for commands not flagged {@code allow_busy}; null otherwise. Other
   * groups are never held up by it.
   */
  private String busyError(CommandEntry entry, int group) {
    if (!RunningScripts.any() || entry.spec().has(CommandFlag.ALLOW_BUSY)
        || !gateway.router().ledGroups().contains(group)) {
      return null;
    }
    return RunningScripts.busyError(s -> gateway.router().groupOf(s) == group,
        gateway.settings().busyReplyThresholdMillis());
  }

  /**
   * A split command on the proxy port (keys in several slots): one part per slot group, each in
   * that group's lane, so it keeps its order with the connection's other commands of the group;
   * the client's reply merges them once all are in.
   */
  private void split(CommandEntry entry, byte[][] args, boolean resp3) {
    List<SplitCommand.Part> parts =
        SplitCommand.split(args, HashSlot::of, gateway.router()::groupOf);
    PendingReply p = queue(entry, resp3);
    Reply[] got = new Reply[parts.size()];
    int[] missing = {parts.size()};
    for (int i = 0; i < parts.size(); i++) {
      SplitCommand.Part part = parts.get(i);
      int index = i;
      lanes.submit(part.group(), part.slot(), entry.isWrite(), resp3, part.args(), reply -> {
        got[index] = reply;
        if (--missing[0] == 0) {
          p.complete(
              SplitCommand.merge(entry.name(), args.length - 1, parts, Arrays.asList(got)));
        }
      });
    }
  }

  /**
   * How long an invocation may block, or {@link Blocking#NO_WAIT}: also for an invalid timeout,
   * which the command's own attempt then reports in Redis's order of checks.
   */
  private static long waitTime(KeyspaceCommand command, byte[][] args) {
    if (command == null || command.blocking() == null) {
      return Blocking.NO_WAIT;
    }
    try {
      return command.blocking().timeoutMillis(args);
    } catch (RedisError | IndexOutOfBoundsException e) {
      return Blocking.NO_WAIT;
    }
  }

  private boolean takeSilence() {
    return client.takeSkip() || client.replyOff();
  }

  private PendingReply queue(CommandEntry entry, boolean resp3) {
    PendingReply p = new PendingReply(entry, resp3, takeSilence(), true);
    replies.add(p);
    return p;
  }

  private void answerRefused(CommandEntry entry, Reply.Error error, boolean resp3) {
    PendingReply p = PendingReply.done(entry, error, resp3, takeSilence(), false);
    replies.add(p);
  }

  /**
   * A pushed frame (pub/sub message or confirmation): queued behind the replies already due, in
   * the protocol the connection speaks now, never silenced by CLIENT REPLY OFF/SKIP (as Redis 7
   * does for pushes). Written once the loop is done with its current work, so a burst of messages
   * is one write; then the pub/sub output-buffer limit is checked.
   */
  private void push(Reply.Push frame) {
    if (closing || ctx == null) {
      return;
    }
    replies.add(PendingReply.done(null, frame, client.resp3(), false, false));
    if (!pushDrainQueued) {
      pushDrainQueued = true;
      ctx.channel().eventLoop().execute(() -> {
        pushDrainQueued = false;
        drain();
        enforceOutputLimit();
      });
    }
  }

  /**
   * {@code client-output-buffer-limit pubsub}: a subscribed connection whose unwritten output
   * (Netty's pending outbound bytes) passes the hard limit, or stays over the soft limit for the
   * soft seconds, is closed, as Redis's checkClientOutputBufferLimits does. Nothing else bounds
   * what a publisher can queue for a subscriber that does not read.
   */
  private void enforceOutputLimit() {
    if (closing || !client.subscriptions().any()) {
      softLimitSinceMillis = 0;
      return;
    }
    io.netty.channel.ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
    long pending = buffer == null ? 0 : buffer.totalPendingWriteBytes();
    GatewaySettings.BufferLimit limit = settings.pubsubBufferLimit();
    boolean over = false;
    if (limit.hard() > 0 && pending >= limit.hard()) {
      over = true;
    } else if (limit.soft() > 0 && pending >= limit.soft()) {
      long now = System.currentTimeMillis();
      if (softLimitSinceMillis == 0) {
        softLimitSinceMillis = now;
      } else if (now - softLimitSinceMillis > limit.softSeconds() * 1000) {
        over = true;
      }
    } else {
      softLimitSinceMillis = 0;
    }
    if (over) {
      LOG.warn("Client id={} addr={} scheduled to be closed ASAP for overcoming of output buffer "
          + "limits ({} bytes pending).", client.id(), client.addr(), pending);
      closing = true;
      replies.clear();
      ctx.close();
    }
  }

  /** Writes every reply at the head of the queue that is ready, in order, with one flush. */
  void drain() {
    if (ctx == null) {
      return;
    }
    ByteBuf out = null;
    boolean close = false;
    while (!replies.isEmpty()) {
      PendingReply p = replies.peek();
      if (!p.done) {
        break;
      }
      replies.poll();
      record(p);
      if (!p.silent && p.reply != null) {
        if (out == null) {
          out = ctx.alloc().ioBuffer();
        }
        RespEncoder.write(out, p.reply, p.resp3);
      }
      if (p.closeAfter) {
        close = true;
        break;
      }
    }
    if (client != null) {
      client.pendingReplies(replies.size());
    }
    if (out != null) {
      stats.netOutput(out.readableBytes());
      if (close) {
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.writeAndFlush(out, ctx.voidPromise());
      }
    } else if (close) {
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
    if (close) {
      closing = true;
      replies.clear();
      return;
    }
    if (!ctx.channel().config().isAutoRead() && replies.size() <= maxInFlight / 2 && !closing) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  private void record(PendingReply p) {
    Reply r = p.reply;
    String errorCode = r instanceof Reply.Error e ? e.code() : null;
    if (errorCode != null) {
      stats.error(errorCode);
    }
    CommandEntry entry = p.entry;
    if (entry == null) {
      return;
    }
    boolean refused = !p.executed || (errorCode != null && RouteErrors.isRedirect(errorCode));
    if (refused) {
      entry.stats().rejected();
      return;
    }
    long nanos = p.durationNanos >= 0 ? p.durationNanos : System.nanoTime() - p.startNanos;
    entry.stats().executed(nanos, errorCode != null);
    stats.commandProcessed();
    long micros = nanos / 1000;
    SlowLog slowLog = gateway.slowLog();
    // Redis logs neither the time a command spent blocked nor EXEC (its commands count alone).
    if (p.args != null && slowLog.slow(micros) && !entry.spec().has(CommandFlag.SKIP_SLOWLOG)
        && !entry.spec().has(CommandFlag.BLOCKING) && !entry.name().equals("wait")) {
      slowLog.add(SlowLog.redacted(entry.name(), p.args), System.currentTimeMillis(), micros,
          client.addr(), client.name());
    }
  }
}
