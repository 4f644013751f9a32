package io.kvorum.resp.pubsub;

/**
 * Carries a PUBLISH (or a keyspace event) to every other node of the cluster, whose subscribers
 * then receive it (the server implements this over node-to-node gRPC). Must return at once: it
 * queues, and drops what a slow or unreachable node cannot take.
 */
@FunctionalInterface
public interface PublishFanout {

  void publish(byte[] channel, byte[] message);

  /** A gateway on its own: nothing to send to. */
  PublishFanout NONE = (channel, message) -> { };
}
