package io.kvorum.server.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.raft.group.SlotGroupStateMachine;
import io.kvorum.raft.route.RaftSlotGroupRouter;
import io.kvorum.server.config.ServerConfigLoader;
import io.kvorum.server.node.KvorumNode;
import io.kvorum.storage.engine.SlotGroupStore;
import io.kvorum.storage.reply.Reply;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

/**
 * A replica added to a group downloads the leader's RocksDB checkpoint over the node service
 * (Ratis only tells it to), and the leader's node sends it no faster than
 * {@code --move-bytes-per-sec}.
 */
class MoveRateCapTest {
  private static final Logger LOG = LoggerFactory.getLogger(MoveRateCapTest.class);
  private static final int KEYS = 80;
  private static final int VALUE_BYTES = 100_000;

  @TempDir Path dir;

  @Test
  void aNewReplicaFetchesTheLeadersCheckpointNoFasterThanTheCap() throws Exception {
    long cap = 2L << 20;
    Move m = addReplica(Long.toString(cap));
    // Random values do not compress: the checkpoint holds about all 8 MB.
    assertThat(m.bytesSent()).isGreaterThanOrEqualTo((long) KEYS * VALUE_BYTES);
    // Bytes started by time t never exceed cap × t plus one chunk; the 10 ms poll may start the
    // clock late.
    double floor = (m.bytesSent() - (double) SnapshotSender.CHUNK_BYTES) / cap - 0.02;
    assertThat(m.seconds()).isGreaterThanOrEqualTo(floor);
    LOG.info("capped move: {} bytes in {} s (floor {} s)", m.bytesSent(), m.seconds(), floor);
  }

  @Test
  void withoutACapTheSameMoveRunsAtFullSpeed() throws Exception {
    Move m = addReplica("0");
    assertThat(m.bytesSent()).isGreaterThanOrEqualTo((long) KEYS * VALUE_BYTES);
    // Reported, not asserted: how fast depends on the machine.
    LOG.info("uncapped move: {} bytes in {} s", m.bytesSent(), m.seconds());
  }

  private record Move(long bytesSent, double seconds) {}

  /**
   * Starts a one-group node holding ~8 MB, snapshots it, then lets a second node join: the
   * balancer adds it as a replica. Returns once the new replica holds every key, timing the
   * transfer from its first granted byte.
   */
  private Move addReplica(String rate) throws Exception {
    KvorumNode first = null;
    KvorumNode second = null;
    try {
      int firstAdmin = freePort();
      first = KvorumNode.start(ServerConfigLoader.load(
          flags("a", firstAdmin, null, rate), Map.of(), null));
      Random random = new Random(42);
      Map<String, byte[]> values = new HashMap<>();
      try (Jedis j = new Jedis("127.0.0.1", first.respPort())) {
        for (int i = 0; i < KEYS; i++) {
          byte[] v = new byte[VALUE_BYTES];
          random.nextBytes(v);
          values.put("k" + i, v);
          j.set(("k" + i).getBytes(StandardCharsets.UTF_8), v);
        }
      }
      RaftSlotGroupRouter leaderRouter = (RaftSlotGroupRouter) first.raft().router();
      leaderRouter.snapshotAll().get();
      long snapshotIndex = leaderRouter.machine(0).getLatestSnapshot().getIndex();
      TransferRate sent = first.snapshotSender().rate();
      assertThat(sent.granted()).isZero();

      second = KvorumNode.start(ServerConfigLoader.load(
          flags("b", freePort(), "127.0.0.1:" + firstAdmin, "0"), Map.of(), null));
      RaftSlotGroupRouter router = (RaftSlotGroupRouter) second.raft().router();
      long deadline = System.nanoTime() + 60_000_000_000L;
      long transferStarted = 0;
      while (true) {
        long now = System.nanoTime();
        if (transferStarted == 0 && sent.granted() > 0) {
          transferStarted = now;
        }
        SlotGroupStateMachine machine = router.machine(0);
        SlotGroupStore store = machine == null ? null : machine.store();
        if (transferStarted != 0 && store != null && store.applied().index() >= snapshotIndex) {
          break;
        }
        assertThat(now).as("the new replica caught up within 60 s").isLessThan(deadline);
        Thread.sleep(10);
      }
      double seconds = (System.nanoTime() - transferStarted) / 1e9;
      SlotGroupStore store = router.machine(0).store();
      for (Map.Entry<String, byte[]> e : values.entrySet()) {
        Reply r = store.read(new byte[][] {"GET".getBytes(StandardCharsets.UTF_8),
            e.getKey().getBytes(StandardCharsets.UTF_8)}, false, System.currentTimeMillis());
        assertThat(r).as(e.getKey()).isInstanceOf(Reply.Bulk.class);
        assertThat(((Reply.Bulk) r).value()).as(e.getKey()).isEqualTo(e.getValue());
      }
      return new Move(sent.granted(), seconds);
    } finally {
      if (second != null) {
        second.close();
      }
      if (first != null) {
        first.close();
      }
    }
  }

  private Map<String, String> flags(String name, int admin, String join, String rate)
      throws IOException {
    Map<String, String> flags = new HashMap<>();
    flags.put("port", Integer.toString(freePort()));
    flags.put("raft-port", Integer.toString(freePort()));
    flags.put("admin-port", Integer.toString(admin));
    flags.put("data-dir", dir.resolve(name + "-" + admin).toString());
    flags.put("slot-groups", "1");
    flags.put("block-cache-size", "16mb");
    flags.put("write-buffer-size", "16mb");
    flags.put("move-bytes-per-sec", rate);
    if (join != null) {
      flags.put("join", join);
    }
    return flags;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
