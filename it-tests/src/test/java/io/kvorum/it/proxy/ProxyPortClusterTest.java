package io.kvorum.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kvorum.it.fixture.AdminCli;
import io.kvorum.it.fixture.HashSlot;
import io.kvorum.it.fixture.KvorumProcess;
import io.kvorum.it.fixture.ProcessCluster;
import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.RespReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A plain, cluster-unaware Jedis on one node's proxy port of a 3-process cluster: every key works,
 * whichever node leads its group, multi-key reads span groups, shard channels work from any node,
 * and a killed group leader only interrupts writes until the election.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ProxyPortClusterTest {
  private static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";
  private ProcessCluster cluster;
  /** The node whose proxy port the client uses. */
  private KvorumProcess proxyNode;

  @BeforeAll
  void startCluster() {
    cluster = ProcessCluster.builder("proxy", 3).proxyPorts().start();
    proxyNode = cluster.node(0);
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private Jedis proxyClient() {
    // One test pipelines 6,000 forwarded commands; on a starved 2-core CI machine their first
    // reply alone took over 10 s, so the socket timeout leaves room for that.
    return new Jedis(proxyNode.host(), cluster.proxyPort(0), 30_000);
  }

  /** Leader RESP port of every slot, from CLUSTER SLOTS on the proxy node's cluster port. */
  private int[] leaderPorts() {
    int[] leaders = new int[HashSlot.SLOTS];
    try (RawResp c = RawResp.connect(proxyNode.host(), proxyNode.port(), 5000)) {
      for (RespReply range : c.call("CLUSTER", "SLOTS").elements()) {
        List<RespReply> e = range.elements();
        int port = (int) e.get(2).elements().get(1).asLong();
        for (long s = e.get(0).asLong(); s <= e.get(1).asLong(); s++) {
          leaders[(int) s] = port;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return leaders;
  }

  /** Waits until groups are led by at least two nodes, so the proxy has to forward. */
  private int[] awaitSpreadLeaders() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (true) {
      int[] leaders = leaderPorts();
      Set<Integer> distinct = new HashSet<>();
      for (int p : leaders) {
        distinct.add(p);
      }
      if (distinct.size() >= 2 && !distinct.contains(0)) {
        return leaders;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("leaders never spread over the nodes: " + distinct);
      }
      Thread.sleep(500);
    }
  }

  @Test
  @Order(1)
  void aPlainClientOnOneProxyPortServesKeysOfEveryGroup() throws Exception {
    long t0 = System.nanoTime();
    int[] leaders = awaitSpreadLeaders();
    long spread = System.nanoTime();
    int n = 2000;
    int elsewhere = 0;
    Set<Integer> leaderNodes = new HashSet<>();
    for (int i = 0; i < n; i++) {
      int port = leaders[HashSlot.of("key:" + i)];
      leaderNodes.add(port);
      if (port != proxyNode.port()) {
        elsewhere++;
      }
    }
    assertThat(elsewhere).as("keys led by other nodes").isPositive();
    assertThat(leaderNodes).hasSizeGreaterThanOrEqualTo(2);

    try (Jedis jedis = proxyClient()) {
      Pipeline p = jedis.pipelined();
      List<Response<String>> sets = new ArrayList<>();
      List<Response<Long>> incrs = new ArrayList<>();
      List<Response<Long>> hsets = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sets.add(p.set("key:" + i, "v" + i));
        incrs.add(p.incr("counter:" + i));
        hsets.add(p.hset("hash:" + i, "field", "x" + i));
      }
      p.sync();
      long written = System.nanoTime();
      for (int i = 0; i < n; i++) {
        assertThat(sets.get(i).get()).isEqualTo("OK");
        assertThat(incrs.get(i).get()).isEqualTo(1L);
        assertThat(hsets.get(i).get()).isEqualTo(1L);
      }
      // Writes, then reads, each pipelined: a read waits for the connection's earlier writes to
      // its group, so interleaving them would make every group's lane a series of round trips.
      List<Response<Long>> incrBys = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        incrBys.add(p.incrBy("counter:" + i, i));
      }
      p.sync();
      long incremented = System.nanoTime();
      List<Response<String>> gets = new ArrayList<>();
      List<Response<String>> hgets = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        gets.add(p.get("key:" + i));
        hgets.add(p.hget("hash:" + i, "field"));
      }
      p.sync();
      System.out.printf("leaders spread after %d ms; %d writes took %d ms, %d more %d ms,"
          + " %d reads %d ms%n", TimeUnit.NANOSECONDS.toMillis(spread - t0), 3 * n,
          TimeUnit.NANOSECONDS.toMillis(written - spread), n,
          TimeUnit.NANOSECONDS.toMillis(incremented - written), 2 * n,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - incremented));
      for (int i = 0; i < n; i++) {
        assertThat(gets.get(i).get()).isEqualTo("v" + i);
        assertThat(incrBys.get(i).get()).isEqualTo(1L + i);
        assertThat(hgets.get(i).get()).isEqualTo("x" + i);
      }
      // One command at a time, as the simplest application does.
      for (int i = 0; i < 30; i++) {
        assertThat(jedis.get("key:" + i)).isEqualTo("v" + i);
        assertThat(jedis.hset("hash:" + i, "more", "y")).isEqualTo(1);
        assertThat(jedis.hlen("hash:" + i)).isEqualTo(2);
      }

      // Multi-key reads and deletes across groups: split, merged in argument order or summed.
      String[] keys = new String[60];
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < keys.length; i++) {
        keys[i] = i % 7 == 3 ? "missing:" + i : "key:" + (i * 31);
        expected.add(keys[i].startsWith("missing") ? null : "v" + (i * 31));
      }
      Set<Integer> groupsLeaders = new HashSet<>();
      for (String k : keys) {
        groupsLeaders.add(leaders[HashSlot.of(k)]);
      }
      assertThat(groupsLeaders).hasSizeGreaterThanOrEqualTo(2);
      assertThat(jedis.mget(keys)).containsExactlyElementsOf(expected);
      long present = expected.stream().filter(v -> v != null).count();
      assertThat(jedis.exists(keys)).isEqualTo(present);
      assertThat(jedis.touch(keys)).isEqualTo(present);
      assertThat(jedis.del(keys)).isEqualTo(present);
      assertThat(jedis.exists(keys)).isZero();
      assertThat(jedis.unlink("key:1", "key:2", "key:3", "nothing")).isEqualTo(3);
      assertThat(jedis.mget("key:1", "key:4")).containsExactly(null, "v4");

      // Multi-key writes across slots: CROSSSLOT, as on the cluster port.
      assertThatThrownBy(() -> jedis.mset("key:10", "a", "key:11", "b"))
          .isInstanceOf(JedisDataException.class).hasMessage(CROSSSLOT);
      assertThatThrownBy(() -> jedis.rename("key:10", "key:11")).hasMessage(CROSSSLOT);
      assertThat(jedis.mset("{u}1", "a", "{u}2", "b")).isEqualTo("OK");
      assertThat(jedis.mget("{u}1", "{u}2")).containsExactly("a", "b");

      // The client never sees MOVED, and the proxy presents itself as the whole cluster.
      assertThat(jedis.dbSize()).isEqualTo(3L * n - present - 3 + 2);
      assertThat(jedis.clusterNodes().split("\n")).hasSize(1);
    }
  }

  /** A shard channel's frames, byte for byte as Redis 7 sends them in RESP2. */
  private static String shardFrame(String type, String channel, String last) {
    return "*3\r\n$" + type.length() + "\r\n" + type + "\r\n$" + channel.length() + "\r\n"
        + channel + "\r\n" + last;
  }

  private static String smessage(String channel, String message) {
    return shardFrame("smessage", channel, "$" + message.length() + "\r\n" + message + "\r\n");
  }

  private static String text(RespReply r) {
    return new String(r.raw(), StandardCharsets.ISO_8859_1);
  }

  /** The group holding {@code slot} in {@code kvorum admin status --json}. */
  private static JsonObject groupOf(JsonObject status, int slot) {
    for (JsonElement g : status.getAsJsonArray("groups")) {
      for (JsonElement range : g.getAsJsonObject().getAsJsonArray("slots")) {
        JsonArray r = range.getAsJsonArray();
        if (r.get(0).getAsInt() <= slot && slot <= r.get(1).getAsInt()) {
          return g.getAsJsonObject();
        }
      }
    }
    throw new IllegalStateException("no group holds slot " + slot + ": " + status);
  }

  /**
   * Sharded pub/sub through the proxy port: a plain client subscribes on a node that does not
   * lead the channel's slot (no MOVED), receives what is SPUBLISHed on the leader's cluster port
   * and on any node's proxy port, and keeps receiving after the leadership moves; a cluster-port
   * subscriber on the leader receives what a proxy port published elsewhere.
   */
  @Test
  @Order(2)
  void shardChannelsWorkOnTheProxyPortWhereverTheirSlotIsLed() throws Exception {
    int[] leaders = awaitSpreadLeaders();
    String channel = null;
    for (int i = 0; channel == null; i++) {
      String c = "{shard" + i + "}news";
      if (leaders[HashSlot.of(c)] != proxyNode.port()) {
        channel = c;
      }
    }
    KvorumProcess leader = cluster.byPort(leaders[HashSlot.of(channel)]);
    KvorumProcess third = null;
    int thirdIndex = -1;
    for (int i = 0; i < cluster.nodes().size(); i++) {
      if (cluster.node(i) != proxyNode && cluster.node(i) != leader) {
        third = cluster.node(i);
        thirdIndex = i;
      }
    }
    assertThat(third).isNotNull();
    String admin = proxyNode.host() + ":" + proxyNode.adminPort();
    try (RawResp sub = RawResp.connect(proxyNode.host(), cluster.proxyPort(0), 20_000);
        RawResp leaderSub = RawResp.connect(leader.host(), leader.port(), 20_000);
        RawResp thirdProxy = RawResp.connect(third.host(), cluster.proxyPort(thirdIndex), 20_000);
        RawResp ownProxy = RawResp.connect(proxyNode.host(), cluster.proxyPort(0), 20_000)) {
      assertThat(text(sub.call("SSUBSCRIBE", channel)))
          .isEqualTo(shardFrame("ssubscribe", channel, ":1\r\n"));
      assertThat(text(leaderSub.call("SSUBSCRIBE", channel)))
          .isEqualTo(shardFrame("ssubscribe", channel, ":1\r\n"));
      assertThat(ownProxy.call("PUBSUB", "SHARDNUMSUB", channel).elements().get(1).asLong())
          .isEqualTo(1);

      // On a third node's proxy port: no subscriber there, both subscribers elsewhere receive.
      assertThat(thirdProxy.call("SPUBLISH", channel, "m1").asLong()).isZero();
      assertThat(text(sub.read())).isEqualTo(smessage(channel, "m1"));
      assertThat(text(leaderSub.read())).isEqualTo(smessage(channel, "m1"));
      // On the leader's cluster port, as a cluster client publishes: counts its own subscriber.
      try (RawResp c = RawResp.connect(leader.host(), leader.port(), 20_000)) {
        assertThat(c.call("SPUBLISH", channel, "m2").asLong()).isEqualTo(1);
      }
      assertThat(text(sub.read())).isEqualTo(smessage(channel, "m2"));
      assertThat(text(leaderSub.read())).isEqualTo(smessage(channel, "m2"));
      // On the subscriber's own proxy port.
      assertThat(ownProxy.call("SPUBLISH", channel, "m3").asLong()).isEqualTo(1);
      assertThat(text(sub.read())).isEqualTo(smessage(channel, "m3"));
      assertThat(text(leaderSub.read())).isEqualTo(smessage(channel, "m3"));
      // The cluster port of a node that does not lead the slot still redirects, as Redis does.
      try (RawResp c = RawResp.connect(proxyNode.host(), proxyNode.port(), 20_000)) {
        RespReply refused = c.call("SPUBLISH", channel, "x");
        assertThat(refused.isError()).as(refused.render()).isTrue();
        assertThat(refused.text()).startsWith("MOVED " + HashSlot.of(channel) + " ");
      }

      // Move the slot's leadership to the third node: the cluster-port subscriber is dropped,
      // as Redis 7 drops it when a slot migrates; the proxy-port one stays subscribed.
      JsonObject status = AdminCli.status(admin);
      JsonObject group = groupOf(status, HashSlot.of(channel));
      String thirdId = null;
      for (JsonElement e : status.getAsJsonArray("nodes")) {
        JsonObject n = e.getAsJsonObject();
        if (n.get("resp").getAsString().endsWith(":" + third.port())) {
          thirdId = n.get("id").getAsString();
        }
      }
      AdminCli.Result moved = AdminCli.run(admin, 60, "transfer-leader",
          group.get("id").getAsString(), thirdId);
      assertThat(moved.exitCode()).as("transfer-leader: %s %s", moved.out(), moved.err())
          .isZero();
      assertThat(text(leaderSub.read()))
          .isEqualTo(shardFrame("sunsubscribe", channel, ":0\r\n"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (leaderPorts()[HashSlot.of(channel)] != third.port()) {
        assertThat(System.nanoTime()).as("the third node leads the slot").isLessThan(deadline);
        Thread.sleep(100);
      }
      try (RawResp c = RawResp.connect(third.host(), third.port(), 20_000)) {
        assertThat(c.call("SPUBLISH", channel, "m4").asLong()).isZero();
      }
      assertThat(text(sub.read())).isEqualTo(smessage(channel, "m4"));
      assertThat(thirdProxy.call("SPUBLISH", channel, "m5").asLong()).isZero();
      assertThat(text(sub.read())).isEqualTo(smessage(channel, "m5"));

      assertThat(text(sub.call("SUNSUBSCRIBE", channel)))
          .isEqualTo(shardFrame("sunsubscribe", channel, ":0\r\n"));
    } finally {
      // The next test expects leaders spread evenly again (the balancer moves them back).
      cluster.awaitHealthy(Duration.ofSeconds(60));
    }
  }

  /** A key whose slot {@code node} leads, per {@code leaders}. */
  private static String keyLedBy(int[] leaders, KvorumProcess node) {
    for (int i = 0; ; i++) {
      if (leaders[HashSlot.of("wait:" + i)] == node.port()) {
        return "wait:" + i;
      }
    }
  }

  /** WAIT's reply and how long it took, in ms. */
  private static long[] timedWait(RawResp c, String replicas, String timeout) throws IOException {
    long t0 = System.nanoTime();
    long n = c.call("WAIT", replicas, timeout).asLong();
    return new long[] {n, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)};
  }

  /**
   * WAIT on a healthy cluster: after a write on a group leader's cluster port both followers of
   * its groups catch up, so WAIT 2 answers 2 well before its timeout; on the proxy port, whose
   * writes may have gone to groups led elsewhere, it answers their quorum guarantee, 1.
   */
  @Test
  @Order(3)
  void waitCountsTheFollowersThatHoldTheWrites() throws Exception {
    int[] leaders = awaitSpreadLeaders();
    try (RawResp c = RawResp.connect(proxyNode.host(), proxyNode.port(), 20_000);
        RawResp proxy = RawResp.connect(proxyNode.host(), cluster.proxyPort(0), 20_000)) {
      assertThat(c.call("SET", keyLedBy(leaders, proxyNode), "v").render()).isEqualTo("OK");
      long[] all = timedWait(c, "2", "10000");
      assertThat(all[0]).as("followers holding the write").isEqualTo(2);
      assertThat(all[1]).as("ms WAIT 2 took").isLessThan(5_000);
      assertThat(proxy.call("SET", "wait:proxy", "v").render()).isEqualTo("OK");
      assertThat(proxy.call("WAIT", "1", "0").asLong()).isEqualTo(1);
      long[] bound = timedWait(proxy, "2", "200");
      assertThat(bound[0]).isEqualTo(1);
      assertThat(bound[1]).as("ms the unreachable count waited").isGreaterThanOrEqualTo(200);
    }
  }

  @Test
  @Order(4)
  void writesThroughTheProxyResumeAfterAGroupLeaderIsKilled() throws Exception {
    int[] leaders = awaitSpreadLeaders();
    KvorumProcess victim = null;
    for (KvorumProcess node : cluster.nodes()) {
      if (node == proxyNode) {
        continue;
      }
      for (int port : leaders) {
        if (port == node.port()) {
          victim = node;
          break;
        }
      }
      if (victim != null) {
        break;
      }
    }
    assertThat(victim).as("a node other than the proxy's that leads a group").isNotNull();
    int victimPort = victim.port();

    Map<String, String> acked = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    AtomicInteger victimKeysAfterKill = new AtomicInteger();
    AtomicLong firstVictimWriteAfterKill = new AtomicLong();
    AtomicBoolean killed = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      Jedis jedis = proxyClient();
      try {
        for (int i = 0; !stop.get(); i++) {
          String key = "kill:" + i;
          boolean afterKill = killed.get();
          try {
            String reply = jedis.set(key, "v" + i);
            if (!"OK".equals(reply)) {
              errors.add("SET answered " + reply);
              continue;
            }
            acked.put(key, "v" + i);
            if (afterKill && leaders[HashSlot.of(key)] == victimPort) {
              victimKeysAfterKill.incrementAndGet();
              firstVictimWriteAfterKill.compareAndSet(0, System.nanoTime());
            }
          } catch (JedisDataException e) {
            errors.add(e.getMessage());
          } catch (JedisConnectionException e) {
            errors.add("connection: " + e.getMessage());
            jedis.close();
            jedis = proxyClient();
          }
        }
      } finally {
        jedis.close();
      }
    }, "proxy-writer");
    writer.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (acked.size() < 300 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(acked.size()).as("writes before the kill").isGreaterThanOrEqualTo(300);
      victim.kill9();
      killed.set(true);
      long killedAt = System.nanoTime();
      deadline = killedAt + TimeUnit.SECONDS.toNanos(60);
      while (victimKeysAfterKill.get() < 20 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      Map<String, Integer> byMessage = new TreeMap<>();
      for (String e : errors) {
        byMessage.merge(e.length() > 90 ? e.substring(0, 90) : e, 1, Integer::sum);
      }
      long first = firstVictimWriteAfterKill.get();
      System.out.printf("proxy writes: %d acknowledged, errors while a leader was killed: %s;"
          + " first write to its groups acknowledged %d ms after the kill%n", acked.size(),
          byMessage,
          first == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(first - killedAt));
      assertThat(victimKeysAfterKill.get())
          .as("writes to the killed leader's groups succeed again after the election")
          .isGreaterThanOrEqualTo(20);
    } finally {
      stop.set(true);
      writer.join(30_000);
    }
    assertThat(errors).allSatisfy(e -> assertThat(e).doesNotStartWith("MOVED"));

    // Every acknowledged write is there, read back through the proxy in split MGETs.
    List<String> keys = new ArrayList<>(acked.keySet());
    Map<String, String> read = new HashMap<>();
    try (Jedis jedis = proxyClient()) {
      for (int from = 0; from < keys.size(); from += 200) {
        List<String> chunk = keys.subList(from, Math.min(keys.size(), from + 200));
        List<String> values = jedis.mget(chunk.toArray(String[]::new));
        for (int i = 0; i < chunk.size(); i++) {
          read.put(chunk.get(i), values.get(i));
        }
      }
    }
    assertThat(read).isEqualTo(acked);
  }

  /**
   * WAIT with one of the three nodes dead (the previous test killed it): a new write reaches the
   * one live follower, so WAIT 1 answers at once and WAIT 2 answers 1 when its timeout runs out.
   */
  @Test
  @Order(5)
  void waitCountsOnlyTheLiveFollowerOnceANodeIsDead() throws Exception {
    assertThat(cluster.nodes().stream().filter(KvorumProcess::isAlive).count()).isEqualTo(2);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int[] leaders = leaderPorts();
    while (!Arrays.stream(leaders).anyMatch(p -> p == proxyNode.port())) {
      assertThat(System.nanoTime()).as("the proxy's node leads a group").isLessThan(deadline);
      Thread.sleep(200);
      leaders = leaderPorts();
    }
    try (RawResp c = RawResp.connect(proxyNode.host(), proxyNode.port(), 20_000)) {
      RespReply set = c.call("SET", keyLedBy(leaders, proxyNode), "after");
      // The cluster may still be moving leaders after the failover: follow it.
      while (set.isError() && set.text().startsWith("MOVED")) {
        assertThat(System.nanoTime()).as("a write this node leads").isLessThan(deadline);
        Thread.sleep(200);
        leaders = leaderPorts();
        if (Arrays.stream(leaders).anyMatch(p -> p == proxyNode.port())) {
          set = c.call("SET", keyLedBy(leaders, proxyNode), "after");
        }
      }
      assertThat(set.render()).isEqualTo("OK");
      long[] one = timedWait(c, "1", "0");
      assertThat(one[0]).isEqualTo(1);
      long[] two = timedWait(c, "2", "300");
      assertThat(two[0]).as("followers holding the write with one node dead").isEqualTo(1);
      assertThat(two[1]).as("ms WAIT 2 waited").isGreaterThanOrEqualTo(300);
    }
  }
}
