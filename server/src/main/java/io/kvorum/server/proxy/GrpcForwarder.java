package io.kvorum.server.proxy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.kvorum.server.admin.AdminToken;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kvorum.proto.node.ExecuteReply;
import io.kvorum.proto.node.ExecuteRequest;
import io.kvorum.proto.node.KvorumNodeGrpc;
import io.kvorum.resp.proxy.ForwardException;
import io.kvorum.resp.proxy.ForwardRequest;
import io.kvorum.resp.proxy.Forwarder;
import io.kvorum.resp.proxy.ReplyBytes;
import io.kvorum.storage.reply.Reply;
import java.net.ConnectException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy port's {@link Forwarder}: calls {@code KvorumNode.Execute} on the leader's admin port
 * (one gRPC channel per node, kept open). A call that cannot even connect fails undelivered (the
 * proxy then waits for a new leader and sends it again); one that breaks or outlives its deadline
 * may have run. Cancelling the returned future cancels the call.
 *
 * <p>Limits: a call may take {@link #DEADLINE} (a blocking command its wait on top); channels
 * send keepalive pings every {@link #KEEPALIVE}, so a leader that vanished without closing its
 * connections is noticed within seconds even by a command that waits forever.
 */
public final class GrpcForwarder implements Forwarder, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcForwarder.class);
  /** How long a forwarded command may take on the leader (a Raft commit is far shorter). */
  public static final Duration DEADLINE = Duration.ofSeconds(30);
  /** Keepalive ping interval of node-to-node channels; the server must permit it. */
  public static final Duration KEEPALIVE = Duration.ofSeconds(10);

  private final Function<String, String> adminAddressOf;
  private final int maxReplyBytes;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final String adminToken;
  private volatile boolean closed;

  /**
   * @param adminAddressOf {@code host:port} of a node's admin port by node id, or null if unknown
   * @param maxReplyBytes  largest reply message accepted from another node
   */
  public GrpcForwarder(Function<String, String> adminAddressOf, int maxReplyBytes) {
    this(adminAddressOf, maxReplyBytes, null);
  }

  /** @param adminToken the cluster's admin token, carried on every call (null: none) */
  public GrpcForwarder(Function<String, String> adminAddressOf, int maxReplyBytes,
      String adminToken) {
    this.adminToken = adminToken;
    this.adminAddressOf = adminAddressOf;
    this.maxReplyBytes = maxReplyBytes;
  }

  @Override
  public CompletableFuture<List<Reply>> forward(String nodeId, ForwardRequest request) {
    String address = adminAddressOf.apply(nodeId);
    if (address == null || address.isEmpty()) {
      return CompletableFuture.failedFuture(
          new ForwardException(false, "no admin address known for node " + nodeId));
    }
    ManagedChannel channel;
    try {
      channel = channel(address);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new ForwardException(false, e.getMessage()));
    }
    KvorumNodeGrpc.KvorumNodeStub stub = KvorumNodeGrpc.newStub(channel);
    if (!request.blocking()) {
      stub = stub.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    } else if (request.blockMillis() > 0) {
      stub = stub.withDeadlineAfter(DEADLINE.toMillis() + request.blockMillis(),
          TimeUnit.MILLISECONDS);
    }
    CompletableFuture<List<Reply>> result = new CompletableFuture<>();
    ExecuteRequest message = ForwardMessages.toProto(request);
    stub.execute(message, new ClientResponseObserver<ExecuteRequest, ExecuteReply>() {
      private ExecuteReply reply;

      @Override
      public void beforeStart(ClientCallStreamObserver<ExecuteRequest> call) {
        result.whenComplete((r, e) -> {
          if (result.isCancelled()) {
            call.cancel("the proxy's client went away", null);
          }
        });
      }

      @Override
      public void onNext(ExecuteReply value) {
        reply = value;
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(failure(nodeId, address, t));
      }

      @Override
      public void onCompleted() {
        if (reply == null) {
          result.completeExceptionally(new ForwardException(true, "no reply from " + address));
          return;
        }
        try {
          List<byte[]> encoded = new ArrayList<>(reply.getRepliesCount());
          for (ByteString b : reply.getRepliesList()) {
            encoded.add(b.toByteArray());
          }
          result.complete(ReplyBytes.decode(encoded));
        } catch (RuntimeException e) {
          result.completeExceptionally(
              new ForwardException(true, "unreadable reply from " + address + ": " + e));
        }
      }
    });
    return result;
  }

  /** Classifies a failed call: never connected (safe to send again) or possibly run. */
  static ForwardException failure(String nodeId, String address, Throwable t) {
    Status status = Status.fromThrowable(t);
    boolean connected = true;
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException || c instanceof UnresolvedAddressException) {
        connected = false;
      }
    }
    String text = "node " + nodeId + " at " + address + ": " + status.getCode()
        + (status.getDescription() == null ? "" : " " + status.getDescription());
    // INVALID_ARGUMENT: the other node refused the request before running anything.
    boolean refused = status.getCode() == Status.Code.INVALID_ARGUMENT;
    return new ForwardException(connected && !refused, text);
  }

  private ManagedChannel channel(String address) {
    if (closed) {
      throw new IllegalArgumentException("the node is shutting down");
    }
    return channels.computeIfAbsent(address, a -> {
      int colon = a.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("bad admin address '" + a + "'");
      }
      String host = a.substring(0, colon);
      int port;
      try {
        port = Integer.parseInt(a.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad admin address '" + a + "'");
      }
      LOG.debug("opening node-to-node channel to {}", a);
      return NettyChannelBuilder.forAddress(host, port)
          .usePlaintext()
          .maxInboundMessageSize(maxReplyBytes)
          .keepAliveTime(KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS)
          .keepAliveTimeout(KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS)
          .intercept(AdminToken.attach(adminToken))
          .build();
    });
  }

  @Override
  public void close() {
    closed = true;
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    channels.clear();
  }
}
