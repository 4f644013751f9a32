package io.kvorum.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.container.KvorumCluster.Node;
import io.kvorum.it.fixture.HashSlot;
import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.RespReply;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader cut off from its followers must stop answering reads before the majority can have
 * moved on: once a new leader acknowledged a write, a GET sent to the old one (which may not know
 * it was deposed yet) gets the new value, an error, or no answer — never the old value.
 *
 * <p>Run with the leader lease (the cut leader's lease runs out before a new leader can be
 * elected) and without it (the default: every read confirms leadership with a heartbeat round). Ratis
 * 3.3 on its own skips that round when the read index was acknowledged by a majority at any
 * earlier time, and a cut-off leader's commit index no longer moves; without {@code
 * FreshReadIndex} (raft module) the lease-off run failed, and with the lease the same shortcut
 * opens once the lease has lapsed. A round exposes the bug only when the majority elects and
 * acknowledges before the cut leader steps down, which timing decides: hence several rounds.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class IsolatedLeaderReadsTest {
  private static final Logger LOG = LoggerFactory.getLogger(IsolatedLeaderReadsTest.class);
  private static final String KEY = "iso:register";
  /** Rounds in which the old leader still claimed the key's slot when the write was acknowledged. */
  private static final int CONTESTED_ROUNDS = 4;
  private static final int MAX_ROUNDS = 10;

  @ParameterizedTest(name = "--leader-lease {0}")
  @ValueSource(strings = {"yes", "no"})
  void anIsolatedLeaderNeverAnswersWithAValueTheMajorityOverwrote(String lease) throws Exception {
    try (KvorumCluster cluster =
        KvorumCluster.start("isoread-" + lease, 3, List.of("--leader-lease", lease))) {
      int slot = HashSlot.of(KEY);
      List<String> stale = new ArrayList<>();
      int contested = 0;
      for (int round = 0; round < MAX_ROUNDS && contested < CONTESTED_ROUNDS; round++) {
        String before = "old-" + round;
        String after = "new-" + round;
        Node leader = writeOnLeader(cluster, slot, before);
        try (RawResp old = RawResp.connect("127.0.0.1", leader.port(), 5000)) {
          assertThat(old.call("GET", KEY).text()).isEqualTo(before);
          cluster.isolate(leader);
          long cutAt = System.nanoTime();
          long ackedAt = writeThroughMajority(cluster, leader, after);
          // Only a round where the cut leader still believed it led is a real test of its reads.
          boolean claims = claimsSlot(leader, slot);
          contested += claims ? 1 : 0;
          LOG.info("round {}: new leader acknowledged {} {} ms after the cut; the cut leader {}",
              round, after, TimeUnit.NANOSECONDS.toMillis(ackedAt - cutAt),
              claims ? "still claims the slot" : "already gave it up");
          // The old leader may still believe it leads for a while; every read it answers now
          // must already see the majority's write.
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
          while (System.nanoTime() < until) {
            RespReply r;
            try {
              r = old.call("GET", KEY);
            } catch (IOException | RuntimeException e) {
              break; // no answer is a safe answer
            }
            if (!r.isError() && before.equals(r.text())) {
              stale.add("round " + round + ": GET on isolated " + leader.name() + " returned "
                  + before + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ackedAt)
                  + " ms after the new leader acknowledged " + after);
            }
            if (r.isError()) {
              break;
            }
            Thread.sleep(20);
          }
        } finally {
          cluster.heal();
          cluster.awaitHealthy(Duration.ofSeconds(90));
        }
      }
      assertThat(stale).as("stale reads from an isolated leader").isEmpty();
      assertThat(contested).as("rounds where the cut leader still claimed the slot after the "
          + "majority's write").isEqualTo(CONTESTED_ROUNDS);
    }
  }

  /**
   * SETs {@code value} on the leader of {@code slot} and returns that node (after a heal the
   * balancer may still be moving leaders: a MOVED means ask again).
   */
  private static Node writeOnLeader(KvorumCluster cluster, int slot, String value)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until) {
      Node leader = cluster.leaderOf(slot);
      if (leader != null) {
        try (RawResp c = RawResp.connect("127.0.0.1", leader.port(), 5000)) {
          if ("OK".equals(c.call("SET", KEY, value).text())) {
            return leader;
          }
        } catch (IOException | RuntimeException e) {
          // ask again
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no leader of slot " + slot + " acknowledged " + value);
  }

  /** Whether {@code node} names itself the master of {@code slot} in its own CLUSTER SLOTS. */
  private static boolean claimsSlot(Node node, int slot) {
    try (RawResp c = RawResp.connect("127.0.0.1", node.port(), 2000)) {
      RespReply slots = c.call("CLUSTER", "SLOTS");
      if (slots.isError()) {
        return false;
      }
      for (RespReply range : slots.elements()) {
        List<RespReply> e = range.elements();
        if (e.get(0).asLong() <= slot && slot <= e.get(1).asLong()) {
          return e.get(2).elements().get(1).asLong() == node.port();
        }
      }
      return false;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** SETs {@code value} on the nodes other than {@code cut} until one acknowledges it. */
  private static long writeThroughMajority(KvorumCluster cluster, Node cut, String value)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until) {
      for (Node n : cluster.nodes()) {
        if (n == cut) {
          continue;
        }
        try (RawResp c = RawResp.connect("127.0.0.1", n.port(), 3000)) {
          RespReply r = c.call("SET", KEY, value);
          if (!r.isError() && "OK".equals(r.text())) {
            return System.nanoTime();
          }
        } catch (IOException | RuntimeException e) {
          // not yet: MOVED to the cut leader, an election under way, or a timeout
        }
      }
      Thread.sleep(25);
    }
    throw new AssertionError("the majority never acknowledged " + value);
  }
}
