package io.kvorum.server.launch;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvorum.proto.admin.Event;
import io.kvorum.proto.admin.JoinClusterReply;
import io.kvorum.proto.admin.JoinClusterRequest;
import io.kvorum.proto.admin.KvorumAdminGrpc;
import io.kvorum.proto.admin.KvorumAdminGrpc.KvorumAdminBlockingStub;
import io.kvorum.proto.admin.LeaveReply;
import io.kvorum.proto.admin.LeaveRequest;
import io.kvorum.proto.admin.MoveReplicaRequest;
import io.kvorum.proto.admin.RebalanceReply;
import io.kvorum.proto.admin.RebalanceRequest;
import io.kvorum.proto.admin.SetReplicationFactorRequest;
import io.kvorum.proto.admin.StatusReply;
import io.kvorum.proto.admin.StatusRequest;
import io.kvorum.proto.admin.Step;
import io.kvorum.proto.admin.TransferLeaderRequest;
import io.kvorum.proto.admin.WatchRequest;
import io.kvorum.proto.meta.Move;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.server.admin.AdminToken;
import io.kvorum.server.admin.MapChanges;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kvorum admin}: the admin gRPC API from a shell. Every subcommand talks to one node's
 * admin port ({@code --address}); any member answers for the whole cluster.
 */
@Command(
    name = "admin",
    mixinStandardHelpOptions = true,
    versionProvider = KvorumVersion.class,
    description = "Inspects and manages a running cluster through any member's admin port.",
    subcommands = {
      AdminCommand.StatusCmd.class, AdminCommand.JoinCmd.class, AdminCommand.LeaveCmd.class,
      AdminCommand.RebalanceCmd.class, AdminCommand.MoveReplicaCmd.class,
      AdminCommand.TransferLeaderCmd.class, AdminCommand.SetRfCmd.class,
      AdminCommand.WatchCmd.class
    })
public final class AdminCommand implements Runnable {
  @Option(names = "--address", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7379",
      description = "admin port of any member (default ${DEFAULT-VALUE})")
  String address;

