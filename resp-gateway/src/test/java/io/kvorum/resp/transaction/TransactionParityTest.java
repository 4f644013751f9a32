package io.kvorum.resp.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.resp.testing.RawClient;
import io.kvorum.resp.testing.TestServer;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
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

  /**
   * Runs steps on numbered connections ("1 SET a 1", "2 GET a"; "sleep 200" pauses) and returns
   * each step with its raw reply.
   */
  static List<String> run(int port, List<String> steps) throws InterruptedException {
    List<String> out = new ArrayList<>();
    RawClient[] clients = {new RawClient(port), new RawClient(port)};
    try {
      for (String step : steps) {
        if (step.startsWith("sleep ")) {
          Thread.sleep(Long.parseLong(step.substring(6)));
          continue;
        }
        RawClient c = clients[step.charAt(0) - '1'];
        c.send(step.substring(2) + "\r\n");
        // HELLO reports the connection id, which differs between the servers.
        out.add(step + " -> " + c.readRaw(1).replaceAll("\\$2\r\nid\r\n:\\d+", "id"));
      }
    } finally {
      for (RawClient c : clients) {
        c.close();
      }
    }
    return out;
  }

  static void same(String... steps) throws InterruptedException {
    List<String> list = List.of(steps);
    assertThat(run(node.port(), list)).isEqualTo(run(redisPort, list));
  }

  @Test
  void queueingExecDiscardAndTheirErrors() throws Exception {
    same("1 EXEC", "1 DISCARD", "1 MULTI", "1 MULTI", "1 WATCH a", "1 SET {t}a 1",
        "1 INCR {t}a", "1 LPUSH {t}a x", "1 GET {t}a", "1 PING", "1 ECHO hi", "1 EXEC",
        "1 GET {t}a", "1 MULTI", "1 SET {t}b 1", "1 DISCARD", "1 EXISTS {t}b", "1 EXEC");
  }

  @Test
  void queueTimeErrorsAbortExec() throws Exception {
    same("1 MULTI", "1 SET {t}a 1", "1 FOO bar", "1 EXEC", "1 EXISTS {t}a",
        "1 MULTI", "1 GET", "1 SET {t}a 1", "1 EXEC",
        "1 MULTI", "1 SAVE", "1 EXEC",
        "1 MULTI", "1 MSET a 1 b 2", "1 EXEC", "1 EXISTS {t}a");
  }

  @Test
  void keysInDifferentSlotsAcrossQueuedCommandsFailExecWithCrossslot() throws Exception {
    same("1 MULTI", "1 SET a 1", "1 SET b 1", "1 EXEC", "1 EXISTS a", "1 EXEC");
  }

  @Test
  void blockingCommandsInsideMultiDoNotBlock() throws Exception {
    same("1 MULTI", "1 BLPOP {q}l 0", "1 RPUSH {q}l x", "1 BRPOP {q}l 0",
        "1 BLMOVE {q}l {q}m LEFT RIGHT 0", "1 BRPOPLPUSH {q}l {q}m 0", "1 BZPOPMIN {q}z 0",
        "1 BLMPOP 0 1 {q}l LEFT", "1 EXEC");
    same("1 HELLO 3", "1 MULTI", "1 BLMOVE {q}l {q}m LEFT RIGHT 0", "1 BLPOP {q}l 0", "1 EXEC");
  }

  @Test
  void readOnlyTransactionsAndRuntimeErrors() throws Exception {
    same("1 SET {r}s str", "1 RPUSH {r}l a b", "1 MULTI", "1 GET {r}s", "1 LRANGE {r}l 0 -1",
        "1 LLEN {r}s", "1 GET {r}none", "1 EXEC");
  }

  @Test
  void watchAbortsWhenAnotherConnectionWritesAndNotOtherwise() throws Exception {
    same("1 SET {w}k 1", "1 WATCH {w}k", "2 SET {w}other 1", "1 MULTI", "1 INCR {w}k",
        "1 EXEC", "1 WATCH {w}k", "2 INCR {w}k", "1 MULTI", "1 INCR {w}k", "1 EXEC",
        "1 GET {w}k", "1 WATCH {w}k", "1 UNWATCH", "2 INCR {w}k", "1 MULTI", "1 INCR {w}k",
        "1 EXEC");
  }

  @Test
  void watchSeesDeletionRecreationAndOwnWrites() throws Exception {
    same("1 SET {w}k 1", "1 WATCH {w}k", "2 DEL {w}k", "1 MULTI", "1 SET {w}x 1", "1 EXEC",
        "1 WATCH {w}absent", "2 SET {w}absent 1", "2 DEL {w}absent", "1 MULTI",
        "1 SET {w}x 2", "1 EXEC", "1 WATCH {w}k", "1 SET {w}k mine", "1 MULTI", "1 GET {w}k",
        "1 EXEC", "1 WATCH {w}h", "2 HSET {w}h f 1", "1 MULTI", "1 HGET {w}h f", "1 EXEC",
        "1 WATCH {w}h", "2 HSET {w}h f 2", "1 MULTI", "1 HGET {w}h f", "1 EXEC");
  }

  @Test
  void watchAndExpiryAndFlush() throws Exception {
    same("1 SET {e}k v PX 150", "1 WATCH {e}k", "sleep 300", "1 MULTI", "1 SET {e}x 1",
        "1 EXEC", "1 SET {e}gone v PX 50", "sleep 150", "1 WATCH {e}gone", "1 MULTI",
        "1 SET {e}x 2", "1 EXEC", "1 SET {e}k v", "1 WATCH {e}k {e}nokey", "2 FLUSHALL",
        "1 MULTI", "1 SET {e}x 3", "1 EXEC", "1 WATCH {e}nokey", "2 FLUSHALL", "1 MULTI",
        "1 SET {e}x 4", "1 EXEC");
  }

  /**
   * Which writes count as touching a watched key: for each (setup; write by another connection),
   * EXEC must abort (or not) exactly when Redis's does.
   */
  /** A stream with a group whose consumer c has read entry 1-1. */
  private static final String GROUP =
      "XADD {m}k 1-1 f v;XGROUP CREATE {m}k g 0;XREADGROUP GROUP g c STREAMS {m}k >";

  @Test
  void everyKindOfWriteTouchesAWatchedKeyAsInRedis() throws Exception {
    String[][] cases = {
        {"RPUSH {m}k a b c", "LSET {m}k 0 z"}, {"RPUSH {m}k a b c", "LINSERT {m}k BEFORE b z"},
        {"RPUSH {m}k a b c", "LREM {m}k 1 b"}, {"RPUSH {m}k a b c", "LTRIM {m}k 0 1"},
        {"RPUSH {m}k a b c", "LTRIM {m}k 0 -1"}, {"RPUSH {m}k a b c", "LPOP {m}k"},
        {"RPUSH {m}k a", "LMOVE {m}k {m}k2 LEFT LEFT"}, {"RPUSH {m}k a", "LPUSHX {m}k b"},
        {"SET {m}k abc", "SETRANGE {m}k 1 z"}, {"SET {m}k abc", "APPEND {m}k z"},
        {"SET {m}k abc", "SETBIT {m}k 1 1"}, {"SET {m}k 1", "BITFIELD {m}k SET u8 0 5"},
        {"SET {m}k abc", "GETEX {m}k EX 100"}, {"SET {m}k abc", "GETEX {m}k"},
        {"SET {m}k abc", "GETDEL {m}k"}, {"SET {m}k abc", "EXPIRE {m}k 100"},
        {"SET {m}k abc EX 100", "PERSIST {m}k"}, {"SET {m}k abc", "PERSIST {m}k"},
        {"SET {m}k abc", "RENAME {m}k {m}k2"}, {"SET {m}k2 abc", "RENAME {m}k2 {m}k"},
        {"SET {m}k2 abc", "COPY {m}k2 {m}k"}, {"SET {m}k abc", "SET {m}k abc"},
        {"SET {m}k abc", "SETNX {m}k x"}, {"SET {m}k abc", "SET {m}k x XX"},
        {"HSET {m}k f 1", "HINCRBY {m}k f 1"}, {"HSET {m}k f 1", "HINCRBYFLOAT {m}k f 1.5"},
        {"HSET {m}k f 1", "HSETNX {m}k f 2"}, {"HSET {m}k f 1", "HDEL {m}k g"},
        {"SADD {m}k a", "SADD {m}k a"}, {"SADD {m}k a b", "SREM {m}k a"},
        {"SADD {m}k a", "SPOP {m}k"}, {"SADD {m}k a b", "SMOVE {m}k {m}k2 a"},
        {"ZADD {m}k 1 a", "ZINCRBY {m}k 2 a"}, {"ZADD {m}k 1 a", "ZADD {m}k 1 a"},
        {"ZADD {m}k 1 a", "ZADD {m}k 3 a"}, {"ZADD {m}k 1 a 2 b", "ZPOPMIN {m}k"},
        {"ZADD {m}k 1 a 2 b", "ZREMRANGEBYSCORE {m}k 5 6"},
        {"XADD {m}k 1-1 f v", "XADD {m}k 2-1 f v"}, {"XADD {m}k 1-1 f v", "XDEL {m}k 1-1"},
        {"XADD {m}k 1-1 f v", "XTRIM {m}k MAXLEN 0"}, {"XADD {m}k 1-1 f v", "XSETID {m}k 5-0"},
        {"XADD {m}k 1-1 f v", "XGROUP CREATE {m}k g 0"},
        {"PFADD {m}k a", "PFADD {m}k b"}, {"PFADD {m}k a", "PFADD {m}k a"},
        {"RPUSH {m}k2 3 1 2", "SORT {m}k2 STORE {m}k"}, {"SET {m}k 1", "DEL {m}nothing"},
        {"SET {m}k 5", "INCR {m}k"}, {"SET {m}k 5", "DECRBY {m}k 0"},
        {"SET {m}k a", "SETBIT {m}k 0 1"}, {"SET {m}k a", "SETRANGE {m}k 0 \"\""},
        {GROUP, "XGROUP SETID {m}k g 0"}, {GROUP, "XGROUP DESTROY {m}k g"},
        {GROUP, "XGROUP CREATECONSUMER {m}k g c2"}, {GROUP, "XGROUP DELCONSUMER {m}k g c"},
        {GROUP, "XACK {m}k g 1-1"}, {GROUP, "XCLAIM {m}k g c2 0 1-1"},
        {GROUP, "XREADGROUP GROUP g c COUNT 1 STREAMS {m}k >"},
        {GROUP, "XAUTOCLAIM {m}k g c2 0 0"}, {GROUP, "XADD {m}k 2-1 f v"}};
    List<String> kvorum = new ArrayList<>();
    List<String> oracle = new ArrayList<>();
    for (String[] c : cases) {
      flush();
      List<String> steps = new ArrayList<>();
      for (String setup : c[0].split(";")) {
        steps.add("1 " + setup);
      }
      steps.addAll(List.of("1 WATCH {m}k", "2 " + c[1], "1 MULTI", "1 PING", "1 EXEC"));
      kvorum.addAll(run(node.port(), steps));
      oracle.addAll(run(redisPort, steps));
    }
    assertThat(kvorum).isEqualTo(oracle);
  }

  @Test
  void watchRules() throws Exception {
    same("1 WATCH a b", "1 WATCH", "1 MULTI", "1 WATCH {t}a", "1 UNWATCH", "1 EXEC",
        "1 WATCH {t}a", "1 WATCH {t}b", "1 MULTI", "1 SET {t}a 1", "1 EXEC");
  }

  /**
   * Kvorum's one difference: watched keys must share the transaction's slot (Redis Cluster only
   * needs them on the same node), because the watch is checked by the slot group's leader.
   */
  @Test
  void watchedKeysInAnotherSlotFailExecWithCrossslot() throws Exception {
    assertThat(run(node.port(), List.of("1 WATCH {t}a", "1 WATCH {u}b", "1 MULTI",
        "1 SET {t}a 1", "1 EXEC", "1 EXISTS {t}a", "1 MULTI", "1 SET {t}a 1", "1 EXEC")))
        .containsExactly("1 WATCH {t}a -> +OK\r\n", "1 WATCH {u}b -> +OK\r\n",
            "1 MULTI -> +OK\r\n", "1 SET {t}a 1 -> +QUEUED\r\n",
            "1 EXEC -> -CROSSSLOT Keys in request don't hash to the same slot\r\n",
            "1 EXISTS {t}a -> :0\r\n", "1 MULTI -> +OK\r\n", "1 SET {t}a 1 -> +QUEUED\r\n",
            "1 EXEC -> *1\r\n+OK\r\n");
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
    same("1 HELLO 3", "1 MULTI", "1 SET {t}a 1", "1 HGETALL {t}none", "1 ZADD {t}z 1.5 m",
        "1 ZSCORE {t}z m", "1 GET {t}none", "1 EXEC", "1 WATCH {t}a", "2 SET {t}a 2", "1 MULTI",
        "1 GET {t}a", "1 EXEC");
  }
}
