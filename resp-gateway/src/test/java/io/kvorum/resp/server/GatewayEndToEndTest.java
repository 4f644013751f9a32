package io.kvorum.resp.server;

import static io.kvorum.resp.testing.RawClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.raft.route.Route;
import io.kvorum.resp.testing.RawClient;
import io.kvorum.resp.testing.TestServer;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real RespServer over real slot-group stores, driven through raw sockets. */
class GatewayEndToEndTest {
  @TempDir static Path dir;
  static TestServer node;

  @BeforeAll
  static void start() {
    node = new TestServer(dir.resolve("main"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void pipelinedRepliesComeInRequestOrderAndReadsSeeEarlierWrites() {
    try (RawClient c = new RawClient(node.port())) {
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      int n = 600;
      for (int i = 0; i < n; i++) {
        String key = "pipe:" + (i % 37);
        batch.writeBytes(command("SET", key, "v" + i));
        batch.writeBytes(command("GET", key));
        batch.writeBytes(command("ECHO", "e" + i));
      }
      c.send(batch.toByteArray());
      List<Reply> replies = c.readReplies(3 * n);
      for (int i = 0; i < n; i++) {
        assertThat(replies.get(3 * i)).isEqualTo(Reply.OK);
        assertThat(((Reply.Bulk) replies.get(3 * i + 1)).utf8()).isEqualTo("v" + i);
        assertThat(((Reply.Bulk) replies.get(3 * i + 2)).utf8()).isEqualTo("e" + i);
      }
    }
  }

  @Test
  void pipelinedWritesToOneGroupAreCoalesced() {
    long calls = node.router.writeCalls();
    long commands = node.router.writtenCommands();
    try (RawClient c = new RawClient(node.port())) {
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      for (int i = 0; i < 300; i++) {
        batch.writeBytes(command("INCR", "{coalesce}counter"));
      }
      c.send(batch.toByteArray());
      List<Reply> replies = c.readReplies(300);
      for (int i = 0; i < 300; i++) {
        assertThat(replies.get(i)).isEqualTo(Reply.integer(i + 1));
      }
    }
    long entries = node.router.writeCalls() - calls;
    assertThat(node.router.writtenCommands() - commands).isEqualTo(300);
    assertThat(entries).isLessThan(300).isGreaterThanOrEqualTo(300 / 64);
  }

  @Test
  void resp3AfterHello() {
    try (RawClient c = new RawClient(node.port())) {
      assertThat(c.call("GET", "resp3:none")).isEqualTo("$-1\r\n");
      String hello = c.call("HELLO", "3");
      assertThat(hello).startsWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
          + "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:");
      assertThat(hello).endsWith("$4\r\nmode\r\n$7\r\ncluster\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
          + "$7\r\nmodules\r\n*0\r\n");
      assertThat(c.call("GET", "resp3:none")).isEqualTo("_\r\n");
      assertThat(c.call("CLIENT", "INFO")).startsWith("=").contains("txt:id=").contains(" resp=3 ");
      assertThat(c.call("CONFIG", "GET", "maxclients")).isEqualTo("%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n");
      // A pipeline switching protocol mid-way: each reply in the protocol of its own time.
      c.send("GET resp3:none\r\nHELLO 2\r\nGET resp3:none\r\n");
      String raw = c.readRaw(3);
      assertThat(raw).startsWith("_\r\n*14\r\n").endsWith("$-1\r\n");
    }
  }

  @Test
  void protocolErrorClosesOnlyThatConnectionAfterEarlierReplies() {
    try (RawClient good = new RawClient(node.port()); RawClient bad = new RawClient(node.port())) {
      assertThat(good.call("PING")).isEqualTo("+PONG\r\n");
      bad.send("SET pe:1 x\r\nGET pe:1\r\n*1\r\n$x\r\nPING\r\n");
      assertThat(bad.readRaw(3)).isEqualTo("+OK\r\n$1\r\nx\r\n-ERR Protocol error: invalid bulk length\r\n");
      assertThat(bad.closedByServer(2000)).isTrue();
      assertThat(good.call("GET", "pe:1")).isEqualTo("$1\r\nx\r\n");
    }
  }

  @Test
  void scriptLoadReachesEveryGroupSoEvalshaWorksForAnyKey() {
    String sha = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"; // SHA1 of "return 1"
    String incr = "return redis.call('incrby', KEYS[1], ARGV[1])";
    try (RawClient c = new RawClient(node.port())) {
      assertThat(c.call("SCRIPT", "LOAD", "return 1")).isEqualTo("$40\r\n" + sha + "\r\n");
      assertThat(c.call("SCRIPT", "EXISTS", sha, "ffff")).isEqualTo("*2\r\n:1\r\n:0\r\n");
      String incrSha = c.call("SCRIPT", "LOAD", incr).substring(5, 45);
      // Keys of many slots (hence of every slot group) find the script.
      for (int i = 0; i < 64; i++) {
        assertThat(c.call("EVALSHA", incrSha, "1", "script:k" + i, "2")).isEqualTo(":2\r\n");
        assertThat(c.call("EVALSHA_RO", sha, "1", "script:k" + i)).isEqualTo(":1\r\n");
      }
      assertThat(c.call("EVAL", "return redis.call('get', KEYS[1])", "2", "a", "b"))
          .startsWith("-CROSSSLOT");
      assertThat(c.call("SCRIPT", "FLUSH")).isEqualTo("+OK\r\n");
      assertThat(c.call("EVALSHA", sha, "1", "script:k7"))
          .isEqualTo("-NOSCRIPT No matching script. Please use EVAL.\r\n");
      assertThat(c.call("SCRIPT", "EXISTS", sha)).isEqualTo("*1\r\n:0\r\n");
    }
  }

  @Test
  void functionLoadReachesEveryGroupSoFcallWorksForAnyKey() {
    String lib = "#!lua name=e2e\n"
        + "redis.register_function('bump', function(keys, args) return redis.call('incrby', keys[1], args[1]) end)\n"
        + "redis.register_function{function_name='peek', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}";
    try (RawClient c = new RawClient(node.port())) {
      assertThat(c.call("FUNCTION", "LOAD", lib)).isEqualTo("$3\r\ne2e\r\n");
      // Keys of many slots (hence of every slot group) find the functions.
      for (int i = 0; i < 64; i++) {
        assertThat(c.call("FCALL", "bump", "1", "fn:k" + i, "3")).isEqualTo(":3\r\n");
        assertThat(c.call("FCALL_RO", "peek", "1", "fn:k" + i)).isEqualTo("$1\r\n3\r\n");
      }
      assertThat(c.call("FCALL_RO", "bump", "1", "fn:k1", "1")).isEqualTo(
          "-ERR Can not execute a script with write flag using *_ro command.\r\n");
      assertThat(c.call("FCALL", "bump", "2", "a", "b", "1")).startsWith("-CROSSSLOT");
      assertThat(c.call("FUNCTION", "DELETE", "e2e")).isEqualTo("+OK\r\n");
      assertThat(c.call("FCALL", "bump", "1", "fn:k9", "1"))
          .isEqualTo("-ERR Function not found\r\n");
      assertThat(c.call("FUNCTION", "DELETE", "e2e")).isEqualTo("-ERR Library not found\r\n");
      assertThat(c.call("FUNCTION", "LOAD", lib)).isEqualTo("$3\r\ne2e\r\n");
      assertThat(c.call("FUNCTION", "FLUSH")).isEqualTo("+OK\r\n");
      assertThat(c.call("FCALL_RO", "peek", "1", "fn:k5"))
          .isEqualTo("-ERR Function not found\r\n");
      assertThat(c.call("FUNCTION", "LIST")).isEqualTo("*0\r\n");
      assertThat(c.call("FUNCTION", "NOSUCH")).startsWith("-ERR unknown subcommand 'NOSUCH'");
    }
  }

  @Test
  void quitRepliesThenCloses() {
    try (RawClient c = new RawClient(node.port())) {
      c.send("PING\r\nQUIT\r\nPING\r\n");
      assertThat(c.readRaw(2)).isEqualTo("+PONG\r\n+OK\r\n");
      assertThat(c.closedByServer(2000)).isTrue();
      assertThat(c.leftover()).isEmpty();
    }
  }

  @Test
  void crossSlotMovedAndClusterDown() {
    try (RawClient c = new RawClient(node.port())) {
      assertThat(c.call("MSET", "a", "1", "b", "2"))
          .isEqualTo("-CROSSSLOT Keys in request don't hash to the same slot\r\n");
      assertThat(c.call("MSET", "{t}a", "1", "{t}b", "2")).isEqualTo("+OK\r\n");
      int slot = HashSlot.of("moved-key".getBytes(StandardCharsets.UTF_8));
      int group = node.router.groupOf(slot);
      node.router.route(group, new Route.Remote("ffffffffffffffffffffffffffffffffffffffff", "10.1.2.3", 7000));
      try {
        assertThat(c.call("GET", "moved-key")).isEqualTo("-MOVED " + slot + " 10.1.2.3:7000\r\n");
        assertThat(c.call("SET", "moved-key", "v")).isEqualTo("-MOVED " + slot + " 10.1.2.3:7000\r\n");
        String slots = c.call("CLUSTER", "SLOTS");
        assertThat(slots).startsWith("*3\r\n").contains("10.1.2.3");
        node.router.route(group, new Route.Unavailable("election"));
        assertThat(c.call("GET", "moved-key")).isEqualTo("-CLUSTERDOWN The cluster is down\r\n");
        node.router.routeAfterWait(group, Route.LOCAL);
        assertThat(c.call("GET", "moved-key")).isEqualTo("$-1\r\n");
      } finally {
        node.router.route(group, null);
      }
      node.router.failNextWrite(group);
      assertThat(c.call("SET", "moved-key", "v")).startsWith("-TRYAGAIN ");
      assertThat(c.call("GET", "moved-key")).isEqualTo("$-1\r\n");
      // Refused while leadership is being handed over: the reply waits for the successor and
      // redirects there, rather than failing while the old leader still looks local.
      node.router.failNextWrite(group);
      CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(() -> node.router
          .route(group, new Route.Remote("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "10.1.2.4", 7001)));
      try {
        assertThat(c.call("SET", "moved-key", "v")).isEqualTo("-MOVED " + slot + " 10.1.2.4:7001\r\n");
      } finally {
        node.router.route(group, null);
      }
      assertThat(c.call("GET", "moved-key")).isEqualTo("$-1\r\n");
    }
  }

  @Test
  void scanVisitsEveryKeyOnceResumingMidSlot() {
    try (RawClient c = new RawClient(node.port())) {
      Set<String> expected = new HashSet<>();
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      for (int i = 0; i < 400; i++) {
        String k = (i % 3 == 0 ? "{same}" : "") + "scan:" + i;
        expected.add(k);
        batch.writeBytes(command("SET", k, "1"));
      }
      c.send(batch.toByteArray());
      c.readReplies(400);
      Set<String> seen = new HashSet<>();
      String cursor = "0";
      int calls = 0;
      do {
        List<Reply> r = ((Reply.Array) c.send(command("SCAN", cursor, "MATCH", "*scan:*", "COUNT", "7"))
            .readReplies(1).get(0)).items();
        cursor = ((Reply.Bulk) r.get(0)).utf8();
        for (Reply k : ((Reply.Array) r.get(1)).items()) {
          seen.add(((Reply.Bulk) k).utf8());
        }
        calls++;
      } while (!cursor.equals("0") && calls < 10_000);
      assertThat(cursor).isEqualTo("0");
      assertThat(seen).containsAll(expected);
      assertThat(c.call("SCAN", "0", "COUNT", "0")).isEqualTo("-ERR syntax error\r\n");
      assertThat(c.call("SCAN", "x")).isEqualTo("-ERR invalid cursor\r\n");
    }
  }

  @Test
  void keyspaceWideCommandsCoverEveryLedGroup() {
    try (TestServer own = new TestServer(dir.resolve("wide"));
        RawClient c = new RawClient(own.port())) {
      assertThat(c.call("DBSIZE")).isEqualTo(":0\r\n");
      assertThat(c.call("RANDOMKEY")).isEqualTo("$-1\r\n");
      for (int i = 0; i < 50; i++) {
        c.call("SET", "wide:" + i, "x");
      }
      assertThat(c.call("DBSIZE")).isEqualTo(":50\r\n");
      assertThat(c.call("KEYS", "wide:*")).startsWith("*50\r\n");
      assertThat(c.call("KEYS", "wide:4*")).startsWith("*11\r\n");
      assertThat(c.call("RANDOMKEY")).contains("wide:");
      assertThat(c.call("CLUSTER", "COUNTKEYSINSLOT", Integer.toString(HashSlot.of("wide:1".getBytes()))))
          .isEqualTo(":1\r\n");
      assertThat(c.call("INFO", "keyspace")).contains("db0:keys=50,expires=0,avg_ttl=0");
      assertThat(c.call("FLUSHALL")).isEqualTo("+OK\r\n");
      assertThat(c.call("DBSIZE")).isEqualTo(":0\r\n");
      assertThat(c.call("INFO", "keyspace")).isEqualTo("$12\r\n# Keyspace\r\n\r\n");
    }
  }

  @Test
  void oneEventLoopServesEveryClientWhileOneIsBlocked() {
    try (TestServer own = new TestServer(dir.resolve("io-threads"),
            cfg -> cfg.withIoThreads(1, true), ShutdownHook.REFUSE);
        RawClient blocked = new RawClient(own.port());
        RawClient pusher = new RawClient(own.port())) {
      assertThat(pusher.call("CONFIG", "GET", "io-threads"))
          .isEqualTo("*2\r\n$10\r\nio-threads\r\n$1\r\n1\r\n");
      assertThat(pusher.call("CONFIG", "SET", "io-threads", "4")).isEqualTo(
          "-ERR CONFIG SET failed (possibly related to argument 'io-threads') - can't set immutable config\r\n");
      blocked.send("BLPOP io:queue 10\r\n");
      List<RawClient> others = new ArrayList<>();
      try {
        for (int i = 0; i < 20; i++) {
          others.add(new RawClient(own.port()));
        }
        for (int round = 0; round < 5; round++) {
          for (int i = 0; i < others.size(); i++) {
            others.get(i).send("SET io:" + i + " " + round + "\r\nGET io:" + i + "\r\n");
          }
          for (int i = 0; i < others.size(); i++) {
            assertThat(others.get(i).readRaw(2)).isEqualTo("+OK\r\n$1\r\n" + round + "\r\n");
          }
        }
      } finally {
        others.forEach(RawClient::close);
      }
      assertThat(pusher.call("RPUSH", "io:queue", "done")).isEqualTo(":1\r\n");
      assertThat(blocked.readRaw(1)).isEqualTo("*2\r\n$8\r\nio:queue\r\n$4\r\ndone\r\n");
    }
  }

  @Test
  void theDefaultIsOneEventLoopPerCpu() {
    assertThat(GatewayConfig.defaults().eventLoopThreads())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(GatewayConfig.defaults().withIoThreads(3, true).eventLoopThreads()).isEqualTo(3);
  }

  @Test
  void maxClientsRefusesExtraConnections() {
    try (TestServer own = new TestServer(dir.resolve("maxclients"), cfg -> cfg.withMaxClients(2),
            ShutdownHook.REFUSE);
        RawClient a = new RawClient(own.port());
        RawClient b = new RawClient(own.port())) {
      assertThat(a.call("PING")).isEqualTo("+PONG\r\n");
      assertThat(b.call("PING")).isEqualTo("+PONG\r\n");
      try (RawClient third = new RawClient(own.port())) {
        assertThat(third.readRaw(1)).isEqualTo("-ERR max number of clients reached\r\n");
        assertThat(third.closedByServer(2000)).isTrue();
      }
      assertThat(a.call("CONFIG", "SET", "maxclients", "3")).isEqualTo("+OK\r\n");
      try (RawClient third = new RawClient(own.port())) {
        assertThat(third.call("PING")).isEqualTo("+PONG\r\n");
      }
      assertThat(a.call("INFO", "stats")).contains("rejected_connections:1");
    }
  }

  @Test
  void authenticationWithRequirepass() {
    try (TestServer own = new TestServer(dir.resolve("auth"), cfg -> cfg.withRequirepass("s3cret"),
            ShutdownHook.REFUSE);
        RawClient c = new RawClient(own.port())) {
      assertThat(c.call("GET", "k")).isEqualTo("-NOAUTH Authentication required.\r\n");
      assertThat(c.call("NOPE")).startsWith("-ERR unknown command 'NOPE'");
      assertThat(c.call("HELLO", "3")).startsWith("-NOAUTH HELLO must be called with the client "
          + "already authenticated, otherwise the HELLO AUTH <user> <pass> option");
      assertThat(c.call("AUTH", "wrong")).isEqualTo(
          "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
      assertThat(c.call("AUTH", "other", "s3cret")).startsWith("-WRONGPASS");
      assertThat(c.call("AUTH", "s3cret")).isEqualTo("+OK\r\n");
      assertThat(c.call("SET", "k", "v")).isEqualTo("+OK\r\n");
      assertThat(c.call("RESET")).isEqualTo("+RESET\r\n");
      assertThat(c.call("GET", "k")).isEqualTo("-NOAUTH Authentication required.\r\n");
      assertThat(c.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "me")).startsWith("%7\r\n");
      assertThat(c.call("CLIENT", "GETNAME")).isEqualTo("$2\r\nme\r\n");
    }
    try (TestServer own = new TestServer(dir.resolve("auth2"), cfg -> cfg.withRequirepass("pw"),
            ShutdownHook.REFUSE);
        RawClient c = new RawClient(own.port())) {
      c.send("*11\r\n");
      assertThat(c.readRaw(1)).isEqualTo("-ERR Protocol error: unauthenticated multibulk length\r\n");
      assertThat(c.closedByServer(2000)).isTrue();
    }
    try (RawClient c = new RawClient(node.port())) {
      assertThat(c.call("AUTH", "x")).isEqualTo("-ERR AUTH <password> called without any password "
          + "configured for the default user. Are you sure your configuration is correct?\r\n");
      assertThat(c.call("AUTH", "default", "anything")).isEqualTo("+OK\r\n");
    }
  }

  @Test
  void clientListKillAndReplyModes() {
    try (RawClient a = new RawClient(node.port()); RawClient b = new RawClient(node.port())) {
      assertThat(b.call("CLIENT", "SETNAME", "victim")).isEqualTo("+OK\r\n");
      String bid = b.call("CLIENT", "ID").substring(1).trim();
      assertThat(a.call("CLIENT", "SETINFO", "LIB-NAME", "raw")).isEqualTo("+OK\r\n");
      String list = a.call("CLIENT", "LIST");
      assertThat(list).contains("name=victim").contains(" cmd=client|list ").contains("lib-name=raw lib-ver=");
      String line = a.call("CLIENT", "INFO");
      assertThat(line).matches("(?s)\\$\\d+\r\nid=\\d+ addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:\\d+ "
          + "fd=-?\\d+ name= age=\\d+ idle=\\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=\\d+ "
          + "qbuf-free=\\d+ argv-mem=\\d+ multi-mem=\\d+ rbs=\\d+ rbp=\\d+ obl=\\d+ oll=\\d+ omem=\\d+ "
          + "tot-mem=\\d+ events=r cmd=client\\|info user=default redir=-1 resp=2 lib-name=raw lib-ver=\n\r\n");
      assertThat(a.call("CLIENT", "KILL", "ID", bid)).isEqualTo(":1\r\n");
      assertThat(b.closedByServer(2000)).isTrue();
      a.send("CLIENT REPLY SKIP\r\nPING skipped\r\nPING shown\r\nCLIENT REPLY OFF\r\nPING off\r\n"
          + "CLIENT REPLY ON\r\nPING on\r\n");
      assertThat(a.readRaw(3)).isEqualTo("$5\r\nshown\r\n+OK\r\n$2\r\non\r\n");
      String aid = a.call("CLIENT", "ID").substring(1).trim();
      assertThat(a.call("CLIENT", "KILL", "ID", aid, "SKIPME", "no")).isEqualTo(":1\r\n");
      assertThat(a.closedByServer(2000)).isTrue();
    }
  }

  @Test
  void backPressureKeepsOrderWithManyCommandsInFlight() {
    try (TestServer own = new TestServer(dir.resolve("bp"), cfg -> cfg.withPipelining(8, 4),
            ShutdownHook.REFUSE);
        RawClient c = new RawClient(own.port())) {
      own.router.readDelay(1);
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      for (int i = 0; i < 300; i++) {
        batch.writeBytes(command("SET", "bp:" + (i % 5), Integer.toString(i)));
        batch.writeBytes(command("GET", "bp:" + (i % 5)));
      }
      c.send(batch.toByteArray());
      List<Reply> r = c.readReplies(600);
      for (int i = 0; i < 300; i++) {
        assertThat(((Reply.Bulk) r.get(2 * i + 1)).utf8()).isEqualTo(Integer.toString(i));
      }
    }
  }

  @Test
  void idleClientsAreClosedAfterTimeout() {
    try (TestServer own = new TestServer(dir.resolve("idle"), cfg -> cfg.withTimeout(1),
            ShutdownHook.REFUSE);
        RawClient c = new RawClient(own.port())) {
      assertThat(c.call("PING")).isEqualTo("+PONG\r\n");
      assertThat(c.closedByServer(4000)).isTrue();
    }
  }

  @Test
  void shutdownCallsTheHookAndClosesWithoutReply() {
    AtomicReference<ShutdownHook.Request> asked = new AtomicReference<>();
    try (TestServer own = new TestServer(dir.resolve("shutdown"), cfg -> cfg, r -> {
          asked.set(r);
          return CompletableFuture.completedFuture(null);
        });
        RawClient c = new RawClient(own.port())) {
      assertThat(c.call("SHUTDOWN", "NOSAVE", "SAVE")).isEqualTo("-ERR syntax error\r\n");
      assertThat(c.call("SHUTDOWN", "ABORT")).isEqualTo("-ERR No shutdown in progress.\r\n");
      c.send(command("SHUTDOWN", "NOSAVE", "NOW"));
      assertThat(c.closedByServer(3000)).isTrue();
      assertThat(c.leftover()).isEmpty();
      assertThat(asked.get()).isEqualTo(new ShutdownHook.Request(false, true, true, false));
    }
    try (RawClient c = new RawClient(node.port())) {
      assertThat(c.call("SHUTDOWN")).isEqualTo("-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
    }
  }

  @Test
  void serverCommands() {
    try (RawClient c = new RawClient(node.port())) {
      assertThat(c.call("SAVE")).isEqualTo("+OK\r\n");
      assertThat(c.call("BGSAVE")).isIn("+Background saving started\r\n",
          "-ERR Background save already in progress\r\n");
      assertThat(c.call("LASTSAVE")).matches(":\\d{10}\r\n");
      assertThat(c.call("TIME")).matches("\\*2\r\n\\$10\r\n\\d{10}\r\n\\$\\d\r\n\\d+\r\n");
      String info = c.call("INFO");
      for (String section : List.of("Server", "Clients", "Memory", "Persistence", "Stats",
          "Replication", "CPU", "Modules", "Errorstats", "Cluster", "Keyspace")) {
        assertThat(info).contains("# " + section + "\r\n");
      }
      assertThat(info).contains("redis_version:7.0.15\r\n").contains("kvorum_version:")
          .contains("redis_mode:cluster\r\n").contains("cluster_enabled:1\r\n")
          .doesNotContain("# Commandstats");
      assertThat(c.call("INFO", "commandstats")).contains("cmdstat_info:calls=");
      c.call("NOSUCH");
      assertThat(c.call("INFO", "errorstats")).contains("errorstat_ERR:count=");
      assertThat(c.call("CONFIG", "RESETSTAT")).isEqualTo("+OK\r\n");
      // As in Redis, the RESETSTAT call itself is counted after the reset.
      assertThat(c.call("INFO", "commandstats")).matches("\\$\\d+\r\n# Commandstats\r\n"
          + "cmdstat_config\\|resetstat:calls=1,[^\r\n]*\r\n\r\n");
      assertThat(c.call("CLUSTER", "MYID")).isEqualTo("$40\r\n" + io.kvorum.resp.testing.LocalStoreRouter.SELF_ID + "\r\n");
      String nodes = io.kvorum.resp.testing.LocalStoreRouter.SELF_ID + " 127.0.0.1:" + node.port()
          + "@0 myself,master - 0 0 0 connected 0-16383\n";
      assertThat(c.call("CLUSTER", "NODES")).isEqualTo("$" + nodes.length() + "\r\n" + nodes + "\r\n");
    }
  }
}
