package io.kvorum.it.parity;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.fixture.KvorumProcess;
import io.kvorum.it.fixture.RedisOracle;
import io.kvorum.resp.pubsub.KeyspaceEventScripts;
import io.kvorum.resp.pubsub.PubSubScripts;
import io.kvorum.resp.testing.RawClient;
import io.kvorum.resp.transaction.TransactionScripts;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway's transaction, pub/sub and keyspace-notification parity scripts, replayed against
 * a real {@code bin/kvorum server} (Raft slot groups, the leader's WATCH check, events published
 * by the state machine) and a real redis-server: the same bytes, RESP2 and RESP3. The gateway
 * tests run these scripts over an in-process stand-in for Raft; this proves the real path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RealNodeParityTest {
  private KvorumProcess node;
  private RedisOracle redis;

  @BeforeAll
  void start() throws InterruptedException {
    redis = RedisOracle.startCluster();
    node = KvorumProcess.start("real-node-parity");
    // A fresh node answers PING before its slot groups have leaders; FLUSHALL needs them all.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String reply = "";
    while (System.nanoTime() < deadline) {
      try (RawClient c = new RawClient(node.port())) {
        reply = c.call("FLUSHALL");
        if (reply.equals("+OK\r\n")) {
          return;
        }
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("node never accepted FLUSHALL: " + reply);
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void flush() {
    TransactionScripts.flush(node.port());
    TransactionScripts.flush(redis.port());
  }

  Stream<Arguments> transactionScripts() {
    return TransactionScripts.ALL.entrySet().stream().flatMap(e -> Stream.of(
        Arguments.of(e.getKey(), e.getValue(), false), Arguments.of(e.getKey(), e.getValue(), true)));
  }

  @ParameterizedTest(name = "{0}, resp3={2}")
  @MethodSource("transactionScripts")
  void transactions(String name, List<String> steps, boolean resp3) throws Exception {
    assertThat(TransactionScripts.run(node.port(), steps, resp3)).as(name)
        .isEqualTo(TransactionScripts.run(redis.port(), steps, resp3));
  }

  @ParameterizedTest(name = "resp3={0}")
  @ValueSource(booleans = {false, true})
  void everyKindOfWriteTouchesAWatchedKeyAsInRedis(boolean resp3) throws Exception {
    assertThat(TransactionScripts.runWatchedWrites(node.port(), resp3))
        .isEqualTo(TransactionScripts.runWatchedWrites(redis.port(), resp3));
  }

  /** Kvorum's one difference from Redis Cluster, held by the real leader's check too. */
  @Test
  void watchedKeysInAnotherSlotFailExecWithCrossslot() throws Exception {
    assertThat(TransactionScripts.run(node.port(), TransactionScripts.WATCH_OTHER_SLOT, false))
        .isEqualTo(TransactionScripts.WATCH_OTHER_SLOT_REPLIES);
  }

  Stream<Arguments> pubSubScripts() {
    return PubSubScripts.ALL.entrySet().stream()
        .map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pubSubScripts")
  void pubSub(String name, List<PubSubScripts.Step> script) {
    assertThat(PubSubScripts.run(node.port(), script)).as(name)
        .isEqualTo(PubSubScripts.run(redis.port(), script));
  }

  @ParameterizedTest(name = "{0}, resp3={1}")
  @MethodSource("keyspaceClasses")
  void keyspaceEvents(String classes, boolean resp3) throws Exception {
    KeyspaceEventScripts.assertSameSteps(KeyspaceEventScripts.run(node.port(), classes, resp3),
        KeyspaceEventScripts.run(redis.port(), classes, resp3));
  }

  static Stream<Arguments> keyspaceClasses() {
    return Stream.of(Arguments.of("KEA", false), Arguments.of("El$x", false),
        Arguments.of("KEAn", false), Arguments.of("KEA", true));
  }
}
