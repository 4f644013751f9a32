package io.kvorum.server.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

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
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * The fan-out over real gRPC to a whole node's admin port: messages reach its subscribers in
 * publishing order, and a peer that is down or never answers costs the publisher nothing: its
 * messages are dropped and counted, its queue stays bounded.
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
            () -> List.of("127.0.0.1:" + adminPort, down), 64 << 20)) {
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
            () -> List.of("127.0.0.1:" + silent.getLocalPort()), 64 << 20, 100)) {
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
}
