package io.kvorum.resp.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.raft.route.Route;
import io.kvorum.resp.server.ShutdownHook;
import io.kvorum.resp.testing.RawClient;
import io.kvorum.resp.testing.TestServer;
import io.kvorum.storage.slot.HashSlot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pub/sub behaviour of one gateway that a single redis-server cannot show: shard channels
 * routed by their slot's leader, shard subscribers dropped when the group's leader moves away,
 * shard channels on the proxy port wherever their slot is led,
 * the pub/sub output-buffer limit, and cleanup when a subscriber disconnects or is killed.
 */
class PubSubNodeTest {
  @TempDir Path dir;
  TestServer node;

  @BeforeEach
  void start() {
    node = new TestServer(dir);
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private Route.Remote elsewhere() {
    return new Route.Remote("ffffffffffffffffffffffffffffffffffffffff", "10.1.2.3", 7000);
  }

  @Test
  void shardCommandsGoToTheSlotsLeader() {
    int slot = HashSlot.of("{u}1".getBytes(StandardCharsets.UTF_8));
    int group = node.router.groupOf(slot);
    try (RawClient c = new RawClient(node.port())) {
      assertThat(c.call("SSUBSCRIBE", "{u}1", "other"))
          .isEqualTo("-CROSSSLOT Keys in request don't hash to the same slot\r\n");
      assertThat(c.call("SPUBLISH", "{u}1", "{v}message-is-not-a-key")).isEqualTo(":0\r\n");
      node.router.route(group, elsewhere());
      assertThat(c.call("SSUBSCRIBE", "{u}1", "{u}2"))
          .isEqualTo("-MOVED " + slot + " 10.1.2.3:7000\r\n");
      assertThat(c.call("SPUBLISH", "{u}1", "x")).isEqualTo("-MOVED " + slot + " 10.1.2.3:7000\r\n");
      node.router.route(group, new Route.Unavailable("election"));
      assertThat(c.call("SPUBLISH", "{u}1", "x")).isEqualTo("-CLUSTERDOWN The cluster is down\r\n");
      // PUBLISH has no slot: any node takes it.
      assertThat(c.call("PUBLISH", "{u}1", "x")).isEqualTo(":0\r\n");
    }
  }

  @Test
  void shardSubscribersAreUnsubscribedWhenTheGroupsLeaderMovesAway() {
    int slot = HashSlot.of("{u}1".getBytes(StandardCharsets.UTF_8));
    int group = node.router.groupOf(slot);
    try (RawClient sub = new RawClient(node.port()); RawClient other = new RawClient(node.port())) {
      sub.call("SSUBSCRIBE", "{u}1");
      other.send(RawClient.command("SSUBSCRIBE", "{u}1", "{u}2")).readRaw(2);
      // A channel of another group stays.
      String stays = otherGroupChannel(group);
      sub.call("SSUBSCRIBE", stays);
      node.router.route(group, elsewhere());
      assertThat(sub.readRaw(1)).isEqualTo("*3\r\n$12\r\nsunsubscribe\r\n$4\r\n{u}1\r\n:1\r\n");
      // Channels go in the node's map order; the counts fall to 0.
      String first = other.readRaw(1);
      String second = other.readRaw(1);
      assertThat(first).startsWith("*3\r\n$12\r\nsunsubscribe\r\n$4\r\n{u}").endsWith(":1\r\n");
      assertThat(second).startsWith("*3\r\n$12\r\nsunsubscribe\r\n$4\r\n{u}").endsWith(":0\r\n");
      assertThat(first.substring(0, 31)).isNotEqualTo(second.substring(0, 31));
      assertThat(sub.silentFor(500)).isTrue();
      node.router.route(group, null);
      try (RawClient x = new RawClient(node.port())) {
        assertThat(x.call("PUBSUB", "SHARDCHANNELS")).isEqualTo(
            "*1\r\n$" + stays.length() + "\r\n" + stays + "\r\n");
      }
    }
  }

  /** What this gateway handed to the other nodes: SPUBLISHes, with the leader they named. */
  private static final class RecordedFanout implements PublishFanout {
    final List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void publish(byte[] channel, byte[] message) {
      sent.add("publish " + new String(channel, StandardCharsets.UTF_8));
    }

    @Override
    public void publishShard(byte[] channel, byte[] message, String leaderNodeId) {
      sent.add("spublish " + new String(channel, StandardCharsets.UTF_8) + " " + leaderNodeId);
    }
  }

  @Test
  void onTheProxyPortShardChannelsWorkWhereverTheSlotIsLedAndStayWhenItMoves() {
    node.close();
    node = new TestServer(dir, c -> c.withProxyPort(0), ShutdownHook.REFUSE);
    RecordedFanout fanout = new RecordedFanout();
    node.server.gateway().pubsub().fanout(fanout);
    int slot = HashSlot.of("{u}1".getBytes(StandardCharsets.UTF_8));
    int group = node.router.groupOf(slot);
    node.router.route(group, elsewhere());
    try (RawClient proxySub = new RawClient(node.server.proxyPort());
        RawClient proxy = new RawClient(node.server.proxyPort());
        RawClient clusterSub = new RawClient(node.port())) {
      // No MOVED on the proxy port, but the channels must still share a slot.
      assertThat(proxySub.call("SSUBSCRIBE", "{u}1", "other"))
          .isEqualTo("-CROSSSLOT Keys in request don't hash to the same slot\r\n");
      assertThat(proxySub.call("SSUBSCRIBE", "{u}1"))
          .isEqualTo("*3\r\n$10\r\nssubscribe\r\n$4\r\n{u}1\r\n:1\r\n");
      // Published here while another node leads: delivered to the proxy subscriber here, and
      // handed on naming the leader (whose cluster-port subscribers must get it too).
      assertThat(proxy.call("SPUBLISH", "{u}1", "m1")).isEqualTo(":1\r\n");
      assertThat(proxySub.readRaw(1))
          .isEqualTo("*3\r\n$8\r\nsmessage\r\n$4\r\n{u}1\r\n$2\r\nm1\r\n");
      assertThat(fanout.sent).containsExactly("spublish {u}1 " + elsewhere().nodeId());
      // The cluster port still redirects.
      assertThat(clusterSub.call("SSUBSCRIBE", "{u}1"))
          .isEqualTo("-MOVED " + slot + " 10.1.2.3:7000\r\n");

      // This node leads: a cluster-port subscriber joins; a message from another node reaches
      // both, and an SPUBLISH here names no other leader.
      node.router.route(group, null);
      assertThat(clusterSub.call("SSUBSCRIBE", "{u}1"))
          .isEqualTo("*3\r\n$10\r\nssubscribe\r\n$4\r\n{u}1\r\n:1\r\n");
      assertThat(node.server.gateway().pubsub().deliverShard(
          "{u}1".getBytes(StandardCharsets.UTF_8), "m2".getBytes(StandardCharsets.UTF_8)))
          .isEqualTo(2);
      assertThat(proxySub.readRaw(1)).endsWith("$2\r\nm2\r\n");
      assertThat(clusterSub.readRaw(1)).endsWith("$2\r\nm2\r\n");
      assertThat(proxy.call("SPUBLISH", "{u}1", "m3")).isEqualTo(":2\r\n");
      assertThat(fanout.sent).last().isEqualTo("spublish {u}1 null");
      assertThat(proxySub.readRaw(1)).endsWith("$2\r\nm3\r\n");
      assertThat(clusterSub.readRaw(1)).endsWith("$2\r\nm3\r\n");

      // Leadership moves away: only the cluster-port subscriber is dropped, and a message from
      // the new leader reaches only the proxy-port one.
      node.router.route(group, elsewhere());
      assertThat(clusterSub.readRaw(1))
          .isEqualTo("*3\r\n$12\r\nsunsubscribe\r\n$4\r\n{u}1\r\n:0\r\n");
      assertThat(proxySub.silentFor(500)).isTrue();
      assertThat(node.server.gateway().pubsub().deliverShard(
          "{u}1".getBytes(StandardCharsets.UTF_8), "m4".getBytes(StandardCharsets.UTF_8)))
          .isEqualTo(1);
      assertThat(proxySub.readRaw(1)).endsWith("$2\r\nm4\r\n");
      assertThat(clusterSub.silentFor(300)).isTrue();
      assertThat(proxy.call("PUBSUB", "SHARDNUMSUB", "{u}1"))
          .isEqualTo("*2\r\n$4\r\n{u}1\r\n:1\r\n");
    }
  }

  private String otherGroupChannel(int group) {
    for (int i = 0; ; i++) {
      String name = "ch" + i;
      if (node.router.groupOf(HashSlot.of(name.getBytes(StandardCharsets.UTF_8))) != group) {
        return name;
      }
    }
  }

  @Test
  void closedAndKilledSubscribersLeaveNoSubscription() throws Exception {
    try (RawClient admin = new RawClient(node.port())) {
      RawClient a = new RawClient(node.port());
      a.call("SUBSCRIBE", "c");
      RawClient b = new RawClient(node.port());
      b.send(RawClient.command("PSUBSCRIBE", "c*")).readRaw(1);
      b.send(RawClient.command("SSUBSCRIBE", "c")).readRaw(1);
      assertThat(admin.call("PUBLISH", "c", "m")).isEqualTo(":2\r\n");
      String list = admin.call("CLIENT", "LIST", "TYPE", "pubsub");
      assertThat(list).contains("flags=P").contains("sub=1 psub=0 ssub=0")
          .contains("sub=0 psub=1 ssub=1");
      assertThat(admin.call("CLIENT", "KILL", "TYPE", "pubsub")).isEqualTo(":2\r\n");
      a.close();
      b.close();
      waitUntil(() -> admin.call("PUBLISH", "c", "m").equals(":0\r\n"));
      assertThat(admin.call("PUBSUB", "NUMPAT")).isEqualTo(":0\r\n");
      assertThat(admin.call("PUBSUB", "SHARDCHANNELS")).isEqualTo("*0\r\n");
      assertThat(admin.call("INFO", "stats")).contains("pubsub_channels:0\r\n")
          .contains("pubsub_patterns:0\r\n").contains("pubsubshard_channels:0\r\n");
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5_000;
    while (!condition.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).as("condition within 5 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** A subscriber that never reads: its socket buffers are kept small so output backs up. */
  private Socket stalledSubscriber(String channel) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new java.net.InetSocketAddress("127.0.0.1", node.port()));
    OutputStream out = s.getOutputStream();
    out.write(RawClient.command("SUBSCRIBE", channel));
    out.flush();
    return s;
  }

  /** True once the server closed {@code s} (its unread data is skipped). */
  private static boolean closedByServer(Socket s, long millis) throws IOException {
    s.setSoTimeout(100);
    InputStream in = s.getInputStream();
    byte[] buf = new byte[1 << 16];
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (in.read(buf) < 0) {
          return true;
        }
      } catch (java.net.SocketTimeoutException e) {
        // nothing yet
      } catch (IOException e) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aSubscriberOverTheHardLimitIsDisconnected() throws Exception {
    try (RawClient admin = new RawClient(node.port());
        Socket slow = stalledSubscriber("big")) {
      assertThat(admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0"))
          .isEqualTo("+OK\r\n");
      waitUntil(() -> admin.call("PUBSUB", "NUMSUB", "big").endsWith(":1\r\n"));
      String payload = "x".repeat(64 * 1024);
      List<String> replies = new ArrayList<>();
      // 8 MB or more: far more than the socket buffers and the 1 MB limit hold. The subscriber's
      // own event loop enforces the limit, so on a busy machine a few more publishes may still
      // count it before it is dropped: publish until one does not (64 MB at most).
      for (int i = 0; i < 1024 && (i < 128 || !replies.contains(":0\r\n")); i++) {
        replies.add(admin.call("PUBLISH", "big", payload));
      }
      assertThat(replies.get(0)).isEqualTo(":1\r\n");
      assertThat(replies).contains(":0\r\n");
      assertThat(admin.call("PUBSUB", "NUMSUB", "big")).endsWith(":0\r\n");
      assertThat(closedByServer(slow, 5_000)).isTrue();
    }
  }

  @Test
  void aSubscriberOverTheSoftLimitForItsSecondsIsDisconnected() throws Exception {
    try (RawClient admin = new RawClient(node.port());
        Socket slow = stalledSubscriber("soft")) {
      admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 512kb 1");
      waitUntil(() -> admin.call("PUBSUB", "NUMSUB", "soft").endsWith(":1\r\n"));
      String payload = "y".repeat(64 * 1024);
      // 8 MB in one pipeline (quickly, well within the soft seconds): more than the socket
      // buffers absorb, so output stays over the soft limit.
      java.io.ByteArrayOutputStream pipeline = new java.io.ByteArrayOutputStream();
      for (int i = 0; i < 128; i++) {
        pipeline.writeBytes(RawClient.command("PUBLISH", "soft", payload));
      }
      admin.send(pipeline.toByteArray()).readRaw(128);
      // Over the soft limit, but not for a second yet: still subscribed.
      assertThat(admin.call("PUBSUB", "NUMSUB", "soft")).endsWith(":1\r\n");
      Thread.sleep(1_300);
      admin.call("PUBLISH", "soft", payload);
      waitUntil(() -> admin.call("PUBSUB", "NUMSUB", "soft").endsWith(":0\r\n"));
      assertThat(closedByServer(slow, 5_000)).isTrue();
    }
  }

  @Test
  void outputBufferLimitConfiguration() {
    try (RawClient c = new RawClient(node.port())) {
      assertThat(c.call("CONFIG", "GET", "client-output-buffer-limit")).isEqualTo(
          "*2\r\n$26\r\nclient-output-buffer-limit\r\n$67\r\n"
              + "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60\r\n");
      assertThat(c.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb"))
          .isEqualTo("-ERR CONFIG SET failed (possibly related to argument "
              + "'client-output-buffer-limit') - Wrong number of arguments in buffer limit "
              + "configuration.\r\n");
      assertThat(c.call("CONFIG", "SET", "client-output-buffer-limit", "foo 1 2 3"))
          .contains("Invalid client class specified in buffer limit configuration.");
      assertThat(c.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1 2 -3"))
          .contains("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
      assertThat(c.call("CONFIG", "SET", "client-output-buffer-limit",
          "normal 1 2 3 replica 4k 5 6 pubsub 1mb 512kb 10")).isEqualTo("+OK\r\n");
      assertThat(c.call("CONFIG", "GET", "client-output-buffer-limit"))
          .contains("normal 1 2 3 slave 4000 5 6 pubsub 1048576 524288 10\r\n");
    }
  }
}
