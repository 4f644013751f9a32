package io.kvorum.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.server.config.ServerConfigLoader;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.args.UnblockType;
import redis.clients.jedis.util.KeyValue;

/**
 * Blocking commands on a whole node (Raft, RocksDB, RESP) with Jedis and Lettuce: the pop that
 * serves a waiting client is its own Raft entry, applied after the write that woke it.
 */
class KvorumNodeBlockingTest {
  @TempDir static Path dir;
  static KvorumNode node;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @BeforeAll
  static void start() throws IOException {
    Map<String, String> flags = new HashMap<>();
    flags.put("port", Integer.toString(freePort()));
    flags.put("raft-port", Integer.toString(freePort()));
    flags.put("admin-port", Integer.toString(freePort()));
    flags.put("data-dir", dir.toString());
    node = KvorumNode.start(ServerConfigLoader.load(flags, Map.of(), null));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static Jedis jedis() {
    return new Jedis("127.0.0.1", node.respPort());
  }

  @BeforeEach
  void flush() {
    try (Jedis j = jedis()) {
      j.flushAll();
    }
  }

  /** Runs {@code call} on its own connection and thread, returning once it is blocked. */
  static <T> CompletableFuture<T> blocked(java.util.function.Function<Jedis, T> call)
      throws InterruptedException {
    Jedis j = jedis();
    long id = j.clientId();
    CompletableFuture<T> f = CompletableFuture.supplyAsync(() -> {
      try (j) {
        return call.apply(j);
      }
    });
    try (Jedis admin = jedis()) {
      long deadline = System.currentTimeMillis() + 10_000;
      while (!admin.clientList().contains("id=" + id + " ") || !blockedNow(admin, id)) {
        assertThat(System.currentTimeMillis()).as("client blocks").isLessThan(deadline);
        Thread.sleep(10);
      }
    }
    return f;
  }

  static boolean blockedNow(Jedis admin, long id) {
    for (String line : admin.clientList().split("\n")) {
      if (line.startsWith("id=" + id + " ")) {
        return line.contains(" flags=b ");
      }
    }
    return false;
  }

  @Test
  void blpopWaitsForAnRpushFromAnotherConnection() throws Exception {
    CompletableFuture<KeyValue<String, String>> pop = blocked(j -> j.blpop(0.0, "jobs"));
    Thread.sleep(200);
    assertThat(pop).isNotDone();
    try (Jedis writer = jedis()) {
      assertThat(writer.rpush("jobs", "job-1", "job-2")).isEqualTo(2);
      assertThat(pop.get(10, TimeUnit.SECONDS)).isEqualTo(new KeyValue<>("jobs", "job-1"));
      assertThat(writer.lrange("jobs", 0, -1)).containsExactly("job-2");
      assertThat(writer.info("clients")).contains("blocked_clients:0");
    }
  }

  @Test
  void xreadBlockWithDollarGetsOnlyEntriesAddedWhileItWaits() throws Exception {
    try (Jedis writer = jedis()) {
      writer.sendCommand(Protocol.Command.XADD, "events", "1-1", "old", "x");
      CompletableFuture<Object> read = blocked(j -> j.sendBlockingCommand(
          Protocol.Command.XREAD, "BLOCK", "0", "STREAMS", "events", "$"));
      Thread.sleep(200);
      assertThat(read).isNotDone();
      writer.sendCommand(Protocol.Command.XADD, "events", "2-1", "new", "y");
      String reply = render(read.get(10, TimeUnit.SECONDS));
      assertThat(reply).isEqualTo("[[events, [[2-1, [new, y]]]]]");
    }
  }

  @Test
  void xreadgroupBlockWaitsForANewEntryAndRecordsItPending() throws Exception {
    try (Jedis writer = jedis()) {
      writer.sendCommand(Protocol.Command.XGROUP, "CREATE", "jobs-stream", "workers", "$", "MKSTREAM");
      CompletableFuture<Object> read = blocked(j -> j.sendBlockingCommand(Protocol.Command.XREADGROUP,
          "GROUP", "workers", "w1", "BLOCK", "0", "STREAMS", "jobs-stream", ">"));
      writer.sendCommand(Protocol.Command.XADD, "jobs-stream", "5-1", "job", "1");
      assertThat(render(read.get(10, TimeUnit.SECONDS)))
          .isEqualTo("[[jobs-stream, [[5-1, [job, 1]]]]]");
      assertThat(render(writer.sendCommand(Protocol.Command.XPENDING, "jobs-stream", "workers")))
          .isEqualTo("[1, 5-1, 5-1, [[w1, 1]]]");
    }
  }

  @Test
  void xreadBlockTimesOutWithANullArray() {
    try (Jedis j = jedis()) {
      long start = System.nanoTime();
      assertThat(j.sendBlockingCommand(
          Protocol.Command.XREAD, "BLOCK", "300", "STREAMS", "quiet", "$")).isNull();
      assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(280));
    }
  }

