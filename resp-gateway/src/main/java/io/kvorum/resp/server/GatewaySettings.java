package io.kvorum.resp.server;

/**
 * The settings CONFIG SET changes while the node runs. Read on every use (the decoder reads the
 * limits per request), so a change applies to existing connections at once, as in Redis.
 */
public final class GatewaySettings {
  private volatile long maxClients;
  private volatile long protoMaxBulkLength;
  private volatile long clientQueryBufferLimit;
  private volatile String requirepass;
  private volatile long timeoutSeconds;
  private volatile BufferLimit normalBufferLimit = new BufferLimit(0, 0, 0);
  private volatile BufferLimit replicaBufferLimit = new BufferLimit(256L << 20, 64L << 20, 60);
  private volatile BufferLimit pubsubBufferLimit = new BufferLimit(32L << 20, 8L << 20, 60);

  /**
   * One class of {@code client-output-buffer-limit}: 0 disables a limit. Only the pub/sub class
   * is enforced (normal clients get replies only to what they asked; there are no replicas).
   */
  public record BufferLimit(long hard, long soft, long softSeconds) {
    @Override
    public String toString() {
      return hard + " " + soft + " " + softSeconds;
    }
  }
  /** busy-reply-threshold (alias lua-time-limit): when a running script makes its group BUSY. */
  private volatile long busyReplyThresholdMillis = 5000;

  public GatewaySettings(GatewayConfig config) {
    this.maxClients = config.maxClients();
    this.protoMaxBulkLength = config.protoMaxBulkLength();
    this.clientQueryBufferLimit = config.clientQueryBufferLimit();
    this.requirepass = config.requirepass();
    this.timeoutSeconds = config.timeoutSeconds();
  }

  public long maxClients() {
    return maxClients;
  }

  public void maxClients(long v) {
    maxClients = v;
  }

  public long protoMaxBulkLength() {
    return protoMaxBulkLength;
  }

  public void protoMaxBulkLength(long v) {
    protoMaxBulkLength = v;
  }

  public long clientQueryBufferLimit() {
    return clientQueryBufferLimit;
  }

  public void clientQueryBufferLimit(long v) {
    clientQueryBufferLimit = v;
  }

  /** The {@code default} user's password; empty when none is required. */
  public String requirepass() {
    return requirepass;
  }

  public void requirepass(String v) {
    requirepass = v == null ? "" : v;
  }

  public boolean passwordRequired() {
    return !requirepass.isEmpty();
  }

  public BufferLimit normalBufferLimit() {
    return normalBufferLimit;
  }

  public BufferLimit replicaBufferLimit() {
    return replicaBufferLimit;
  }

  public BufferLimit pubsubBufferLimit() {
    return pubsubBufferLimit;
  }

  public void normalBufferLimit(BufferLimit v) {
    normalBufferLimit = v;
  }

  public void replicaBufferLimit(BufferLimit v) {
    replicaBufferLimit = v;
  }

  public void pubsubBufferLimit(BufferLimit v) {
    pubsubBufferLimit = v;
  }

  public long timeoutSeconds() {
    return timeoutSeconds;
  }

  public void timeoutSeconds(long v) {
    timeoutSeconds = v;
  }

  public long busyReplyThresholdMillis() {
    return busyReplyThresholdMillis;
  }

  public void busyReplyThresholdMillis(long v) {
    busyReplyThresholdMillis = v;
  }
}
