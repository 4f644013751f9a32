package io.kvorum.server.proxy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.node.ExecuteReply;
import io.kvorum.proto.node.ExecuteRequest;
import io.kvorum.proto.node.FetchSnapshotRequest;
import io.kvorum.proto.node.KvorumNodeGrpc;
import io.kvorum.proto.node.PublishReply;
import io.kvorum.proto.node.PublishRequest;
import io.kvorum.proto.node.PublishedMessage;
import io.kvorum.proto.node.SnapshotChunk;
import io.kvorum.resp.proxy.ForwardRequest;
import io.kvorum.resp.proxy.ProxyDispatcher;
import io.kvorum.resp.proxy.ReplyBytes;
import io.kvorum.resp.pubsub.PubSubHub;
import io.kvorum.server.snapshot.SnapshotSender;
import io.kvorum.storage.slot.HashSlot;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-to-node service on the admin port: runs the commands another node's proxy port
 * forwards, through this node's {@link ProxyDispatcher} (so they are forwarded again if this node
 * does not lead their group any more), and answers each reply's RESP bytes; delivers the
 * messages other nodes PUBLISH to this node's subscribers; and sends this node's snapshots to
 * replicas that must catch up from one.
 */
public final class NodeService extends KvorumNodeGrpc.KvorumNodeImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(NodeService.class);

  private final ProxyDispatcher proxy;
  private final PubSubHub pubsub;
  private final SnapshotSender snapshots;

  public NodeService(ProxyDispatcher proxy, PubSubHub pubsub, SnapshotSender snapshots) {
    this.proxy = proxy;
    this.pubsub = pubsub;
    this.snapshots = snapshots;
  }

  /** A replica of a group here fetches this node's snapshot of it. */
  @Override
  public void fetchSnapshot(FetchSnapshotRequest request, StreamObserver<SnapshotChunk> response) {
    snapshots.send(request, response);
  }

  /** Messages another node published: delivered to this node's subscribers only. */
  @Override
  public void publish(PublishRequest request, StreamObserver<PublishReply> response) {
    long receivers = 0;
    for (PublishedMessage m : request.getMessagesList()) {
      byte[] channel = m.getChannel().toByteArray();
      byte[] message = m.getMessage().toByteArray();
      receivers += m.getShard() ? pubsub.deliverShard(channel, message)
          : pubsub.deliver(channel, message);
    }
    response.onNext(PublishReply.newBuilder().setReceivers(receivers).build());
    response.onCompleted();
  }

  @Override
  public void execute(ExecuteRequest request, StreamObserver<ExecuteReply> response) {
    if (request.getCommandsCount() == 0 || request.getGroup() < 0
        || request.getCommandsList().stream().anyMatch(
            c -> c.getArgsCount() == 0 || c.getSlot() < 0 || c.getSlot() >= HashSlot.COUNT)) {
      response.onError(Status.INVALID_ARGUMENT.withDescription("malformed request").asException());
      return;
    }
    ForwardRequest forwarded = ForwardMessages.fromProto(request);
    ProxyDispatcher.Served served = proxy.serve(forwarded);
    ServerCallStreamObserver<ExecuteReply> call = (ServerCallStreamObserver<ExecuteReply>) response;
    AtomicBoolean finished = new AtomicBoolean();
    // The proxy's client went away (or the deadline passed): a blocked command stops waiting.
    call.setOnCancelHandler(() -> {
      if (finished.compareAndSet(false, true)) {
        served.cancel().run();
      }
    });
    served.replies().whenComplete((replies, error) -> {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      if (error != null) {
        LOG.warn("forwarded command on slot group {} failed", request.getGroup(), error);
        response.onError(Status.INTERNAL.withDescription(String.valueOf(error.getMessage()))
            .asException());
        return;
      }
      ExecuteReply.Builder reply = ExecuteReply.newBuilder();
      for (byte[] b : ReplyBytes.encode(replies, request.getResp3())) {
        reply.addReplies(ByteString.copyFrom(b));
      }
      response.onNext(reply.build());
      response.onCompleted();
    });
  }
}
