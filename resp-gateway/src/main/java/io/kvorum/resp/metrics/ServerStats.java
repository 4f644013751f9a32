package io.kvorum.resp.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Node-wide gateway statistics behind INFO stats/commandstats/errorstats, all registered in one
 * Micrometer registry (the server module exports it). CONFIG RESETSTAT subtracts a baseline.
 */
public final class ServerStats {
  private final MeterRegistry registry;
  private final Map<String, CommandStats> commands = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Map<String, Long> errorBaseline = new ConcurrentHashMap<>();
  private final Counter connectionsReceived;
  private final Counter connectionsRejected;
  private final Counter commandsProcessed;
  private final Counter errorReplies;
  private final AtomicLong netInput = new AtomicLong();
  private final AtomicLong netOutput = new AtomicLong();
  private volatile long[] baseline = new long[6];
  private long lastSampleMs;
  private long lastSampleCount;
  private volatile long opsPerSec;

  public ServerStats(MeterRegistry registry) {
    this.registry = registry;
    this.connectionsReceived = Counter.builder("kvorum.resp.connections.received")
        .description("Accepted client connections").register(registry);
    this.connectionsRejected = Counter.builder("kvorum.resp.connections.rejected")
        .description("Connections refused because of maxclients").register(registry);
    this.commandsProcessed = Counter.builder("kvorum.resp.commands.processed")
        .description("Commands processed").register(registry);
    this.errorReplies = Counter.builder("kvorum.resp.errors")
        .description("Error replies sent").register(registry);
    registry.gauge("kvorum.resp.net.input.bytes", netInput);
    registry.gauge("kvorum.resp.net.output.bytes", netOutput);
  }

  /** Statistics in a private registry (tests). */
  public static ServerStats standalone() {
    return new ServerStats(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The statistics of one command, by full name such as {@code get} or {@code client|list}. */
  public CommandStats command(String fullName) {
    return commands.computeIfAbsent(fullName, n -> new CommandStats(registry, n));
  }

  /** Every command's statistics, keyed by full name. */
  public Map<String, CommandStats> commands() {
    return commands;
  }

  /** An error reply with code {@code code} (ERR, WRONGTYPE, MOVED …) was sent. */
  public void error(String code) {
    errors.computeIfAbsent(code, c -> Counter.builder("kvorum.resp.errors.by.code").tag("code", c)
        .description("Error replies by error code").register(registry)).increment();
    errorReplies.increment();
  }

  /** Error counts by code since the last reset, sorted by code as Redis prints them. */
  public Map<String, Long> errorCounts() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach((code, c) -> {
      long n = (long) c.count() - errorBaseline.getOrDefault(code, 0L);
      if (n > 0) {
        out.put(code, n);
      }
    });
    return out;
  }

  public void connectionReceived() {
    connectionsReceived.increment();
  }

  public void connectionRejected() {
    connectionsRejected.increment();
  }

  public void commandProcessed() {
    commandsProcessed.increment();
  }

  public void netInput(long bytes) {
    netInput.addAndGet(bytes);
  }

  public void netOutput(long bytes) {
    netOutput.addAndGet(bytes);
  }

  public long connectionsReceived() {
    return (long) connectionsReceived.count() - baseline[0];
  }

  public long connectionsRejected() {
    return (long) connectionsRejected.count() - baseline[1];
  }

  public long commandsProcessed() {
    return (long) commandsProcessed.count() - baseline[2];
  }

  public long errorReplies() {
    return (long) errorReplies.count() - baseline[3];
  }

  public long netInputBytes() {
    return netInput.get() - baseline[4];
  }

  public long netOutputBytes() {
    return netOutput.get() - baseline[5];
  }

  /** Commands per second over the last sampling second (INFO instantaneous_ops_per_sec). */
  public long instantaneousOpsPerSec() {
    return opsPerSec;
  }

  /** CONFIG RESETSTAT. */
  public void reset() {
    baseline = new long[] {
      (long) connectionsReceived.count(), (long) connectionsRejected.count(),
      (long) commandsProcessed.count(), (long) errorReplies.count(), netInput.get(), netOutput.get()
    };
    errors.forEach((code, c) -> errorBaseline.put(code, (long) c.count()));
    commands.values().forEach(CommandStats::reset);
  }

  /**
   * Samples the command counter; called about once a second by the server's housekeeping task so
   * the hot path only increments a counter.
   */
  public synchronized void sample(long nowMs) {
    long count = (long) commandsProcessed.count();
    if (lastSampleMs > 0 && nowMs > lastSampleMs) {
      opsPerSec = (count - lastSampleCount) * 1000 / (nowMs - lastSampleMs);
    }
    lastSampleMs = nowMs;
    lastSampleCount = count;
  }
}
