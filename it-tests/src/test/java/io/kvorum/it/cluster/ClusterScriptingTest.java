package io.kvorum.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.fixture.HashSlot;
import io.kvorum.it.fixture.KvorumProcess;
import io.kvorum.it.fixture.ProcessCluster;
import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.ReplicaStores;
import io.kvorum.it.fixture.RespReply;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;

/**
 * Lua scripting on a 3-process cluster, through JedisCluster: a script or library loaded on one
 * node serves keys of every slot group on every node, and a write script using math.random has
 * the same effect on every replica, so a leader killed under load loses no acknowledged effect
 * and the new leader holds exactly the numbers the old one answered, as does every replica's
 * own database once the cluster has caught up and stopped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterScriptingTest {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterScriptingTest.class);
  private static final String INCR = "return redis.call('incrby', KEYS[1], ARGV[1])";
  private static final String LIB = "#!lua name=clib\n"
      + "redis.register_function('cbump', function(keys, args)"
      + " return redis.call('incrby', keys[1], args[1]) end)\n"
      + "redis.register_function{function_name='cpeek', callback=function(keys)"
      + " return redis.call('get', keys[1]) end, flags={'no-writes'}}\n";
  /** Appends a random number to a list and answers it: the reply shows what the leader drew. */
  private static final String DRAW =
      "local r = math.random(1000000000) redis.call('rpush', KEYS[1], r) return r";
  private ProcessCluster cluster;

  @BeforeAll
  void startCluster() {
    cluster = ProcessCluster.start("cluster-scripting", 3);
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void scriptLoadedOnOneNodeRunsForKeysOfEveryGroup() throws IOException {
    String sha;
    try (RawResp c = RawResp.connect(cluster.node(1).host(), cluster.node(1).port())) {
      sha = c.call("SCRIPT", "LOAD", INCR).text();
    }
    List<String> keys = oneKeyPerSlotBlock("sc:");
    try (JedisCluster jedis = jedis()) {
      for (String key : keys) {
        assertThat(jedis.evalsha(sha, List.of(key), List.of("5"))).as(key).isEqualTo(5L);
        assertThat(jedis.evalsha(sha, List.of(key), List.of("2"))).as(key).isEqualTo(7L);
        assertThat(jedis.get(key)).isEqualTo("7");
      }
    }
    for (KvorumProcess n : cluster.nodes()) {
      try (RawResp c = RawResp.connect(n.host(), n.port())) {
        assertThat(c.call("SCRIPT", "EXISTS", sha).elements().get(0).asLong())
            .as("every group node %s leads has the script", n.port()).isEqualTo(1);
      }
    }
  }

  @Test
  @Order(2)
  void functionLoadedOnOneNodeRunsForKeysOfEveryGroup() throws IOException {
    try (RawResp c = RawResp.connect(cluster.node(2).host(), cluster.node(2).port())) {
      assertThat(c.call("FUNCTION", "LOAD", LIB).text()).isEqualTo("clib");
    }
    List<String> keys = oneKeyPerSlotBlock("fn:");
    try (JedisCluster jedis = jedis()) {
      // JedisCluster sends FUNCTION LOAD to every node: the same library again is accepted.
      assertThat(jedis.functionLoad(LIB)).isEqualTo("clib");
      for (String key : keys) {
        assertThat(jedis.fcall("cbump", List.of(key), List.of("4"))).as(key).isEqualTo(4L);
        assertThat(jedis.fcallReadonly("cpeek", List.of(key), List.of())).as(key)
            .isEqualTo("4");
      }
    }
    for (KvorumProcess n : cluster.nodes()) {
      try (RawResp c = RawResp.connect(n.host(), n.port())) {
        RespReply list = c.call("FUNCTION", "LIST");
        assertThat(list.elements()).as("node %s lists the library", n.port()).hasSize(1);
      }
    }
  }

  @Test
  @Order(3)
  void randomWriteScriptsSurviveALeaderKillWithTheNumbersTheClientsSaw() throws Exception {
    KvorumProcess victim = leaderOf("{draw}");
    KvorumProcess seed = cluster.nodes().stream().filter(n -> n != victim).findFirst()
        .orElseThrow();
    int writers = 4;
    // Each writer appends to its own list, one script at a time: the list is the sequence of
    // its runs, acknowledged or of unknown outcome.
    Map<Integer, List<String>> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger errors = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    Map<String, List<String>> leaderLists = new HashMap<>();
    try (JedisCluster jedis = new JedisCluster(new HostAndPort(seed.host(), seed.port()))) {
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        acknowledged.put(writer, new ArrayList<>());
        running.add(pool.submit(() -> {
          while (!stop.get()) {
            try {
              Object r = jedis.eval(DRAW, List.of("{draw}" + writer), List.of());
              acknowledged.get(writer).add(Long.toString((Long) r));
            } catch (RuntimeException e) {
              errors.incrementAndGet(); // unknown outcome: the run may or may not be applied
            }
          }
        }));
      }
      Thread.sleep(2000);
      victim.kill9();
      Thread.sleep(6000);
      stop.set(true);
      for (Future<?> f : running) {
        f.get(2, TimeUnit.MINUTES);
      }
      int total = acknowledged.values().stream().mapToInt(List::size).sum();
      LOG.info("scripting failover: {} acknowledged runs, {} client errors", total, errors.get());
      assertThat(leaderOf("{draw}")).as("a survivor leads the group now").isNotSameAs(victim);
      for (int w = 0; w < writers; w++) {
        List<String> stored = jedis.lrange("{draw}" + w, 0, -1);
        leaderLists.put("{draw}" + w, stored);
        List<String> acked = acknowledged.get(w);
        assertThat(acked).as("writer %s ran scripts", w).isNotEmpty();
        // The new leader computed every stored number itself, at apply: equal to the numbers
        // the old leader answered, in order; runs of unknown outcome (or retried by the client
        // after the kill) may sit in between.
        assertThat(isSubsequence(acked, stored))
            .as("writer %s: acknowledged %s within stored %s", w, acked, stored).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }

    // Every replica drew the same numbers at apply, not only the new leader: with the victim
    // caught up and every node stopped (this is the last test), each replica's own database
    // holds exactly the new leader's lists.
    victim.restart();
    cluster.awaitHealthy(Duration.ofSeconds(120));
    ReplicaStores.awaitSameAppliedIndex(cluster.nodes(), Duration.ofSeconds(60));
    for (KvorumProcess n : cluster.nodes()) {
      n.stop();
    }
    for (KvorumProcess n : cluster.nodes()) {
      assertThat(ReplicaStores.lists(n, List.copyOf(leaderLists.keySet())))
          .as("the replica of %s", n.describe()).isEqualTo(leaderLists);
    }
  }

  private static boolean isSubsequence(List<String> sub, List<String> all) {
    int i = 0;
    for (String s : all) {
      if (i < sub.size() && sub.get(i).equals(s)) {
        i++;
      }
    }
    return i == sub.size();
  }

  private JedisCluster jedis() {
    KvorumProcess seed = cluster.node(0);
    return new JedisCluster(new HostAndPort(seed.host(), seed.port()));
  }

  /**
   * One key per block of 256 slots: slot groups are contiguous slot ranges (16 of 1024 slots
   * here), so these keys fall in every group whatever the group count up to 64.
   */
  private static List<String> oneKeyPerSlotBlock(String prefix) {
    List<String> keys = new ArrayList<>();
    for (int block = 0; block < 16384 / 256; block++) {
      for (int i = 0; ; i++) {
        if (HashSlot.of(prefix + i) / 256 == block) {
          keys.add(prefix + i);
          break;
        }
      }
    }
    return keys;
  }

  /** The node that CLUSTER SLOTS (asked of a live node) names as leader of {@code key}. */
  private KvorumProcess leaderOf(String key) throws IOException {
    int slot = HashSlot.of(key);
    for (KvorumProcess asked : cluster.nodes()) {
      if (!asked.isAlive()) {
        continue;
      }
      try (RawResp c = RawResp.connect(asked.host(), asked.port())) {
        for (RespReply range : c.call("CLUSTER", "SLOTS").elements()) {
          List<RespReply> e = range.elements();
          if (e.get(0).asLong() <= slot && slot <= e.get(1).asLong()) {
            return cluster.byPort((int) e.get(2).elements().get(1).asLong());
          }
        }
      }
    }
    throw new IllegalStateException("no live node covers slot " + slot);
  }
}
