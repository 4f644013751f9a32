package io.kvorum.it.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kvorum.it.fixture.AdminCli;
import io.kvorum.it.fixture.HashSlot;
import io.kvorum.it.fixture.KvorumProcess;
import io.kvorum.it.fixture.ProcessCluster;
import io.kvorum.it.fixture.RawResp;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.JedisShardedPubSub;

/**
 * Pub/sub on a 3-process cluster with the clients people use: a subscriber on the third node (Jedis,
 * RESP2; Lettuce, RESP3) receives what is PUBLISHed on the other two, in order; JedisCluster's
 * SSUBSCRIBE follows the channel's slot to its leader and receives SPUBLISH; keyspace
 * notifications reach a subscriber on another node once per write, not once per replica; a shard
 * subscriber gets {@code sunsubscribe} when its slot's leadership moves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PubSubClusterTest {
  private ProcessCluster cluster;
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @BeforeAll
  void startCluster() {
    cluster = ProcessCluster.start("pubsub", 3);
  }

  @AfterAll
  void stopCluster() {
    threads.shutdownNow();
    if (cluster != null) {
      cluster.close();
    }
  }

  private static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).as(what).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** The count of PUBSUB NUMSUB/SHARDNUMSUB for one channel. */
  private static long subscribers(KvorumProcess n, String sub, String channel) {
    try (RawResp c = RawResp.connect(n.host(), n.port())) {
      return c.call("PUBSUB", sub, channel).elements().get(1).asLong();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String call(KvorumProcess n, String... args) {
    try (RawResp c = RawResp.connect(n.host(), n.port())) {
      return c.call(args).render();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void publishOnAnyNodeReachesSubscribersOnEveryNode() throws Exception {
    KvorumProcess n1 = cluster.node(0);
    KvorumProcess n2 = cluster.node(1);
    KvorumProcess n3 = cluster.node(2);
    BlockingQueue<String> jedisGot = new LinkedBlockingQueue<>();
    BlockingQueue<String> lettuceGot = new LinkedBlockingQueue<>();
    JedisPubSub jedisListener = new JedisPubSub() {
      @Override
      public void onMessage(String channel, String message) {
        jedisGot.add(channel + ":" + message);
      }
    };
    try (Jedis jedis = new Jedis(n3.host(), n3.port())) {
      threads.submit(() -> jedis.subscribe(jedisListener, "news"));
      RedisClient lettuce = RedisClient.create(RedisURI.create(n3.host(), n3.port()));
      try (StatefulRedisPubSubConnection<String, String> sub = lettuce.connectPubSub()) {
        sub.addListener(new RedisPubSubAdapter<>() {
          @Override
          public void message(String pattern, String channel, String message) {
            lettuceGot.add(pattern + "|" + channel + ":" + message);
          }
        });
        sub.sync().psubscribe("ne*");
        waitUntil("both subscribed on node 3", () ->
            subscribers(n3, "NUMSUB", "news") == 1
                && call(n3, "PUBSUB", "NUMPAT").equals("(integer) 1"));

        // Redis Cluster semantics: PUBLISH counts the receivers on the node it was sent to.
        try (RawResp p1 = RawResp.connect(n1.host(), n1.port());
            RawResp p2 = RawResp.connect(n2.host(), n2.port())) {
          for (int i = 0; i < 100; i++) {
            assertThat(p1.call("PUBLISH", "news", "one-" + i).asLong()).isZero();
          }
          assertThat(p2.call("PUBLISH", "news", "two").asLong()).isZero();
        }
        assertThat(call(n3, "PUBLISH", "news", "three")).isEqualTo("(integer) 2");

        // Delivery from another node is asynchronous, as on Redis Cluster's bus: each node's
        // messages arrive in the order it published them; different nodes' interleave.
        List<String> fromNode1 = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          fromNode1.add("news:one-" + i);
        }
        List<String> all = new ArrayList<>(fromNode1);
        all.add("news:two");
        all.add("news:three");
        List<String> viaJedis = take(jedisGot, all.size());
        assertThat(viaJedis).containsExactlyInAnyOrderElementsOf(all);
        assertThat(viaJedis.stream().filter(m -> m.startsWith("news:one-")))
            .containsExactlyElementsOf(fromNode1);
        List<String> viaLettuce = take(lettuceGot, all.size());
        assertThat(viaLettuce).containsExactlyInAnyOrderElementsOf(
            all.stream().map(m -> "ne*|" + m).toList());
        assertThat(viaLettuce.stream().filter(m -> m.startsWith("ne*|news:one-")))
            .containsExactlyElementsOf(fromNode1.stream().map(m -> "ne*|" + m).toList());
        Thread.sleep(300);
        assertThat(jedisGot).as("each message once").isEmpty();
        assertThat(lettuceGot).isEmpty();
      } finally {
        lettuce.shutdown();
      }
      jedisListener.unsubscribe();
    }
  }

  private static List<String> take(BlockingQueue<String> q, int n) throws InterruptedException {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String s = q.poll(20, TimeUnit.SECONDS);
      assertThat(s).as("message " + i + " of " + n + " after " + out).isNotNull();
      out.add(s);
    }
    return out;
  }

  @Test
  void shardedPubSubThroughAClusterClient() throws Exception {
    KvorumProcess seed = cluster.node(1);
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    JedisShardedPubSub listener = new JedisShardedPubSub() {
      @Override
      public void onSMessage(String channel, String message) {
        got.add(channel + ":" + message);
      }
    };
    try (JedisCluster subscriber = new JedisCluster(new HostAndPort(seed.host(), seed.port()));
        JedisCluster publisher = new JedisCluster(new HostAndPort(seed.host(), seed.port()))) {
      threads.submit(() -> subscriber.ssubscribe(listener, "{orders}eu", "{orders}us"));
      waitUntil("subscribed at the slot's leader", () -> {
        long total = 0;
        for (KvorumProcess n : cluster.nodes()) {
          total += subscribers(n, "SHARDNUMSUB", "{orders}eu");
        }
        return total == 1;
      });
      assertThat(publisher.spublish("{orders}eu", "a")).isEqualTo(1);
      assertThat(publisher.spublish("{orders}us", "b")).isEqualTo(1);
      assertThat(publisher.spublish("{orders}other", "c")).isZero();
      assertThat(take(got, 2)).containsExactly("{orders}eu:a", "{orders}us:b");
      listener.sunsubscribe();
    }
  }

  /**
   * A shard subscriber on the leader of its channel's slot group, when an operator moves that
   * leadership to another node ({@code kvorum admin transfer-leader}): it gets {@code
   * sunsubscribe} with count 0, byte for byte what Redis 7 sends when the slot migrates, and
   * leaves subscribed mode.
   */
  @Test
  void shardSubscriberGetsSunsubscribeWhenLeadershipMoves() throws Exception {
    String channel = "{moving}news";
    int slot = HashSlot.of(channel);
    String admin = cluster.node(0).host() + ":" + cluster.node(0).adminPort();
    JsonObject status = AdminCli.status(admin);
    JsonObject group = null;
    for (JsonElement g : status.getAsJsonArray("groups")) {
      for (JsonElement range : g.getAsJsonObject().getAsJsonArray("slots")) {
        JsonArray r = range.getAsJsonArray();
        if (r.get(0).getAsInt() <= slot && slot <= r.get(1).getAsInt()) {
          group = g.getAsJsonObject();
        }
      }
    }
    assertThat(group).as("the group of slot %d", slot).isNotNull();
    String leaderId = group.get("leader").getAsString();
    String targetId = null;
    for (JsonElement replica : group.getAsJsonArray("replicas")) {
      if (!replica.getAsString().equals(leaderId)) {
        targetId = replica.getAsString();
      }
    }
    assertThat(targetId).as("another replica of group %s", group.get("id")).isNotNull();
    KvorumProcess leader = cluster.byNodeId(status, leaderId);

    try (RawResp sub = RawResp.connect(leader.host(), leader.port(), 20_000)) {
      assertThat(new String(sub.call("SSUBSCRIBE", channel).raw(), StandardCharsets.ISO_8859_1))
          .isEqualTo("*3\r\n$10\r\nssubscribe\r\n$12\r\n" + channel + "\r\n:1\r\n");
      AdminCli.Result moved = AdminCli.run(admin, 60, "transfer-leader",
          group.get("id").getAsString(), targetId);
      assertThat(moved.exitCode()).as("transfer-leader: %s %s", moved.out(), moved.err())
          .isZero();
      assertThat(new String(sub.read().raw(), StandardCharsets.ISO_8859_1))
          .isEqualTo("*3\r\n$12\r\nsunsubscribe\r\n$12\r\n" + channel + "\r\n:0\r\n");
      // Out of subscribed mode: a RESP2 PING answers +PONG, not ["pong", ""].
      assertThat(new String(sub.call("PING").raw(), StandardCharsets.ISO_8859_1))
          .isEqualTo("+PONG\r\n");
    } finally {
      // Later tests expect leaders spread evenly again (the balancer moves them back).
      cluster.awaitHealthy(Duration.ofSeconds(60));
    }
  }

  @Test
  void keyspaceNotificationsArriveOncePerWrite() throws Exception {
    for (KvorumProcess n : cluster.nodes()) {
      assertThat(call(n, "CONFIG", "SET", "notify-keyspace-events", "E$")).isEqualTo("OK");
    }
    KvorumProcess n3 = cluster.node(2);
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    RedisClient lettuce = RedisClient.create(RedisURI.create(n3.host(), n3.port()));
    try (StatefulRedisPubSubConnection<String, String> sub = lettuce.connectPubSub();
        JedisCluster writer = new JedisCluster(
            new HostAndPort(cluster.node(0).host(), cluster.node(0).port()))) {
      sub.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          got.add(channel + " " + message);
        }
      });
      sub.sync().subscribe("__keyevent@0__:set", "__keyevent@0__:incrby");
      // Keys in every slot group, so every node leads some of the writes.
      int keys = 60;
      for (int i = 0; i < keys; i++) {
        writer.set("ks:" + i, "v");
        writer.incr("kc:" + i);
      }
      Map<String, Integer> seen = new HashMap<>();
      for (int i = 0; i < 2 * keys; i++) {
        String e = got.poll(20, TimeUnit.SECONDS);
        assertThat(e).as("notification " + i + " of " + 2 * keys).isNotNull();
        seen.merge(e, 1, Integer::sum);
      }
      Thread.sleep(500);
      assertThat(got).as("no notification twice").isEmpty();
      for (int i = 0; i < keys; i++) {
        assertThat(seen).containsEntry("__keyevent@0__:set ks:" + i, 1)
            .containsEntry("__keyevent@0__:incrby kc:" + i, 1);
      }
    } finally {
      lettuce.shutdown();
      for (KvorumProcess n : cluster.nodes()) {
        call(n, "CONFIG", "SET", "notify-keyspace-events", "");
      }
    }
  }
}
