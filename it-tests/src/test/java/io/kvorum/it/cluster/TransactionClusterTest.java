package io.kvorum.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.fixture.HashSlot;
import io.kvorum.it.fixture.KvorumProcess;
import io.kvorum.it.fixture.ProcessCluster;
import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.RespReply;
import io.kvorum.storage.engine.NodeStorage;
import io.kvorum.storage.engine.SlotGroupStore;
import io.kvorum.storage.reply.Reply;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * MULTI/EXEC on a 3-process cluster: Jedis's and Lettuce's transaction APIs work unchanged
 * against the slot's leader, and under a load of transactions {@code RPUSH list x; INCR count}
 * (one slot, by hash tag) with the leader killed in the middle, every replica ends with each
 * transaction all or nothing: on every node, every list is exactly as long as its counter.
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

      Map<Integer, Long> acknowledged = new ConcurrentHashMap<>();
      AtomicInteger unknown = new AtomicInteger();
      AtomicInteger done = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      int workers = 4;
      ExecutorService pool = Executors.newFixedThreadPool(workers);
      List<Future<?>> running = new ArrayList<>();
      try {
        for (int w = 0; w < workers; w++) {
          running.add(pool.submit(() -> load(cluster, stop, acknowledged, unknown, done)));
        }
        Thread.sleep(3000);
        int before = done.get();
        leader.kill9();
        Thread.sleep(8000);
        stop.set(true);
        for (Future<?> f : running) {
          f.get(2, TimeUnit.MINUTES);
        }
        LOG.info("transactions: {} before the kill, {} in all, {} of unknown outcome", before,
            done.get(), unknown.get());
        assertThat(done.get()).as("transactions continue after the failover")
            .isGreaterThan(before + 20);
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }

      KvorumProcess survivor = cluster.nodes().stream().filter(n -> n != leader).findFirst()
          .orElseThrow();
      KvorumProcess newLeader = leaderOf(cluster, survivor, "{tx}");
      try (Jedis jedis = new Jedis(newLeader.host(), newLeader.port())) {
        for (int i = 0; i < PAIRS; i++) {
          long count = Long.parseLong(jedis.get(count(i)) == null ? "0" : jedis.get(count(i)));
          assertThat(jedis.llen(list(i))).as("list %d on the new leader", i).isEqualTo(count);
          assertThat(count).as("acknowledged transactions on pair %d", i)
              .isGreaterThanOrEqualTo(acknowledged.getOrDefault(i, 0L));
        }
      }

      // The killed node catches up as a follower; then every node stops cleanly and each
      // replica's own database is read.
      leader.restart();
      cluster.awaitHealthy(Duration.ofSeconds(120));
      Thread.sleep(2000);
      for (KvorumProcess n : cluster.nodes()) {
        n.stop();
      }
      try (NodeStorage storage = NodeStorage.withDefaults()) {
        for (KvorumProcess n : cluster.nodes()) {
          long transactions = 0;
          for (Path db : groupDatabases(n.dataDir())) {
            try (SlotGroupStore store = SlotGroupStore.open(db, storage)) {
              for (int i = 0; i < PAIRS; i++) {
                Reply count = store.read(args("get", count(i)), false, System.currentTimeMillis());
                long c = count instanceof Reply.Bulk b
                    ? Long.parseLong(new String(b.value(), StandardCharsets.US_ASCII)) : 0;
                Reply len = store.read(args("llen", list(i)), false, System.currentTimeMillis());
                assertThat(((Reply.Int) len).value()).as("list %d on %s (%s)", i, n.describe(), db)
                    .isEqualTo(c);
                transactions += c;
              }
            }
          }
          assertThat(transactions).as("transactions replicated to %s", n.describe())
              .isGreaterThanOrEqualTo(done.get() / 2);
        }
      }
    }
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

  private static String list(int i) {
    return "{tx}list-" + i;
  }

  private static String count(int i) {
    return "{tx}count-" + i;
  }

  private static byte[][] args(String... a) {
    byte[][] out = new byte[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  /** One worker: transactions on random pairs, following the slot's leader through failures. */
  private static void load(ProcessCluster cluster, AtomicBoolean stop,
      Map<Integer, Long> acknowledged, AtomicInteger unknown, AtomicInteger done) {
    Jedis jedis = null;
    while (!stop.get()) {
      try {
        if (jedis == null) {
          KvorumProcess asked = cluster.nodes().stream().filter(KvorumProcess::isAlive)
              .findAny().orElseThrow();
          KvorumProcess leader = leaderOf(cluster, asked, "{tx}");
          jedis = new Jedis(leader.host(), leader.port(), 3000);
        }
        int i = ThreadLocalRandom.current().nextInt(PAIRS);
        Transaction t = jedis.multi();
        t.rpush(list(i), "x");
        t.incr(count(i));
        List<Object> replies = t.exec();
        long count = (Long) replies.get(1);
        assertThat((Long) replies.get(0)).isEqualTo(count);
        acknowledged.merge(i, count, Math::max);
        done.incrementAndGet();
      } catch (RuntimeException | IOException e) {
        // MOVED, a closed connection or a timeout: this transaction's outcome is unknown.
        unknown.incrementAndGet();
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

  /** The replica databases of a stopped node: Ratis state-machine directories' {@code db}. */
  private static List<Path> groupDatabases(Path dataDir) throws IOException {
    try (Stream<Path> walk = Files.walk(dataDir)) {
      return walk.filter(p -> p.getFileName().toString().equals("db")
              && p.getParent().getFileName().toString().equals("sm") && Files.isDirectory(p))
          .toList();
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
