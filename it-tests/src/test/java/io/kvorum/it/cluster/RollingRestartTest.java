package io.kvorum.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.fixture.InProcessCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Restarts on the in-process harness. A rolling restart (an upgrade, say) of a 3-node cluster
 * under a write load: each node in turn is stopped and started again on its data, with no other
 * command; the cluster keeps taking writes, every acknowledged write survives, and each
 * restarted node rejoins and leads again. And a member restarts at once even when the node it
 * once joined is the one that is down.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class RollingRestartTest {
  private static final Logger LOG = LoggerFactory.getLogger(RollingRestartTest.class);

  @Test
  void restartingEveryNodeInTurnLosesNoAcknowledgedWrite() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.start("rolling", 3)) {
      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      AtomicInteger errors = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      int writers = 2;
      ExecutorService pool = Executors.newFixedThreadPool(writers);
      List<HostAndPort> seeds = new ArrayList<>();
      for (InProcessCluster.Node n : cluster.nodes()) {
        seeds.add(new HostAndPort(n.host(), n.port()));
      }
      try (JedisCluster jedis = new JedisCluster(new java.util.HashSet<>(seeds))) {
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          int writer = w;
          running.add(pool.submit(() -> {
            for (int i = 0; !stop.get(); i++) {
              String key = "roll:" + (i * writers + writer);
              String value = "v" + i;
              try {
                if ("OK".equals(jedis.set(key, value))) {
                  acknowledged.put(key, value);
                }
              } catch (RuntimeException e) {
                errors.incrementAndGet(); // outcome unknown: not counted as acknowledged
              }
            }
          }));
        }
        Thread.sleep(2000);
        for (InProcessCluster.Node node : cluster.nodes()) {
          int before = acknowledged.size();
          node.stop();
          Thread.sleep(2000);
          node.start();
          cluster.awaitHealthy(Duration.ofSeconds(90));
          LOG.info("rolling restart: {} back; {} writes acknowledged meanwhile, {} client errors so far",
              node.describe(), acknowledged.size() - before, errors.get());
          // A writer may still be inside one call that JedisCluster retries for up to its
          // total retry time (10 s), so progress is awaited rather than sampled.
          long progressDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (acknowledged.size() <= before && System.nanoTime() < progressDeadline) {
            Thread.sleep(100);
          }
          assertThat(acknowledged.size()).as("writes went on after %s restarted", node.describe())
              .isGreaterThan(before);
        }
        stop.set(true);
        for (Future<?> f : running) {
          f.get(2, TimeUnit.MINUTES);
        }
        LOG.info("rolling restart: {} writes acknowledged, {} client errors", acknowledged.size(),
            errors.get());
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
          assertThat(jedis.get(e.getKey())).as("acknowledged write %s", e.getKey())
              .isEqualTo(e.getValue());
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void aMemberRestartsAtOnceWhileTheNodeItJoinedIsDown() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.start("join-target-down", 3)) {
      InProcessCluster.Node target = cluster.node(0);
      InProcessCluster.Node member = cluster.node(1); // started with --join to node 0
      member.stop();
      target.stop();

      long started = System.nanoTime();
      member.start();
      long seconds = (System.nanoTime() - started) / 1_000_000_000;
      // Waiting for the --join node would take its full retry time (60 s) and then some.
      assertThat(seconds).as("restart time of a member whose --join node is down").isLessThan(30);
      cluster.awaitHealthy(Duration.ofSeconds(90));
      try (JedisCluster jedis = new JedisCluster(new HostAndPort(member.host(), member.port()))) {
        for (int i = 0; i < 100; i++) {
          String key = "jt:" + i;
          String value = "v" + i;
          assertThat(retryingTryAgain(() -> jedis.set(key, value))).isEqualTo("OK");
        }
        for (int i = 0; i < 100; i++) {
          String key = "jt:" + i;
          assertThat(retryingTryAgain(() -> jedis.get(key))).isEqualTo("v" + i);
        }
      }
    }
  }

  /**
   * Runs {@code call} again on TRYAGAIN for up to 10 s, as a Redis Cluster client should: with
   * two of three nodes up the balancer still spreads leadership between them, and a command that
   * meets a group while its leadership moves gets TRYAGAIN (Jedis does not retry it itself).
   */
  private static String retryingTryAgain(Supplier<String> call) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return call.get();
      } catch (JedisDataException e) {
        if (!String.valueOf(e.getMessage()).startsWith("TRYAGAIN")
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
