package io.kvorum.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.container.KvorumCluster.Node;
import io.kvorum.it.fixture.ItEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The central promise under faults, on 3 nodes in containers: several clients run GET/SET/SET
 * NX/SET XX/DEL and SADD/RPUSH for {@code kvorum.faults.seconds} (default 30) per scenario while a
 * nemesis kills, pauses, partitions or restarts nodes. Each scenario must end with a
 * linearizable history, every acknowledged SADD/RPUSH present (and no refused one), the cluster
 * healthy after healing, and an election having happened (the fault really hit). The summary
 * table is written to target/it-work/fault-scenarios.md. {@code make soak} runs the same longer.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 40, unit = TimeUnit.MINUTES)
class FaultScenariosTest {
  private static final Logger LOG = LoggerFactory.getLogger(FaultScenariosTest.class);
  static final Duration LENGTH =
      Duration.ofSeconds(ItEnvironment.intProperty("kvorum.faults.seconds", 30));
  static final int CLIENTS = 4;
  /**
   * How long a pause or partition is held. Failover takes 2-3 s, so the cluster must serve the
   * workload's keys again well within it; a fault is undone after it whatever happened.
   */
  static final Duration HOLD = Duration.ofSeconds(10);
  private static final List<ScenarioReport> REPORTS = new ArrayList<>();
  private static KvorumCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = KvorumCluster.start("faults", 3, List.of());
  }

  @AfterAll
  static void summarize() throws Exception {
    try {
      StringBuilder table = new StringBuilder(ScenarioReport.header()).append('\n');
      REPORTS.forEach(r -> table.append(r.row()).append('\n'));
      Path file = ItEnvironment.workDir().resolve("fault-scenarios.md");
      Files.createDirectories(file.getParent());
      Files.writeString(file, table, StandardCharsets.UTF_8);
      LOG.warn("fault scenarios ({}):\n{}", file, table);
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  private static ScenarioReport run(String name, String prefix, FaultRun.Nemesis nemesis)
      throws Exception {
    long seed = ItEnvironment.seed(prefix.hashCode());
    ScenarioReport r = new FaultRun(cluster, name, prefix, LENGTH, CLIENTS, seed).execute(nemesis);
    synchronized (REPORTS) {
      REPORTS.add(r);
    }
    return r;
  }

  /** What every scenario must end with. */
  private static void assertSafe(ScenarioReport r, boolean faulty) {
    assertSafe(r, faulty, true);
  }

  /**
   * @param servesAgain also require writes to every key within 60 s of each fault (kills and
   *     restarts). Held faults (pause, partition) report their time to serve again in the table
   *     but are not held to it: the issue asks for that time to be reported, and the cluster must
   *     be healthy after healing either way.
   */
  private static void assertSafe(ScenarioReport r, boolean faulty, boolean servesAgain) {
    assertThat(r.details()).as("checker findings of " + r.name()).isEmpty();
    assertThat(r.violations()).isZero();
    assertThat(r.inconclusive()).isZero();
    assertThat(r.lostWriteProblems()).isZero();
    assertThat(r.ok()).as("acknowledged operations").isGreaterThan(100);
    assertThat(r.acknowledgedAdds()).isGreaterThan(10);
    assertThat(r.unexpectedErrors()).as("errors other than MOVED/TRYAGAIN/CLUSTERDOWN").isZero();
    if (faulty) {
      assertThat(r.faults().size()).as("faults injected").isGreaterThan(1);
      assertThat(r.elections()).as("slot groups that held an election (the fault hit)").isPositive();
    }
    if (servesAgain) {
      assertThat(r.serveAgainSeconds()).as("seconds until serving again after each fault")
          .allMatch(s -> !s.isInfinite());
    }
  }

  private static Node other(Node than, FaultRun run) {
    List<Node> rest = new ArrayList<>(cluster.nodes());
    rest.remove(than);
    return rest.get(run.random().nextInt(rest.size()));
  }

  @Test
  @Order(1)
  void noFault() throws Exception {
    ScenarioReport r = run("no fault", "nf", (c, run) -> { });
    assertSafe(r, false);
  }

  @Test
  @Order(2)
  void killRandomNodeEveryFewSeconds() throws Exception {
    ScenarioReport r = run("kill -9 random node", "kr", (c, run) -> {
      while (!run.over()) {
        Node victim = c.nodes().get(run.random().nextInt(c.nodes().size()));
        c.kill(victim);
        run.faultInjected("kill " + victim.name());
        run.sleepWithin(2000);
        c.start(victim);
        // One fault at a time: the next kill waits until the victim is back in every group
        // (two nodes down is no quorum, unavailable by design).
        c.awaitHealthy(Duration.ofMinutes(2));
        run.sleepWithin(3000);
      }
    });
    assertSafe(r, true);
  }

  @Test
  @Order(3)
  void killTheLeader() throws Exception {
    ScenarioReport r = run("kill -9 leader", "kl", (c, run) -> {
      while (!run.over()) {
        Node leader = c.leaderOf(run.targetSlot());
        if (leader == null) {
          run.sleepWithin(500);
          continue;
        }
        c.kill(leader);
        run.faultInjected("kill leader " + leader.name());
        run.sleepWithin(2000);
        c.start(leader);
        c.awaitHealthy(Duration.ofMinutes(2));
        run.sleepWithin(3000);
      }
    });
    assertSafe(r, true);
  }

  @Test
  @Order(4)
  void pauseTheLeader() throws Exception {
    ScenarioReport r = run("pause leader", "pl", (c, run) -> {
      while (!run.over()) {
        Node leader = c.leaderOf(run.targetSlot());
        if (leader == null) {
          run.sleepWithin(500);
          continue;
        }
        long pausedAt = System.currentTimeMillis();
        c.pause(leader);
        run.faultInjected("pause leader " + leader.name(), HOLD);
        run.sleepUntil(pausedAt + HOLD.toMillis());
        c.unpause(leader);
        run.faultInjected("unpause " + leader.name());
        run.sleepWithin(4000);
      }
    });
    assertSafe(r, true, false);
  }

  @Test
  @Order(5)
  void partitionIsolatingTheLeader() throws Exception {
    ScenarioReport r = run("partition isolating leader", "il", (c, run) -> {
      while (!run.over()) {
        Node leader = c.leaderOf(run.targetSlot());
        if (leader == null) {
          run.sleepWithin(500);
          continue;
        }
        long isolatedAt = System.currentTimeMillis();
        c.isolate(leader);
        run.faultInjected("isolate leader " + leader.name(), HOLD);
        run.sleepUntil(isolatedAt + HOLD.toMillis());
        c.heal();
        run.faultInjected("heal partition");
        run.sleepWithin(4000);
      }
    });
    assertSafe(r, true, false);
  }

  @Test
  @Order(6)
  void majorityAndMinorityPartitions() throws Exception {
    // With 3 nodes a minority is one node; any node, leader of the target key's group or not.
    ScenarioReport r = run("majority/minority partitions", "mm", (c, run) -> {
      while (!run.over()) {
        Node a = c.nodes().get(run.random().nextInt(c.nodes().size()));
        long cutAt = System.currentTimeMillis();
        c.isolate(a);
        run.faultInjected("isolate " + a.name(), HOLD);
        run.sleepUntil(cutAt + HOLD.toMillis());
        c.heal();
        run.faultInjected("heal partition");
        run.sleepWithin(3000);
      }
    });
    assertSafe(r, true, false);
  }

  /**
   * A partial partition: one link cut, the third node still sees both sides. Raft keeps every
   * group safe, but leadership may bounce between the two cut-off nodes (each times out on the
   * other and campaigns through the third), so only safety is asserted here; how long the
   * cluster took to serve again is reported, not promised.
   */
  @Test
  @Order(8)
  void oneLinkCut() throws Exception {
    java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();
    ScenarioReport r = run("one link cut (partial partition)", "lc", (c, run) -> {
      while (!run.over()) {
        Node a = c.nodes().get(run.random().nextInt(c.nodes().size()));
        Node b = other(a, run);
        long cutAt = System.currentTimeMillis();
        c.partition(a, b);
        run.faultInjected("cut link " + a.name() + "-" + b.name(), HOLD);
        run.sleepUntil(cutAt + HOLD.toMillis());
        dropped.addAndGet(c.droppedPackets());
        c.heal();
        run.faultInjected("heal partition");
        run.sleepWithin(3000);
      }
    });
    // A cut link need not cost any group its leader (pre-vote keeps the third node loyal), so
    // the evidence that the fault hit is the traffic the rules dropped, not an election.
    assertSafe(r, false, false);
    assertThat(r.faults().size()).as("faults injected").isGreaterThan(1);
    assertThat(dropped.get()).as("packets dropped on the cut links").isPositive();
  }

  @Test
  @Order(7)
  void restartAllNodes() throws Exception {
    ScenarioReport r = run("kill -9 and restart all nodes", "ra", (c, run) -> {
      while (!run.over()) {
        for (Node n : c.nodes()) {
          c.kill(n);
        }
        for (Node n : c.nodes()) {
          c.start(n);
        }
        run.faultInjected("kill -9 all, start all");
        run.sleepWithin(5000);
      }
    });
    assertSafe(r, true);
  }
}
