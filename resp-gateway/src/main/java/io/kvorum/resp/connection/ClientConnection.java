package io.kvorum.resp.connection;

import io.kvorum.resp.pubsub.ClientSubscriptions;
import io.kvorum.resp.transaction.MultiState;
import io.kvorum.storage.reply.Reply;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Consumer;

/**
 * The state of one client connection that commands read and change: id, name, library, protocol,
 * authentication, READONLY, reply mode, times, whether it is blocked, its pub/sub subscriptions. Written on the connection's event loop; read by
 * other connections (CLIENT LIST, CLIENT KILL), hence volatile.
 */
public final class ClientConnection {
  private final long id;
  private final Channel channel;
  private final long createdMillis = System.currentTimeMillis();
  private final String addr;
  private final String laddr;
  private final boolean proxy;
  private volatile String name = "";
  private volatile String libName = "";
  private volatile String libVer = "";
  private volatile int resp = 2;
  private volatile boolean authenticated;
  private volatile boolean readonly;
  private volatile boolean noEvict;
  private volatile boolean noTouch;
  private volatile boolean replyOff;
  private volatile boolean skipNextReply;
  private volatile long lastInteractionMillis = createdMillis;
  private volatile String lastCommand = "NULL";
  private volatile boolean closeAfterReply;
  private volatile int pendingReplies;
  private volatile long queryBufferBytes;
  private volatile boolean blocked;
  private final ClientSubscriptions subscriptions = new ClientSubscriptions();
  /** Where pushed frames (pub/sub messages) go: the connection's reply stream. */
  private volatile Consumer<Reply.Push> outbox;
  private final MultiState multi = new MultiState();

  public ClientConnection(long id, Channel channel, boolean authenticated) {
    this(id, channel, authenticated, false);
  }

  /** @param proxy the connection came on the proxy port */
  public ClientConnection(long id, Channel channel, boolean authenticated, boolean proxy) {
    this.id = id;
    this.channel = channel;
    this.authenticated = authenticated;
    this.proxy = proxy;
    this.addr = format(channel == null ? null : channel.remoteAddress());
    this.laddr = format(channel == null ? null : channel.localAddress());
  }

  private static String format(SocketAddress a) {
    if (a instanceof InetSocketAddress in) {
      String host = in.getAddress() != null ? in.getAddress().getHostAddress() : in.getHostString();
      return host + ":" + in.getPort();
    }
    return a == null ? "" : a.toString();
  }

  /** MULTI and WATCH state (used on the connection's event loop). */
  public MultiState multi() {
    return multi;
  }

  public long id() {
    return id;
  }

  public Channel channel() {
    return channel;
  }

  /** {@code ip:port} of the client. */
  public String addr() {
    return addr;
  }

  /** {@code ip:port} of the local end (CLIENT LIST laddr). */
  public String laddr() {
    return laddr;
  }

  /** Connected to the proxy port: commands led elsewhere are forwarded, never redirected. */
  public boolean proxy() {
    return proxy;
  }

  public long createdMillis() {
    return createdMillis;
  }

  public String name() {
    return name;
  }

  public void name(String name) {
    this.name = name == null ? "" : name;
  }

  public String libName() {
    return libName;
  }

  public void libName(String v) {
    libName = v;
  }

  public String libVer() {
    return libVer;
  }

  public void libVer(String v) {
    libVer = v;
  }

  /** 2 or 3. */
  public int resp() {
    return resp;
  }

  public void resp(int protocol) {
    resp = protocol;
  }

  public boolean resp3() {
    return resp == 3;
  }

  public boolean authenticated() {
    return authenticated;
  }

  public void authenticated(boolean v) {
    authenticated = v;
  }

  public boolean readonly() {
    return readonly;
  }

  public void readonly(boolean v) {
    readonly = v;
  }

  public boolean noEvict() {
    return noEvict;
  }

  public void noEvict(boolean v) {
    noEvict = v;
  }

  public boolean noTouch() {
    return noTouch;
  }

  public void noTouch(boolean v) {
    noTouch = v;
  }

  /** CLIENT REPLY OFF is in effect. */
  public boolean replyOff() {
    return replyOff;
  }

  public void replyOff(boolean v) {
    replyOff = v;
  }

  /** CLIENT REPLY SKIP was called: the next command's reply is dropped. */
  public void skipNextReply(boolean v) {
    skipNextReply = v;
  }

  /** Consumes a pending SKIP: true when the command being run now must not be answered. */
  boolean takeSkip() {
    boolean s = skipNextReply;
    skipNextReply = false;
    return s;
  }

  public long lastInteractionMillis() {
    return lastInteractionMillis;
  }

  void touch(long nowMillis) {
    lastInteractionMillis = nowMillis;
  }

  /** Full name of the last command (CLIENT LIST cmd), {@code NULL} before the first. */
  public String lastCommand() {
    return lastCommand;
  }

  void lastCommand(String name) {
    lastCommand = name;
  }

  /** Close this connection once the reply of the command being run is written (QUIT, self-kill). */
  public void closeAfterReply() {
    closeAfterReply = true;
  }

  boolean takeCloseAfterReply() {
    boolean c = closeAfterReply;
    closeAfterReply = false;
    return c;
  }

  /** Replies queued and not yet written (CLIENT LIST oll). */
  public int pendingReplies() {
    return pendingReplies;
  }

  void pendingReplies(int n) {
    pendingReplies = n;
  }

  /** Undecoded input bytes (CLIENT LIST qbuf). */
  public long queryBufferBytes() {
    return queryBufferBytes;
  }

  void queryBufferBytes(long n) {
    queryBufferBytes = n;
  }

  /** Waiting in a blocking command (CLIENT LIST flag {@code b}). */
  public boolean blocked() {
    return blocked;
  }

  public void blocked(boolean v) {
    blocked = v;
  }

  /** Channels, patterns and shard channels this connection is subscribed to. */
  public ClientSubscriptions subscriptions() {
    return subscriptions;
  }

  /** Set by the connection's handler: pushed frames join its replies in order. */
  void outbox(Consumer<Reply.Push> outbox) {
    this.outbox = outbox;
  }

  /**
   * Sends a push frame (pub/sub message or confirmation) from any thread: it is written on the
   * connection's event loop, after the replies already due. Dropped once the connection closed.
   */
  public void push(Reply.Push frame) {
    onLoop(() -> {
      Consumer<Reply.Push> o = outbox;
      if (o != null) {
        o.accept(frame);
      }
    });
  }

  /** Runs {@code task} on the connection's event loop (now, when called there). */
  public void onLoop(Runnable task) {
    if (channel == null || channel.eventLoop().inEventLoop()) {
      task.run();
    } else {
      channel.eventLoop().execute(task);
    }
  }

  /** Closes the connection now (CLIENT KILL of another client, idle timeout). */
  public void kill() {
    if (channel != null) {
      channel.close();
    }
  }

  /** RESET: back to a fresh connection's state, as Redis's clearClientConnectionState. */
  public void reset(boolean passwordRequired) {
    resp = 2;
    authenticated = !passwordRequired;
    name = "";
    readonly = false;
    replyOff = false;
    skipNextReply = false;
  }
}
