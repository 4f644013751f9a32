package io.kvorum.it.container;

import io.kvorum.it.checker.LinearizabilityChecker;
import io.kvorum.it.checker.LostWriteChecker;
import io.kvorum.it.container.RoutedClient.Result;
import io.kvorum.it.fixture.HashSlot;
import io.kvorum.it.fixture.RespReply;
import io.kvorum.it.history.History;
import io.kvorum.it.history.Op;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fault scenario: a {@link Workload} runs against the cluster while a {@link Nemesis} injects
 * faults; then everything is healed, the final state read, and the history checked. The nemesis
 * marks each fault with {@link #faultInjected}, which times how long until every key the workload
 * uses can be written again.
 */
final class FaultRun {
  private static final Logger LOG = LoggerFactory.getLogger(FaultRun.class);
  /** Longest the recovery probe waits before calling a fault "not served again". */
  private static final Duration SERVE_AGAIN_LIMIT = Duration.ofSeconds(60);

  /** Injects faults until {@link FaultRun#over()}. */
  @FunctionalInterface
  interface Nemesis {
    void run(KvorumCluster cluster, FaultRun run) throws Exception;
  }

  private final KvorumCluster cluster;
  private final String name;
  private final Duration length;
  private final Workload workload;
  private final Random random;
  private final List<String> faults = new ArrayList<>();
  private final List<Double> serveAgainSeconds = new ArrayList<>();
  private long startedAt;

  FaultRun(KvorumCluster cluster, String name, String prefix, Duration length, int clients,
      long seed) {
    this.cluster = cluster;
    this.name = name;
    this.length = length;
    this.random = new Random(seed);
    List<Integer> ports = new ArrayList<>();
    cluster.nodes().forEach(n -> ports.add(n.port()));
    this.workload = new Workload(ports, prefix, clients, seed, 5);
  }

  Random random() {
    return random;
  }

  /** True once the scenario's length has passed. */
  boolean over() {
    return System.nanoTime() - startedAt >= length.toNanos();
  }

  /** Sleeps, but not past the end of the scenario. */
  void sleepWithin(long millis) {
    long left = (length.toNanos() - (System.nanoTime() - startedAt)) / 1_000_000;
    KvorumCluster.sleep(Math.max(0, Math.min(millis, left)));
  }

  /** Sleeps until the wall-clock time {@code epochMillis}, but not past the end of the scenario. */
  void sleepUntil(long epochMillis) {
    sleepWithin(Math.max(0, epochMillis - System.currentTimeMillis()));
  }

  /** The slot of the workload's first register: "the leader" the leader faults aim at. */
  int targetSlot() {
    return HashSlot.of(workload.registerKeys().get(0));
  }

  /**
   * Records a fault just injected and waits until every workload key can be written again (the
   * workload keeps running meanwhile). Returns the seconds that took.
   */
  double faultInjected(String description) {
    return faultInjected(description, SERVE_AGAIN_LIMIT);
  }

  /**
   * {@link #faultInjected(String)} waiting at most {@code limit}: a fault held for a fixed time
   * (a pause, a partition) is undone then whether or not the cluster served again meanwhile.
   * Infinite when it did not.
   */
  double faultInjected(String description, Duration limit) {
    long t0 = System.nanoTime();
    faults.add(description);
    double seconds = awaitServing(t0, limit);
    LOG.info("{}: {} -> serving again after {} s", name, description, seconds);
    return seconds;
  }

  private double awaitServing(long since, Duration limit) {
    List<String> probes = new ArrayList<>();
    for (String k : workload.registerKeys()) {
      probes.add("{" + k + "}:probe");
    }
    for (String k : workload.collectionKeys().keySet()) {
      probes.add("{" + k + "}:probe");
    }
    List<Integer> ports = new ArrayList<>();
    cluster.nodes().forEach(n -> ports.add(n.port()));
    // Why each failed attempt failed, so a slow recovery can be traced from the test log.
    List<String> misses = new ArrayList<>();
    try (RoutedClient probe = new RoutedClient(ports, 2000, new Random(random.nextLong()))) {
      for (String key : probes) {
        Result r;
        while (!((r = probe.call(key, "SET", key, "1")) instanceof Result.Ok)) {
          misses.add(String.format(Locale.ROOT, "%.1fs %s: %s", (System.nanoTime() - since) / 1e9,
              key, r));
          if (System.nanoTime() - since > limit.toNanos()) {
            serveAgainSeconds.add(Double.POSITIVE_INFINITY);
            LOG.info("{}: not serving after {}; failed attempts: {}", name, limit,
                collapse(misses));
            return Double.POSITIVE_INFINITY;
          }
          KvorumCluster.sleep(50);
        }
      }
    }
    double seconds = (System.nanoTime() - since) / 1e9;
    if (seconds > 3) {
      LOG.info("{}: slow to serve again ({} s); failed attempts: {}", name, seconds,
          collapse(misses));
    }
    serveAgainSeconds.add(seconds);
    return seconds;
  }

  /** Runs of identical failures (same key and reason) as one line each, with their count. */
  private static String collapse(List<String> misses) {
    StringBuilder out = new StringBuilder();
    String last = null;
    int run = 0;
    for (String m : misses) {
      String what = m.substring(m.indexOf(' ') + 1);
      if (what.equals(last)) {
        run++;
        continue;
      }
      if (run > 1) {
        out.append(" (x").append(run).append(')');
      }
      out.append("\n  ").append(m);
      last = what;
      run = 1;
    }
    if (run > 1) {
      out.append(" (x").append(run).append(')');
    }
    return out.toString();
  }

  /** Runs the scenario and checks its history. */
  ScenarioReport execute(Nemesis nemesis) throws Exception {
    Map<String, String> before = cluster.groupTermsAndLeaders();
    startedAt = System.nanoTime();
    workload.start();
    try {
      KvorumCluster.sleep(2000);
      nemesis.run(cluster, this);
      sleepWithin(Long.MAX_VALUE);
    } finally {
      cluster.heal();
    }
    faultInjected("heal");
    workload.stop();
    cluster.awaitHealthy(Duration.ofMinutes(3));
    Map<String, String> after = cluster.groupTermsAndLeaders();

    History history = workload.history();
    Map<String, List<String>> finalContent = finalReads(history);
    List<Op> ops = history.ops();
    List<LinearizabilityChecker.Verdict> verdicts =
        new LinearizabilityChecker(Duration.ofSeconds(30)).check(ops);
    List<LostWriteChecker.Report> lost = new LostWriteChecker().check(ops, finalContent);

    int elections = 0;
    int leaderChanges = 0;
    for (Map.Entry<String, String> e : after.entrySet()) {
      String was = before.get(e.getKey());
      if (was == null) {
        continue;
      }
      String[] a = e.getValue().split("/", 2);
      String[] b = was.split("/", 2);
      if (Long.parseLong(a[0]) > Long.parseLong(b[0])) {
        elections++;
      }
      if (!a[1].equals(b[1])) {
        leaderChanges++;
      }
    }
    ScenarioReport report = ScenarioReport.of(name, (System.nanoTime() - startedAt) / 1e9,
        history, workload.unexpectedErrors(), verdicts, lost, elections, leaderChanges, faults,
        serveAgainSeconds);
    report.log(LOG);
    return report;
  }

  /**
   * The final contents of the set and list keys, and a final GET of every register added to the
   * history (it must see the last write), each retried until the healed cluster answers.
   */
  private Map<String, List<String>> finalReads(History history) {
    Map<String, List<String>> out = new HashMap<>();
    List<Integer> ports = new ArrayList<>();
    cluster.nodes().forEach(n -> ports.add(n.port()));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (RoutedClient client = new RoutedClient(ports, 5000, new Random(random.nextLong()))) {
      for (String key : workload.registerKeys()) {
        while (System.nanoTime() < deadline) {
          History.Pending op = history.invoke(-1, Op.Kind.GET, key, null);
          Result r = client.call(key, "GET", key);
          if (r instanceof Result.Ok ok) {
            op.ok(Workload.text(ok.reply()));
            break;
          }
          op.fail("final read: " + r);
          KvorumCluster.sleep(100);
        }
      }
      workload.collectionKeys().forEach((key, kind) -> {
        while (System.nanoTime() < deadline) {
          Result r = kind == Op.Kind.SADD ? client.call(key, "SMEMBERS", key)
              : client.call(key, "LRANGE", key, "0", "-1");
          if (r instanceof Result.Ok ok) {
            List<String> members = new ArrayList<>();
            for (RespReply e : ok.reply().elements()) {
              members.add(e.text());
            }
            out.put(key, members);
            return;
          }
          KvorumCluster.sleep(100);
        }
      });
    }
    return out;
  }
}
