package io.kvorum.resp.testing;

import io.kvorum.raft.route.Route;
import io.kvorum.resp.proxy.ForwardException;
import io.kvorum.resp.proxy.ForwardRequest;
import io.kvorum.resp.proxy.Forwarder;
import io.kvorum.resp.proxy.ProxyDispatcher;
import io.kvorum.resp.proxy.ReplyBytes;
import io.kvorum.resp.server.ShutdownHook;
import io.kvorum.storage.reply.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two gateways with proxy ports over their own stores: node A leads groups 0-7 and node B groups
 * 8-15, each routing the other half to the other node. Forwards go through {@link #forwarder}
 * in-process, with the same reply encoding as between real nodes, and can be made to fail.
 */
public final class ProxyPair implements AutoCloseable {
  public static final String A = "node-a";
  public static final String B = "node-b";
  public static final int GROUPS = 16;

  public final TestServer a;
  public final TestServer b;
  public final LoopbackForwarder forwarder;

  public ProxyPair(Path dir, Duration routeWait) {
    a = new TestServer(dir.resolve("a"),
        c -> c.withProxyPort(0).withRouteWait(routeWait), ShutdownHook.REFUSE);
    b = new TestServer(dir.resolve("b"),
        c -> c.withProxyPort(0).withRouteWait(routeWait), ShutdownHook.REFUSE);
    for (int g = 0; g < GROUPS; g++) {
      if (g < GROUPS / 2) {
        b.router.route(g, remote(A));
      } else {
        a.router.route(g, remote(B));
      }
    }
    forwarder = new LoopbackForwarder(Map.of(A, a, B, b));
    a.server.gateway().proxy().forwarder(forwarder);
    b.server.gateway().proxy().forwarder(forwarder);
  }

  /** The route to node A or B's cluster port. */
  public Route.Remote remote(String node) {
    TestServer s = node.equals(A) ? a : b;
    return new Route.Remote(node, "127.0.0.1", s.port());
  }

  public int proxyPortA() {
    return a.server.proxyPort();
  }

  @Override
  public void close() {
    a.close();
    b.close();
  }

  /** Forwards to the other gateway's {@link ProxyDispatcher#serve}, as the gRPC service does. */
  public static final class LoopbackForwarder implements Forwarder {
    private final Map<String, TestServer> nodes;
    private final AtomicInteger refuse = new AtomicInteger();
    private final AtomicInteger loseReply = new AtomicInteger();
    /** Every forward, in the order they were sent. */
    public final List<ForwardRequest> sent = new CopyOnWriteArrayList<>();
    /** Forwards whose future the proxy cancelled. */
    public final AtomicInteger cancelled = new AtomicInteger();

    LoopbackForwarder(Map<String, TestServer> nodes) {
      this.nodes = nodes;
    }

    /** The next {@code n} forwards fail before reaching the node (connection refused). */
    public void refuse(int n) {
      refuse.set(n);
    }

    /** The next {@code n} forwards run on the node, then their reply is lost. */
    public void loseReply(int n) {
      loseReply.set(n);
    }

    @Override
    public CompletableFuture<List<Reply>> forward(String nodeId, ForwardRequest request) {
      sent.add(request);
      if (refuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return CompletableFuture.failedFuture(new ForwardException(false, "connection refused"));
      }
      boolean lose = loseReply.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
      ProxyDispatcher.Served served = nodes.get(nodeId).server.gateway().proxy().serve(request);
      CompletableFuture<List<Reply>> result = new CompletableFuture<>();
      served.replies().whenCompleteAsync((replies, error) -> {
        if (error != null) {
          result.completeExceptionally(new ForwardException(true, error.toString()));
        } else if (lose) {
          result.completeExceptionally(new ForwardException(true, "connection reset"));
        } else {
          result.complete(ReplyBytes.decode(ReplyBytes.encode(replies, request.resp3())));
        }
      });
      result.whenComplete((r, e) -> {
        if (result.isCancelled()) {
          cancelled.incrementAndGet();
          served.cancel().run();
        }
      });
      return result;
    }
  }
}
