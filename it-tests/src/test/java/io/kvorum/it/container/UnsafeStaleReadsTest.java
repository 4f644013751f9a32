package io.kvorum.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.container.KvorumCluster.Node;
import io.kvorum.it.fixture.ItEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tests the tests: with the hidden test-only flag {@code --unsafe-stale-reads} every replica
 * answers GET from its own state, so a node cut off from the majority keeps serving values the
 * majority has already overwritten. The same workload and checker as {@link FaultScenariosTest}
 * must report it; if they did not, their zero-violation verdicts would prove nothing.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class UnsafeStaleReadsTest {

  @Test
  void theCheckerCatchesStaleReadsFromAnIsolatedReplica() throws Exception {
    try (KvorumCluster cluster =
        KvorumCluster.start("unsafe", 3, List.of("--unsafe-stale-reads"))) {
      FaultRun run = new FaultRun(cluster, "unsafe stale reads, leader isolated", "us",
          Duration.ofSeconds(30), FaultScenariosTest.CLIENTS, ItEnvironment.seed(6));
      ScenarioReport r = run.execute((c, fr) -> {
        while (!fr.over()) {
          Node leader = c.leaderOf(fr.targetSlot());
          if (leader == null) {
            fr.sleepWithin(500);
            continue;
          }
          long cutAt = System.currentTimeMillis();
          c.isolate(leader);
          fr.faultInjected("isolate leader " + leader.name(), FaultScenariosTest.HOLD);
          fr.sleepUntil(cutAt + FaultScenariosTest.HOLD.toMillis());
          c.heal();
          fr.faultInjected("heal partition");
          fr.sleepWithin(3000);
        }
      });
      assertThat(r.violations()).as("linearizability violations found").isPositive();
      assertThat(r.details()).anyMatch(d -> d.startsWith("not linearizable"));
    }
  }
}
