package io.kvorum.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kvorum.it.fixture.AdminCli;
import io.kvorum.it.fixture.HashSlot;
import io.kvorum.it.fixture.KvorumProcess;
import io.kvorum.it.fixture.ProcessCluster;
import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.RespReply;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The self-managing cluster, as an operator sees it through {@code kvorum admin} and a client
 * sees it through RESP: one story on one cluster of real processes, in order — grow 1 → 3 → 5
 * nodes under load, lose a node for good, drain one with {@code leave}, be refused a leave that
 * would break the replication factor, lose the meta leader in the middle of a rebalance, then
 * change the replication factor and move a replica by hand.
 * Each step checks the balance from {@code status --json} and that every acknowledged write
 * reads back. 8 slot groups and a 4 s node-down timeout keep it within a few minutes on 2 cores.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ElasticClusterTest {
  private static final Logger LOG = LoggerFactory.getLogger(ElasticClusterTest.class);
  private static final int RF = 3;
  private static final Duration SETTLE = Duration.ofSeconds(120);

  private ProcessCluster cluster;
  private final Map<String, String> acknowledged = new ConcurrentHashMap<>();

  @BeforeAll
  void startOneNode() {
    cluster = ProcessCluster.builder("elastic", 1)
        .nodeArgs("--slot-groups", "8", "--node-down-timeout", "4").start();
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private String admin() {
    for (KvorumProcess n : cluster.nodes()) {
      if (n.isAlive()) {
        return n.host() + ":" + n.adminPort();
      }
    }
    throw new IllegalStateException("no node is running");
  }

  @Test
  @Order(1)
  void growsFromOneToThreeToFiveNodesUnderLoadWithoutLosingAWrite() throws Exception {
    try (Load load = new Load(cluster.node(0), acknowledged)) {
      cluster.join();
      cluster.join();
      JsonObject three = awaitBalanced(3);
      assertThat(three.getAsJsonArray("nodes")).hasSize(3);
      assertThat(awaitMetaOn(3)).hasSize(3);
      cluster.join();
      cluster.join();
      JsonObject five = awaitBalanced(5);
      assertThat(five.getAsJsonArray("nodes")).hasSize(5);
      // With 5 nodes the map survives two of them down.
      assertThat(awaitMetaOn(5)).hasSize(5);
      load.assertClean(200);
    }
    assertEveryAcknowledgedWriteReads();
  }

  @Test
  @Order(2)
  void aNodeKilledForGoodHasItsReplicasRecreatedOnTheSurvivors() throws Exception {
    KvorumProcess victim = cluster.node(4);
    String victimId = nodeIdOf(AdminCli.status(admin()), victim);
    victim.kill9();
    JsonObject s = awaitBalanced(4);
    assertThat(stateOf(s, victimId)).isEqualTo("down");
    for (JsonElement g : s.getAsJsonArray("groups")) {
      assertThat(strings(g.getAsJsonObject().getAsJsonArray("replicas")))
          .hasSize(RF).doesNotContain(victimId);
    }
    assertEveryAcknowledgedWriteReads();
  }

  @Test
  @Order(3)
  void leaveUnderLoadDrainsTheNodeAndRemovesItFromTheMap() throws Exception {
    KvorumProcess leaving = cluster.node(3);
    String id = nodeIdOf(AdminCli.status(admin()), leaving);
    try (Load load = new Load(cluster.node(0), acknowledged)) {
      AdminCli.Result r = AdminCli.run(admin(), 180, "leave", id.substring(0, 10));
      assertThat(r.exitCode()).as("leave output: %s %s", r.out(), r.err()).isZero();
      assertThat(r.out()).contains("is leaving").contains("left the cluster");
      JsonObject s = awaitBalanced(3);
      assertThat(s.getAsJsonArray("nodes").asList())
          .noneMatch(n -> n.getAsJsonObject().get("id").getAsString().equals(id));
      // Four members left (one of them down): the meta group shrinks back to 3, all up.
      assertThat(awaitMetaOn(3)).doesNotContain(id);
      load.assertClean(50);
    }
    leaving.stop();
    assertEveryAcknowledgedWriteReads();
  }

  @Test
  @Order(4)
  void leaveIsRefusedWhenTheOtherNodesCannotHoldTheReplicationFactor() {
    String id = nodeIdOf(AdminCli.status(admin()), cluster.node(1));
    AdminCli.Result r = AdminCli.run(admin(), 60, "leave", id);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("FAILED_PRECONDITION")
        .contains("cannot remove node " + id + ": the replication factor is 3 but only 2 other"
            + " nodes are up");
    assertThat(stateOf(AdminCli.status(admin()), id)).isEqualTo("up");
  }

  @Test
  @Order(5)
  void aNewMetaLeaderFinishesTheRebalanceItsPredecessorStarted() throws Exception {
    // The node killed earlier comes back: the balancer starts moving replicas onto it.
    KvorumProcess returning = cluster.node(4);
    returning.restart();
    JsonObject s = AdminCli.status(admin());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (s.getAsJsonArray("moves").isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(300);
      s = AdminCli.status(admin());
    }
    JsonArray started = s.getAsJsonArray("moves");
    assertThat(started).as("moves onto the returning node").isNotEmpty();
    String metaLeader = s.get("meta_leader").getAsString();
    KvorumProcess leader = cluster.byNodeId(s, metaLeader);
    LOG.info("killing meta leader {} with moves in progress: {}", metaLeader, started);
    leader.kill9();
    JsonObject after = awaitBalanced(3);
    assertThat(after.get("meta_leader").getAsString()).isNotEqualTo(metaLeader);
    Set<Long> open = new HashSet<>();
    for (JsonElement m : after.getAsJsonArray("moves")) {
      open.add(m.getAsJsonObject().get("id").getAsLong());
    }
    for (JsonElement m : started) {
      assertThat(open).as("move %s finished", m).doesNotContain(m.getAsJsonObject().get("id")
          .getAsLong());
    }
    assertThat(stateOf(after, nodeIdOf(after, returning))).isEqualTo("up");
    // Never two copies of truth: the copies it held when it was declared down were recreated
    // elsewhere; it keeps on disk exactly what the map gives it now.
    awaitCopiesOnDiskMatchTheMap(returning, nodeIdOf(after, returning));
    assertEveryAcknowledgedWriteReads();
  }

  @Test
  @Order(6)
  void setRfAndMoveReplicaFromTheCli() throws Exception {
    AdminCli.Result r = AdminCli.run(admin(), 60, "set-rf", "2");
    assertThat(r.exitCode()).as("set-rf output: %s %s", r.out(), r.err()).isZero();
    JsonObject s = awaitReplicasPerGroup(2);
    // A move from a fuller node to an emptier one, so the balancer has no reason to undo it.
    Map<String, Integer> held = new HashMap<>();
    for (JsonElement n : s.getAsJsonArray("nodes")) {
      JsonObject o = n.getAsJsonObject();
      if (o.get("state").getAsString().equals("up")) {
        held.put(o.get("id").getAsString(),
            o.get("replicas").isJsonNull() ? 0 : o.get("replicas").getAsInt());
      }
    }
    String group = null;
    String from = null;
    String to = null;
    for (JsonElement g : s.getAsJsonArray("groups")) {
      List<String> holders = strings(g.getAsJsonObject().getAsJsonArray("replicas"));
      for (String a : holders) {
        for (String b : held.keySet()) {
          if (!holders.contains(b) && held.get(a) > held.get(b)) {
            group = g.getAsJsonObject().get("id").getAsString();
            from = a;
            to = b;
          }
        }
      }
    }
    assertThat(group).as("a group on a fuller node than some up node without it: %s", held)
        .isNotNull();
    r = AdminCli.run(admin(), 120, "move-replica", group, from, to);
    assertThat(r.exitCode()).as("move-replica output: %s %s", r.out(), r.err()).isZero();
    assertThat(r.out()).containsPattern("move \\d+ started").containsPattern("move \\d+ done");
    List<String> now = null;
    for (JsonElement g : AdminCli.status(admin()).getAsJsonArray("groups")) {
      if (g.getAsJsonObject().get("id").getAsString().equals(group)) {
        now = strings(g.getAsJsonObject().getAsJsonArray("replicas"));
      }
    }
    assertThat(now).as("group %s", group).hasSize(2).contains(to).doesNotContain(from);
    assertEveryAcknowledgedWriteReads();
    r = AdminCli.run(admin(), 60, "set-rf", "3");
    assertThat(r.exitCode()).as("set-rf output: %s %s", r.out(), r.err()).isZero();
    awaitBalanced(3);
    assertEveryAcknowledgedWriteReads();
  }

  // ---- checks ----

  /**
   * Waits until {@code up} nodes are up and the cluster is settled: every group has RF distinct
   * replicas, all on up nodes; replicas and leaders per up node within one of each other; no
   * move in progress. Returns that status.
   */
  private JsonObject awaitBalanced(int up) throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    String problem = "not checked";
    JsonObject s = null;
    while (System.nanoTime() < deadline) {
      try {
        s = AdminCli.status(admin());
        problem = imbalance(s, up);
        if (problem == null) {
          return s;
        }
      } catch (RuntimeException e) {
        problem = e.toString();
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("not balanced after " + SETTLE.toSeconds() + " s: " + problem
        + "\n" + s);
  }

  /**
   * Waits until the meta group has exactly {@code size} replicas, all on up nodes; returns their
   * ids.
   */
  private Set<String> awaitMetaOn(int size) throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    Set<String> meta = Set.of();
    Set<String> metaUp = Set.of();
    while (System.nanoTime() < deadline) {
      try {
        meta = new HashSet<>();
        metaUp = new HashSet<>();
        for (JsonElement e : AdminCli.status(admin()).getAsJsonArray("nodes")) {
          JsonObject n = e.getAsJsonObject();
          if (n.get("meta").getAsBoolean()) {
            meta.add(n.get("id").getAsString());
            if (n.get("state").getAsString().equals("up")) {
              metaUp.add(n.get("id").getAsString());
            }
          }
        }
        if (meta.size() == size && metaUp.size() == size) {
          return meta;
        }
      } catch (RuntimeException e) {
        LOG.info("status failed: {}", e.toString());
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("meta group on " + meta + " (up: " + metaUp + "), want " + size
        + " up replicas");
  }

  private static String imbalance(JsonObject s, int up) {
    Set<String> upNodes = new HashSet<>();
    Map<String, Integer> replicas = new HashMap<>();
    Map<String, Integer> leaders = new HashMap<>();
    for (JsonElement e : s.getAsJsonArray("nodes")) {
      JsonObject n = e.getAsJsonObject();
      if (n.get("state").getAsString().equals("up")) {
        upNodes.add(n.get("id").getAsString());
        replicas.put(n.get("id").getAsString(), 0);
        leaders.put(n.get("id").getAsString(), 0);
      }
    }
    if (upNodes.size() != up) {
      return upNodes.size() + " nodes up, want " + up;
    }
    if (!s.getAsJsonArray("moves").isEmpty()) {
      return "moves in progress: " + s.getAsJsonArray("moves");
    }
    for (JsonElement e : s.getAsJsonArray("groups")) {
      JsonObject g = e.getAsJsonObject();
      List<String> r = strings(g.getAsJsonArray("replicas"));
      if (r.size() != Math.min(RF, up) || new HashSet<>(r).size() != r.size()
          || !upNodes.containsAll(r)) {
        return "group " + g.get("id") + " replicas " + r;
      }
      String leader = g.get("leader").getAsString();
      if (!r.contains(leader)) {
        return "group " + g.get("id") + " leader " + leader + " is not a replica";
      }
      r.forEach(id -> replicas.merge(id, 1, Integer::sum));
      leaders.merge(leader, 1, Integer::sum);
    }
    if (Collections.max(replicas.values()) - Collections.min(replicas.values()) > 1) {
      return "replicas per node " + replicas;
    }
    if (Collections.max(leaders.values()) - Collections.min(leaders.values()) > 1) {
      return "leaders per node " + leaders;
    }
    return null;
  }

  private void assertEveryAcknowledgedWriteReads() throws IOException {
    assertThat(acknowledged).isNotEmpty();
    Router router = new Router(cluster.node(0).host() + ":" + anyRunning().port());
    try {
      for (Map.Entry<String, String> e : acknowledged.entrySet()) {
        RespReply r = router.call("GET", e.getKey());
        assertThat(r.isError()).as("GET %s: %s", e.getKey(), r.render()).isFalse();
        assertThat(r.text()).as("GET %s", e.getKey()).isEqualTo(e.getValue());
      }
    } finally {
      router.close();
    }
    LOG.info("all {} acknowledged writes read back", acknowledged.size());
  }

  private KvorumProcess anyRunning() {
    return cluster.nodes().stream().filter(KvorumProcess::isAlive).findFirst().orElseThrow();
  }

  /** Waits until every group has {@code rf} replicas, all on up nodes, and no move runs. */
  private JsonObject awaitReplicasPerGroup(int rf) throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    String problem = "not checked";
    while (System.nanoTime() < deadline) {
      JsonObject s = AdminCli.status(admin());
      problem = null;
      if (!s.getAsJsonArray("moves").isEmpty()) {
        problem = "moves running: " + s.getAsJsonArray("moves");
      }
      for (JsonElement g : s.getAsJsonArray("groups")) {
        List<String> replicas = strings(g.getAsJsonObject().getAsJsonArray("replicas"));
        if (replicas.size() != rf || replicas.stream().anyMatch(id -> !stateOf(s, id).equals("up"))) {
          problem = "group " + g.getAsJsonObject().get("id") + " on " + replicas;
        }
      }
      if (problem == null) {
        return s;
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("groups not at " + rf + " replicas after " + SETTLE + ": " + problem);
  }

  /**
   * Waits until {@code p}'s data dir holds one Raft group directory per group the map gives it
   * (plus the meta group's if it is a meta replica), and no other.
   */
  private void awaitCopiesOnDiskMatchTheMap(KvorumProcess p, String id)
      throws InterruptedException, IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String problem;
    do {
      JsonObject s = AdminCli.status(admin());
      int expected = 0;
      for (JsonElement g : s.getAsJsonArray("groups")) {
        expected += strings(g.getAsJsonObject().getAsJsonArray("replicas")).contains(id) ? 1 : 0;
      }
      for (JsonElement n : s.getAsJsonArray("nodes")) {
        JsonObject o = n.getAsJsonObject();
        expected += o.get("id").getAsString().equals(id) && o.get("meta").getAsBoolean() ? 1 : 0;
      }
      long onDisk;
      try (var dirs = java.nio.file.Files.list(p.dataDir().resolve("raft"))) {
        onDisk = dirs.filter(java.nio.file.Files::isDirectory)
            .filter(d -> d.getFileName().toString().matches("[0-9a-f-]{36}")).count();
      }
      if (onDisk == expected) {
        return;
      }
      problem = onDisk + " group directories on disk, the map gives the node " + expected;
      Thread.sleep(1000);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(p.describe() + ": " + problem);
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    a.forEach(e -> out.add(e.getAsString()));
    return out;
  }

  private static String stateOf(JsonObject s, String id) {
    for (JsonElement e : s.getAsJsonArray("nodes")) {
      if (e.getAsJsonObject().get("id").getAsString().equals(id)) {
        return e.getAsJsonObject().get("state").getAsString();
      }
    }
    return "absent";
  }

  private static String nodeIdOf(JsonObject s, KvorumProcess p) {
    for (JsonElement e : s.getAsJsonArray("nodes")) {
      if (e.getAsJsonObject().get("resp").getAsString().equals(p.host() + ":" + p.port())) {
        return e.getAsJsonObject().get("id").getAsString();
      }
    }
    throw new IllegalStateException(p.describe() + " is not in the map: " + s);
  }

  // ---- a client that follows MOVED, as a cluster client does ----

  /** Sends each command to the node the last MOVED named for its slot (one connection each). */
  private static final class Router implements AutoCloseable {
    private final Map<String, RawResp> connections = new HashMap<>();
    private final Map<Integer, String> slotOwner = new HashMap<>();
    private final String seed;
    int moved;
    int tryAgain;

    Router(String seed) {
      this.seed = seed;
    }

    /** The reply after following MOVED and TRYAGAIN (counted); other errors are returned. */
    RespReply call(String... args) throws IOException {
      int slot = HashSlot.of(args[1]);
      for (int attempt = 0; attempt < 50; attempt++) {
        String target = slotOwner.getOrDefault(slot, seed);
        RespReply r;
        try {
          r = connection(target).call(args);
        } catch (IOException e) {
          RawResp c = connections.remove(target);
          if (c != null) {
            c.close();
          }
          slotOwner.remove(slot);
          throw e;
        }
        if (r.isError() && r.text().startsWith("MOVED ")) {
          moved++;
          slotOwner.put(slot, r.text().split(" ")[2]);
          continue;
        }
        if (r.isError() && r.text().startsWith("TRYAGAIN")) {
          tryAgain++;
          sleep(50);
          continue;
        }
        return r;
      }
      throw new IOException("no answer for slot " + slot + " after 50 redirects");
    }

    private RawResp connection(String hostPort) throws IOException {
      RawResp c = connections.get(hostPort);
      if (c == null || c.isClosed()) {
        int colon = hostPort.lastIndexOf(':');
        c = RawResp.connect(hostPort.substring(0, colon),
            Integer.parseInt(hostPort.substring(colon + 1)), 15_000);
        connections.put(hostPort, c);
      }
      return c;
    }

    @Override
    public void close() {
      connections.values().forEach(RawResp::close);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One client writing new keys and reading back earlier ones while the cluster changes; every
   * reply other than OK, the right value, MOVED or TRYAGAIN is an error, kept with its text.
   */
  private static final class Load implements AutoCloseable {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private final Map<String, String> acknowledged;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private final String seed;
    private volatile int writes;
    private volatile int reads;
    private volatile Router router;

    Load(KvorumProcess seedNode, Map<String, String> acknowledged) {
      this.acknowledged = acknowledged;
      this.seed = seedNode.host() + ":" + seedNode.port();
      int run = RUNS.incrementAndGet();
      thread = new Thread(() -> loop(run), "elastic-load-" + run);
      thread.start();
    }

    private void loop(int run) {
      router = new Router(seed);
      List<String> mine = new ArrayList<>();
      int i = 0;
      while (!stop.get()) {
        try {
          if (i % 3 == 2 && !mine.isEmpty()) {
            String key = mine.get(i % mine.size());
            RespReply r = router.call("GET", key);
            if (r.isError() || !acknowledged.get(key).equals(r.text())) {
              errors.add("GET " + key + " -> " + r.render());
            }
            reads++;
          } else {
            String key = "elastic:" + run + ":" + i;
            String value = "v" + i;
            RespReply r = router.call("SET", key, value);
            if (r.isError()) {
              errors.add("SET " + key + " -> " + r.render());
            } else {
              acknowledged.put(key, value);
              mine.add(key);
              writes++;
            }
          }
        } catch (IOException e) {
          // A closed connection: the write's outcome is unknown; the key is not counted.
          errors.add("connection: " + e);
          sleep(100);
        }
        i++;
        sleep(5);
      }
    }

    /** Stops the client and checks it did real work and saw no error. */
    void assertClean(int minWrites) throws InterruptedException {
      stop.set(true);
      thread.join(30_000);
      LOG.info("load: {} writes, {} reads, {} MOVED, {} TRYAGAIN, {} errors {}", writes, reads,
          router.moved, router.tryAgain, errors.size(), errors);
      assertThat(writes).isGreaterThanOrEqualTo(minWrites);
      assertThat(errors).as("errors other than MOVED/TRYAGAIN").isEmpty();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(30_000);
      if (router != null) {
        router.close();
      }
    }
  }
}
