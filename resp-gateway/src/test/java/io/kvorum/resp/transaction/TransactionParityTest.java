package io.kvorum.resp.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.resp.testing.RawClient;
import io.kvorum.resp.testing.TestServer;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MULTI/EXEC/WATCH against a real redis-server 7.0 in cluster mode (owning every slot): the same
 * requests, on one or two connections, must give the same reply bytes. Fails when redis-server
 * is not installed: `make test` installs it.
 */
class TransactionParityTest {
  @TempDir static Path dir;
  static TestServer node;
  static Process redis;
  static int redisPort;

  @BeforeAll
  static void start() throws Exception {
    node = new TestServer(dir.resolve("kvorum"));
    try (ServerSocket s = new ServerSocket(0)) {
      redisPort = s.getLocalPort();
    }
    File data = dir.resolve("redis").toFile();
    data.mkdirs();
    redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort),
        "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file",
        new File(data, "nodes.conf").getPath(), "--dir", data.getPath(), "--save", "",
        "--appendonly", "no", "--cluster-port", "0")
        .redirectErrorStream(true).redirectOutput(new File(data, "log")).start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try (RawClient c = new RawClient(redisPort)) {
        c.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
        while (!c.call("CLUSTER", "INFO").contains("cluster_state:ok")) {
          assertThat(System.currentTimeMillis()).isLessThan(deadline);
          Thread.sleep(50);
        }
        break;
      } catch (RuntimeException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (redis != null) {
      redis.destroy();
      redis.waitFor(5, TimeUnit.SECONDS);
    }
    node.close();
  }

  @BeforeEach
  void flush() {
    for (int port : new int[] {node.port(), redisPort}) {
      try (RawClient c = new RawClient(port)) {
        c.call("FLUSHALL");
      }
    }
  }

  static void same(List<String> steps) throws InterruptedException {
    assertThat(TransactionScripts.run(node.port(), steps, false))
        .isEqualTo(TransactionScripts.run(redisPort, steps, false));
  }

  @Test
  void queueingExecDiscardAndTheirErrors() throws Exception {
    same(TransactionScripts.QUEUEING);
  }

  @Test
  void queueTimeErrorsAbortExec() throws Exception {
    same(TransactionScripts.QUEUE_TIME_ERRORS);
  }

  @Test
  void keysInDifferentSlotsAcrossQueuedCommandsFailExecWithCrossslot() throws Exception {
    same(TransactionScripts.CROSSSLOT);
  }

  @Test
  void blockingCommandsInsideMultiDoNotBlock() throws Exception {
    same(TransactionScripts.BLOCKING_INSIDE_MULTI);
    same(TransactionScripts.BLOCKING_INSIDE_MULTI_RESP3);
  }

  @Test
  void readOnlyTransactionsAndRuntimeErrors() throws Exception {
    same(TransactionScripts.READ_ONLY_AND_RUNTIME_ERRORS);
  }

  @Test
  void watchAbortsWhenAnotherConnectionWritesAndNotOtherwise() throws Exception {
    same(TransactionScripts.WATCH_OTHER_CONNECTION);
  }

  @Test
  void watchSeesDeletionRecreationAndOwnWrites() throws Exception {
    same(TransactionScripts.WATCH_DELETE_RECREATE_OWN);
  }

  @Test
  void watchAndExpiryAndFlush() throws Exception {
    same(TransactionScripts.WATCH_EXPIRY_FLUSH);
  }

  /**
   * Which writes count as touching a watched key: for each (setup; write by another connection),
   * EXEC must abort (or not) exactly when Redis's does.
   */
  @Test
  void everyKindOfWriteTouchesAWatchedKeyAsInRedis() throws Exception {
    assertThat(TransactionScripts.runWatchedWrites(node.port(), false))
        .isEqualTo(TransactionScripts.runWatchedWrites(redisPort, false));
  }

  @Test
  void watchRules() throws Exception {
    same(TransactionScripts.WATCH_RULES);
  }

  /** Kvorum's one difference: see {@link TransactionScripts#WATCH_OTHER_SLOT}. */
  @Test
  void watchedKeysInAnotherSlotFailExecWithCrossslot() throws Exception {
    assertThat(TransactionScripts.run(node.port(), TransactionScripts.WATCH_OTHER_SLOT, false))
        .isEqualTo(TransactionScripts.WATCH_OTHER_SLOT_REPLIES);
  }

  /** Kvorum's limit (a transaction travels in one log entry): Redis has none to compare with. */
  @Test
  void aTransactionBeyondTheQueryBufferLimitIsRefusedAndAborted() throws Exception {
    try (io.kvorum.resp.testing.RawClient c = new io.kvorum.resp.testing.RawClient(node.port())) {
      assertThat(c.call("CONFIG", "SET", "proto-max-bulk-len", "1mb")).isEqualTo("+OK\r\n");
      assertThat(c.call("CONFIG", "SET", "client-query-buffer-limit", "1mb"))
          .isEqualTo("+OK\r\n");
      try {
        String value = "x".repeat(600_000);
        assertThat(c.call("MULTI")).isEqualTo("+OK\r\n");
        assertThat(c.call("SET", "{t}a", value)).isEqualTo("+QUEUED\r\n");
        assertThat(c.call("SET", "{t}b", value)).isEqualTo("-ERR Transaction too large: at most "
            + "100000 commands and client-query-buffer-limit bytes of arguments\r\n");
        assertThat(c.call("EXEC"))
            .isEqualTo("-EXECABORT Transaction discarded because of previous errors.\r\n");
        assertThat(c.call("EXISTS", "{t}a")).isEqualTo(":0\r\n");
      } finally {
        c.call("CONFIG", "SET", "client-query-buffer-limit", "17mb");
        c.call("CONFIG", "SET", "proto-max-bulk-len", "16mb");
      }
    }
  }

  @Test
  void resp3Replies() throws Exception {
    same(TransactionScripts.RESP3_REPLIES);
  }

  /** Every script again with both connections in RESP3 from the start. */
  @Test
  void everyScriptInResp3() throws Exception {
    for (java.util.Map.Entry<String, List<String>> e : TransactionScripts.ALL.entrySet()) {
      flush();
      assertThat(TransactionScripts.run(node.port(), e.getValue(), true)).as(e.getKey())
          .isEqualTo(TransactionScripts.run(redisPort, e.getValue(), true));
    }
  }
}
