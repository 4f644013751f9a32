package io.kvorum.resp.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.raft.route.GroupReplication;
import io.kvorum.resp.testing.RawClient;
import io.kvorum.resp.testing.TestServer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WAIT against the followers a leader reports: it counts those holding every led group's commit
 * index as of the call (the fewest over the groups), answers at once when enough do, waits for
 * them while it may, and answers what it has when its timeout runs out.
 */
class WaitCommandTest {
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

  @Test
  void countsTheFollowersHoldingEveryLedGroupsCommitIndex() throws Exception {
    // Every group has both followers up to date but group 1, which has one of two.
    for (int g = 0; g < 16; g++) {
      node.router.replication(g, new GroupReplication(5, new long[] {5, 6}));
    }
    node.router.replication(0, new GroupReplication(10, new long[] {10, 12}));
    node.router.replication(1, new GroupReplication(7, new long[] {7, 3}));
    try (RawClient c = new RawClient(node.port()); RawClient admin = new RawClient(node.port())) {
      assertThat(c.call("WAIT", "1", "0")).isEqualTo(":1\r\n");
      long t0 = System.nanoTime();
      assertThat(c.call("WAIT", "2", "150")).isEqualTo(":1\r\n");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(150);

      // A WAIT without a timeout waits, shown blocked, until the lagging follower catches up.
      CompletableFuture<String> waiting = CompletableFuture.supplyAsync(
          () -> c.call("WAIT", "2", "0"));
      long deadline = System.currentTimeMillis() + 10_000;
      while (!admin.call("CLIENT", "LIST").contains("flags=b")) {
        assertThat(System.currentTimeMillis()).isLessThan(deadline);
        Thread.sleep(10);
      }
      assertThat(waiting).isNotDone();
      // Later entries do not move its target: holding index 7 is enough.
      node.router.replication(1, new GroupReplication(9, new long[] {9, 7}));
      assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(":2\r\n");
      assertThat(admin.call("CLIENT", "LIST")).doesNotContain("flags=b");
    }
  }

  @Test
  void insideATransactionWaitAnswersAtOnce() {
    for (int g = 0; g < 16; g++) {
      node.router.replication(g, new GroupReplication(5, new long[] {5, 1}));
    }
    try (RawClient c = new RawClient(node.port())) {
      assertThat(c.call("MULTI")).isEqualTo("+OK\r\n");
      assertThat(c.call("WAIT", "2", "0")).isEqualTo("+QUEUED\r\n");
      assertThat(c.call("SET", "k", "v")).isEqualTo("+QUEUED\r\n");
      assertThat(c.call("EXEC")).isEqualTo("*2\r\n:1\r\n+OK\r\n");
    }
  }
}
