package io.kvorum.it.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.RespReply;
import io.kvorum.it.fixture.TargetServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.ClusterPipeline;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.SetParams;

/**
 * The clients people actually use work against a Kvorum node with their default settings:
 * Jedis (plain and cluster), Lettuce (standalone in RESP2 and RESP3, cluster) and
 * {@code redis-cli -c}. Each test does what an application does (set, get, incr, expire, mget
 * of hash-tagged keys, pipelining) and checks what the application would see.
 *
 * <p>TTLs are checked with seconds of slack below the value set: a slow CI machine may take a
 * second between EXPIRE and TTL; a wrong unit or a missing expiry is still caught.
 *
 * <p>The cluster clients discover the node through {@code CLUSTER SLOTS}/{@code CLUSTER NODES}
 * and route by slot, so they also check that the node presents itself as a Redis Cluster owning
 * every slot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClientCompatibilityTest {

  private TargetServer server;

  @BeforeAll
  void startServer() throws Exception {
    server = TargetServer.start("clients");
    awaitWritable();
  }

  @AfterAll
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  // --- Jedis ---------------------------------------------------------------------------------

  @Test
  void jedisPlainConnection() {
    try (Jedis jedis = new Jedis(server.host(), server.port())) {
      assertThat(jedis.ping()).isEqualTo("PONG");
      assertThat(jedis.set("jedis:greeting", "hello")).isEqualTo("OK");
      assertThat(jedis.get("jedis:greeting")).isEqualTo("hello");
      assertThat(jedis.get("jedis:missing")).isNull();

      assertThat(jedis.incr("jedis:counter")).isEqualTo(1);
      assertThat(jedis.incrBy("jedis:counter", 41)).isEqualTo(42);
      assertThat(jedis.set("jedis:temp", "x", SetParams.setParams().ex(100))).isEqualTo("OK");
      assertThat(jedis.ttl("jedis:temp")).isBetween(90L, 100L);
      assertThat(jedis.expire("jedis:greeting", 500)).isEqualTo(1);
      assertThat(jedis.ttl("jedis:greeting")).isBetween(490L, 500L);
      assertThat(jedis.persist("jedis:greeting")).isEqualTo(1);
      assertThat(jedis.ttl("jedis:greeting")).isEqualTo(-1);

      assertThat(jedis.mset("{jedis}a", "1", "{jedis}b", "2")).isEqualTo("OK");
      assertThat(jedis.mget("{jedis}a", "{jedis}b", "{jedis}missing")).containsExactly("1", "2", null);
      assertThat(jedis.del("{jedis}a", "{jedis}b")).isEqualTo(2);
      assertThat(jedis.exists("{jedis}a")).isFalse();
    }
  }

  @Test
  void jedisPipelineKeepsOrderAndDeliversEveryReply() {
    int count = 1000;
    try (Jedis jedis = new Jedis(server.host(), server.port())) {
      Pipeline pipeline = jedis.pipelined();
      List<Response<String>> sets = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        sets.add(pipeline.set("jedis:pipe:" + i, "v" + i));
      }
      Response<Long> counter = pipeline.incrBy("jedis:pipe:counter", count);
      List<Response<String>> gets = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        gets.add(pipeline.get("jedis:pipe:" + i));
      }
      pipeline.sync();
      for (int i = 0; i < count; i++) {
        assertThat(sets.get(i).get()).isEqualTo("OK");
        assertThat(gets.get(i).get()).isEqualTo("v" + i);
      }
      assertThat(counter.get()).isEqualTo(count);
    }
  }

  @Test
  @SuppressWarnings("deprecation") // JedisCluster: deprecated in Jedis 7 for RedisClusterClient, but what most applications run
  void jedisClusterRoutesKeysOfEverySlotRange() {
    try (JedisCluster cluster = new JedisCluster(Set.of(new HostAndPort(server.host(), server.port())))) {
      assertThat(cluster.getClusterNodes()).as("nodes discovered through CLUSTER SLOTS").isNotEmpty();
      // Untagged keys land all over the slot space, so every slot group gets some.
      for (int i = 0; i < 200; i++) {
        assertThat(cluster.set("jc:" + i, "v" + i)).isEqualTo("OK");
      }
      for (int i = 0; i < 200; i++) {
        assertThat(cluster.get("jc:" + i)).isEqualTo("v" + i);
      }
      assertThat(cluster.incr("jc:counter")).isEqualTo(1);
      assertThat(cluster.expire("jc:counter", 300)).isEqualTo(1);
      assertThat(cluster.ttl("jc:counter")).isBetween(290L, 300L);
      assertThat(cluster.mset("{jc}x", "1", "{jc}y", "2")).isEqualTo("OK");
      assertThat(cluster.mget("{jc}x", "{jc}y")).containsExactly("1", "2");

      try (ClusterPipeline pipeline = cluster.pipelined()) {
        List<Response<String>> gets = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          gets.add(pipeline.get("jc:" + i));
        }
        pipeline.sync();
        for (int i = 0; i < 200; i++) {
          assertThat(gets.get(i).get()).isEqualTo("v" + i);
        }
      }
    }
  }

  // --- Lettuce -------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
  void lettuceStandalone(ProtocolVersion protocol) throws Exception {
    RedisClient client = RedisClient.create(RedisURI.create(server.host(), server.port()));
    client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      assertThat(((StatefulRedisConnectionImpl<?, ?>) connection).getConnectionState().getNegotiatedProtocolVersion())
          .as("protocol negotiated with HELLO").isEqualTo(protocol);
      String prefix = "lettuce:" + protocol + ":";
      RedisCommands<String, String> sync = connection.sync();
      assertThat(sync.set(prefix + "k", "v")).isEqualTo("OK");
      assertThat(sync.get(prefix + "k")).isEqualTo("v");
      assertThat(sync.get(prefix + "missing")).isNull();
      assertThat(sync.incr(prefix + "n")).isEqualTo(1);
      assertThat(sync.incrbyfloat(prefix + "f", 1.5)).isEqualTo(1.5);
      assertThat(sync.expire(prefix + "k", 200)).isTrue();
      assertThat(sync.ttl(prefix + "k")).isBetween(190L, 200L);
      Map<String, String> tagged = new LinkedHashMap<>();
      tagged.put("{" + prefix + "}a", "1");
      tagged.put("{" + prefix + "}b", "2");
      assertThat(sync.mset(tagged)).isEqualTo("OK");
      assertThat(sync.mget("{" + prefix + "}a", "{" + prefix + "}b", "{" + prefix + "}c"))
          .containsExactly(KeyValue.just("{" + prefix + "}a", "1"), KeyValue.just("{" + prefix + "}b", "2"),
              KeyValue.empty("{" + prefix + "}c"));

      // Pipelining the Lettuce way: queue without flushing, flush once, await all.
      RedisAsyncCommands<String, String> async = connection.async();
      connection.setAutoFlushCommands(false);
      List<RedisFuture<String>> sets = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        sets.add(async.set(prefix + "pipe:" + i, "v" + i));
      }
      List<RedisFuture<String>> gets = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        gets.add(async.get(prefix + "pipe:" + i));
      }
      connection.flushCommands();
      connection.setAutoFlushCommands(true);
      for (int i = 0; i < 500; i++) {
        assertThat(sets.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("OK");
        assertThat(gets.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("v" + i);
      }
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    }
  }

  @Test
  void lettuceClusterSplitsMultiKeyCommandsAcrossSlots() {
    RedisClusterClient client = RedisClusterClient.create(RedisURI.create(server.host(), server.port()));
    client.setOptions(ClusterClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
    try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
      RedisAdvancedClusterCommands<String, String> sync = connection.sync();
      assertThat(connection.getPartitions().size()).as("cluster nodes Lettuce discovered").isPositive();
      for (int i = 0; i < 100; i++) {
        assertThat(sync.set("lc:" + i, "v" + i)).isEqualTo("OK");
      }
      // Lettuce's cluster API cuts an MGET/MSET over many slots into one command per slot.
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        keys.add("lc:" + i);
      }
      List<KeyValue<String, String>> values = sync.mget(keys.toArray(String[]::new));
      for (int i = 0; i < 100; i++) {
        assertThat(values.get(i)).isEqualTo(KeyValue.just("lc:" + i, "v" + i));
      }
      Map<String, String> spread = new LinkedHashMap<>();
      for (int i = 0; i < 50; i++) {
        spread.put("lc:m:" + i, "m" + i);
      }
      assertThat(sync.mset(spread)).isEqualTo("OK");
      assertThat(sync.get("lc:m:49")).isEqualTo("m49");
      assertThat(sync.incr("lc:counter")).isEqualTo(1);
      assertThat(sync.pexpire("lc:counter", 100_000)).isTrue();
      assertThat(sync.pttl("lc:counter")).isBetween(90_000L, 100_000L);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    }
  }

  // --- redis-cli -----------------------------------------------------------------------------

  @Test
  void redisCliInClusterMode() throws Exception {
    assertThat(redisCli("SET", "cli:key", "hello world")).isEqualTo("OK");
    assertThat(redisCli("GET", "cli:key")).isEqualTo("hello world");
    assertThat(redisCli("INCRBY", "cli:n", "5")).isEqualTo("5");
    assertThat(redisCli("EXPIRE", "cli:n", "100")).isEqualTo("1");
    assertThat(Long.parseLong(redisCli("TTL", "cli:n"))).isBetween(90L, 100L);
    assertThat(redisCli("MSET", "{cli}a", "1", "{cli}b", "2")).isEqualTo("OK");
    assertThat(redisCli("MGET", "{cli}a", "{cli}b")).isEqualTo("1\n2");
    assertThat(redisCli("CLUSTER", "KEYSLOT", "cli:key")).isEqualTo(String.valueOf(io.kvorum.it.fixture.HashSlot.of("cli:key")));
    // An error reaches the user as Redis's text.
    assertThat(redisCli("INCR", "cli:key")).isEqualTo("ERR value is not an integer or out of range");
  }

  /** Runs redis-cli -c against the server; returns its output without trailing newlines. */
  private String redisCli(String... command) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(redisCliBinary(), "-c", "-h", server.host(), "-p", String.valueOf(server.port())));
    argv.addAll(List.of(command));
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("redis-cli finished").isTrue();
    String text = new String(output, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("redis-cli %s exit code (output: %s)", String.join(" ", command), text).isZero();
    return text.stripTrailing(); // redis-cli ends values with one newline, errors with two
  }

  private static String redisCliBinary() {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(entry, "redis-cli");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException("redis-cli is not installed: run `make deps` (Debian package redis-tools)");
  }

  /** Until FLUSHALL succeeds: a fresh node refuses writes until its Raft groups have leaders; the flush
   * gives tests that count (INCR → 1) a clean slate also on a -Dkvorum.target server. */
  private void awaitWritable() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (System.nanoTime() < deadline) {
      try (RawResp connection = server.connect()) {
        RespReply reply = connection.call("FLUSHALL");
        if ("OK".equals(reply.text())) {
          return;
        }
        last = reply.render();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new AssertionError(server.describe() + " did not accept writes within 60 s: " + last);
  }
}
