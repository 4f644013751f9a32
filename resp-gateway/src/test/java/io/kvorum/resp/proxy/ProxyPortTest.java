package io.kvorum.resp.proxy;

import static io.kvorum.resp.testing.RawClient.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvorum.raft.route.RaftUnavailableException;
import io.kvorum.raft.route.Route;
import io.kvorum.resp.testing.ProxyPair;
import io.kvorum.resp.testing.RawClient;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The proxy port of node A, with half of the slot groups led by node B: plain clients see one
 * Redis holding every key, never a redirection.
 */
class ProxyPortTest {
  @TempDir Path dir;
  private ProxyPair pair;

  @BeforeEach
  void start() {
    pair = new ProxyPair(dir, Duration.ofMillis(400));
  }

  @AfterEach
  void stop() {
    pair.close();
  }

  /** The slot group of a key in the test routers (16 groups of 1024 slots). */
  private static int groupOf(String key) {
    return HashSlot.of(key.getBytes(StandardCharsets.UTF_8)) / 1024;
  }

  /** A key named {@code prefix + n} whose group is {@code group}. */
  private static String keyIn(int group, String prefix) {
    for (int i = 0; ; i++) {
      String k = prefix + i;
      if (groupOf(k) == group) {
        return k;
      }
    }
  }

  private Jedis proxyClient() {
    return new Jedis("127.0.0.1", pair.proxyPortA());
  }

  @Test
  void aPlainClientReadsAndWritesEveryGroupThroughOneProxyPort() {
    int n = 400;
    try (Jedis jedis = proxyClient()) {
      for (int i = 0; i < n; i++) {
        assertThat(jedis.set("key:" + i, "v" + i)).isEqualTo("OK");
        assertThat(jedis.incr("counter:" + i)).isEqualTo(1);
        assertThat(jedis.hset("hash:" + i, "f", "x" + i)).isEqualTo(1);
      }
      for (int i = 0; i < n; i++) {
        assertThat(jedis.get("key:" + i)).isEqualTo("v" + i);
        assertThat(jedis.incrBy("counter:" + i, 2)).isEqualTo(3);
        assertThat(jedis.hget("hash:" + i, "f")).isEqualTo("x" + i);
      }
    }
    // Each key lives with its group's leader: B's keys are on B, and A's cluster port redirects.
    Set<Integer> seen = new HashSet<>();
    try (RawClient onA = new RawClient(pair.a.port()); RawClient onB = new RawClient(pair.b.port())) {
      for (int i = 0; i < n; i++) {
        String key = "key:" + i;
        int group = groupOf(key);
        seen.add(group);
        String value = "$" + ("v" + i).length() + "\r\nv" + i + "\r\n";
        if (group < ProxyPair.GROUPS / 2) {
          assertThat(onA.call("GET", key)).isEqualTo(value);
          assertThat(onB.call("GET", key)).startsWith("-MOVED ");
        } else {
          assertThat(onB.call("GET", key)).isEqualTo(value);
          assertThat(onA.call("GET", key)).startsWith("-MOVED ");
        }
      }
    }
    assertThat(seen).hasSize(ProxyPair.GROUPS);
  }

  @Test
  void pipelinedCommandsToRemoteGroupsAnswerInOrder() {
    int n = 300;
    try (RawClient c = new RawClient(pair.proxyPortA())) {
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      for (int i = 0; i < n; i++) {
        batch.writeBytes(command("SET", "pipe:" + (i % 41), "v" + i));
        batch.writeBytes(command("GET", "pipe:" + (i % 41)));
      }
      c.send(batch.toByteArray());
      List<Reply> replies = c.readReplies(2 * n);
      for (int i = 0; i < n; i++) {
        assertThat(replies.get(2 * i)).isEqualTo(Reply.OK);
        assertThat(((Reply.Bulk) replies.get(2 * i + 1)).utf8()).isEqualTo("v" + i);
      }
      // Writes pipelined to one remote group travel together (one log entry there).
      batch.reset();
      for (int i = 0; i < n; i++) {
        batch.writeBytes(command("SET", "pipe:" + (i % 41), "w" + i));
      }
      c.send(batch.toByteArray());
      assertThat(c.readReplies(n)).containsOnly(Reply.OK);
    }
    assertThat(pair.forwarder.sent).anyMatch(r -> r.write() && r.commands().size() > 1);
    try (Jedis jedis = proxyClient()) {
      for (int i = n - 41; i < n; i++) {
        assertThat(jedis.get("pipe:" + (i % 41))).isEqualTo("w" + i);
      }
    }
  }