  /** A raw Jedis reply as nested lists of strings. */
  static String render(Object reply) {
    if (reply instanceof byte[] b) {
      return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
    if (reply instanceof java.util.List<?> l) {
      return l.stream().map(KvorumNodeBlockingTest::render).toList().toString();
    }
    return String.valueOf(reply);
  }

  @Test
  void aTimeoutAnswersNilAfterTheTimeout() {
    try (Jedis j = jedis()) {
      long t0 = System.nanoTime();
      assertThat(j.blpop(0.4, "nothing")).isNull();
      assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(400L, 5000L);
      assertThat(j.blmove("{n}a", "{n}b", ListDirection.LEFT, ListDirection.LEFT, 0.2)).isNull();
    }
  }

  @Test
  void waitersAreServedInTheOrderTheyBlocked() throws Exception {
    CompletableFuture<KeyValue<String, String>> first = blocked(j -> j.brpop(0.0, "q"));
    CompletableFuture<KeyValue<String, String>> second = blocked(j -> j.brpop(0.0, "q"));
    try (Jedis writer = jedis()) {
      writer.lpush("q", "a");
      assertThat(first.get(10, TimeUnit.SECONDS).getValue()).isEqualTo("a");
      Thread.sleep(200);
      assertThat(second).isNotDone();
      writer.lpush("q", "b");
      assertThat(second.get(10, TimeUnit.SECONDS).getValue()).isEqualTo("b");
    }
  }

  @Test
  void blmoveAndAClientUnblockedWithAnError() throws Exception {
    CompletableFuture<String> move = blocked(
        j -> j.blmove("{m}src", "{m}dst", ListDirection.RIGHT, ListDirection.LEFT, 0));
    try (Jedis writer = jedis()) {
      writer.rpush("{m}src", "x", "y");
      assertThat(move.get(10, TimeUnit.SECONDS)).isEqualTo("y");
      assertThat(writer.lrange("{m}dst", 0, -1)).containsExactly("y");
      Jedis waiting = jedis();
      long id = waiting.clientId();
      CompletableFuture<Object> unblocked = CompletableFuture.supplyAsync(() -> {
        try (waiting) {
          return waiting.blpop(0.0, "empty");
        } catch (RuntimeException e) {
          return e.getMessage();
        }
      });
      long deadline = System.currentTimeMillis() + 10_000;
      while (!blockedNow(writer, id)) {
        assertThat(System.currentTimeMillis()).isLessThan(deadline);
        Thread.sleep(10);
      }
      assertThat(writer.clientUnblock(id, UnblockType.ERROR)).isEqualTo(1);
      assertThat(unblocked.get(10, TimeUnit.SECONDS))
          .isEqualTo("UNBLOCKED client unblocked via CLIENT UNBLOCK");
    }
  }

  @Test
  void aClientThatDisconnectsWhileBlockedLosesNothing() throws Exception {
    Jedis gone = jedis();
    long id = gone.clientId();
    CompletableFuture.runAsync(() -> {
      try {
        gone.blpop(0.0, "precious");
      } catch (RuntimeException e) {
        // the socket was closed under it
      }
    });
    try (Jedis writer = jedis()) {
      long deadline = System.currentTimeMillis() + 10_000;
      while (!blockedNow(writer, id)) {
        assertThat(System.currentTimeMillis()).isLessThan(deadline);
        Thread.sleep(10);
      }
      writer.clientKill(new redis.clients.jedis.params.ClientKillParams().id(Long.toString(id)));
      while (!writer.info("clients").contains("blocked_clients:0")) {
        assertThat(System.currentTimeMillis()).isLessThan(deadline);
        Thread.sleep(10);
      }
      writer.rpush("precious", "element");
      assertThat(writer.lrange("precious", 0, -1)).containsExactly("element");
    } finally {
      gone.close();
    }
  }

  @Test
  void lettuceInResp3WaitsInBzpopmin() throws Exception {
    RedisClient client = RedisClient.create("redis://127.0.0.1:" + node.respPort());
    try (StatefulRedisConnection<String, String> waiting = client.connect();
        StatefulRedisConnection<String, String> writing = client.connect()) {
      RedisCommands<String, String> w = writing.sync();
      var pop = waiting.async().bzpopmin(0, "{s}a", "{s}b");
      Thread.sleep(300);
      assertThat(pop.isDone()).isFalse();
      w.zadd("{s}b", 2.5, "m");
      io.lettuce.core.KeyValue<String, ScoredValue<String>> got = pop.get(10, TimeUnit.SECONDS);
      assertThat(got.getKey()).isEqualTo("{s}b");
      assertThat(got.getValue().getValue()).isEqualTo("m");
      assertThat(got.getValue().getScore()).isEqualTo(2.5);
      assertThat(waiting.sync().blpop(0.2, "none")).isNull();
    } finally {
      client.shutdown();
    }
  }
}
