package io.kvorum.resp.server;

import java.time.Duration;

/**
 * Every setting of the RESP gateway. The ones CONFIG SET can change at run time ({@code
 * maxclients}, {@code proto-max-bulk-len}, {@code client-query-buffer-limit}, {@code requirepass},
 * {@code timeout}) start from here; see {@link GatewaySettings}.
 *
 * @param bindAddress            address to listen on ({@code 0.0.0.0}, {@code 127.0.0.1} …)
 * @param port                   RESP port; 0 picks a free one (tests)
 * @param announceHost           host clients are sent to in MOVED and CLUSTER replies for this
 *                               node; null means the bind address (or 127.0.0.1 for a wildcard)
 * @param announcePort           port announced likewise; 0 means the bound port
 * @param maxClients             {@code maxclients}: connections beyond it are refused
 * @param protoMaxBulkLength     {@code proto-max-bulk-len}: longest bulk argument
 * @param maxMultibulkLength     most arguments in one command
 * @param clientQueryBufferLimit {@code client-query-buffer-limit}: most bytes one command may
 *                               take; keep it below the Raft message size limit
 * @param requirepass            password of the {@code default} user; empty for none
 * @param timeoutSeconds         {@code timeout}: idle clients are closed after it; 0 never
 * @param maxInFlight            commands one connection may have in flight before the gateway
 *                               stops reading from it
 * @param maxWriteBatch          most pipelined writes coalesced into one log entry
 * @param routeWait              how long a command waits for a slot group without a leader
 * @param scanCursorCapacity     mid-slot SCAN positions remembered node-wide
 * @param ioThreads              Netty event-loop threads (Redis's {@code io-threads}); 0 means
 *                               {@link #defaultIoThreads()}
 * @param nativeTransport        use epoll when available
 * @param proxyPort              the proxy port, where commands led elsewhere are forwarded instead
 *                               of redirected; {@link #NO_PROXY_PORT} for none, 0 picks a free one
 */
