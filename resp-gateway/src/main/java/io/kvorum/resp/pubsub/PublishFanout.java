package io.kvorum.resp.pubsub;

/**
 * Carries a PUBLISH (or a keyspace event) to every other node of the cluster, whose subscribers
 * then receive it, and an SPUBLISH to the nodes that may have subscribers of a shard channel (the
 * server implements this over node-to-node gRPC). Must return at once: it queues, and drops what
 * a slow or unreachable node cannot take.
 */
public interface PublishFanout {

  void publish(byte[] channel, byte[] message);

  /**
   * An SPUBLISH: to every other node with a proxy port (its proxy-port shard subscribers) and to
   * {@code leaderNodeId}, the node that leads the channel's slot (its cluster-port shard
   * subscribers), unless that is this node or null (no leader known).
   */
  void publishShard(byte[] channel, byte[] message, String leaderNodeId);

  /** A gateway on its own: nothing to send to. */
  PublishFanout NONE = new PublishFanout() {
    @Override
    public void publish(byte[] channel, byte[] message) {}

    @Override
    public void publishShard(byte[] channel, byte[] message, String leaderNodeId) {}
  };
}
