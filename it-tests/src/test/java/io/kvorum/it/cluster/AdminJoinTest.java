package io.kvorum.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kvorum.it.fixture.AdminCli;
import io.kvorum.it.fixture.KvorumProcess;
import io.kvorum.it.fixture.ProcessCluster;
import io.kvorum.it.fixture.RawResp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;

/**
 * {@code kvorum admin join HOST:PORT} as an operator uses it: a node started on its own (no
 * {@code --join}, so a one-node cluster of its own) becomes a member with one command, takes
 * replicas of every group, serves every key written before, and stays a member across a restart
 * without {@code --join}; a standalone node that holds a key is refused and keeps its key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AdminJoinTest {
  private ProcessCluster cluster;
  private final List<String> keys = new ArrayList<>();

  @BeforeAll
  void startOneNodeWithKeys() throws Exception {
    cluster = ProcessCluster.builder("adminjoin", 1).nodeArgs("--slot-groups", "4").start();
    KvorumProcess a = cluster.node(0);
    try (RawResp c = RawResp.connect(a.host(), a.port())) {
      for (int i = 0; i < 200; i++) {
        String key = "aj:" + i;
        assertThat(c.call("SET", key, "v" + i).text()).isEqualTo("OK");
        keys.add(key);
      }
    }
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String admin(KvorumProcess n) {
    return n.host() + ":" + n.adminPort();
  }

  @Test
  @Order(1)
  void aStandaloneNodeJoinsTakesReplicasServesEveryKeyAndStaysAfterARestart() throws Exception {
    KvorumProcess a = cluster.node(0);
    KvorumProcess b = cluster.startStandalone();
    AdminCli.Result r = AdminCli.run(admin(a), 120, "join", admin(b));
    assertThat(r.exitCode()).as("join output: %s %s", r.out(), r.err()).isZero();
    assertThat(r.out()).contains("is joining cluster")
        .containsPattern("joined; holding \\d+ replicas, \\d+ moves running, [0-9.]+ (B|KiB|MiB)"
            + " copied\n")
        .contains("is a member holding ");
    String bId = awaitTwoReplicasEach(a, b);
    assertEveryKeyReads(b);

    b.stop();
    b.restart();
    // Restarted without --join, it is still the same member of the same cluster.
    assertThat(awaitTwoReplicasEach(a, b)).isEqualTo(bId);
    assertEveryKeyReads(b);
    // A member asked again: said so, nothing changes.
    AdminCli.Result again = AdminCli.run(admin(a), 60, "join", admin(b));
    assertThat(again.exitCode()).isZero();
    assertThat(again.out()).contains("(" + admin(b) + ") is a member, up");
  }

  @Test
  @Order(2)
  void aStandaloneNodeHoldingAKeyIsRefusedAndKeepsIt() throws Exception {
    KvorumProcess a = cluster.node(0);
    KvorumProcess c = cluster.startStandalone();
    try (RawResp conn = RawResp.connect(c.host(), c.port())) {
      assertThat(conn.call("SET", "mine", "kept").text()).isEqualTo("OK");
    }
    AdminCli.Result r = AdminCli.run(admin(a), 60, "join", admin(c));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("FAILED_PRECONDITION").contains(" holds 1 key; joining would "
        + "delete them (only an empty node can join a cluster)");
    try (RawResp conn = RawResp.connect(c.host(), c.port())) {
      assertThat(conn.call("GET", "mine").text()).isEqualTo("kept");
    }
    assertThat(AdminCli.status(admin(a)).getAsJsonArray("nodes")).hasSize(2);
    assertThat(AdminCli.status(admin(c)).getAsJsonArray("nodes")).hasSize(1);
  }

  /**
   * Waits until the cluster (asked through {@code b}) lists both nodes up and every group has
   * min(RF, 2) = 2 replicas, so B holds one of each; returns B's id.
   */
  private String awaitTwoReplicasEach(KvorumProcess a, KvorumProcess b)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String problem = "not checked";
    while (System.nanoTime() < deadline) {
      try {
        JsonObject s = AdminCli.status(admin(b));
        problem = twoReplicasEach(s, b);
        if (problem == null) {
          assertThat(AdminCli.status(admin(a)).get("cluster_id"))
              .isEqualTo(s.get("cluster_id"));
          return idOf(s, b);
        }
      } catch (RuntimeException e) {
        problem = e.toString();
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("not settled in 60 s: " + problem + "\n" + b.logTail(30));
  }

  private static String twoReplicasEach(JsonObject s, KvorumProcess b) {
    if (s.getAsJsonArray("nodes").size() != 2) {
      return "nodes: " + s.getAsJsonArray("nodes");
    }
    for (JsonElement n : s.getAsJsonArray("nodes")) {
      if (!n.getAsJsonObject().get("state").getAsString().equals("up")) {
        return "not up: " + n;
      }
    }
    String bId = idOf(s, b);
    for (JsonElement g : s.getAsJsonArray("groups")) {
      List<String> replicas = new ArrayList<>();
      g.getAsJsonObject().getAsJsonArray("replicas").forEach(r -> replicas.add(r.getAsString()));
      if (replicas.size() != 2 || !replicas.contains(bId)) {
        return "group " + g;
      }
    }
    return s.getAsJsonArray("moves").isEmpty() ? null : "moves: " + s.getAsJsonArray("moves");
  }

  private static String idOf(JsonObject s, KvorumProcess n) {
    for (JsonElement e : s.getAsJsonArray("nodes")) {
      if (e.getAsJsonObject().get("admin").getAsString().equals(admin(n))) {
        return e.getAsJsonObject().get("id").getAsString();
      }
    }
    throw new AssertionError("node " + admin(n) + " is not listed: " + s);
  }

  private void assertEveryKeyReads(KvorumProcess seed) {
    try (JedisCluster jedis = new JedisCluster(new HostAndPort(seed.host(), seed.port()))) {
      for (int i = 0; i < keys.size(); i++) {
        assertThat(jedis.get(keys.get(i))).as(keys.get(i)).isEqualTo("v" + i);
      }
    }
  }
}
