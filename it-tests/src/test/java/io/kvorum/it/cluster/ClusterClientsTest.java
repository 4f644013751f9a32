package io.kvorum.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.fixture.KvorumProcess;
import io.kvorum.it.fixture.ProcessCluster;
import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.RespReply;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;

/**
 * A 3-node cluster formed with {@code --join}, used by the cluster clients people run against
 * Redis Cluster today, unchanged: JedisCluster, Lettuce's RedisClusterClient and {@code
 * redis-cli -c}. Each does mixed reads and writes over 10,000 keys spread over every slot group
 * and every reply is checked; the keys must end up led by all three nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ClusterClientsTest {
  private static final int KEYS = 10_000;
  private ProcessCluster cluster;

  @BeforeAll
  void startCluster() {
    cluster = ProcessCluster.start("cluster-clients", 3);
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyNodeLeadsSomeSlotsAndAgreesOnTheTopology() throws IOException {
    Set<String> views = new HashSet<>();
    Set<String> masters = new HashSet<>();
    for (KvorumProcess n : cluster.nodes()) {
      try (RawResp c = RawResp.connect(n.host(), n.port())) {
        RespReply slots = c.call("CLUSTER", "SLOTS");
        StringBuilder view = new StringBuilder();
        for (RespReply range : slots.elements()) {
          RespReply master = range.elements().get(2);
          view.append(range.elements().get(0).asLong()).append('-')
              .append(master.elements().get(1).asLong()).append(' ');
          masters.add(master.elements().get(1).text());
          assertThat(range.elements()).as("master and two replicas").hasSize(5);
        }
        views.add(view.toString());
        assertThat(c.call("CLUSTER", "INFO").text()).contains("cluster_state:ok")
            .contains("cluster_known_nodes:3");
      }
    }
    assertThat(views).as("all nodes report the same leaders").hasSize(1);
    assertThat(masters).as("leadership is spread over the three nodes").hasSize(3);
  }

  @Test
  void jedisClusterReadsAndWritesTenThousandKeys() throws Exception {
    KvorumProcess seed = cluster.node(1);
    int threads = 8;
    try (JedisCluster jedis = new JedisCluster(new HostAndPort(seed.host(), seed.port()))) {
      // Several application threads share one JedisCluster, as web servers do; each owns a
      // slice of the keys and its own counters, so every reply is predictable.
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int slice = t;
          done.add(pool.submit(() -> jedisWorkload(jedis, slice, threads)));
        }
        for (Future<?> f : done) {
          f.get(5, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(jedis.mget("{jc}a", "{jc}b")).containsExactly(null, null);
    }
    assertThat(keysPerNode("jc:")).allSatisfy(n -> assertThat(n).isGreaterThan(KEYS / 10));
  }

  private static void jedisWorkload(JedisCluster jedis, int slice, int slices) {
    Random random = new Random(7 + slice);
    List<Integer> mine = new ArrayList<>();
    for (int i = slice; i < KEYS; i += slices) {
      mine.add(i);
      assertThat(jedis.set("jc:" + i, "v" + i)).isEqualTo("OK");
    }
    long[] counters = new long[10];
    for (int op = 0; op < mine.size(); op++) {
      int i = mine.get(random.nextInt(mine.size()));
      switch (random.nextInt(4)) {
        case 0 -> assertThat(jedis.get("jc:" + i)).isEqualTo("v" + i);
        case 1 -> {
          int c = random.nextInt(counters.length);
          assertThat(jedis.incr("jc:counter:" + slice + ":" + c)).isEqualTo(++counters[c]);
        }
        case 2 -> assertThat(jedis.hset("jc:hash:" + i, "f", "x")).isBetween(0L, 1L);
        default -> assertThat(jedis.exists("jc:" + i)).isTrue();
      }
    }
    for (int c = 0; c < counters.length; c++) {
      assertThat(jedis.get("jc:counter:" + slice + ":" + c))
          .isEqualTo(counters[c] == 0 ? null : String.valueOf(counters[c]));
    }
  }

  @Test
  void lettuceClusterClientReadsAndWritesTenThousandKeys() throws Exception {
    KvorumProcess seed = cluster.node(2);
    RedisClusterClient client =
        RedisClusterClient.create(RedisURI.create(seed.host(), seed.port()));
    try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
      assertThat(connection.getPartitions().size()).isGreaterThanOrEqualTo(3);
      for (RedisClusterNode node : connection.getPartitions()) {
        assertThat(node.getUri().getPort()).isIn(
            cluster.nodes().stream().map(KvorumProcess::port).toList());
      }
      RedisAdvancedClusterAsyncCommands<String, String> async = connection.async();
      List<RedisFuture<String>> sets = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        sets.add(async.set("lc:" + i, "v" + i));
      }
      for (RedisFuture<String> f : sets) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo("OK");
      }
      List<RedisFuture<String>> gets = new ArrayList<>();
      List<RedisFuture<Long>> appends = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        gets.add(async.get("lc:" + i));
        if (i % 2 == 0) {
          appends.add(async.append("lc:" + i, "+"));
        }
      }
      for (int i = 0; i < KEYS; i++) {
        assertThat(gets.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("v" + i);
      }
      for (int j = 0; j < appends.size(); j++) {
        assertThat(appends.get(j).get(30, TimeUnit.SECONDS))
            .isEqualTo(("v" + (2 * j) + "+").length());
      }
      assertThat(connection.sync().get("lc:10")).isEqualTo("v10+");
      assertThat(connection.sync().get("lc:11")).isEqualTo("v11");
    } finally {
      client.shutdown();
    }
    assertThat(keysPerNode("lc:")).allSatisfy(n -> assertThat(n).isGreaterThan(KEYS / 10));
  }

  @Test
  void redisCliFollowsRedirects() throws Exception {
    int n = 2_000;
    StringBuilder commands = new StringBuilder();
    for (int i = 0; i < n; i++) {
      commands.append("SET rc:").append(i).append(" v").append(i).append('\n');
    }
    for (int i = 0; i < n; i++) {
      commands.append("GET rc:").append(i).append('\n');
    }
    KvorumProcess entry = cluster.node(0);
    List<String> all = redisCli(commands.toString(), "-c", "-p", String.valueOf(entry.port()));
    List<String> out = all.stream().filter(l -> !l.startsWith("-> Redirected to slot")).toList();
    assertThat(all.size() - out.size()).as("redirects followed").isGreaterThan(n / 2);
    assertThat(out).hasSize(2 * n);
    for (int i = 0; i < n; i++) {
      assertThat(out.get(i)).as("SET rc:%d", i).isEqualTo("OK");
      assertThat(out.get(n + i)).as("GET rc:%d", i).isEqualTo("v" + i);
    }
    List<String> moved = redisCli("GET rc:0\nGET rc:1\nGET rc:2\nGET rc:3\nGET rc:4\n", "-p",
        String.valueOf(entry.port()));
    assertThat(String.join("\n", moved)).as("without -c a remote key is redirected")
        .containsPattern("MOVED \\d+ 127\\.0\\.0\\.1:\\d+");
  }

  private static List<String> redisCli(String stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("redis-cli");
    command.addAll(List.of(args));
    Path input = Files.createTempFile("redis-cli", ".txt");
    try {
      Files.writeString(input, stdin);
      Process p = new ProcessBuilder(command).redirectInput(input.toFile())
          .redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      return output.isEmpty() ? List.of() : List.of(output.split("\n"));
    } finally {
      Files.deleteIfExists(input);
    }
  }

  /** Keys with {@code prefix} that each node leads (SCAN covers the groups a node leads). */
  private List<Integer> keysPerNode(String prefix) {
    List<Integer> counts = new ArrayList<>();
    for (KvorumProcess n : cluster.nodes()) {
      try (RawResp c = RawResp.connect(n.host(), n.port())) {
        String cursor = "0";
        int count = 0;
        do {
          RespReply r = c.call("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000");
          cursor = r.elements().get(0).text();
          count += r.elements().get(1).elements().size();
        } while (!cursor.equals("0"));
        counts.add(count);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    assertThat(counts.stream().mapToInt(Integer::intValue).sum())
        .as("every key is led by exactly one node").isGreaterThanOrEqualTo(KEYS);
    return counts;
  }
}
