package io.kvorum.server.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvorum.resp.proxy.ForwardException;
import io.kvorum.resp.proxy.ForwardRequest;
import io.kvorum.server.config.ServerConfig;
import io.kvorum.server.config.ServerConfigLoader;
import io.kvorum.server.node.KvorumNode;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** Forwards over real gRPC to a whole node's admin port, and its proxy port on one node. */
class GrpcForwarderTest {
  @TempDir static Path dir;
  static KvorumNode node;
  static int adminPort;
  static GrpcForwarder forwarder;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @BeforeAll
  static void start() throws IOException {
    // Held open together so the three ports differ (one closed at a time may come back twice).
    int respPort;
    int raftPort;
    try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0);
        ServerSocket c = new ServerSocket(0)) {
      adminPort = a.getLocalPort();
      respPort = b.getLocalPort();
      raftPort = c.getLocalPort();
    }
    Map<String, String> flags = new HashMap<>();
    flags.put("port", Integer.toString(respPort));
    flags.put("raft-port", Integer.toString(raftPort));
    flags.put("admin-port", Integer.toString(adminPort));
    flags.put("proxy-port", "0");
    flags.put("data-dir", dir.toString());
    ServerConfig config = ServerConfigLoader.load(flags, Map.of(), null);
    node = KvorumNode.start(config);
    forwarder = new GrpcForwarder(id -> id.equals("node") ? "127.0.0.1:" + adminPort
        : id.equals("closed") ? "127.0.0.1:" + closedPort() : null, 64 << 20);
  }

  @AfterAll
  static void stop() {
    if (forwarder != null) {
      forwarder.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private static int closedPort() {
    try {
      return freePort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[][] args(String... a) {
    byte[][] out = new byte[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  private static ForwardRequest request(boolean write, long blockMillis, String... command) {
    int slot = HashSlot.of(command[1].getBytes(StandardCharsets.UTF_8));
    int group = node.raft().router().groupOf(slot);
    return new ForwardRequest(group, new int[] {slot}, List.<byte[][]>of(args(command)), false,
        write, 1, blockMillis);
  }

  private static Reply one(ForwardRequest r) throws Exception {
    List<Reply> replies = forwarder.forward("node", r).get(20, TimeUnit.SECONDS);
    assertThat(replies).hasSize(1);
    return replies.get(0);
  }

  @Test
  void writesAndReadsRunOnTheNodeAndAnswerItsReplies() throws Exception {
    assertThat(one(request(true, ForwardRequest.NOT_BLOCKING, "SET", "fw:a", "1"))).isEqualTo(Reply.OK);
    assertThat(one(request(true, ForwardRequest.NOT_BLOCKING, "INCR", "fw:a"))).isEqualTo(Reply.integer(2));
    Reply got = one(request(false, ForwardRequest.NOT_BLOCKING, "GET", "fw:a"));
    assertThat(((Reply.Bulk) got).utf8()).isEqualTo("2");
    assertThat(one(request(false, ForwardRequest.NOT_BLOCKING, "LLEN", "fw:a")))
        .isEqualTo(new Reply.Error("WRONGTYPE Operation against a key holding the wrong kind of value"));
    // Pipelined writes of one group: one request, one reply each.
    int slot = HashSlot.of("{fw}x".getBytes(StandardCharsets.UTF_8));
    ForwardRequest batch = new ForwardRequest(node.raft().router().groupOf(slot),
        new int[] {slot, slot, slot},
        List.of(args("SET", "{fw}x", "1"), args("INCR", "{fw}x"), args("INCR", "{fw}y")),
        false, true, 1, ForwardRequest.NOT_BLOCKING);
    assertThat(forwarder.forward("node", batch).get(20, TimeUnit.SECONDS))
        .containsExactly(Reply.OK, Reply.integer(2), Reply.integer(1));
  }

  @Test
  void aForwardedBlockingCommandWaitsItsTimeoutOnTheNode() throws Exception {
    long t0 = System.nanoTime();
    Reply r = one(request(true, 300, "BLPOP", "fw:empty", "0.3"));
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(r).isEqualTo(Reply.NULL_ARRAY);
    assertThat(took).isGreaterThanOrEqualTo(250);
  }

  @Test
  void cancellingAForwardedBlockingCommandStopsItsWaitOnTheNode() throws Exception {
    CompletableFuture<List<Reply>> waiting =
        forwarder.forward("node", request(true, 0, "BLPOP", "fw:queue", "0"));
    Thread.sleep(500);
    assertThat(waiting).isNotDone();
    waiting.cancel(false);
    Thread.sleep(300);
    try (Jedis jedis = new Jedis("127.0.0.1", node.respPort())) {
      assertThat(jedis.rpush("fw:queue", "kept")).isEqualTo(1);
      Thread.sleep(300);
      assertThat(jedis.lrange("fw:queue", 0, -1)).containsExactly("kept");
    }
  }

  @Test
  void aNodeThatCannotBeReachedFailsUndelivered() {
    assertThatThrownBy(() -> forwarder.forward("closed",
        request(true, ForwardRequest.NOT_BLOCKING, "SET", "fw:b", "1")).get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ForwardException.class)
        .matches(e -> !((ForwardException) e).delivered(), "undelivered");
    assertThatThrownBy(() -> forwarder.forward("unknown",
        request(true, ForwardRequest.NOT_BLOCKING, "SET", "fw:b", "1")).get(20, TimeUnit.SECONDS))
        .cause().isInstanceOf(ForwardException.class)
        .hasMessageContaining("no admin address known for node unknown");
  }

  @Test
  void aMalformedRequestIsRefusedBeforeAnythingRuns() {
    ForwardRequest empty = new ForwardRequest(0, new int[0], List.of(), false, true, 1,
        ForwardRequest.NOT_BLOCKING);
    assertThatThrownBy(() -> forwarder.forward("node", empty).get(20, TimeUnit.SECONDS))
        .cause().isInstanceOf(ForwardException.class)
        .matches(e -> !((ForwardException) e).delivered(), "refused, so undelivered")
        .hasMessageContaining("INVALID_ARGUMENT");
  }

  @Test
  void theProxyPortOfAOneNodeClusterServesEverything() {
    assertThat(node.proxyPort()).isPositive().isNotEqualTo(node.respPort());
    try (Jedis jedis = new Jedis("127.0.0.1", node.proxyPort())) {
      assertThat(jedis.set("px:1", "a")).isEqualTo("OK");
      assertThat(jedis.mset("{px}1", "b", "{px}2", "c")).isEqualTo("OK");
      assertThat(jedis.mget("px:1", "{px}1", "{px}2", "px:none")).containsExactly("a", "b", "c", null);
      assertThat(jedis.del("px:1", "{px}1")).isEqualTo(2);
      assertThat(jedis.clusterNodes()).contains("127.0.0.1:" + node.proxyPort() + "@0 myself,master");
    }
  }
}
