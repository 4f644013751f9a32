package io.kvorum.resp.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.raft.route.Route;
import io.kvorum.resp.server.RespServer;
import io.kvorum.resp.server.ShutdownHook;
import io.kvorum.resp.testing.LocalStoreRouter;
import io.kvorum.resp.testing.RawClient;
import io.kvorum.resp.testing.TestServer;
import io.kvorum.storage.command.Blocking;
import io.kvorum.storage.command.CommandSpec;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocking commands through the whole gateway (Netty, lanes, dispatcher) over real stores: a
 * client waits until another connection's write gives it something, times out, is unblocked,
 * disconnects, or is redirected when its group's leadership moves.
 */
class BlockedClientsTest {
  /** How long a client must stay silent to count as still blocked. */
  static final int SILENCE_MS = 200;

  @TempDir Path dir;
  TestServer node;
  final List<RawClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    node = new TestServer(dir.resolve("kvorum"));
  }

  @AfterEach
  void stop() {
    clients.forEach(RawClient::close);
    node.close();
  }

  RawClient client() {
    RawClient c = new RawClient(node.port());
    clients.add(c);
    return c;
  }

  RawClient resp3Client() {
    RawClient c = client();
    c.call("HELLO", "3");
    return c;
  }

  static String bulk(String s) {
    return "$" + s.getBytes(StandardCharsets.UTF_8).length + "\r\n" + s + "\r\n";
  }

  static String pair(String key, String value) {
    return "*2\r\n" + bulk(key) + bulk(value);
  }

  /** Sends a command that blocks and checks that it does. */
  static void block(RawClient c, String... command) {
    c.send(RawClient.command(command));
    boolean silent = c.silentFor(SILENCE_MS);
    assertThat(silent).as("%s blocks, but got %s", Arrays.toString(command), c.leftover()).isTrue();
  }

  String info(RawClient c, String field) {
    for (String line : c.call("INFO", "clients").split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1);
      }
    }
    throw new AssertionError(field + " missing");
  }

  @Test
  void blpopWaitsForAnotherConnectionsPush() {
    RawClient a = client();
    RawClient b = client();
    block(a, "BLPOP", "list", "0");
    assertThat(b.call("RPUSH", "list", "x", "y")).isEqualTo(":2\r\n");
    assertThat(a.readRaw(1)).isEqualTo(pair("list", "x"));
    assertThat(b.call("LRANGE", "list", "0", "-1")).isEqualTo("*1\r\n" + bulk("y"));
    assertThat(a.call("PING")).as("the connection works on").isEqualTo("+PONG\r\n");
  }

  @Test
  void aTimeoutAnswersTheNullArrayOfEachProtocolAfterTheTimeout() {
    RawClient a = client();
    RawClient a3 = resp3Client();
    for (String[] cmd : List.of(new String[] {"BLPOP", "l", "0.3"},
        new String[] {"BLMOVE", "{l}1", "{l}2", "LEFT", "RIGHT", "0.3"},
        new String[] {"BRPOPLPUSH", "{l}1", "{l}2", "0.3"},
        new String[] {"BZMPOP", "0.3", "1", "z", "MIN"},
        new String[] {"BZPOPMAX", "z", "0.3"})) {
      long t0 = System.nanoTime();
      assertThat(a.call(cmd)).as(cmd[0]).isEqualTo("*-1\r\n");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(ms).as("%s waited its 300 ms", cmd[0]).isBetween(300L, 3000L);
      assertThat(a3.call(cmd)).as(cmd[0] + " in RESP3").isEqualTo("_\r\n");
    }
    assertThat(a.call("BLPOP", "l", "-1")).isEqualTo("-ERR timeout is negative\r\n");
    assertThat(a.call("BLPOP", "l", "x"))
        .isEqualTo("-ERR timeout is not a float or out of range\r\n");
  }

  @Test
  void clientsWaitingOnAKeyAreServedInTheOrderTheyBlocked() {
    RawClient first = client();
    RawClient second = client();
    RawClient third = client();
    RawClient writer = client();
    block(first, "BLPOP", "q", "0");
    block(second, "BRPOP", "q", "0");
    block(third, "BLPOP", "q", "0");
    writer.call("RPUSH", "q", "1");
    assertThat(first.readRaw(1)).isEqualTo(pair("q", "1"));
    assertThat(second.silentFor(SILENCE_MS)).isTrue();
    writer.call("RPUSH", "q", "2", "3");
    assertThat(second.readRaw(1)).as("BRPOP pops the right end").isEqualTo(pair("q", "3"));
    assertThat(third.readRaw(1)).isEqualTo(pair("q", "2"));
    assertThat(writer.call("EXISTS", "q")).isEqualTo(":0\r\n");
  }

  @Test
  void blmoveFeedsAClientBlockedOnItsDestination() {
    RawClient mover = client();
    RawClient popper = client();
    RawClient writer = client();
    block(popper, "BLPOP", "{k}dst", "0");
    block(mover, "BLMOVE", "{k}src", "{k}dst", "RIGHT", "LEFT", "0");
    writer.call("RPUSH", "{k}src", "a", "b");
    assertThat(mover.readRaw(1)).isEqualTo(bulk("b"));
    assertThat(popper.readRaw(1)).isEqualTo(pair("{k}dst", "b"));
    assertThat(writer.call("LRANGE", "{k}src", "0", "-1")).isEqualTo("*1\r\n" + bulk("a"));
    assertThat(writer.call("EXISTS", "{k}dst")).isEqualTo(":0\r\n");
  }

  @Test
  void sortedSetPopsWaitForZaddInBothProtocols() {
    RawClient a = client();
    RawClient a3 = resp3Client();
    RawClient writer = client();
    block(a, "BZPOPMIN", "{z}1", "{z}2", "0");
    block(a3, "BZPOPMAX", "{z}2", "0");
    writer.call("ZADD", "{z}2", "1.5", "m", "2", "n");
    assertThat(a.readRaw(1)).isEqualTo("*3\r\n" + bulk("{z}2") + bulk("m") + bulk("1.5"));
    assertThat(a3.readRaw(1)).isEqualTo("*3\r\n" + bulk("{z}2") + bulk("n") + ",2\r\n");
    block(a3, "BZMPOP", "0", "2", "{z}1", "{z}2", "MIN", "COUNT", "5");
    writer.call("ZADD", "{z}1", "3", "o");
    assertThat(a3.readRaw(1)).isEqualTo(
        "*2\r\n" + bulk("{z}1") + "*1\r\n*2\r\n" + bulk("o") + ",3\r\n");
  }

  @Test
  void aClientWaitingOnSeveralKeysIsServedFromTheOneWrittenAndSkipsOtherTypes() {
    RawClient a = client();
    RawClient writer = client();
    block(a, "BLMPOP", "0", "3", "{t}a", "{t}b", "{t}c", "LEFT", "COUNT", "2");
    writer.call("SET", "{t}a", "not a list");
    assertThat(a.silentFor(SILENCE_MS)).as("a string does not serve a list waiter").isTrue();
    writer.call("RPUSH", "{t}c", "1", "2", "3");
    assertThat(a.readRaw(1)).isEqualTo("*2\r\n" + bulk("{t}c") + "*2\r\n" + bulk("1") + bulk("2"));
    assertThat(a.call("BLPOP", "{t}a", "0")).as("the first attempt still checks types")
        .startsWith("-WRONGTYPE");
  }

  @Test
  void clientUnblockAnswersWithTheTimeoutReplyOrAnError() {
    RawClient a = client();
    RawClient admin = client();
    String id = a.call("CLIENT", "ID").substring(1).trim();
    assertThat(admin.call("CLIENT", "UNBLOCK", id)).as("not blocked").isEqualTo(":0\r\n");
    block(a, "BLPOP", "l", "0");
    assertThat(admin.call("CLIENT", "UNBLOCK", id, "TIMEOUT")).isEqualTo(":1\r\n");
    assertThat(a.readRaw(1)).isEqualTo("*-1\r\n");
    block(a, "BZPOPMIN", "z", "0");
    assertThat(admin.call("CLIENT", "UNBLOCK", id, "error")).isEqualTo(":1\r\n");
    assertThat(a.readRaw(1)).isEqualTo("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
    assertThat(admin.call("CLIENT", "UNBLOCK", id, "ERROR")).isEqualTo(":0\r\n");
    assertThat(admin.call("CLIENT", "UNBLOCK", id, "foo"))
        .isEqualTo("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n");
    assertThat(admin.call("CLIENT", "UNBLOCK", "x"))
        .isEqualTo("-ERR value is not an integer or out of range\r\n");
    assertThat(admin.call("CLIENT", "UNBLOCK", id, "TIMEOUT", "x")).isEqualTo(
        "-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n");
    assertThat(admin.call("INFO", "errorstats")).contains("errorstat_UNBLOCKED:count=1");
  }

  @Test
  void aClientThatDisconnectsWhileBlockedTakesNothing() throws Exception {
    RawClient gone = client();
    RawClient writer = client();
    block(gone, "BLPOP", "l", "0");
    assertThat(info(writer, "blocked_clients")).isEqualTo("1");
    gone.close();
    long deadline = System.currentTimeMillis() + 5000;
    while (!info(writer, "blocked_clients").equals("0")) {
      assertThat(System.currentTimeMillis()).isLessThan(deadline);
      Thread.sleep(10);
    }
    writer.call("RPUSH", "l", "kept");
    assertThat(writer.call("LRANGE", "l", "0", "-1")).isEqualTo("*1\r\n" + bulk("kept"));
  }

  @Test
  void thePipelineBehindABlockedCommandWaitsForIt() {
    RawClient a = client();
    RawClient b = client();
    a.send(RawClient.command("BLPOP", "l", "0.3"));
    a.send(RawClient.command("RPUSH", "l", "mine"));
    a.send(RawClient.command("GET", "s"));
    assertThat(a.silentFor(SILENCE_MS)).isTrue();
    assertThat(b.call("EXISTS", "l")).as("the push waits behind the blocked pop")
        .isEqualTo(":0\r\n");
    assertThat(a.readRaw(3)).isEqualTo("*-1\r\n:1\r\n$-1\r\n");
  }

  @Test
  void infoAndClientListShowBlockedClients() {
    RawClient a = client();
    RawClient forever = client();
    RawClient admin = client();
    assertThat(info(admin, "blocked_clients")).isEqualTo("0");
    block(a, "BLPOP", "l", "30");
    block(forever, "BRPOP", "l", "0");
    assertThat(info(admin, "blocked_clients")).isEqualTo("2");
    assertThat(info(admin, "clients_in_timeout_table")).isEqualTo("1");
    String list = admin.call("CLIENT", "LIST");
    assertThat(list).contains("flags=b ").contains("cmd=blpop").contains("cmd=brpop");
    assertThat(admin.call("CLIENT", "INFO")).contains("flags=N ");
    admin.call("RPUSH", "l", "1", "2");
    a.readRaw(1);
    forever.readRaw(1);
    assertThat(info(admin, "blocked_clients")).isEqualTo("0");
    assertThat(info(admin, "clients_in_timeout_table")).isEqualTo("0");
    assertThat(admin.call("CLIENT", "LIST")).doesNotContain("flags=b");
  }

  @Test
  void aClientBlockedOnAGroupThisNodeNoLongerLeadsIsRedirected() {
    RawClient a = client();
    RawClient b = client();
    int slot = HashSlot.of("l".getBytes(StandardCharsets.UTF_8));
    int group = node.router.groupOf(slot);
    block(a, "BLPOP", "l", "0");
    node.router.route(group, new Route.Remote("other", "10.0.0.9", 7000));
    assertThat(a.readRaw(1)).isEqualTo("-MOVED " + slot + " 10.0.0.9:7000\r\n");
    node.router.route(group, null);
    block(a, "BLPOP", "l", "0");
    node.router.route(group, new Route.Unavailable("election"));
    assertThat(a.readRaw(1)).isEqualTo("-CLUSTERDOWN The cluster is down\r\n");
    node.router.route(group, null);
    assertThat(b.call("RPUSH", "l", "x")).isEqualTo(":1\r\n");
    assertThat(b.call("LLEN", "l")).as("nothing was popped for the redirected client")
        .isEqualTo(":1\r\n");
  }

  @Test
  void blockedClientsAreBoundedByMaxclients() {
    RawClient admin = client();
    admin.call("CONFIG", "SET", "maxclients", "3");
    RawClient a = client();
    RawClient b = client();
    block(a, "BLPOP", "l", "0");
    block(b, "BLPOP", "l", "0");
    RawClient refused = client();
    assertThat(refused.readRaw(1)).isEqualTo("-ERR max number of clients reached\r\n");
    assertThat(info(admin, "blocked_clients")).isEqualTo("2");
  }

  /**
   * A read-only waiter with a start-relative argument, standing in for XREAD BLOCK with {@code $}:
   * {@code wait.k key $ ms} answers the key's value once it differs from the value it had when
   * the command started. Every such waiter is served by one write.
   */
  @Test
  void readOnlyWaitersAreResolvedAtTheStartAndAllWokenByOneWrite() {
    KeyspaceCommand wait = KeyspaceCommand.of(
        CommandSpec.of("wait.k", 4, "readonly blocking", 1, 1, 1, "", ""),
        (ctx, args) -> {
          byte[] now = ctx.keyspace().getString(args[1]);
          return now != null && !Arrays.equals(now, args[2]) ? Reply.bulk(now) : Reply.NULL_ARRAY;
        }).blocking(new Blocking() {
          @Override
          public long timeoutMillis(byte[][] args) {
            return Long.parseLong(new String(args[3], StandardCharsets.US_ASCII));
          }

          @Override
          public boolean needsResolve(byte[][] args) {
            return Arrays.equals(args[2], new byte[] {'$'});
          }

          @Override
          public byte[][] resolve(Keyspace ks, byte[][] args) {
            byte[][] out = args.clone();
            byte[] now = ks.getString(args[1]);
            out[2] = now == null ? new byte[0] : now;
            return out;
          }
        });
    KeyspaceCommandTable table = KeyspaceCommandTable.standardPlus(List.of(wait));
    try (LocalStoreRouter router = new LocalStoreRouter(dir.resolve("custom"), 4, table);
        RespServer server = new RespServer(
            io.kvorum.resp.server.GatewayConfig.defaults().withBind("127.0.0.1", 0),
            router, new SimpleMeterRegistry(), ShutdownHook.REFUSE, table).start();
        RawClient r1 = new RawClient(server.port());
        RawClient r2 = new RawClient(server.port());
        RawClient writer = new RawClient(server.port())) {
      router.port(server.port());
      writer.call("SET", "k", "v1");
      block(r1, "wait.k", "k", "$", "0");
      block(r2, "wait.k", "k", "$", "0");
      writer.call("SET", "k", "v1");
      assertThat(r1.silentFor(SILENCE_MS)).as("the same value again serves nobody").isTrue();
      writer.call("SET", "k", "v2");
      assertThat(r1.readRaw(1)).isEqualTo(bulk("v2"));
      assertThat(r2.readRaw(1)).isEqualTo(bulk("v2"));
      assertThat(r1.call("wait.k", "k", "$", "100")).as("times out").isEqualTo("*-1\r\n");
    }
  }

  /**
   * Many consumers blocked on one list while several producers push: every element reaches
   * exactly one consumer, and none is left in the list while consumers wait (a lost wake-up would
   * leave it there until the 30 s timeout).
   */
  @Test
  void concurrentProducersAndBlockedConsumersLoseAndDuplicateNothing() throws Exception {
    int consumers = 6;
    int producers = 3;
    int perProducer = 60;
    int total = producers * perProducer;
    java.util.concurrent.ConcurrentLinkedQueue<String> received =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(total);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(consumers + producers);
    List<java.util.concurrent.Future<?>> tasks = new ArrayList<>();
    for (int c = 0; c < consumers; c++) {
      RawClient consumer = client();
      tasks.add(pool.submit(() -> {
        while (left.get() > 0) {
          List<Reply> r = consumer.send(RawClient.command("BLPOP", "work", "30")).readReplies(1);
          if (r.get(0) instanceof Reply.Array a) {
            received.add(((Reply.Bulk) a.items().get(1)).utf8());
            left.decrementAndGet();
          }
          if (left.get() <= 0) {
            // Wake the others so they can stop.
            consumer.call("RPUSH", "work", "stop");
          }
        }
        return null;
      }));
    }
    for (int p = 0; p < producers; p++) {
      RawClient producer = client();
      int id = p;
      tasks.add(pool.submit(() -> {
        for (int i = 0; i < perProducer; i++) {
          producer.call("RPUSH", "work", "p" + id + "-" + i);
        }
        return null;
      }));
    }
    try {
      for (java.util.concurrent.Future<?> t : tasks) {
        t.get(20, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<String> got = new ArrayList<>(received);
    got.removeIf(v -> v.equals("stop"));
    assertThat(got).hasSize(total).doesNotHaveDuplicates();
    assertThat(got).allMatch(v -> v.matches("p[0-9]-[0-9]+"));
  }
}
