package io.kvorum.resp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.resp.testing.RawClient;
import io.kvorum.resp.testing.TestServer;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The oracle: the same requests sent to a real redis-server 7.0 in cluster mode (owning every
 * slot) and to Kvorum must produce the same reply bytes, once node ids and ports are masked.
 * Fails when redis-server is not installed: `make test` installs it.
 */
class RedisParityTest {
  @TempDir static Path dir;
  static TestServer node;
  static Process redis;
  static int redisPort;

  static boolean installed(String exe) {
    for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(p, exe).canExecute()) {
        return true;
      }
    }
    return false;
  }

  @BeforeAll
  static void start() throws Exception {
    node = new TestServer(dir.resolve("kvorum"));
    if (!installed("redis-server")) {
      return;
    }
    try (ServerSocket s = new ServerSocket(0)) {
      redisPort = s.getLocalPort();
    }
    File data = dir.resolve("redis").toFile();
    data.mkdirs();
    redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort),
        "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file",
        new File(data, "nodes.conf").getPath(), "--cluster-announce-ip", "127.0.0.1",
        "--dir", data.getPath(), "--save", "", "--appendonly", "no", "--cluster-port", "0")
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

  /** Requests whose replies must match byte for byte; one inline command per line. */
  static final List<String> SAME = List.of(
      "PING", "PING hello", "PING a b", "ECHO x", "ECHO", "FOO a b", "FOO",
      "CLIENT", "CLIENT foo", "CLIENT SETNAME", "CLIENT SETNAME \"a b\"", "CLIENT SETNAME ab",
      "CLIENT GETNAME", "CLIENT SETNAME \"\"", "CLIENT GETNAME", "CLIENT KILL 1.2.3.4:5",
      "CLIENT KILL ID 999", "CLIENT KILL foo bar", "CLIENT KILL ID x", "CLIENT KILL SKIPME maybe",
      "CLIENT KILL a b c", "CLIENT REPLY foo", "CLIENT NO-EVICT x", "CLIENT NO-EVICT on",
      "CLIENT NO-EVICT off", "CLIENT LIST TYPE foo", "CLIENT LIST ID x", "CLIENT LIST ID 99999",
      "CLIENT LIST foo", "CONFIG HELP",
      "SELECT 1", "SELECT 0", "SELECT x", "AUTH x", "AUTH a b", "HELLO 4", "HELLO x",
      "HELLO 2 AUTH a b", "HELLO 2 SETNAME", "READONLY", "READWRITE", "ASKING",
      "GET", "GET {a}x", "MGET a b", "MSET a 1 b 2", "SET {a}x 1", "GET {a}x", "DEL {a}x",
      "CONFIG SET foo 1", "CONFIG SET maxclients x", "CONFIG SET maxclients 10 timeout",
      "CONFIG SET databases 2", "CONFIG SET maxclients 10001 maxclients 10002",
      "CONFIG SET timeout -1", "CONFIG SET proto-max-bulk-len 10",
      "CONFIG SET proto-max-bulk-len abc", "CONFIG SET proto-max-bulk-len -5",
      "CONFIG SET maxclients 1.5", "CONFIG SET timeout 99999999999", "CONFIG SET maxclients 10000",
      "CONFIG GET maxclients", "CONFIG GET Maxclients MAXCLIENTS", "CONFIG GET foo*", "CONFIG GET",
      "CONFIG SET timeout 0 foo 1", "CONFIG SET cluster-enabled no", "CONFIG GET cluster-enabled",
      "CONFIG GET requirepass", "CONFIG GET timeout", "CONFIG REWRITE x",
      "SCAN x", "SCAN 18446744073709551616", "SCAN 0 COUNT 0", "SCAN 0 COUNT x",
      "SCAN 0 foo", "SCAN 0 MATCH", "SCAN 0 COUNT -1", "SCAN \" 1\"", "SCAN 0 TYPE string",
      "CLUSTER KEYSLOT foo", "CLUSTER KEYSLOT {user1}:x", "CLUSTER COUNTKEYSINSLOT 99999",
      "CLUSTER COUNTKEYSINSLOT x", "CLUSTER GETKEYSINSLOT 1 -1", "CLUSTER GETKEYSINSLOT 1 x",
      "CLUSTER GETKEYSINSLOT x 1", "CLUSTER GETKEYSINSLOT 16384 1",
      "CLUSTER COUNTKEYSINSLOT -1", "CLUSTER COUNTKEYSINSLOT 5", "CLUSTER GETKEYSINSLOT 5 10",
      "CLUSTER INFO", "CLUSTER SLOTS", "CLUSTER SHARDS", "CLUSTER NODES x", "CLUSTER MYID x",
      "COMMAND INFO foo get client|id", "COMMAND LIST FILTERBY", "COMMAND LIST FILTERBY MODULE x",
      "COMMAND LIST FILTERBY ACLCAT foo", "COMMAND LIST foo", "COMMAND GETKEYS",
      "COMMAND GETKEYS foo", "COMMAND GETKEYS get", "COMMAND GETKEYS mset a b c",
      "COMMAND GETKEYS client id", "COMMAND GETKEYS get a", "COMMAND GETKEYS foo bar baz",
      "COMMAND DOCS foo", "COMMAND DOCS get", "COMMAND DOCS set", "COMMAND COUNT x",
      "COMMAND INFO set del object|encoding", "BGSAVE foo", "SHUTDOWN foo",
      "SHUTDOWN NOSAVE SAVE", "SHUTDOWN ABORT", "SHUTDOWN ABORT NOW", "FLUSHALL foo",
      "RANDOMKEY", "KEYS", "KEYS *", "DBSIZE", "LASTSAVE x", "TIME x", "INFO foo",
      "INFO modules", "INFO cluster", "INFO keyspace", "INFO cluster keyspace",
      "WAIT", "WAIT 1", "WAIT x 1", "WAIT 1 x", "WAIT x y", "WAIT 1 -1", "WAIT 1 1.5",
      "WAIT -1 10", "WAIT 0 0", "SET {w}k v", "WAIT 0 10", "WAIT 1 20", "DEL {w}k",
      "COMMAND INFO wait", "COMMAND DOCS wait",
      "SLOWLOG", "SLOWLOG foo", "SLOWLOG HELP", "SLOWLOG GET x", "SLOWLOG GET -2",
      "SLOWLOG GET 1 2", "SLOWLOG LEN x", "SLOWLOG RESET x", "CONFIG GET slowlog-max-len",
      "CONFIG GET slowlog-log-slower-than",
      "CONFIG SET slowlog-log-slower-than -5", "CONFIG SET slowlog-max-len -1",
      "CONFIG SET slowlog-max-len x", "CONFIG SET slowlog-max-len 128", "ROLE", "ROLE x",
      // Not the container: Redis lists subcommands in its dict's order, seeded per process.
      "COMMAND INFO slowlog|get slowlog|len slowlog|reset slowlog|help role",
      "COMMAND DOCS slowlog|get", "COMMAND DOCS slowlog|len", "COMMAND DOCS slowlog|reset",
      "COMMAND DOCS role", "MEMORY", "MEMORY foo", "MEMORY USAGE", "MEMORY USAGE nokey",
      "MEMORY USAGE nokey SAMPLES x", "MEMORY USAGE nokey SAMPLES -1", "MEMORY USAGE nokey x",
      "COMMAND INFO memory|usage memory|help", "COMMAND DOCS memory|usage");

  /** Same, after HELLO 3. */
  static final List<String> SAME_RESP3 = List.of(
      "GET nothing", "CLUSTER SLOTS", "CLUSTER SHARDS", "CLUSTER INFO", "CONFIG GET maxclients",
      "COMMAND INFO get", "COMMAND DOCS get", "COMMAND DOCS client|id", "INFO modules",
      "INFO cluster", "CLUSTER GETKEYSINSLOT 5 10", "SCAN 0", "MSET a 1 b 2", "HELLO x",
      "CLIENT NO-EVICT on", "WAIT 1 10", "ROLE", "SLOWLOG GET 0", "RESET", "GET nothing");

  static String mask(String reply, int port) {
    return reply.replaceAll("[0-9a-f]{40}", "<id>")
        .replace(":" + port + "\r\n", ":<port>\r\n")
        .replace("127.0.0.1:" + port + "@" + (port + 10000), "127.0.0.1:<port>@<cport>")
        .replace("127.0.0.1:" + port + "@0", "127.0.0.1:<port>@<cport>");
  }

  static List<String> run(int port, List<String> requests, boolean resp3) {
    List<String> out = new ArrayList<>();
    try (RawClient c = new RawClient(port)) {
      if (resp3) {
        c.send("HELLO 3\r\n").readRaw(1);
      }
      for (String r : requests) {
        c.send(r + "\r\n");
        out.add(r + " -> " + mask(c.readRaw(1), port));
      }
    }
    return out;
  }

  @Test
  void repliesMatchRedisByteForByte() {
    assertThat(redis).as("redis-server must be installed (make test installs it)").isNotNull();
    assertThat(run(node.port(), SAME, false)).isEqualTo(run(redisPort, SAME, false));
    assertThat(run(node.port(), SAME_RESP3, true)).isEqualTo(run(redisPort, SAME_RESP3, true));
  }

  @Test
  void protocolErrorsMatchRedis() throws IOException {
    assertThat(redis).as("redis-server must be installed (make test installs it)").isNotNull();
    for (String bad : List.of("*x\r\n", "*1\r\n$-1\r\n", "*1\r\nx4\r\n", "set a \"b\r\n",
        "set a \"b\"c\r\n", "PING\r\n*1\r\n$600000000\r\n", "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$-5\r\n")) {
      assertThat(rawExchange(node.port(), bad)).as(bad).isEqualTo(rawExchange(redisPort, bad));
    }
  }

  /** Everything the server sends after {@code bad}, and whether it closed. */
  static String rawExchange(int port, String bad) {
    try (RawClient c = new RawClient(port)) {
      c.send(bad);
      boolean closed = c.closedByServer(1500);
      return c.leftover() + (closed ? "<closed>" : "<open>");
    }
  }
}