public record GatewayConfig(
    String bindAddress,
    int port,
    String announceHost,
    int announcePort,
    long maxClients,
    long protoMaxBulkLength,
    long maxMultibulkLength,
    long clientQueryBufferLimit,
    String requirepass,
    long timeoutSeconds,
    int maxInFlight,
    int maxWriteBatch,
    Duration routeWait,
    int scanCursorCapacity,
    int ioThreads,
    boolean nativeTransport,
    int proxyPort) {

  public static final long MIB = 1024 * 1024;
  /** {@link #proxyPort} when there is no proxy port (the default). */
  public static final int NO_PROXY_PORT = -1;

  public GatewayConfig {
    if (bindAddress == null || bindAddress.isBlank()) {
      throw new IllegalArgumentException("bindAddress is required");
    }
    if (port < 0 || port > 65535 || announcePort < 0 || announcePort > 65535
        || proxyPort < NO_PROXY_PORT || proxyPort > 65535) {
      throw new IllegalArgumentException("port out of range");
    }
    if (maxClients < 1 || protoMaxBulkLength < 1 || maxMultibulkLength < 1
        || clientQueryBufferLimit < 1 || maxInFlight < 1 || maxWriteBatch < 1
        || scanCursorCapacity < 1 || timeoutSeconds < 0 || ioThreads < 0) {
      throw new IllegalArgumentException("limits must be positive");
    }
    requirepass = requirepass == null ? "" : requirepass;
    routeWait = routeWait == null ? Duration.ofSeconds(2) : routeWait;
  }

  /** Redis's defaults where they fit a Raft-backed node, listening on 127.0.0.1:6379. */
  public static GatewayConfig defaults() {
    return new GatewayConfig("127.0.0.1", 6379, null, 0, 10_000, 16 * MIB, 1024 * 1024,
        64 * MIB, "", 0, 1024, 64, Duration.ofSeconds(2), 100_000, 0, true, NO_PROXY_PORT);
  }

  public GatewayConfig withBind(String address, int port) {
    return new GatewayConfig(address, port, announceHost, announcePort, maxClients,
        protoMaxBulkLength, maxMultibulkLength, clientQueryBufferLimit, requirepass,
        timeoutSeconds, maxInFlight, maxWriteBatch, routeWait, scanCursorCapacity, ioThreads,
        nativeTransport, proxyPort);
  }

  public GatewayConfig withAnnounce(String host, int port) {
    return new GatewayConfig(bindAddress, this.port, host, port, maxClients, protoMaxBulkLength,
        maxMultibulkLength, clientQueryBufferLimit, requirepass, timeoutSeconds, maxInFlight,
        maxWriteBatch, routeWait, scanCursorCapacity, ioThreads, nativeTransport, proxyPort);
  }

  public GatewayConfig withMaxClients(long n) {
    return new GatewayConfig(bindAddress, port, announceHost, announcePort, n, protoMaxBulkLength,
        maxMultibulkLength, clientQueryBufferLimit, requirepass, timeoutSeconds, maxInFlight,
        maxWriteBatch, routeWait, scanCursorCapacity, ioThreads, nativeTransport, proxyPort);
  }

  public GatewayConfig withRequirepass(String password) {
    return new GatewayConfig(bindAddress, port, announceHost, announcePort, maxClients,
        protoMaxBulkLength, maxMultibulkLength, clientQueryBufferLimit, password, timeoutSeconds,
        maxInFlight, maxWriteBatch, routeWait, scanCursorCapacity, ioThreads, nativeTransport,
        proxyPort);
  }

  public GatewayConfig withTimeout(long seconds) {
    return new GatewayConfig(bindAddress, port, announceHost, announcePort, maxClients,
        protoMaxBulkLength, maxMultibulkLength, clientQueryBufferLimit, requirepass, seconds,
        maxInFlight, maxWriteBatch, routeWait, scanCursorCapacity, ioThreads, nativeTransport,
        proxyPort);
  }

  public GatewayConfig withLimits(long protoMaxBulk, long maxMultibulk, long queryBufferLimit) {
    return new GatewayConfig(bindAddress, port, announceHost, announcePort, maxClients,
        protoMaxBulk, maxMultibulk, queryBufferLimit, requirepass, timeoutSeconds, maxInFlight,
        maxWriteBatch, routeWait, scanCursorCapacity, ioThreads, nativeTransport, proxyPort);
  }

  public GatewayConfig withPipelining(int maxInFlight, int maxWriteBatch) {
    return new GatewayConfig(bindAddress, port, announceHost, announcePort, maxClients,
        protoMaxBulkLength, maxMultibulkLength, clientQueryBufferLimit, requirepass,
        timeoutSeconds, maxInFlight, maxWriteBatch, routeWait, scanCursorCapacity, ioThreads,
        nativeTransport, proxyPort);
  }

  public GatewayConfig withRouteWait(Duration wait) {
    return new GatewayConfig(bindAddress, port, announceHost, announcePort, maxClients,
        protoMaxBulkLength, maxMultibulkLength, clientQueryBufferLimit, requirepass,
        timeoutSeconds, maxInFlight, maxWriteBatch, wait, scanCursorCapacity, ioThreads,
        nativeTransport, proxyPort);
  }

  public GatewayConfig withIoThreads(int threads, boolean nativeTransport) {
    return new GatewayConfig(bindAddress, port, announceHost, announcePort, maxClients,
        protoMaxBulkLength, maxMultibulkLength, clientQueryBufferLimit, requirepass,
        timeoutSeconds, maxInFlight, maxWriteBatch, routeWait, scanCursorCapacity, threads,
        nativeTransport, proxyPort);
  }

  public GatewayConfig withProxyPort(int port) {
    return new GatewayConfig(bindAddress, this.port, announceHost, announcePort, maxClients,
        protoMaxBulkLength, maxMultibulkLength, clientQueryBufferLimit, requirepass,
        timeoutSeconds, maxInFlight, maxWriteBatch, routeWait, scanCursorCapacity, ioThreads,
        nativeTransport, port);
  }

  /**
   * Event-loop threads when none are configured: one per CPU (Netty's default is two). Fewer
   * loops cap pipelined reads: on 2 vCPUs one loop served half the GET/s of two at {@code -P 16}.
   * Nodes sharing a machine should split its CPUs ({@code tools/cluster.sh} does).
   */
  public static int defaultIoThreads() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** The event-loop threads the RESP server runs. */
  public int eventLoopThreads() {
    return ioThreads == 0 ? defaultIoThreads() : ioThreads;
  }

  /** Whether the node listens on a proxy port. */
  public boolean proxyEnabled() {
    return proxyPort != NO_PROXY_PORT;
  }
}
