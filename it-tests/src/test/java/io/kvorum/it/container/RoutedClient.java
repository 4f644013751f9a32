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
    int port = known != null ? known : ports.get(random.nextInt(ports.size()));
    RawResp c = connections.get(port);
    if (c == null || c.isClosed()) {
      try {
        c = RawResp.connect("127.0.0.1", port, timeoutMillis);
        connections.put(port, c);
      } catch (IOException e) {
        slotPorts.remove(slot);
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
      return new Result.Unknown(port + ": " + e);
    }
  }

  @Override
  public void close() {
    connections.values().forEach(RawResp::close);
    connections.clear();
  }
}