  @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:KVORUM_ADMIN_TOKEN}",
      description = "the cluster's admin token (default: $KVORUM_ADMIN_TOKEN)")
  String token;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  /** How long a call waits (status gathers every leader's view: a few seconds). */
  private static final long CALL_SECONDS = 30;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** A connection to the admin port, closed after the subcommand. */
  final class Admin implements AutoCloseable {
    final ManagedChannel channel;

    Admin() {
      this(address, "--address");
    }

    /** A connection to the admin port at {@code target}, named {@code what} in errors. */
    Admin(String target, String what) {
      // The CLI's own output is the point: keep library logs (gRPC, Netty) out of it.
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
          org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(ch.qos.logback.classic.Level.WARN);
      int colon = target.lastIndexOf(':');
      int port;
      try {
        port = colon <= 0 ? -1 : Integer.parseInt(target.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port <= 0 || port > 65535) {
        throw new IllegalArgumentException(what + " wants HOST:PORT, got '" + target + "'");
      }
      channel = NettyChannelBuilder.forAddress(target.substring(0, colon), port)
          .usePlaintext()
          .intercept(AdminToken.attach(token == null || token.isEmpty() ? null : token))
          .build();
    }

    KvorumAdminBlockingStub stub() {
      return KvorumAdminGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_SECONDS,
          TimeUnit.SECONDS);
    }

    StatusReply status() {
      return stub().status(StatusRequest.getDefaultInstance());
    }

    /**
     * The status for a progress loop, or null while the cluster cannot answer for a moment
     * (a meta election, a busy node): the operation runs on in the cluster either way, so a
     * wait of minutes must not end on one missed poll.
     */
    StatusReply pollStatus() {
      try {
        return status();
      } catch (StatusRuntimeException e) {
        io.grpc.Status.Code code = e.getStatus().getCode();
        if (code == io.grpc.Status.Code.UNAVAILABLE
            || code == io.grpc.Status.Code.DEADLINE_EXCEEDED) {
          return null;
        }
        throw e;
      }
    }

    @Override
    public void close() {
      channel.shutdownNow();
    }
  }

  /** Runs a subcommand body; gRPC refusals become one line on stderr and exit code 1. */
  int call(Body body) {
    try (Admin admin = new Admin()) {
      return body.run(admin, System.out);
    } catch (StatusRuntimeException e) {
      String why = e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription();
      if (e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE
          && why.equals("io exception")) {
        why = "cannot reach an admin port at " + address;
      }
      System.err.println("kvorum admin: " + e.getStatus().getCode() + ": " + why);
      return 1;
    } catch (IllegalArgumentException e) {
      System.err.println("kvorum admin: " + e.getMessage());
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    }
  }

  /** A subcommand's work. */
  interface Body {
    int run(Admin admin, PrintStream out) throws InterruptedException;
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Nodes, groups per node, leaders per node, balance, moves in progress.")
  static final class StatusCmd implements Callable<Integer> {
    @ParentCommand AdminCommand parent;

    @Option(names = "--json", description = "one JSON object (stable field names, for scripts)")
    boolean json;

    @Override
    public Integer call() {
      return parent.call((admin, out) -> {
        StatusReply s = admin.status();
        out.print(json ? StatusView.json(s) : StatusView.table(s));
        return 0;
      });
    }
  }

  @Command(name = "join", mixinStandardHelpOptions = true,
      description = "Makes the running node with admin port HOST:PORT a member of this cluster: "
          + "it must be alone in its own one-node cluster and hold no keys (a `kvorum server` "
          + "started without --join). Shows progress until it holds its share of replicas.")
  static final class JoinCmd implements Callable<Integer> {
    @ParentCommand AdminCommand parent;

    @Parameters(paramLabel = "HOST:PORT", description = "the node's admin address")
    String node;

    @Option(names = "--no-wait", description = "return once the node is listed in the cluster")
    boolean noWait;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "900",
        description = "give up waiting after this long (default ${DEFAULT-VALUE})")
    long timeout;

    @Override
    public Integer call() {
      return parent.call((admin, out) -> {
        StatusReply cluster = admin.status();
        for (NodeInfo n : cluster.getNodesList()) {
          if (n.getAdminAddress().equals(node)) {
            out.println("node " + n.getId() + " (" + node + ") is a member, "
                + MapChanges.state(n));
            return 0;
          }
        }
        try (Admin asked = parent.new Admin(node, "join")) {
          return join(admin, asked, out);
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE
              && "io exception".equals(e.getStatus().getDescription())) {
            // Not --address (which answered the status above): the node to join.
            throw io.grpc.Status.UNAVAILABLE.withDescription("cannot reach an admin port at "
                + node).asRuntimeException();
          }
          throw e;
        }
      });
    }

    /** Asks the node to join, then follows it through the cluster's status. */
    private int join(Admin admin, Admin asked, PrintStream out) throws InterruptedException {
      String before = asked.stub().status(StatusRequest.newBuilder().setLocalOnly(true).build())
          .getClusterId();
      JoinClusterReply joining = asked.stub().joinCluster(
          JoinClusterRequest.newBuilder().setSeedAdmin(parent.address).build());
      String id = joining.getNodeId();
      out.println("node " + id + " (" + node + ") is joining cluster "
          + joining.getClusterId());
      out.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
      String lastLine = "";
      int settledPolls = 0;
      Progress progress = null;
      while (System.nanoTime() < deadline) {
        Thread.sleep(1000);
        StatusReply s = admin.pollStatus();
        if (s == null) {
          continue;
        }
        progress = progress == null ? new Progress(s) : progress;
        NodeInfo listed = null;
        for (NodeInfo n : s.getNodesList()) {
          listed = n.getId().equals(id) ? n : listed;
        }
        if (listed == null) {
          // A node whose join failed starts again as a new one-node cluster: say so now
          // rather than wait out the timeout.
          String now = clusterOf(asked);
          if (now != null && !now.equals(before) && !now.equals(joining.getClusterId())) {
            System.err.println("kvorum admin: node " + id + " could not join and started again"
                + " as a new one-node cluster " + now + "; its log says why");
            return 1;
          }
          continue;
        }
        if (noWait) {
          out.println("node " + id + " joined, " + MapChanges.state(listed));
          return 0;
        }
        int held = 0;
        for (var g : s.getGroupsList()) {
          held += g.getReplicasList().contains(id) ? 1 : 0;
        }
        long toIt = s.getMovesList().stream().filter(m -> m.getAddNode().equals(id)).count();
        String line = "node " + id + " joined; holding " + held + " replicas, "
            + s.getMovesCount() + " moves running" + progress.copied(s);
        if (!line.equals(lastLine)) {
          out.println(line);
          out.flush();
          lastLine = line;
        }
        boolean up = listed.getState() == io.kvorum.proto.meta.NodeState.NODE_STATE_UP;
        settledPolls = up && s.getMovesCount() == 0 ? settledPolls + 1 : 0;
        // Its share reached and nothing more coming its way, or the balancer has nothing
        // left to do for a few seconds (fewer groups than nodes, say).
        if (up && ((held >= share(s) && toIt == 0) || (held > 0 && settledPolls >= 3))) {
          out.println("node " + id + " is a member holding " + held + " replicas");
          return 0;
        }
      }
      System.err.println("kvorum admin: node " + id + " has not taken its share after "
          + timeout + " s");
      return 1;
    }

    /** The cluster the node at {@code asked} is in now; null while it does not answer. */
    private static String clusterOf(Admin asked) {
      try {
        String id = KvorumAdminGrpc.newBlockingStub(asked.channel)
            .withDeadlineAfter(2, TimeUnit.SECONDS)
            .status(StatusRequest.newBuilder().setLocalOnly(true).build()).getClusterId();
        return id.isEmpty() ? null : id;
      } catch (StatusRuntimeException e) {
        return null;
      }
    }

    /** Replicas per up node once every group has min(RF, up nodes) replicas, rounded down. */
    static int share(StatusReply s) {
      long up = s.getNodesList().stream()
          .filter(n -> n.getState() == io.kvorum.proto.meta.NodeState.NODE_STATE_UP).count();
      if (up == 0) {
        return 0;
      }
      long perGroup = Math.min(s.getReplicationFactor(), up);
      return (int) (s.getGroupsCount() * perGroup / up);
    }
  }

  @Command(name = "leave", mixinStandardHelpOptions = true,
      description = "Drains NODE (id, id prefix or host:port), then removes it from the cluster; "
          + "shows progress until done.")
  static final class LeaveCmd implements Callable<Integer> {
    @ParentCommand AdminCommand parent;

    @Parameters(paramLabel = "NODE") String node;

    @Option(names = "--no-wait", description = "return once the node is marked leaving")
    boolean noWait;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "900",
        description = "give up waiting after this long (default ${DEFAULT-VALUE})")
    long timeout;

    @Override
    public Integer call() {
      return parent.call((admin, out) -> {
        Progress progress = new Progress(admin.status());
        LeaveReply r = admin.stub().leave(LeaveRequest.newBuilder().setNode(node).build());
        String id = resolve(admin.status(), node);
        out.println("node " + id + " is leaving: " + r.getReplicas() + " replicas to move");
        if (noWait) {
          return 0;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        String lastLine = "";
        while (System.nanoTime() < deadline) {
          StatusReply s = admin.pollStatus();
          if (s == null) {
            Thread.sleep(1000);
            continue;
          }
          if (s.getNodesList().stream().noneMatch(n -> n.getId().equals(id))) {
            out.println("node " + id + " left the cluster; its process can be stopped");
            return 0;
          }
          int held = 0;
          for (var g : s.getGroupsList()) {
            held += g.getReplicasList().contains(id) ? 1 : 0;
          }
          String line = "moved " + (r.getReplicas() - held) + "/" + r.getReplicas()
              + " replicas" + progress.copied(s) + ", " + s.getMovesCount() + " moves running";
          if (!line.equals(lastLine)) {
            out.println(line);
            lastLine = line;
          }
          Thread.sleep(1000);
        }
        System.err.println("kvorum admin: node " + id + " still drains after " + timeout + " s");
        return 1;
      });
    }
  }

  /** The full id of the node {@code ref} names in {@code s} (id, prefix, host:port). */
  static String resolve(StatusReply s, String ref) {
    for (NodeInfo n : s.getNodesList()) {
      if (n.getId().equals(ref) || n.getAdminAddress().equals(ref)
          || (n.getRespHost() + ":" + n.getRespPort()).equals(ref) || n.getId().startsWith(ref)) {
        return n.getId();
      }
    }
    return ref;
  }

  @Command(name = "rebalance", mixinStandardHelpOptions = true,
      description = "Runs the balancer now and shows progress until the cluster is balanced; "
          + "--dry-run prints the next steps only.")
  static final class RebalanceCmd implements Callable<Integer> {
    @ParentCommand AdminCommand parent;

    @Option(names = "--dry-run", description = "print the plan, change nothing")
    boolean dryRun;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "900",
        description = "give up waiting after this long (default ${DEFAULT-VALUE})")
    long timeout;

    @Override
    public Integer call() {
      return parent.call((admin, out) -> {
        RebalanceReply plan = admin.stub().rebalance(
            RebalanceRequest.newBuilder().setDryRun(dryRun).build());
        if (dryRun) {
          if (plan.getStepsCount() == 0) {
            out.println("balanced: nothing to do");
          }
          for (Step s : plan.getStepsList()) {
            out.println(describe(s));
          }
          return 0;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        Progress progress = null;
        java.util.Set<Long> seen = new java.util.HashSet<>();
        String lastLine = "";
        while (System.nanoTime() < deadline) {
          StatusReply s = admin.pollStatus();
          if (s == null) {
            Thread.sleep(1000);
            continue;
          }
          progress = progress == null ? new Progress(s) : progress;
          RebalanceReply next = admin.stub().rebalance(
              RebalanceRequest.newBuilder().setDryRun(true).build());
          if (s.getMovesCount() == 0 && next.getStepsCount() == 0) {
            out.println("balanced");
            return 0;
          }
          java.util.Set<Long> running = new java.util.HashSet<>();
          for (Move m : s.getMovesList()) {
            running.add(m.getId());
          }
          seen.addAll(running);
          long done = seen.stream().filter(id -> !running.contains(id)).count();
          String line = "moves done " + done + "/" + seen.size() + progress.copied(s)
              + ", running " + running.size() + ", next " + next.getStepsCount() + " steps";
          if (!line.equals(lastLine)) {
            out.println(line);
            lastLine = line;
          }
          Thread.sleep(1000);
        }
        System.err.println("kvorum admin: not balanced after " + timeout + " s");
        return 1;
      });
    }
  }

  static String describe(Step s) {
    return switch (s.getKind()) {
      case "transfer-leader" -> "transfer leader of group " + s.getGroup() + ": " + s.getFromNode()
          + " -> " + s.getToNode();
      case "forget-node" -> "remove drained node " + s.getFromNode() + " from the map";
      default -> s.getKind() + " replica of group " + s.getGroup() + ": "
          + (s.getFromNode().isEmpty() ? "-" : s.getFromNode()) + " -> "
          + (s.getToNode().isEmpty() ? "-" : s.getToNode()) + " (" + s.getReason() + ")";
    };
  }

  @Command(name = "move-replica", mixinStandardHelpOptions = true,
      description = "Moves the replica of GROUP on FROM to TO and waits until it is done.")
  static final class MoveReplicaCmd implements Callable<Integer> {
    @ParentCommand AdminCommand parent;

    @Parameters(index = "0", paramLabel = "GROUP") int group;
    @Parameters(index = "1", paramLabel = "FROM") String from;
    @Parameters(index = "2", paramLabel = "TO") String to;

    @Override
    public Integer call() {
      return parent.call((admin, out) -> {
        long id = admin.stub().moveReplica(MoveReplicaRequest.newBuilder().setGroup(group)
            .setFromNode(from).setToNode(to).build()).getMoveId();
        out.println("move " + id + " started");
        for (StatusReply s = admin.pollStatus();
            s == null || s.getMovesList().stream().anyMatch(m -> m.getId() == id);
            s = admin.pollStatus()) {
          Thread.sleep(500);
        }
        out.println("move " + id + " done");
        return 0;
      });
    }
  }

  @Command(name = "transfer-leader", mixinStandardHelpOptions = true,
      description = "Makes NODE's replica the leader of GROUP.")
  static final class TransferLeaderCmd implements Callable<Integer> {
    @ParentCommand AdminCommand parent;

    @Parameters(index = "0", paramLabel = "GROUP") int group;
    @Parameters(index = "1", paramLabel = "NODE") String node;

    @Override
    public Integer call() {
      return parent.call((admin, out) -> {
        admin.stub().transferLeader(TransferLeaderRequest.newBuilder().setGroup(group)
            .setNode(node).build());
        out.println("group " + group + " is led by " + node);
        return 0;
      });
    }
  }

  @Command(name = "set-rf", mixinStandardHelpOptions = true,
      description = "Sets the replicas per slot group; the balancer adds or removes replicas.")
  static final class SetRfCmd implements Callable<Integer> {
    @ParentCommand AdminCommand parent;

    @Parameters(paramLabel = "N") int rf;

    @Override
    public Integer call() {
      return parent.call((admin, out) -> {
        admin.stub().setReplicationFactor(
            SetReplicationFactorRequest.newBuilder().setReplicationFactor(rf).build());
        out.println("replication factor " + rf);
        return 0;
      });
    }
  }

  @Command(name = "watch", mixinStandardHelpOptions = true,
      description = "Prints cluster map changes (nodes, replicas, leaders, moves) as they happen.")
  static final class WatchCmd implements Callable<Integer> {
    @ParentCommand AdminCommand parent;

    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    @Override
    public Integer call() {
      return parent.call((admin, out) -> {
        Iterator<Event> events = KvorumAdminGrpc.newBlockingStub(admin.channel)
            .watchEvents(WatchRequest.getDefaultInstance());
        while (events.hasNext()) {
          Event e = events.next();
          for (String line : e.getChangesList()) {
            out.println(TIME.format(Instant.ofEpochMilli(e.getTimeMs())) + " " + line);
          }
          out.flush();
        }
        return 0;
      });
    }
  }
}
