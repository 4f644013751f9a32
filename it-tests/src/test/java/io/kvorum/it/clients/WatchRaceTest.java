package io.kvorum.it.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.fixture.TargetServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * WATCH as applications use it: several Jedis connections race optimistic increments (WATCH,
 * GET, MULTI, SET, EXEC, retry on a null EXEC). Every EXEC that ran must have seen the value no
 * other EXEC changed after its WATCH, so the counter ends at exactly the number of EXECs that ran.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WatchRaceTest {
  private TargetServer server;

  @BeforeAll
  void start() throws InterruptedException {
    server = TargetServer.start("watch-race");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      // A fresh node answers PING before its slot groups have leaders.
      try (Jedis jedis = new Jedis(server.host(), server.port())) {
        if ("OK".equals(jedis.set("{race}ready", "1"))) {
          return;
        }
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      Thread.sleep(200);
    }
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  @Test
  void racingOptimisticIncrementsNeverLoseAnUpdate() throws Exception {
    int workers = 4;
    int increments = 50;
    AtomicInteger aborted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try (Jedis setup = new Jedis(server.host(), server.port())) {
      setup.del("{race}counter", "{race}log");
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        running.add(pool.submit(() -> {
          try (Jedis jedis = new Jedis(server.host(), server.port())) {
            for (int done = 0; done < increments; ) {
              jedis.watch("{race}counter");
              String current = jedis.get("{race}counter");
              long next = (current == null ? 0 : Long.parseLong(current)) + 1;
              Transaction t = jedis.multi();
              t.set("{race}counter", Long.toString(next));
              t.rpush("{race}log", Long.toString(next));
              if (t.exec() == null) {
                aborted.incrementAndGet();
              } else {
                done++;
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : running) {
        f.get(2, TimeUnit.MINUTES);
      }
      assertThat(setup.get("{race}counter")).isEqualTo(Integer.toString(workers * increments));
      // Each successful EXEC appended the value it wrote: no value twice, none skipped.
      List<String> log = setup.lrange("{race}log", 0, -1);
      assertThat(log).hasSize(workers * increments);
      for (int i = 0; i < log.size(); i++) {
        assertThat(log.get(i)).isEqualTo(Integer.toString(i + 1));
      }
      assertThat(aborted.get()).as("the connections did race").isPositive();
    } finally {
      pool.shutdownNow();
    }
  }
}
