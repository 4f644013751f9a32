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
    Object route = connection(slot);
    if (route instanceof Result.Refused refused) {
      return refused;
    }
    RawResp c = (RawResp) route;
    try {
      RespReply r = c.call(args);
      return r.isError() ? classify(slot, r.text()) : new Result.Ok(r);
    } catch (IOException | RuntimeException e) {
      return broken(slot, c, e, true);
    }
  }

  /**
   * Runs {@code MULTI; commands…; EXEC} on one connection to the node serving {@code key}'s slot
   * (every command's keys must be in that slot). Ok carries EXEC's reply. A refusal before EXEC
   * was sent (MOVED at queue time, answered with DISCARD, or a connection lost before EXEC) is a
   * definite failure: the server discards a transaction whose connection closes. Only after EXEC
   * went out is a lost reply unknown.
   */
  Result transaction(String key, List<String[]> commands) {
    int slot = HashSlot.of(key);
    Object route = connection(slot);
    if (route instanceof Result.Refused refused) {
      return refused;
    }
    RawResp c = (RawResp) route;
    boolean execSent = false;
    try {
      RespReply multi = c.call("MULTI");
      if (multi.isError()) {
        return classify(slot, multi.text());
      }
      for (String[] command : commands) {
        RespReply queued = c.call(command);
        if (queued.isError()) {
          // The queue is already flagged; DISCARD leaves the connection clean for the next one.
          c.call("DISCARD");
          return classify(slot, queued.text());
        }
      }
      execSent = true;
      RespReply r = c.call("EXEC");
      return r.isError() ? classify(slot, r.text()) : new Result.Ok(r);
    } catch (IOException | RuntimeException e) {
      return broken(slot, c, e, execSent);
    }
  }

  /** The connection for {@code slot}'s node (a {@link RawResp}), or why there is none. */
  private Object connection(int slot) {
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
    return c;
  }

  /** An error reply: a redirect or an unavailable group is a refusal, anything else unknown. */
  private Result classify(int slot, String text) {
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
  }

  /** A timeout or lost connection: unknown if the command may have gone out, else refused. */
  private Result broken(int slot, RawResp c, Exception e, boolean sent) {
    int port = connections.entrySet().stream().filter(x -> x.getValue() == c)
        .map(Map.Entry::getKey).findFirst().orElse(-1);
    c.close();
    connections.remove(port);
    slotPorts.remove(slot);
    suspects.put(port, System.nanoTime() + SUSPECT_NANOS);
    return sent ? new Result.Unknown(port + ": " + e) : new Result.Refused(port + ": " + e);
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
