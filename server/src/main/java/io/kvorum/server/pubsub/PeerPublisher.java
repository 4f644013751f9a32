package io.kvorum.server.pubsub;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.node.KvorumNodeGrpc;
import io.kvorum.proto.node.PublishReply;
import io.kvorum.proto.node.PublishRequest;
import io.kvorum.proto.node.PublishedMessage;
import io.kvorum.resp.pubsub.PublishFanout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries PUBLISHed messages to every other node ({@code KvorumNode.Publish} on its admin port),
 * and SPUBLISHed ones to the nodes that may have subscribers of their shard channel (the slot's
 * leader, and the nodes with a proxy port).
 * Each peer has a bounded queue drained by one call at a time, so a peer receives a node's
 * messages in publishing order; {@link #publish} only enqueues and never waits. When a peer's
 * queue is full (the peer is slow or down) new messages for it are dropped and counted, as
 * Redis Cluster loses a PUBLISH its bus cannot deliver: pub/sub is fire and forget.
 *
 * <p>Limits: {@link #MAX_QUEUED_MESSAGES} messages or {@link #MAX_QUEUED_BYTES} bytes per peer;
 * a batch carries at most {@link #MAX_BATCH_MESSAGES} messages or {@link #MAX_BATCH_BYTES}
 * bytes and may take {@link #DEADLINE_MILLIS}; a failed batch is dropped, not resent.
 */
public final class PeerPublisher implements PublishFanout, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerPublisher.class);
  public static final int MAX_QUEUED_MESSAGES = 100_000;
  public static final long MAX_QUEUED_BYTES = 64L << 20;
  static final int MAX_BATCH_MESSAGES = 1024;
  static final long MAX_BATCH_BYTES = 4L << 20;
  static final long DEADLINE_MILLIS = 5_000;

  private final Supplier<Collection<String>> peers;
  private final Function<String, Collection<String>> shardPeers;
  private final int maxMessageBytes;
  private final int maxQueuedMessages;
  private final Map<String, Peer> byAddress = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param peers           admin addresses ({@code host:port}) of every other node, asked on
   *                        each publish (the cluster map changes)
   * @param shardPeers      admin addresses of the other nodes an SPUBLISH goes to, given the id
   *                        of the node leading the channel's slot (or null)
   * @param maxMessageBytes largest message a peer accepts (its admin port's inbound limit)
   */
  public PeerPublisher(Supplier<Collection<String>> peers,
      Function<String, Collection<String>> shardPeers, int maxMessageBytes) {
    this(peers, shardPeers, maxMessageBytes, MAX_QUEUED_MESSAGES);
  }

  /** With a smaller per-peer queue (tests). */
  PeerPublisher(Supplier<Collection<String>> peers,
      Function<String, Collection<String>> shardPeers, int maxMessageBytes,
      int maxQueuedMessages) {
    this.peers = peers;
    this.shardPeers = shardPeers;
    this.maxMessageBytes = maxMessageBytes;
    this.maxQueuedMessages = maxQueuedMessages;
  }

  @Override
  public void publish(byte[] channel, byte[] message) {
    if (!closed) {
      send(peers.get(), channel, message, false);
    }
  }

  @Override
  public void publishShard(byte[] channel, byte[] message, String leaderNodeId) {
    if (!closed) {
      send(shardPeers.apply(leaderNodeId), channel, message, true);
    }
  }

  private void send(Collection<String> addresses, byte[] channel, byte[] message, boolean shard) {
    if (addresses.isEmpty()) {
      return;
    }
    PublishedMessage m = PublishedMessage.newBuilder()
        .setChannel(ByteString.copyFrom(channel)).setMessage(ByteString.copyFrom(message))
        .setShard(shard).build();
    for (String address : addresses) {
      Peer peer = byAddress.computeIfAbsent(address, Peer::new);
      peer.offer(m);
    }
  }

  /**
   * Admin addresses of the nodes (other than {@code selfId}) an SPUBLISH must reach: the leader of
   * the channel's slot, for its cluster-port shard subscribers, and every node with a proxy port,
   * for its proxy-port ones. Nodes without either cannot have a subscriber that gets the message.
   */
  public static List<String> shardTargets(List<NodeInfo> nodes, String selfId,
      String leaderNodeId) {
    List<String> out = new ArrayList<>();
    for (NodeInfo n : nodes) {
      if (!n.getId().equals(selfId) && !n.getAdminAddress().isEmpty()
          && (n.getHasProxyPort() || n.getId().equals(leaderNodeId))) {
        out.add(n.getAdminAddress());
      }
    }
    return out;
  }

  /** Messages dropped because a peer's queue was full or its call failed. */
  public long dropped() {
    return dropped.get();
  }

  @Override
  public void close() {
    closed = true;
    for (Peer p : byAddress.values()) {
      p.channel.shutdownNow();
    }
    byAddress.clear();
  }

  /** One other node: its queue, and its channel (opened on first use, kept). */
  private final class Peer {
    private final String address;
    private final ManagedChannel channel;
    private final ArrayDeque<PublishedMessage> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean sending;
    private long droppedSinceLog;
    private long lastLogMillis;

    Peer(String address) {
      this.address = address;
      int colon = address.lastIndexOf(':');
      this.channel = NettyChannelBuilder
          .forAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))
          .usePlaintext()
          .maxInboundMessageSize(maxMessageBytes)
          .build();
    }

    synchronized void offer(PublishedMessage m) {
      long size = m.getSerializedSize();
      if (queue.size() >= maxQueuedMessages || queuedBytes + size > MAX_QUEUED_BYTES) {
        drop(1);
        return;
      }
      queue.add(m);
      queuedBytes += size;
      if (!sending) {
        sending = true;
        sendNext();
      }
    }

    /** Sends the next batch; called with the lock held while {@code sending}. */
    private void sendNext() {
      if (queue.isEmpty() || closed) {
        sending = false;
        return;
      }
      PublishRequest.Builder batch = PublishRequest.newBuilder();
      long bytes = 0;
      while (!queue.isEmpty() && batch.getMessagesCount() < MAX_BATCH_MESSAGES
          && (batch.getMessagesCount() == 0 || bytes < MAX_BATCH_BYTES)) {
        PublishedMessage m = queue.poll();
        long size = m.getSerializedSize();
        queuedBytes -= size;
        bytes += size;
        batch.addMessages(m);
      }
      int count = batch.getMessagesCount();
      KvorumNodeGrpc.newStub(channel)
          .withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
          .publish(batch.build(), new StreamObserver<PublishReply>() {
            @Override
            public void onNext(PublishReply value) {}

            @Override
            public void onError(Throwable t) {
              synchronized (Peer.this) {
                drop(count);
                LOG.debug("publish to {} failed: {}", address, t.toString());
                sendNext();
              }
            }

            @Override
            public void onCompleted() {
              synchronized (Peer.this) {
                sendNext();
              }
            }
          });
    }

    private void drop(int n) {
      dropped.addAndGet(n);
      droppedSinceLog += n;
      long now = System.currentTimeMillis();
      if (now - lastLogMillis >= 10_000) {
        LOG.warn("dropped {} pub/sub messages for node at {} (unreachable or too slow)",
            droppedSinceLog, address);
        droppedSinceLog = 0;
        lastLogMillis = now;
      }
    }
  }
}
