package io.kvorum.it.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.kvorum.it.fixture.ItEnvironment;
import io.kvorum.it.fixture.KvorumProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;

/**
 * "Never loses an acknowledged write", tested the blunt way: several clients write (SET of
 * unique keys, INCR of shared counters) to a Kvorum node running as its own process, the node is
 * killed with SIGKILL at a random moment under that load, restarted on the same data directory,
 * and every write it had acknowledged must be there. Counters must be at least the acknowledged
 * increments and at most the attempted ones (a retried or unanswered INCR may or may not have
 * happened). Several cycles on the same data, so recovery of recovered data is tested too.
 *
 * <p>Knobs: {@code -Dkvorum.crash.cycles} (3), {@code -Dkvorum.crash.writers} (4),
 * {@code -Dkvorum.seed} (kill timing).
 */
class CrashRecoveryTest {

  private static final long DEFAULT_SEED = 7_031_977L;
  private static final int COUNTERS = 8;
  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(90);

  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void everyAcknowledgedWriteSurvivesKillMinus9() throws Exception {
    long seed = ItEnvironment.seed(DEFAULT_SEED);
    Random random = new Random(seed);
    int cycles = ItEnvironment.intProperty("kvorum.crash.cycles", 3);
    int writers = ItEnvironment.intProperty("kvorum.crash.writers", 4);
    AcknowledgedWrites acknowledged = new AcknowledgedWrites(COUNTERS);

    try (KvorumProcess node = KvorumProcess.start("crash")) {
      System.out.printf("crash: seed %d, %d cycles, %d writers, %s%n", seed, cycles, writers, node.describe());
      for (int cycle = 1; cycle <= cycles; cycle++) {
        awaitWritable(node);
        long acknowledgedBefore = acknowledged.acknowledgedTotal();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          Thread thread = new Thread(new Writer(node, cycle, w, acknowledged, stop), "crash-writer-" + cycle + "-" + w);
          thread.setDaemon(true);
          threads.add(thread);
          thread.start();
        }

        // Load for a random while, but make sure the node really acknowledged writes in this
        // cycle before killing it: a kill of an idle node would prove nothing.
        long loadMillis = 500 + random.nextInt(2500);
        Thread.sleep(loadMillis);
        long waitedForAcks = 0;
        while (acknowledged.acknowledgedTotal() - acknowledgedBefore < 50 && waitedForAcks < 30_000) {
          Thread.sleep(100);
          waitedForAcks += 100;
        }
        long acknowledgedThisCycle = acknowledged.acknowledgedTotal() - acknowledgedBefore;
        node.kill9();
        stop.set(true);
        for (Thread thread : threads) {
          thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(acknowledgedThisCycle)
            .as("writes acknowledged in cycle %d before the kill (the node must take writes under load). Log:%n%s",
                cycle, node.logTail(40))
            .isPositive();

        node.restart();
        List<String> problems = verify(node, acknowledged);
        System.out.printf("crash: cycle %d: killed after %d ms under load; %d writes acknowledged in the cycle, "
                + "%d in total, %d unknown outcomes; %s%n", cycle, loadMillis + waitedForAcks, acknowledgedThisCycle,
            acknowledged.acknowledgedTotal(), acknowledged.unknownOutcomes.get(),
            problems.isEmpty() ? "all acknowledged writes recovered" : problems.size() + " PROBLEMS");
        if (!problems.isEmpty()) {
          fail("after kill -9 #%d and restart (seed %d), acknowledged writes are missing or wrong (%d problems, first 30):%n%s%n"
                  + "Node log (%s), last lines:%n%s", cycle, seed, problems.size(),
              String.join("\n", problems.subList(0, Math.min(30, problems.size()))), node.logFile(), node.logTail(60));
        }
      }
    }
  }

  /** One client connection writing as fast as the node acknowledges. */
  private static final class Writer implements Runnable {
    private final KvorumProcess node;
    private final int cycle;
    private final int id;
    private final AcknowledgedWrites acknowledged;
    private final AtomicBoolean stop;

    Writer(KvorumProcess node, int cycle, int id, AcknowledgedWrites acknowledged, AtomicBoolean stop) {
      this.node = node;
      this.cycle = cycle;
      this.id = id;
      this.acknowledged = acknowledged;
      this.stop = stop;
    }

