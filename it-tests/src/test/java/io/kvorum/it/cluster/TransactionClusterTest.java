package io.kvorum.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.checker.ListAppendChecker;
import io.kvorum.it.checker.ListAppendChecker.Append;
import io.kvorum.it.checker.ListAppendChecker.MicroOp;
import io.kvorum.it.checker.ListAppendChecker.Read;
import io.kvorum.it.checker.ListAppendChecker.Txn;
import io.kvorum.it.fixture.HashSlot;
import io.kvorum.it.fixture.KvorumProcess;
import io.kvorum.it.fixture.ProcessCluster;
import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.ReplicaStores;
import io.kvorum.it.fixture.RespReply;
import io.kvorum.it.history.Op.Outcome;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * MULTI/EXEC on a 3-process cluster: Jedis's and Lettuce's transaction APIs work unchanged
 * against the slot's leader, and under a load of list-append transactions {@code RPUSH a-i v;
 * RPUSH b-i v; LRANGE a-i|b-i} (one slot, by hash tag; every value unique) with the leader killed
 * in the middle, the history passes {@link ListAppendChecker} against the new leader's lists and
 * against each replica's own database after every node stopped: on every replica each
 * transaction is all or nothing, no acknowledged append is missing, no refused one applied, and
 * the lists hold the one order the transactions read.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TransactionClusterTest {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionClusterTest.class);
  private static final int PAIRS = 8;

  @Test
  void transactionsAreAllOrNothingOnEveryReplicaAcrossALeaderKill() throws Exception {
    try (ProcessCluster cluster = ProcessCluster.start("tx", 3)) {
      KvorumProcess leader = leaderOf(cluster, cluster.node(0), "{tx}");
      clientsRunTransactionsUnchanged(leader);

      ConcurrentLinkedQueue<Txn> history = new ConcurrentLinkedQueue<>();
      AtomicInteger done = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      int workers = 4;
      ExecutorService pool = Executors.newFixedThreadPool(workers);
      List<Future<?>> running = new ArrayList<>();
      try {
        for (int w = 0; w < workers; w++) {
          int worker = w;
          running.add(pool.submit(() -> load(cluster, worker, stop, history, done)));
        }
        Thread.sleep(3000);
        int before = done.get();
        leader.kill9();
        Thread.sleep(8000);
        stop.set(true);
        for (Future<?> f : running) {
          f.get(2, TimeUnit.MINUTES);
        }
        LOG.info("transactions: {} before the kill, {} acknowledged in all, {} attempted",
            before, done.get(), history.size());
        assertThat(done.get()).as("transactions continue after the failover")
            .isGreaterThan(before + 20);
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
      List<Txn> txns = new ArrayList<>(history);

      KvorumProcess survivor = cluster.nodes().stream().filter(n -> n != leader).findFirst()
          .orElseThrow();
      KvorumProcess newLeader = leaderOf(cluster, survivor, "{tx}");
      Map<String, List<String>> leaderLists = new HashMap<>();
      try (Jedis jedis = new Jedis(newLeader.host(), newLeader.port())) {
        for (String key : keys()) {
          leaderLists.put(key, jedis.lrange(key, 0, -1));
        }
      }
      assertNoAnomalies(txns, leaderLists, "the new leader " + newLeader.describe());

      // The killed node catches up as a follower; once every replica has applied the same
      // entries, every node stops cleanly and each replica's own database is read.
      leader.restart();
      cluster.awaitHealthy(Duration.ofSeconds(120));
      ReplicaStores.awaitSameAppliedIndex(cluster.nodes(), Duration.ofSeconds(60));
      for (KvorumProcess n : cluster.nodes()) {
        n.stop();
      }
      for (KvorumProcess n : cluster.nodes()) {
        assertNoAnomalies(txns, ReplicaStores.lists(n, keys()), "the replica of " + n.describe());
      }
    }
  }

  /** The list-append check of {@code history} against one copy's final lists. */
  private static void assertNoAnomalies(List<Txn> history, Map<String, List<String>> lists,
      String copy) {
    ListAppendChecker.Report report = new ListAppendChecker().check(history, lists);
    LOG.info("{}: {} transactions, {} acknowledged, {} reads checked, {} anomalies", copy,
        report.transactions(), report.acknowledged(), report.reads(), report.problems().size());
    assertThat(report.problems()).as("list-append anomalies on %s", copy).isEmpty();
    assertThat(report.acknowledged()).as("acknowledged transactions").isGreaterThan(20);
  }

  /** Jedis's Transaction (with WATCH) and Lettuce's multi()/exec() against one cluster node. */
  private static void clientsRunTransactionsUnchanged(KvorumProcess leader) {
    try (Jedis jedis = new Jedis(leader.host(), leader.port())) {
      jedis.watch("{tx}watched");
      Transaction t = jedis.multi();
      t.set("{tx}watched", "1");
      t.incr("{tx}jedis");
      assertThat(t.exec()).containsExactly("OK", 1L);
      jedis.watch("{tx}watched");
      try (Jedis other = new Jedis(leader.host(), leader.port())) {
        other.set("{tx}watched", "2");
      }
      Transaction aborted = jedis.multi();
      aborted.incr("{tx}jedis");
      assertThat(aborted.exec()).isNull();
      assertThat(jedis.get("{tx}jedis")).isEqualTo("1");
    }
    RedisClient client = RedisClient.create(RedisURI.create(leader.host(), leader.port()));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> sync = c.sync();
      assertThat(sync.multi()).isEqualTo("OK");
      sync.rpush("{tx}lettuce", "a", "b");
      sync.lrange("{tx}lettuce", 0, -1);
      TransactionResult result = sync.exec();
      assertThat(result.wasDiscarded()).isFalse();
      Long pushed = result.get(0);
      List<String> range = result.get(1);
      assertThat(pushed).isEqualTo(2L);
      assertThat(range).containsExactly("a", "b");
    } finally {
      client.shutdown();
    }
  }

  private static String keyA(int i) {
    return "{tx}a-" + i;
  }

  private static String keyB(int i) {
    return "{tx}b-" + i;
  }

  private static List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < PAIRS; i++) {
      keys.add(keyA(i));
      keys.add(keyB(i));
    }
    return keys;
  }

  /**
   * One worker: list-append transactions on random pairs, following the slot's leader through
   * failures; each recorded in {@code history} as the client saw it.
   */
  private static void load(ProcessCluster cluster, int worker, AtomicBoolean stop,
      ConcurrentLinkedQueue<Txn> history, AtomicInteger done) {
    Jedis jedis = null;
    long n = 0;
    while (!stop.get()) {
      int i = ThreadLocalRandom.current().nextInt(PAIRS);
      String readKey = ThreadLocalRandom.current().nextBoolean() ? keyA(i) : keyB(i);
      String v = "w" + worker + "-" + n++;
      List<MicroOp> ops = new ArrayList<>(List.of(new Append(keyA(i), v), new Append(keyB(i), v)));
      long invoked = System.nanoTime();
      try {
        if (jedis == null) {
          KvorumProcess asked = cluster.nodes().stream().filter(KvorumProcess::isAlive)
              .findAny().orElseThrow();
          KvorumProcess leader = leaderOf(cluster, asked, "{tx}");
          jedis = new Jedis(leader.host(), leader.port(), 3000);
        }
        Transaction t = jedis.multi();
        t.rpush(keyA(i), v);
        t.rpush(keyB(i), v);
        t.lrange(readKey, 0, -1);
        List<Object> replies = t.exec();
        long completed = System.nanoTime();
        @SuppressWarnings("unchecked")
        List<String> read = (List<String>) replies.get(2);
        ops.add(new Read(readKey, read));
        history.add(new Txn(worker, ops, invoked, completed, Outcome.OK, null));
        done.incrementAndGet();
      } catch (RuntimeException | IOException e) {
        ops.add(new Read(readKey, null));
        // EXECABORT: a queued command was refused (MOVED ...), nothing ran. Anything else
        // (a closed connection, a timeout) leaves the outcome unknown.
        boolean refused = e.getMessage() != null && e.getMessage().startsWith("EXECABORT");
        history.add(new Txn(worker, ops, invoked, refused ? System.nanoTime() : Long.MAX_VALUE,
            refused ? Outcome.FAIL : Outcome.UNKNOWN, e.toString()));
        if (jedis != null) {
          try {
            jedis.close();
          } catch (RuntimeException ignored) {
            // already broken
          }
          jedis = null;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    if (jedis != null) {
      jedis.close();
    }
  }

  private static KvorumProcess leaderOf(ProcessCluster cluster, KvorumProcess asked, String key)
      throws IOException {
    int slot = HashSlot.of(key);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (RawResp c = RawResp.connect(asked.host(), asked.port())) {
        for (RespReply range : c.call("CLUSTER", "SLOTS").elements()) {
          List<RespReply> e = range.elements();
          if (e.get(0).asLong() <= slot && slot <= e.get(1).asLong()) {
            int port = (int) e.get(2).elements().get(1).asLong();
            KvorumProcess leader = cluster.byPort(port);
            if (leader.isAlive()) {
              return leader;
            }
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no live leader for " + key);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
  }
}
