package io.kvorum.it.container;

import io.kvorum.it.fixture.HashSlot;
import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.RespReply;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A minimal cluster client for the fault workloads: one connection per node, a slot → node cache
 * fed by {@code -MOVED}, and every call classified the way a history needs it. It never retries:
 * each attempt is its own operation in the history.
 */
final class RoutedClient implements AutoCloseable {
  private final List<Integer> ports;
  private final int timeoutMillis;
  private final Random random;
  private final Map<Integer, RawResp> connections = new HashMap<>();
  private final Map<Integer, Integer> slotPorts = new HashMap<>();
  /** Ports that just timed out or broke a connection → until when they are avoided. */
  private final Map<Integer, Long> suspects = new HashMap<>();
  private static final long SUSPECT_NANOS = 3_000_000_000L;

  /** How a call ended. */
  sealed interface Result {
    /** The command's own reply. */
    record Ok(RespReply reply) implements Result {}

    /** Refused before it was applied: MOVED, TRYAGAIN, CLUSTERDOWN, or no connection. */
    record Refused(String why) implements Result {}

    /** Sent, but no reply (timeout, connection closed), or an error nobody expects. */
    record Unknown(String why) implements Result {}
  }

  RoutedClient(List<Integer> ports, int timeoutMillis, Random random) {
    this.ports = List.copyOf(ports);
    this.timeoutMillis = timeoutMillis;
    this.random = random;
  }

  /** Sends {@code args} to the node that should serve {@code key}'s slot. */
  Result call(String key, String... args) {
    int slot = HashSlot.of(key);
    Integer known = slotPorts.get(slot);
    if (known != null && suspect(known)) {
      // Probably a frozen or cut-off former leader: ask a live node who leads now.
      slotPorts.remove(slot);
      known = null;
    }
    int port = known != null ? known : pick();
    RawResp c = connections.get(port);
    if (c != null && c.isClosed()) {
      connections.remove(port);
      c = null;
    }
    if (c == null) {
      // A new connection must answer PING before the command goes out: a published port can
      // accept and then drop a connection while the node behind it is down, and a command that
      // was never sent is a definite failure, not an unknown outcome.
      try {
        c = RawResp.connect("127.0.0.1", port, timeoutMillis);
        RespReply pong = c.call("PING");
        if (pong.isError()) {
          throw new IOException("PING: " + pong.text());
        }
        connections.put(port, c);
      } catch (IOException | RuntimeException e) {
        if (c != null) {
          c.close();
        }
        slotPorts.remove(slot);
        suspects.put(port, System.nanoTime() + SUSPECT_NANOS);
        return new Result.Refused("connect " + port + ": " + e.getMessage());
      }
    }
    try {
      RespReply r = c.call(args);
      if (!r.isError()) {
        return new Result.Ok(r);
      }
      String text = r.text();
      if (text.startsWith("MOVED ")) {
        String address = text.substring(text.lastIndexOf(' ') + 1);
        slotPorts.put(slot, Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
        return new Result.Refused(text);
      }
      if (text.startsWith("TRYAGAIN") || text.startsWith("CLUSTERDOWN")) {
        slotPorts.remove(slot);
        return new Result.Refused(text);
      }
      return new Result.Unknown("error " + text);
    } catch (IOException | RuntimeException e) {
      c.close();
      connections.remove(port);
      slotPorts.remove(slot);
      suspects.put(port, System.nanoTime() + SUSPECT_NANOS);
      return new Result.Unknown(port + ": " + e);
    }
  }

  private boolean suspect(int port) {
    Long until = suspects.get(port);
    return until != null && until - System.nanoTime() > 0;
  }

  /** A random node, preferring those that did not just fail. */
  private int pick() {
    List<Integer> healthy = ports.stream().filter(p -> !suspect(p)).toList();
    List<Integer> from = healthy.isEmpty() ? ports : healthy;
    return from.get(random.nextInt(from.size()));
  }

  @Override
  public void close() {
    connections.values().forEach(RawResp::close);
    connections.clear();
  }
}
