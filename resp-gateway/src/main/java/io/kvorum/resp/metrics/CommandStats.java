package io.kvorum.resp.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * One command's statistics for INFO commandstats ({@code calls}, {@code usec}, {@code
 * rejected_calls}, {@code failed_calls}), kept in Micrometer meters tagged with the command's full
 * name. Micrometer meters cannot be reset, so CONFIG RESETSTAT records a baseline that is
 * subtracted.
 */
public final class CommandStats {
  private final String name;
  private final Timer calls;
  private final Counter rejected;
  private final Counter failed;
  private volatile long[] baseline = new long[4];

  CommandStats(MeterRegistry registry, String name) {
    this.name = name;
    this.calls = Timer.builder("kvorum.resp.command").tag("command", name)
        .description("Executed RESP commands").register(registry);
    this.rejected = Counter.builder("kvorum.resp.command.rejected").tag("command", name)
        .description("Commands refused before execution (arity, auth, MOVED, CROSSSLOT …)")
        .register(registry);
    this.failed = Counter.builder("kvorum.resp.command.failed").tag("command", name)
        .description("Executed commands that answered with an error").register(registry);
  }

  public String name() {
    return name;
  }

  /** A command that ran, taking {@code nanos}; {@code failed} when its reply was an error. */
  public void executed(long nanos, boolean failedCall) {
    calls.record(nanos, TimeUnit.NANOSECONDS);
    if (failedCall) {
      failed.increment();
    }
  }

  /** A command refused before it ran. */
  public void rejected() {
    rejected.increment();
  }

  public long calls() {
    return calls.count() - baseline[0];
  }

  public long usec() {
    return (long) calls.totalTime(TimeUnit.MICROSECONDS) - baseline[1];
  }

  public long rejectedCalls() {
    return (long) rejected.count() - baseline[2];
  }

  public long failedCalls() {
    return (long) failed.count() - baseline[3];
  }

  /** True once the command was called or rejected since the last reset (INFO lists only those). */
  public boolean used() {
    return calls() > 0 || rejectedCalls() > 0 || failedCalls() > 0;
  }

  void reset() {
    baseline = new long[] {
      calls.count(), (long) calls.totalTime(TimeUnit.MICROSECONDS), (long) rejected.count(),
      (long) failed.count()
    };
  }
}
