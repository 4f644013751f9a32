package io.kvorum.it.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.kvorum.it.fixture.FreePorts;
import io.kvorum.it.fixture.ItEnvironment;
import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.RespReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * N Kvorum nodes in containers of the image built from this checkout, on one Docker network:
 * node1 starts the cluster, the others join it. Each node's RESP port is published on a fixed
 * loopback port that the node announces, so a client on the host follows MOVED as it would in
 * production; the nodes reach each other by container name.
 *
 * <p>Faults: {@link #kill} ({@code docker kill}, SIGKILL), {@link #pause} (freezer, like
 * SIGSTOP), {@link #partition} (iptables DROP inside both containers, so host clients can still
 * reach both sides), {@link #restart}. {@link #heal} undoes every fault. There is no Ryuk reaper
 * (no registry to pull it from): containers carry the label {@code io.kvorum.test} and are removed
 * by {@link #close}, by a shutdown hook, and by the next run.
 */
public final class KvorumCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KvorumCluster.class);
  /** The image the tests build from server/target (never a published one). */
  public static final String IMAGE = "kvorum/kvorum:it";
  static final String LABEL = "io.kvorum.test";
  private static boolean imageBuilt;

  private final String name;
  private final Network network;
  private final List<Node> nodes = new ArrayList<>();
  private final Path logDir;

  /** One container and what the fixture knows about it. */
  public static final class Node {
    private final String name;
    private final int port;
    private final GenericContainer<?> container;
    private volatile boolean running = true;
    private volatile boolean paused;

    Node(String name, int port, GenericContainer<?> container) {
      this.name = name;
      this.port = port;
      this.container = container;
    }

    /** Container name and network alias, e.g. {@code node2}. */
    public String name() {
      return name;
    }

    /** The RESP port on 127.0.0.1 (the one the node announces). */
    public int port() {
      return port;
    }

    /** Started and neither killed nor paused. */
    public boolean serving() {
      return running && !paused;
    }

    @Override
    public String toString() {
      return name + "@" + port;
    }
  }

  private KvorumCluster(String name) {
    this.name = name;
    this.network = Network.newNetwork();
    this.logDir = ItEnvironment.newDirectory("containers-" + name);
  }

  /**
   * Builds the image, starts {@code size} nodes and waits until the cluster is healthy.
   *
   * @param extraArgs flags given to every node after {@code kvorum server}
   */
  public static KvorumCluster start(String name, int size, List<String> extraArgs) {
    buildImage();
    removeLeftovers();
    KvorumCluster cluster = new KvorumCluster(name);
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "kvorum-cluster-cleanup"));
    try {
      for (int i = 1; i <= size; i++) {
        cluster.nodes.add(cluster.startNode(i, extraArgs));
      }
      cluster.awaitHealthy(Duration.ofMinutes(3));
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private Node startNode(int index, List<String> extraArgs) {
    String nodeName = "node" + index;
    int port = FreePorts.next();
    GenericContainer<?> c = new GenericContainer<>(IMAGE)
        .withNetwork(network)
        .withNetworkAliases(nodeName)
        .withLabel(LABEL, name)
        .withEnv("KVORUM_ANNOUNCE_HOST", "127.0.0.1")
        .withEnv("KVORUM_ANNOUNCE_PORT", Integer.toString(port))
        .withEnv("KVORUM_CLUSTER_ANNOUNCE_HOST", nodeName)
        // Modest for 3 JVMs on a 2-core machine: few groups, small caches and heaps.
        .withEnv("KVORUM_SLOT_GROUPS", "4")
        .withEnv("KVORUM_BLOCK_CACHE_SIZE", "16mb")
        .withEnv("KVORUM_WRITE_BUFFER_SIZE", "16mb")
        // -Dkvorum.ratis.log=INFO traces elections in the dumped node logs.
        .withEnv("KVORUM_RATIS_LOG_LEVEL", System.getProperty("kvorum.ratis.log", "WARN"))
        .withEnv("KVORUM_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "
            + "-XX:+ExitOnOutOfMemoryError")
        .withCommand(extraArgs.toArray(new String[0]))
        .withCreateContainerCmdModifier(cmd -> {
          cmd.withName(name + "-" + nodeName + "-" + ProcessHandle.current().pid());
          cmd.withHostName(nodeName);
          cmd.getHostConfig()
              .withPortBindings(new PortBinding(
                  Ports.Binding.bindIpAndPort("127.0.0.1", port), ExposedPort.tcp(6379)))
              .withCapAdd(Capability.NET_ADMIN);
        })
        .waitingFor(Wait.forLogMessage(".*Kvorum node .* ready.*", 1)
            .withStartupTimeout(Duration.ofMinutes(2)));
    if (index > 1) {
      c.withEnv("KVORUM_JOIN", "node1:7379");
    }
    c.start();
    LOG.info("{} started as {} on 127.0.0.1:{}", nodeName, c.getContainerId(), port);
    return new Node(nodeName, port, c);
  }

  /** Builds {@link #IMAGE} from the packaged jar once per JVM (docker/build-image.sh). */
  static synchronized void buildImage() {
    if (imageBuilt) {
      return;
    }
    Path home = ItEnvironment.kvorumHome();
    Path log = ItEnvironment.workDir().resolve("docker-build.log");
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder pb = new ProcessBuilder(home.resolve("docker/build-image.sh").toString())
          .directory(home.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      pb.environment().put("IMAGE", IMAGE);
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("docker/build-image.sh failed (is a Docker engine running"
            + " and kvorum/base-jre17 built? tools/docker-deps.sh sets both up):\n"
            + ItEnvironment.tail(log, 30));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run docker/build-image.sh", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    imageBuilt = true;
  }

  /** Containers of an earlier run that died before cleaning up (no Ryuk reaper here). */
  private static void removeLeftovers() {
    DockerClient docker = DockerClientFactory.instance().client();
    docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(LABEL)).exec()
        .forEach(c -> {
          LOG.warn("removing leftover test container {}", List.of(c.getNames()));
          docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
        });
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** The serving nodes' RESP ports. */
  public List<Integer> servingPorts() {
    List<Integer> out = new ArrayList<>();
    for (Node n : nodes) {
      if (n.serving()) {
        out.add(n.port);
      }
    }
    return out;
  }

  public Node byPort(int port) {
    for (Node n : nodes) {
      if (n.port == port) {
        return n;
      }
    }
    throw new IllegalArgumentException("no node on port " + port);
  }

  private static DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  // ------------------------------------------------------------------ faults

  /** SIGKILL: the JVM dies at once, with whatever it had not written to disk. */
  public void kill(Node n) {
    LOG.info("kill -9 {}", n);
    docker().killContainerCmd(n.container.getContainerId()).withSignal("KILL").exec();
    n.running = false;
  }

  /** Starts a killed or stopped node again on its data (the container's volume). */
  public void start(Node n) {
    LOG.info("start {}", n);
    docker().startContainerCmd(n.container.getContainerId()).exec();
    n.running = true;
    n.paused = false;
  }

  /** SIGTERM, up to 30 s for a clean shutdown, then start again. */
  public void restart(Node n) {
    LOG.info("restart {}", n);
    docker().stopContainerCmd(n.container.getContainerId()).withTimeout(30).exec();
    n.running = false;
    start(n);
  }

  /** Freezes every process of the node (docker pause): it neither runs nor answers. */
  public void pause(Node n) {
    LOG.info("pause {}", n);
    docker().pauseContainerCmd(n.container.getContainerId()).exec();
    n.paused = true;
  }

  public void unpause(Node n) {
    LOG.info("unpause {}", n);
    docker().unpauseContainerCmd(n.container.getContainerId()).exec();
    n.paused = false;
  }

  /** Drops every packet between {@code a} and {@code b}, both ways. */
  public void partition(Node a, Node b) {
    LOG.info("partition {} | {}", a, b);
    drop(a, ip(b));
    drop(b, ip(a));
  }

  /** Cuts {@code n} off from every other node (host clients still reach it). */
  public void isolate(Node n) {
    for (Node other : nodes) {
      if (other != n) {
        partition(n, other);
      }
    }
  }

  /** Undoes every fault: unpauses, starts stopped nodes, removes all partitions. */
  public void heal() {
    for (Node n : nodes) {
      if (n.paused) {
        unpause(n);
      }
      if (!n.running) {
        start(n);
      }
    }
    for (Node n : nodes) {
      exec(n, "iptables", "-F", "INPUT");
      exec(n, "iptables", "-F", "OUTPUT");
    }
  }

  /**
   * Packets the partition rules have dropped so far, over all nodes: evidence that a cut link
   * was really in use. Read it before {@link #heal}, which removes the rules and their counters.
   */
  public long droppedPackets() {
    long total = 0;
    for (Node n : nodes) {
      if (!n.serving()) {
        continue;
      }
      for (String chain : List.of("INPUT", "OUTPUT")) {
        String out = execOutput(n, "iptables", "-L", chain, "-v", "-n", "-x");
        for (String line : out.split("\n")) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 2 && f[2].equals("DROP")) {
            total += Long.parseLong(f[0]);
          }
        }
      }
    }
    return total;
  }

  private void drop(Node n, String peerIp) {
    exec(n, "iptables", "-A", "INPUT", "-s", peerIp, "-j", "DROP");
    exec(n, "iptables", "-A", "OUTPUT", "-d", peerIp, "-j", "DROP");
  }

  private void exec(Node n, String... command) {
    execOutput(n, command);
  }

  private String execOutput(Node n, String... command) {
    try {
      Container.ExecResult r = n.container.execInContainerWithUser("root", command);
      if (r.getExitCode() != 0) {
        throw new IllegalStateException(n + ": " + String.join(" ", command) + " exited "
            + r.getExitCode() + ": " + r.getStderr());
      }
      return r.getStdout();
    } catch (IOException e) {
      throw new IllegalStateException(n + ": " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The node's address on the test network (it may change when the container restarts). */
  private String ip(Node n) {
    Map<String, ContainerNetwork> networks = docker().inspectContainerCmd(
        n.container.getContainerId()).exec().getNetworkSettings().getNetworks();
    for (ContainerNetwork net : networks.values()) {
      if (net.getNetworkID() != null && net.getNetworkID().equals(network.getId())) {
        return net.getIpAddress();
      }
    }
    throw new IllegalStateException(n + " is not on the test network");
  }

  // ------------------------------------------------------------------ observation

  /**
   * Waits until every serving node answers CLUSTER SLOTS covering all 16384 slots, each range led
   * by a serving node with {@code min(3, serving nodes)} replicas.
   */
  public void awaitHealthy(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String problem = "not checked yet";
    while (System.nanoTime() < deadline) {
      problem = healthProblem();
      if (problem == null) {
        return;
      }
      sleep(250);
    }
    dumpLogs();
    throw new IllegalStateException("cluster " + name + " not healthy after " + timeout.toSeconds()
        + " s: " + problem + " (node logs in " + logDir + ")");
  }

  private String healthProblem() {
    Set<Integer> serving = new HashSet<>(servingPorts());
    int replicas = Math.min(3, serving.size());
    for (int port : serving) {
      try (RawResp c = RawResp.connect("127.0.0.1", port, 2000)) {
        RespReply slots = c.call("CLUSTER", "SLOTS");
        if (slots.isError()) {
          return port + ": " + slots.render();
        }
        int covered = 0;
        for (RespReply range : slots.elements()) {
          List<RespReply> e = range.elements();
          covered += (int) (e.get(1).asLong() - e.get(0).asLong() + 1);
          int leader = (int) e.get(2).elements().get(1).asLong();
          if (!serving.contains(leader)) {
            return port + " routes slots " + e.get(0).asLong() + "- to " + leader
                + ", which is not serving";
          }
          if (e.size() - 2 != replicas) {
            return port + " lists " + (e.size() - 2) + " replicas for slots " + e.get(0).asLong()
                + "-, want " + replicas;
          }
        }
        if (covered != 16384) {
          return port + " covers " + covered + " slots";
        }
      } catch (IOException | RuntimeException e) {
        return port + ": " + e;
      }
    }
    return null;
  }

  /** The node leading {@code slot}'s group, as a serving node reports it, or null. */
  public Node leaderOf(int slot) {
    for (int port : servingPorts()) {
      try (RawResp c = RawResp.connect("127.0.0.1", port, 2000)) {
        RespReply slots = c.call("CLUSTER", "SLOTS");
        if (slots.isError()) {
          continue;
        }
        for (RespReply range : slots.elements()) {
          List<RespReply> e = range.elements();
          if (e.get(0).asLong() <= slot && slot <= e.get(1).asLong()) {
            return byPort((int) e.get(2).elements().get(1).asLong());
          }
        }
      } catch (IOException | RuntimeException e) {
        // try the next node
      }
    }
    return null;
  }

  /**
   * Raft term and leader of every slot group (the highest term any serving node reports, from
   * INFO raft): a rising term is an election, evidence that a fault really hit.
   */
  public Map<String, String> groupTermsAndLeaders() {
    Map<String, Long> terms = new HashMap<>();
    Map<String, String> leaders = new HashMap<>();
    for (int port : servingPorts()) {
      try (RawResp c = RawResp.connect("127.0.0.1", port, 2000)) {
        for (String line : c.call("INFO", "raft").text().split("\r\n")) {
          if (!line.startsWith("group_")) {
            continue;
          }
          String group = line.substring(0, line.indexOf(':'));
          Map<String, String> f = new HashMap<>();
          for (String kv : line.substring(line.indexOf(':') + 1).split(",")) {
            int eq = kv.indexOf('=');
            f.put(kv.substring(0, eq), kv.substring(eq + 1));
          }
          long term = Long.parseLong(f.get("term"));
          if (term >= terms.getOrDefault(group, -1L)) {
            terms.put(group, term);
            leaders.put(group, f.get("leader"));
          }
        }
      } catch (IOException | RuntimeException e) {
        // an unreachable node reports nothing
      }
    }
    Map<String, String> out = new HashMap<>();
    terms.forEach((g, t) -> out.put(g, t + "/" + leaders.get(g)));
    return out;
  }

  /** Writes every container's log (all its runs) to the log directory. */
  public void dumpLogs() {
    for (Node n : nodes) {
      try {
        Files.writeString(logDir.resolve(n.name + ".log"), n.container.getLogs(),
            StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot save the log of {}: {}", n, e.toString());
      }
    }
  }

  public Path logDir() {
    return logDir;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    if (nodes.isEmpty()) {
      return;
    }
    dumpLogs();
    for (Node n : nodes) {
      try {
        if (n.paused) {
          unpause(n);
        }
        docker().removeContainerCmd(n.container.getContainerId()).withForce(true)
            .withRemoveVolumes(true).exec();
      } catch (RuntimeException e) {
        LOG.warn("cannot remove {}: {}", n, e.toString());
      }
    }
    nodes.clear();
    try {
      network.close();
    } catch (RuntimeException e) {
      LOG.warn("cannot remove network: {}", e.toString());
    }
  }
}
