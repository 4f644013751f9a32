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