  @Test
  void forwardedRepliesAreTheLeadersBytesInResp2AndResp3() {
    int remote = ProxyPair.GROUPS - 1;
    String hash = keyIn(remote, "h");
    String zset = keyIn(remote, "z");
    // NOGROUP's text carries the key back; "é" makes the gateway write a byte above 0x7F.
    String stream = null;
    for (int i = 0; stream == null; i++) {
      String k = "s\u00e9" + i;
      if (groupOf(k) == remote) {
        stream = k;
      }
    }
    try (RawClient proxy = new RawClient(pair.proxyPortA());
        RawClient leader = new RawClient(pair.b.port())) {
      proxy.call("HSET", hash, "a", "1", "b", "2");
      proxy.call("ZADD", zset, "1.5", "m");
      for (String hello : List.of("2", "3")) {
        assertThat(proxy.call("HELLO", hello)).startsWith(hello.equals("3") ? "%" : "*");
        leader.call("HELLO", hello);
        for (String[] cmd : List.of(
            new String[] {"HGETALL", hash},
            new String[] {"ZSCORE", zset, "m"},
            new String[] {"ZRANGE", zset, "0", "-1", "WITHSCORES"},
            new String[] {"GET", hash},
            new String[] {"HGET", hash, "nope"},
            new String[] {"OBJECT", "ENCODING", hash})) {
          assertThat(proxy.call(cmd)).as("%s in RESP%s", cmd[0], hello)
              .isEqualTo(leader.call(cmd));
        }
        String viaProxy = proxy.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", stream, ">");
        assertThat(viaProxy).startsWith("-NOGROUP No such key 's")
            .isEqualTo(leader.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", stream, ">"));
        assertThat(viaProxy.chars().anyMatch(ch -> ch > 0x7F)).isTrue();
      }
    }
  }

  @Test
  void readOnlyMultiKeyCommandsAreSplitAcrossGroupsAndMerged() {
    List<String> keys = new ArrayList<>();
    for (int g = 0; g < ProxyPair.GROUPS; g += 3) {
      keys.add(keyIn(g, "m"));
    }
    String missing = keyIn(9, "absent");
    try (Jedis jedis = proxyClient()) {
      for (String k : keys) {
        jedis.set(k, "val-" + k);
      }
      List<String> ask = new ArrayList<>(keys);
      ask.add(2, missing);
      ask.add(keys.get(0));
      List<String> expected = new ArrayList<>();
      for (String k : ask) {
        expected.add(k.equals(missing) ? null : "val-" + k);
      }
      assertThat(jedis.mget(ask.toArray(String[]::new))).containsExactlyElementsOf(expected);
      // EXISTS counts a repeated key each time, as Redis does.
      assertThat(jedis.exists(ask.toArray(String[]::new))).isEqualTo(keys.size() + 1);
      assertThat(jedis.touch(ask.toArray(String[]::new))).isEqualTo(keys.size() + 1);
      assertThat(jedis.del(keys.get(0), keys.get(1), missing)).isEqualTo(2);
      assertThat(jedis.unlink(keys.get(2), keys.get(3), keys.get(2))).isEqualTo(2);
      assertThat(jedis.exists(keys.toArray(String[]::new))).isEqualTo(keys.size() - 4);
      // Writes across slots keep Redis Cluster's rule.
      assertThatThrownBy(() -> jedis.mset(keys.get(4), "1", keys.get(5), "2"))
          .isInstanceOf(JedisDataException.class)
          .hasMessage("CROSSSLOT Keys in request don't hash to the same slot");
      assertThatThrownBy(() -> jedis.rename(keys.get(4), keys.get(5)))
          .hasMessage("CROSSSLOT Keys in request don't hash to the same slot");
      assertThatThrownBy(() -> jedis.sunionstore(keys.get(4), keys.get(5)))
          .hasMessage("CROSSSLOT Keys in request don't hash to the same slot");
      assertThat(jedis.mset("{t}a", "1", "{t}b", "2")).isEqualTo("OK");
      // Two slots of one group: still different slots, so still CROSSSLOT for writes.
      String other = keyIn(groupOf("{t}a"), "same-group");
      assertThat(HashSlot.of(other.getBytes(StandardCharsets.UTF_8)))
          .isNotEqualTo(HashSlot.of("{t}a".getBytes(StandardCharsets.UTF_8)));
      assertThatThrownBy(() -> jedis.mset("{t}a", "1", other, "2"))
          .hasMessage("CROSSSLOT Keys in request don't hash to the same slot");
      assertThat(jedis.mget("{t}a", other, "{t}b")).containsExactly("1", null, "2");
    }
    // The cluster port keeps CROSSSLOT for MGET.
    try (RawClient c = new RawClient(pair.a.port())) {
      assertThat(c.call("MGET", keys.get(4), keys.get(5)))
          .isEqualTo("-CROSSSLOT Keys in request don't hash to the same slot\r\n");
    }
  }

  @Test
  void clusterCommandsShowTheProxyAsOneNodeOwningEverySlot() {
    int proxyPort = pair.proxyPortA();
    try (Jedis jedis = proxyClient()) {
      List<Object> slots = jedis.clusterSlots();
      assertThat(slots).hasSize(1);
      List<?> range = (List<?>) slots.get(0);
      assertThat(range.get(0)).isEqualTo(0L);
      assertThat(range.get(1)).isEqualTo(16383L);
      List<?> node = (List<?>) range.get(2);
      assertThat(new String((byte[]) node.get(0), StandardCharsets.UTF_8)).isEqualTo("127.0.0.1");
      assertThat(node.get(1)).isEqualTo((long) proxyPort);
      assertThat(range).hasSize(3);
      String nodes = jedis.clusterNodes();
      assertThat(nodes.split("\n")).hasSize(1);
      assertThat(nodes).contains("127.0.0.1:" + proxyPort + "@0 myself,master").endsWith(" 0-16383\n");
      assertThat(jedis.clusterInfo()).contains("cluster_state:ok").contains("cluster_known_nodes:1")
          .contains("cluster_size:1");
      try (Jedis clusterPort = new Jedis("127.0.0.1", pair.a.port())) {
        assertThat(jedis.clusterMyId()).isEqualTo(clusterPort.clusterMyId());
      }
      // A key of a group led by B is counted through the proxy.
      String key = keyIn(12, "count");
      jedis.set(key, "1");
      int slot = HashSlot.of(key.getBytes(StandardCharsets.UTF_8));
      assertThat(jedis.clusterCountKeysInSlot(slot)).isEqualTo(1);
      assertThat(jedis.clusterGetKeysInSlot(slot, 10)).containsExactly(key);
    }
    try (Jedis clusterPort = new Jedis("127.0.0.1", pair.a.port())) {
      assertThat(clusterPort.clusterSlots()).hasSizeGreaterThan(1);
    }
    // A cluster-aware client given the proxy port sends everything there.
    try (JedisCluster cluster = new JedisCluster(new HostAndPort("127.0.0.1", proxyPort))) {
      for (int i = 0; i < 100; i++) {
        cluster.set("jc:" + i, "v" + i);
      }
      for (int i = 0; i < 100; i++) {
        assertThat(cluster.get("jc:" + i)).isEqualTo("v" + i);
      }
      assertThat(cluster.getClusterNodes()).containsOnlyKeys("127.0.0.1:" + proxyPort);
    }
  }

  @Test
  void keyspaceWideCommandsCoverEveryGroupOfTheCluster() {
    Set<String> all = new HashSet<>();
    try (Jedis jedis = proxyClient()) {
      for (int i = 0; i < 200; i++) {
        jedis.set("wide:" + i, "x");
        all.add("wide:" + i);
      }
      assertThat(jedis.dbSize()).isEqualTo(200);
      assertThat(jedis.keys("wide:*")).containsExactlyInAnyOrderElementsOf(all);
      Set<String> scanned = new HashSet<>();
      String cursor = "0";
      do {
        var page = jedis.scan(cursor, new redis.clients.jedis.params.ScanParams().count(7));
        scanned.addAll(page.getResult());
        cursor = page.getCursor();
      } while (!cursor.equals("0"));
      assertThat(scanned).isEqualTo(all);
    }
    try (Jedis a = new Jedis("127.0.0.1", pair.a.port()); Jedis b = new Jedis("127.0.0.1", pair.b.port())) {
      long onA = a.dbSize();
      long onB = b.dbSize();
      assertThat(onA).isPositive().isLessThan(200);
      assertThat(onA + onB).isEqualTo(200);
    }
    try (Jedis jedis = proxyClient()) {
      assertThat(jedis.flushAll()).isEqualTo("OK");
      assertThat(jedis.dbSize()).isZero();
    }
  }

  @Test
  void aRouteLoopEndsInTryAgainAfterTheHopLimit() {
    int g = 3;
    pair.b.router.route(g, pair.remote(ProxyPair.A));
    pair.a.router.route(g, pair.remote(ProxyPair.B));
    String key = keyIn(g, "loop");
    try (RawClient c = new RawClient(pair.proxyPortA())) {
      assertThat(c.call("GET", key))
          .isEqualTo("-TRYAGAIN Leadership of the slot's group is moving, please try again\r\n");
    }
    List<Integer> hops = pair.forwarder.sent.stream().map(ForwardRequest::hops).toList();
    assertThat(hops).containsExactly(1, 2, 3);
  }

  @Test
  void aGroupWithoutALeaderIsWaitedForThenAnswersClusterDown() {
    int g = 10;
    pair.a.router.route(g, new Route.Unavailable("election"));
    String key = keyIn(g, "down");
    try (RawClient c = new RawClient(pair.proxyPortA())) {
      long t0 = System.nanoTime();
      assertThat(c.call("SET", key, "1")).isEqualTo("-CLUSTERDOWN The cluster is down\r\n");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(90);
      // The election ends with B leading: the wait is followed to B.
      pair.a.router.routeAfterWait(g, pair.remote(ProxyPair.B));
      assertThat(c.call("SET", key, "2")).isEqualTo("+OK\r\n");
    }
    try (RawClient b = new RawClient(pair.b.port())) {
      assertThat(b.call("GET", key)).isEqualTo("$1\r\n2\r\n");
    }
  }

  @Test
  void aWriteRefusedBecauseLeadershipMovedIsFollowedNotRedirected() {
    String key = keyIn(ProxyPair.GROUPS - 2, "moved");
    pair.b.router.failNextWrite(ProxyPair.GROUPS - 2);
    try (Jedis jedis = proxyClient()) {
      assertThat(jedis.set(key, "after")).isEqualTo("OK");
      assertThat(jedis.get(key)).isEqualTo("after");
    }
    // Also for a group the proxy node itself leads.
    String local = keyIn(1, "moved");
    pair.a.router.failNextWrite(1);
    try (Jedis jedis = proxyClient()) {
      assertThat(jedis.set(local, "here")).isEqualTo("OK");
    }
    try (RawClient a = new RawClient(pair.a.port())) {
      assertThat(a.call("GET", local)).isEqualTo("$4\r\nhere\r\n");
    }
  }

  @Test
  void aWriteRatisRefusedWithoutApplyingIsTriedAgainAfterAMoment() {
    String key = keyIn(1, "stepping");
    pair.a.router.failNextWrite(1, new RaftUnavailableException("stepping down"));
    try (Jedis jedis = proxyClient()) {
      assertThat(jedis.incr(key)).isEqualTo(1);
    }
    // Refused for longer than the election wait: TRYAGAIN, and nothing was applied.
    for (int i = 0; i < 1000; i++) {
      pair.a.router.failNextWrite(1, new RaftUnavailableException("not ready"));
    }
    try (RawClient c = new RawClient(pair.proxyPortA())) {
      long t0 = System.nanoTime();
      assertThat(c.call("INCR", key))
          .isEqualTo("-TRYAGAIN Leadership of the slot's group is moving, please try again\r\n");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(390);
    }
    pair.a.router.clearWriteFailures(1);
    // The cluster port leaves the retry to the client.
    pair.a.router.failNextWrite(1, new RaftUnavailableException("stepping down"));
    try (RawClient c = new RawClient(pair.a.port())) {
      assertThat(c.call("INCR", key)).isEqualTo("-TRYAGAIN stepping down\r\n");
      assertThat(c.call("GET", key)).isEqualTo("$1\r\n1\r\n");
    }
  }

  @Test
  void anUnreachableLeaderIsWaitedForAndTriedAgain() {
    String key = keyIn(ProxyPair.GROUPS - 1, "refused");
    pair.forwarder.refuse(1);
    try (Jedis jedis = proxyClient()) {
      assertThat(jedis.incr(key)).isEqualTo(1);
      assertThat(pair.forwarder.sent).hasSize(2);
      // Still unreachable after every hop: TRYAGAIN, and nothing ran.
      pair.forwarder.refuse(100);
      assertThatThrownBy(() -> jedis.incr(key))
          .hasMessage("TRYAGAIN Leadership of the slot's group is moving, please try again");
      pair.forwarder.refuse(0);
      assertThat(jedis.get(key)).isEqualTo("1");
    }
  }

  @Test
  void aWriteWhoseReplyIsLostIsReportedUnknownWhileAReadIsRetried() {
    String key = keyIn(ProxyPair.GROUPS - 1, "lost");
    try (Jedis jedis = proxyClient()) {
      pair.forwarder.loseReply(1);
      assertThatThrownBy(() -> jedis.incr(key))
          .hasMessage(ProxyDispatcher.UNKNOWN_OUTCOME.text());
      // It did run: the error did not claim otherwise, and nothing retried it behind the client.
      pair.forwarder.loseReply(1);
      assertThat(jedis.get(key)).isEqualTo("1");
    }
  }

  @Test
  void blockingCommandsWaitOnTheRemoteLeaderAndWakeOnAPushThroughTheProxy() throws Exception {
    String list = keyIn(ProxyPair.GROUPS - 3, "queue");
    try (Jedis waiter = proxyClient(); Jedis pusher = proxyClient()) {
      CompletableFuture<List<String>> popped =
          CompletableFuture.supplyAsync(() -> waiter.blpop(5, list));
      Thread.sleep(300);
      assertThat(popped).isNotDone();
      assertThat(pusher.rpush(list, "job")).isEqualTo(1);
      assertThat(popped.get(5, TimeUnit.SECONDS)).containsExactly(list, "job");
      assertThat(pusher.llen(list)).isZero();
      // The timeout holds across the forward.
      long t0 = System.nanoTime();
      assertThat(waiter.blpop(0.3, list)).isNull();
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(took).isBetween(250L, 3000L);
    }
  }

  @Test
  void aClientThatDisconnectsWhileBlockedElsewhereNeverTakesAnElement() throws Exception {
    String list = keyIn(ProxyPair.GROUPS - 3, "gone");
    try (RawClient c = new RawClient(pair.proxyPortA())) {
      c.send(command("BLPOP", list, "0"));
      Thread.sleep(300);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (pair.forwarder.cancelled.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(pair.forwarder.cancelled.get()).isEqualTo(1);
    try (Jedis jedis = proxyClient()) {
      assertThat(jedis.rpush(list, "kept")).isEqualTo(1);
      Thread.sleep(300);
      assertThat(jedis.lrange(list, 0, -1)).containsExactly("kept");
    }
  }

  @Test
  void aClientBlockedHereFollowsTheGroupWhenItsLeadershipMoves() throws Exception {
    int g = 2;
    String list = keyIn(g, "follow");
    try (Jedis waiter = proxyClient(); Jedis pusher = proxyClient()) {
      CompletableFuture<List<String>> popped =
          CompletableFuture.supplyAsync(() -> waiter.blpop(10, list));
      Thread.sleep(300);
      // Group 2 moves from A to B while the client waits on A.
      pair.b.router.route(g, null);
      pair.a.router.route(g, pair.remote(ProxyPair.B));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (pair.forwarder.sent.stream().noneMatch(ForwardRequest::blocking)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(popped).isNotDone();
      assertThat(pusher.rpush(list, "moved-job")).isEqualTo(1);
      assertThat(popped.get(5, TimeUnit.SECONDS)).containsExactly(list, "moved-job");
    }
    assertThat(pair.forwarder.sent.stream().filter(ForwardRequest::blocking).toList())
        .allSatisfy(r -> assertThat(r.blockMillis()).isBetween(1L, 10_000L));
  }

  @Test
  void unknownCommandsAndArityErrorsAreAnsweredByTheProxyItself() {
    try (RawClient c = new RawClient(pair.proxyPortA())) {
      assertThat(c.call("NOSUCH", "x")).startsWith("-ERR unknown command 'NOSUCH'");
      assertThat(c.call("GET")).isEqualTo("-ERR wrong number of arguments for 'get' command\r\n");
    }
    assertThat(pair.forwarder.sent).isEmpty();
  }

  /** The stand-in client of a forwarded command never appears as a connection on the leader. */
  @Test
  void forwardedCommandsDoNotShowUpAsClientsOfTheLeader() {
    try (Jedis jedis = proxyClient(); Jedis b = new Jedis("127.0.0.1", pair.b.port())) {
      jedis.set(keyIn(ProxyPair.GROUPS - 1, "c"), "1");
      String list = b.clientList();
      assertThat(list.split("\n")).hasSize(1);
      Map<String, String> info = parseInfo(b.info("clients"));
      assertThat(info.get("connected_clients")).isEqualTo("1");
    }
  }

  private static Map<String, String> parseInfo(String info) {
    Map<String, String> out = new java.util.HashMap<>();
    for (String line : info.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        out.put(line.substring(0, colon), line.substring(colon + 1));
      }
    }
    return out;
  }
}