    @Override
    public void run() {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      Jedis jedis = null;
      long sequence = 0;
      while (!stop.get()) {
        try {
          if (jedis == null) {
            jedis = connect(node);
          }
          if (random.nextBoolean()) {
            // Unique, untagged keys: spread over all slots, so over all slot groups.
            String key = "crash:c" + cycle + ":w" + id + ":" + sequence++;
            String value = "v" + random.nextLong();
            if ("OK".equals(jedis.set(key, value))) {
              acknowledged.sets.put(key, value);
            } else {
              acknowledged.unknownOutcomes.incrementAndGet();
            }
          } else {
            int counter = random.nextInt(acknowledged.counters());
            acknowledged.incrementAttempted(counter);
            long value = jedis.incr(AcknowledgedWrites.counterKey(counter));
            acknowledged.incrementAcknowledged(counter, value);
          }
        } catch (JedisException unknownOutcome) {
          // No reply (killed node, timeout) or an error reply: we cannot know whether it applied.
          acknowledged.unknownOutcomes.incrementAndGet();
          if (jedis != null) {
            jedis.close();
            jedis = null;
          }
          sleepQuietly(20);
        }
      }
      if (jedis != null) {
        jedis.close();
      }
    }
  }

  /** Reads back everything; retries transient unavailability (elections after restart). */
  private static List<String> verify(KvorumProcess node, AcknowledgedWrites acknowledged) throws InterruptedException {
    List<String> problems = new ArrayList<>();
    List<Map.Entry<String, String>> sets = new ArrayList<>(acknowledged.sets.entrySet());
    for (int from = 0; from < sets.size(); from += 500) {
      List<Map.Entry<String, String>> batch = sets.subList(from, Math.min(sets.size(), from + 500));
      List<String> values = withRetries(node, jedis -> {
        Pipeline pipeline = jedis.pipelined();
        List<Response<String>> responses = new ArrayList<>(batch.size());
        batch.forEach(entry -> responses.add(pipeline.get(entry.getKey())));
        pipeline.sync();
        List<String> read = new ArrayList<>(responses.size());
        responses.forEach(response -> read.add(response.get()));
        return read;
      });
      for (int i = 0; i < batch.size(); i++) {
        if (!batch.get(i).getValue().equals(values.get(i))) {
          problems.add("SET " + batch.get(i).getKey() + " was acknowledged with value " + batch.get(i).getValue()
              + ", GET now returns " + values.get(i));
        }
      }
    }
    for (int counter = 0; counter < acknowledged.counters(); counter++) {
      String key = AcknowledgedWrites.counterKey(counter);
      String raw = withRetries(node, jedis -> jedis.get(key));
      long value = raw == null ? 0 : Long.parseLong(raw);
      long low = Math.max(acknowledged.incrementsAcknowledged.get(counter), acknowledged.largestReplySeen.get(counter));
      long high = acknowledged.incrementsAttempted.get(counter);
      if (value < low || value > high) {
        problems.add(key + " = " + value + ", expected between " + low + " (acknowledged increments / largest INCR reply) and "
            + high + " (attempted increments)");
      }
    }
    return problems;
  }

  private static <T> T withRetries(KvorumProcess node, Function<Jedis, T> read) throws InterruptedException {
    long deadline = System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
    JedisException last = null;
    while (System.nanoTime() < deadline) {
      try (Jedis jedis = connect(node)) {
        return read.apply(jedis);
      } catch (JedisException e) {
        last = e;
        Thread.sleep(200);
      }
    }
    throw new AssertionError("the restarted node did not serve reads within " + RECOVERY_TIMEOUT.toSeconds()
        + " s. Log:\n" + node.logTail(60), last);
  }

  private static void awaitWritable(KvorumProcess node) throws InterruptedException {
    withRetries(node, jedis -> jedis.set("crash:probe", "1"));
  }

  private static Jedis connect(KvorumProcess node) {
    JedisClientConfig config = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(2000)
        .socketTimeoutMillis(10_000)
        .clientSetInfoConfig(ClientSetInfoConfig.DISABLED) // the test is about durability, not CLIENT SETINFO
        .build();
    return new Jedis(new HostAndPort(node.host(), node.port()), config);
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
