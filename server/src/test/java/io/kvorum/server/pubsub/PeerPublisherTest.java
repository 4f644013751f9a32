package io.kvorum.server.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.server.config.ServerConfig;
import io.kvorum.server.config.ServerConfigLoader;
import io.kvorum.server.node.KvorumNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.JedisShardedPubSub;

/**
 * The fan-out over real gRPC to a whole node's admin port: messages reach its subscribers in
 * publishing order, shard messages its shard subscribers, and a peer that is down or never
 * answers costs the publisher nothing: its messages are dropped and counted, its queue stays
 * bounded. SPUBLISH goes only to the nodes that can have a subscriber.
 */
class PeerPublisherTest {
  @TempDir static Path dir;
  static KvorumNode node;
  static int adminPort;
  static int respPort;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @BeforeAll
  static void start() throws IOException {
    adminPort = freePort();
    respPort = freePort();
    Map<String, String> flags = new HashMap<>();
    flags.put("port", Integer.toString(respPort));
    flags.put("raft-port", Integer.toString(freePort()));
    flags.put("admin-port", Integer.toString(adminPort));
    flags.put("data-dir", dir.toString());
    ServerConfig config = ServerConfigLoader.load(flags, Map.of(), null);
    node = KvorumNode.start(config);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void messagesReachAnotherNodesSubscribersInOrderWhileADownPeerIsDropped() throws Exception {
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    JedisPubSub listener = new JedisPubSub() {
      @Override
      public void onMessage(String channel, String message) {
        got.add(message);
      }
    };
    ExecutorService thread = Executors.newSingleThreadExecutor();
    String down = "127.0.0.1:" + freePort();
    try (Jedis jedis = new Jedis("127.0.0.1", respPort);
        PeerPublisher publisher = new PeerPublisher(
            () -> List.of("127.0.0.1:" + adminPort, down), leader -> List.of(), 64 << 20)) {
      thread.submit(() -> jedis.subscribe(listener, "ch"));
      try (Jedis admin = new Jedis("127.0.0.1", respPort)) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (admin.pubsubNumSub("ch").get("ch") != 1) {
          assertThat(System.currentTimeMillis()).isLessThan(deadline);
          Thread.sleep(20);
        }
      }
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        sent.add("m" + i);
        publisher.publish(b("ch"), b("m" + i));
      }
      List<String> received = new ArrayList<>();
      for (int i = 0; i < sent.size(); i++) {
        String m = got.poll(20, TimeUnit.SECONDS);
        assertThat(m).as("message " + i).isNotNull();
        received.add(m);
      }
      assertThat(received).containsExactlyElementsOf(sent);
      long deadline = System.currentTimeMillis() + 20_000;
      while (publisher.dropped() < sent.size()) {
        assertThat(System.currentTimeMillis()).as("every message to the down peer dropped")
            .isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(publisher.dropped()).isEqualTo(sent.size());
      listener.unsubscribe();
    } finally {
      thread.shutdownNow();
    }
  }

  @Test
  void aPeerThatNeverAnswersFillsABoundedQueueAndPublishingStaysFast() throws Exception {
    // Accepts connections and never speaks: every call waits for its deadline.
    try (ServerSocket silent = new ServerSocket(0);
        PeerPublisher publisher = new PeerPublisher(
            () -> List.of("127.0.0.1:" + silent.getLocalPort()), leader -> List.of(), 64 << 20,
            100)) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 10_000; i++) {
        publisher.publish(b("ch"), b("payload-" + i));
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(millis).as("publishing never waits for the peer").isLessThan(5_000);
      // At most the queue (100) plus the batch in flight can be pending; the rest is dropped.
      assertThat(publisher.dropped()).isGreaterThanOrEqualTo(10_000 - 100
          - PeerPublisher.MAX_BATCH_MESSAGES);
    }
  }

  @Test
  void anSpublishGoesToTheSlotsLeaderAndToNodesWithAProxyPortOnly() {
    List<NodeInfo> nodes = List.of(
        node("self", "h:1", true),
        node("leader", "h:2", false),
        node("proxied", "h:3", true),
        node("plain", "h:4", false),
        node("unreachable", "", true));
    assertThat(PeerPublisher.shardTargets(nodes, "self", "leader"))
        .containsExactly("h:2", "h:3");
    // This node leads the slot, or no node does: only the proxy ports' subscribers are elsewhere.
    assertThat(PeerPublisher.shardTargets(nodes, "self", "self")).containsExactly("h:3");
    assertThat(PeerPublisher.shardTargets(nodes, "self", null)).containsExactly("h:3");
    // A leader with a proxy port is sent the message once.
    assertThat(PeerPublisher.shardTargets(nodes, "self", "proxied")).containsExactly("h:3");
  }

  private static NodeInfo node(String id, String admin, boolean proxy) {
    return NodeInfo.newBuilder().setId(id).setAdminAddress(admin).setHasProxyPort(proxy).build();
  }

  @Test
  void shardMessagesReachTheNodesShardSubscribersAndPlainMessagesDoNot() throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    JedisShardedPubSub listener = new JedisShardedPubSub() {
      @Override
      public void onSMessage(String channel, String message) {
        got.add(channel + ":" + message);
      }
    };
    try (JedisCluster jedis = new JedisCluster(new HostAndPort("127.0.0.1", respPort));
        PeerPublisher publisher = new PeerPublisher(() -> List.of("127.0.0.1:" + adminPort),
            leader -> List.of("127.0.0.1:" + adminPort), 64 << 20)) {
      thread.submit(() -> jedis.ssubscribe(listener, "{s}ch"));
      try (Jedis admin = new Jedis("127.0.0.1", respPort)) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (admin.pubsubShardNumSub("{s}ch").get("{s}ch") != 1) {
          assertThat(System.currentTimeMillis()).isLessThan(deadline);
          Thread.sleep(20);
        }
      }
      // The node leads every slot, so its cluster-port shard subscriber is one to deliver to.
      publisher.publishShard(b("{s}ch"), b("one"), null);
      assertThat(got.poll(20, TimeUnit.SECONDS)).isEqualTo("{s}ch:one");
      // A PUBLISH of the same name is for channel subscribers, of which there are none: the shard
      // subscriber's next message is the next SPUBLISH, sent after it on the same queue.
      publisher.publish(b("{s}ch"), b("plain"));
      publisher.publishShard(b("{s}ch"), b("two"), null);
      assertThat(got.poll(20, TimeUnit.SECONDS)).isEqualTo("{s}ch:two");
      listener.sunsubscribe();
    } finally {
      thread.shutdownNow();
    }
  }
}
