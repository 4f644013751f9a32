package io.kvorum.resp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.resp.testing.TestServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.Pipeline;

/** Jedis, Lettuce and redis-cli against a real RespServer. */
class RealClientsTest {
  @TempDir static Path dir;
  static TestServer node;

  @BeforeAll
  static void start() {
    node = new TestServer(dir);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void jedisStandaloneAndPipeline() {
    try (Jedis jedis = new Jedis("127.0.0.1", node.port())) {
      assertThat(jedis.ping()).isEqualTo("PONG");
      assertThat(jedis.set("jedis:a", "1")).isEqualTo("OK");
      assertThat(jedis.incr("jedis:a")).isEqualTo(2);
      assertThat(jedis.get("jedis:a")).isEqualTo("2");
      Pipeline p = jedis.pipelined();
      List<redis.clients.jedis.Response<String>> gets = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        p.set("jedis:p" + i, "v" + i);
        gets.add(p.get("jedis:p" + i));
      }
      p.sync();
      for (int i = 0; i < 200; i++) {
        assertThat(gets.get(i).get()).isEqualTo("v" + i);
      }
      assertThat(jedis.clientList()).contains("cmd=client|list");
      assertThat(jedis.info("server")).contains("redis_version:7.0.15");
    }
  }

  @Test
  void jedisClusterClientFindsEverySlotHere() {
    try (JedisCluster cluster = new JedisCluster(new HostAndPort("127.0.0.1", node.port()))) {
      for (int i = 0; i < 50; i++) {
        cluster.set("jc:" + i, Integer.toString(i));
      }
      for (int i = 0; i < 50; i++) {
        assertThat(cluster.get("jc:" + i)).isEqualTo(Integer.toString(i));
      }
      assertThat(cluster.getClusterNodes()).hasSize(1);
    }
  }

  @Test
  void lettuceResp3AndCluster() throws Exception {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", node.port()));
    try (StatefulRedisConnection<String, String> conn = client.connect()) {
      RedisCommands<String, String> sync = conn.sync();
      assertThat(sync.set("lettuce:a", "x")).isEqualTo("OK");
      assertThat(sync.get("lettuce:a")).isEqualTo("x");
      assertThat(sync.get("lettuce:none")).isNull();
      assertThat(sync.clientInfo()).contains("resp=3").contains("lib-name=Lettuce");
      RedisAsyncCommands<String, String> async = conn.async();
      conn.setAutoFlushCommands(false);
      List<io.lettuce.core.RedisFuture<Long>> incrs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        incrs.add(async.incr("lettuce:counter"));
      }
      conn.flushCommands();
      for (int i = 0; i < 100; i++) {
        assertThat(incrs.get(i).get(5, TimeUnit.SECONDS)).isEqualTo(i + 1);
      }
      conn.setAutoFlushCommands(true);
      assertThat(sync.command()).isNotEmpty();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    RedisClusterClient cluster = RedisClusterClient.create(RedisURI.create("127.0.0.1", node.port()));
    try (StatefulRedisClusterConnection<String, String> conn = cluster.connect()) {
      conn.sync().set("lc:1", "a");
      assertThat(conn.sync().get("lc:1")).isEqualTo("a");
      assertThat(conn.sync().clusterMyId()).isEqualTo(io.kvorum.resp.testing.LocalStoreRouter.SELF_ID);
      assertThat(conn.getPartitions().size()).isEqualTo(1);
    } finally {
      cluster.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  static boolean hasRedisCli() {
    for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(p, "redis-cli").canExecute()) {
        return true;
      }
    }
    return false;
  }

  static String redisCli(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(node.port())));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void redisCli() throws Exception {
    assertThat(hasRedisCli()).as("redis-cli must be installed (make test installs it)").isTrue();
    assertThat(redisCli("set", "cli:a", "hello")).isEqualTo("OK\n");
    assertThat(redisCli("get", "cli:a")).isEqualTo("hello\n");
    assertThat(redisCli("--no-raw", "get", "cli:none")).isEqualTo("(nil)\n");
    assertThat(redisCli("-c", "set", "cli:b", "1")).isEqualTo("OK\n");
    assertThat(redisCli("-3", "hello", "3")).contains("7.0.15");
    assertThat(redisCli("foo", "bar"))
        .startsWith("ERR unknown command 'foo', with args beginning with: 'bar' \n");
    assertThat(redisCli("cluster", "info")).startsWith("cluster_state:ok\r\n");
    assertThat(redisCli("--cluster", "check", "127.0.0.1:" + node.port()))
        .contains("[OK] All 16384 slots covered.");
  }
}
