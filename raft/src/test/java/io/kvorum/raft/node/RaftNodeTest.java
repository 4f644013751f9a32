package io.kvorum.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.raft.route.RaftSlotGroupRouter;
import io.kvorum.raft.route.Route;
import io.kvorum.raft.route.SlotGroupRouter;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftNodeTest {
  @TempDir Path dir;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static byte[][] cmd(String... parts) {
    byte[][] r = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      r[i] = parts[i].getBytes(StandardCharsets.UTF_8);
    }
    return r;
  }

  static int groupOf(SlotGroupRouter router, String key) {
    return router.groupOf(HashSlot.of(key.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void bootstrapsOneNodeClusterAndKeepsCommittedWritesAcrossRestart() throws Exception {
    RaftNodeConfig config =
        RaftNodeConfig.defaults(dir, "127.0.0.1", freePort(), 6379, "127.0.0.1:7379");
    String nodeId;
    try (RaftNode node = RaftNode.start(config)) {
      nodeId = node.nodeId();
      SlotGroupRouter router = node.router();
      assertThat(router.groupCount()).isEqualTo(16);
      assertThat(router.ledGroups()).hasSize(16);
      int g = groupOf(router, "greeting");
      assertThat(router.route(g)).isEqualTo(Route.LOCAL);
      List<Reply> r = router.write(g, List.<byte[][]>of(cmd("SET", "greeting", "hello")), false).get();
      assertThat(r).containsExactly(Reply.OK);
      Reply got = router.read(g, cmd("GET", "greeting"), false).get();
      assertThat(((Reply.Bulk) got).utf8()).isEqualTo("hello");
      router.snapshotAll().get();
      router.write(groupOf(router, "after"), cmd("SET", "after", "snapshot"), false).get();
      assertThat(router.topology().groups()).hasSize(16);
      assertThat(router.topology().groups().get(0).leader()).isEqualTo(nodeId);
    }
    try (RaftNode node = RaftNode.start(config)) {
      assertThat(node.nodeId()).isEqualTo(nodeId);
      SlotGroupRouter router = node.router();
      Reply got = router.read(groupOf(router, "greeting"), cmd("GET", "greeting"), false).get();
      assertThat(((Reply.Bulk) got).utf8()).isEqualTo("hello");
      Reply after = router.read(groupOf(router, "after"), cmd("GET", "after"), false).get();
      assertThat(((Reply.Bulk) after).utf8()).isEqualTo("snapshot");
    }
  }

  @Test
  void activeExpiryDeletesDueKeysThroughTheLog() throws Exception {
    RaftNodeConfig config =
        RaftNodeConfig.defaults(dir, "127.0.0.1", freePort(), 6379, "127.0.0.1:7379");
    try (RaftNode node = RaftNode.start(config)) {
      SlotGroupRouter router = node.router();
      int g = groupOf(router, "short");
      router.write(g, List.<byte[][]>of(cmd("SET", "short", "v", "PX", "50")), false).get();
      long deadline = System.currentTimeMillis() + 5000;
      long keys = -1;
      while (System.currentTimeMillis() < deadline) {
        keys = router.groupStats().stream().filter(s -> s.index() == g).findFirst().orElseThrow()
            .keys();
        if (keys == 0) {
          break;
        }
        Thread.sleep(20);
      }
      assertThat(keys).isZero();
    }
  }

  @Test
  void listenersHearTheKeysEachAppliedEntryWrote() throws Exception {
    RaftNodeConfig config =
        RaftNodeConfig.defaults(dir, "127.0.0.1", freePort(), 6379, "127.0.0.1:7379");
    try (RaftNode node = RaftNode.start(config)) {
      SlotGroupRouter router = node.router();
      java.util.concurrent.LinkedBlockingQueue<String> heard =
          new java.util.concurrent.LinkedBlockingQueue<>();
      router.onKeysWritten((group, keys) -> {
        for (byte[] k : keys) {
          heard.add(group + ":" + new String(k, StandardCharsets.UTF_8));
        }
      });
      int g = groupOf(router, "{q}list");
      router.write(g, List.<byte[][]>of(cmd("RPUSH", "{q}list", "a"), cmd("GET", "{q}list"),
          cmd("DEL", "{q}other"), cmd("SET", "{q}s", "1")), false).get();
      assertThat(heard.poll(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(g + ":{q}list");
      assertThat(heard.poll(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(g + ":{q}s");
      router.write(g, List.<byte[][]>of(cmd("BLPOP", "{q}none", "0")), false).get();
      router.read(g, cmd("GET", "{q}s"), false).get();
      assertThat(heard.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS))
          .as("an empty attempt and a read write nothing").isNull();
    }
  }

  @Test
  void transactionsAreOneEntryWatchIsDecidedOnTheLeaderAndReadOnlyOnesLogNothing()
      throws Exception {
    RaftNodeConfig config =
        RaftNodeConfig.defaults(dir, "127.0.0.1", freePort(), 6379, "127.0.0.1:7379");
    try (RaftNode node = RaftNode.start(config)) {
      SlotGroupRouter router = node.router();
      int g = groupOf(router, "{t}k");
      router.write(g, cmd("SET", "{t}k", "1"), false).get();

      List<io.kvorum.storage.transaction.WatchedKey> touched =
          router.watch(g, List.of(cmd("{t}k")[0])).get();
      List<io.kvorum.storage.transaction.WatchedKey> untouched =
          router.watch(g, List.of(cmd("{t}other")[0])).get();
      router.write(g, cmd("INCR", "{t}k"), false).get();
      Reply aborted = router.transaction(g, List.<byte[][]>of(cmd("SET", "{t}k", "mine")), false,
          touched, false).get();
      assertThat(aborted).isEqualTo(Reply.NULL_ARRAY);
      Reply ran = router.transaction(g, List.<byte[][]>of(cmd("INCR", "{t}k"),
          cmd("RPUSH", "{t}l", "x")), false, untouched, false).get();
      assertThat(ran).isEqualTo(Reply.array(Reply.integer(3), Reply.integer(1)));
      router.unwatch(g);
      router.unwatch(g);

      long before = appliedIndex(router, g);
      Reply read = router.transaction(g, List.<byte[][]>of(cmd("GET", "{t}k"),
          cmd("LLEN", "{t}l")), false, List.of(), true).get();
      List<Reply> items = ((Reply.Array) read).items();
      assertThat(((Reply.Bulk) items.get(0)).utf8()).isEqualTo("3");
      assertThat(items.get(1)).isEqualTo(Reply.integer(1));
      assertThat(appliedIndex(router, g)).as("a read-only transaction is not logged")
          .isEqualTo(before);
    }
  }

  @Test
  void statsSkipAGroupWhoseStoreClosedUnderThem() throws Exception {
    // A replica moved away (or reloading a snapshot) closes its store while `kvorum admin
    // status` may be reading it; the status must still answer for the other groups.
    RaftNodeConfig config =
        RaftNodeConfig.defaults(dir, "127.0.0.1", freePort(), 6379, "127.0.0.1:7379");
    try (RaftNode node = RaftNode.start(config)) {
      RaftSlotGroupRouter router = (RaftSlotGroupRouter) node.router();
      router.machine(5).store().close();
      assertThat(router.groupStats()).hasSize(15)
          .noneMatch(s -> s.index() == 5);
    }
  }

  @Test
  void readsOnAOneNodeClusterSeeEveryWriteAcknowledgedBeforeThem() throws Exception {
    // Reads of a group whose only voter leads it skip Ratis's read request; they must still
    // never miss a write acknowledged before the read was sent.
    RaftNodeConfig config =
        RaftNodeConfig.defaults(dir, "127.0.0.1", freePort(), 6379, "127.0.0.1:7379");
    try (RaftNode node = RaftNode.start(config)) {
      SlotGroupRouter router = node.router();
      int g = groupOf(router, "counter");
      java.util.concurrent.atomic.AtomicLong acked = new java.util.concurrent.atomic.AtomicLong();
      java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; i < 2_000; i++) {
            Reply r = router.write(g, List.<byte[][]>of(cmd("INCR", "counter")), false).get()
                .get(0);
            acked.set(((Reply.Int) r).value());
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        } finally {
          done.set(true);
        }
      });
      writer.start();
      int reads = 0;
      while (!done.get()) {
        long before = acked.get();
        Reply got = router.read(g, cmd("GET", "counter"), false).get();
        long seen = got instanceof Reply.Bulk b ? Long.parseLong(b.utf8()) : 0;
        assertThat(seen).as("read %d after INCR %d was acknowledged", reads, before)
            .isGreaterThanOrEqualTo(before);
        reads++;
      }
      writer.join();
      assertThat(reads).isPositive();
      assertThat(((Reply.Bulk) router.read(g, cmd("GET", "counter"), false).get()).utf8())
          .isEqualTo("2000");
    }
  }

  @Test
  void aReadOfAStoreThatClosedUnderItIsUnavailableNotWrong() throws Exception {
    RaftNodeConfig config =
        RaftNodeConfig.defaults(dir, "127.0.0.1", freePort(), 6379, "127.0.0.1:7379");
    try (RaftNode node = RaftNode.start(config)) {
      RaftSlotGroupRouter router = (RaftSlotGroupRouter) node.router();
      router.machine(5).store().close();
      byte[] key = keyIn(router, 5);
      assertThat(router.read(5, new byte[][] {"GET".getBytes(StandardCharsets.UTF_8), key}, false))
          .failsWithin(java.time.Duration.ofSeconds(10))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(io.kvorum.raft.route.RaftUnavailableException.class);
    }
  }

  private static byte[] keyIn(SlotGroupRouter router, int group) {
    for (int i = 0; ; i++) {
      byte[] key = ("k" + i).getBytes(StandardCharsets.UTF_8);
      if (router.groupOf(HashSlot.of(key)) == group) {
        return key;
      }
    }
  }

  private static long appliedIndex(SlotGroupRouter router, int group) {
    return router.groupStats().stream().filter(s -> s.index() == group).findFirst()
        .orElseThrow().appliedIndex();
  }
}
