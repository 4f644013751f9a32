package io.kvorum.server.admin;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.admin.Event;
import io.kvorum.proto.admin.GroupStatus;
import io.kvorum.proto.admin.JoinClusterReply;
import io.kvorum.proto.admin.JoinClusterRequest;
import io.kvorum.proto.admin.JoinReply;
import io.kvorum.proto.admin.JoinRequest;
import io.kvorum.proto.admin.KvorumAdminGrpc;
import io.kvorum.proto.admin.LeaveReply;
import io.kvorum.proto.admin.LeaveRequest;
import io.kvorum.proto.admin.MoveReplicaReply;
import io.kvorum.proto.admin.MoveReplicaRequest;
import io.kvorum.proto.admin.NodeTransfer;
import io.kvorum.proto.admin.RebalanceReply;
import io.kvorum.proto.admin.RebalanceRequest;
import io.kvorum.proto.admin.SetReplicationFactorReply;
import io.kvorum.proto.admin.SetReplicationFactorRequest;
import io.kvorum.proto.admin.StatusReply;
import io.kvorum.proto.admin.StatusRequest;
import io.kvorum.proto.admin.Step;
import io.kvorum.proto.admin.TransferLeaderReply;
import io.kvorum.proto.admin.TransferLeaderRequest;
import io.kvorum.proto.admin.WatchRequest;
import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.NodeState;
import io.kvorum.proto.meta.SlotGroupInfo;
import io.kvorum.raft.membership.AdminRefusal;
import io.kvorum.raft.membership.BalancePlanner;
import io.kvorum.raft.node.RaftNode;
import io.kvorum.raft.route.GroupStats;
import io.kvorum.server.join.JoinClusterCheck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin gRPC service of a node: status of the whole cluster, join, leave, rebalance, manual
 * moves and leader transfers, the replication factor, and a stream of map changes. Refusals
 * come back as gRPC status codes with a message a user can act on.
 */
public final class AdminService extends KvorumAdminGrpc.KvorumAdminImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);

  /** How long a status waits for another node's live group state. */
  private static final long PEER_STATUS_MS = 2000;

  private final RaftNode node;
  private final String adminToken;
  private final NodeControl control;
  /** Set once a JoinCluster is accepted: this service's node restarts; a second one must not. */
  private final AtomicBoolean joining = new AtomicBoolean();

  /**
   * @param adminToken carried when this node asks other nodes for their status, or a seed to
   *                   join (null: none)
   * @param control    the node process around {@code node}
   */
  public AdminService(RaftNode node, String adminToken, NodeControl control) {
    this.node = node;
    this.adminToken = adminToken;
    this.control = control;
  }

  public AdminService(RaftNode node, String adminToken) {
    this(node, adminToken, NodeControl.NONE);
  }

  public AdminService(RaftNode node) {
    this(node, null);
  }

  @Override
  public void joinCluster(JoinClusterRequest request,
      StreamObserver<JoinClusterReply> response) {
    String seed = request.getSeedAdmin();
    if (control == NodeControl.NONE) {
      response.onError(Status.UNIMPLEMENTED.withDescription("this node cannot restart itself to "
          + "join a cluster").asException());
      return;
    }
    String clusterId;
    try {
      JoinClusterCheck.requireEmpty(node.nodeId(), node.clusterMap(),
          node.router().groupStats());
      clusterId = JoinClusterCheck.seedClusterId(seed, adminToken);
      if (clusterId.equals(node.clusterMap().getClusterId())) {
        throw Status.ALREADY_EXISTS.withDescription("node " + node.nodeId()
            + " is already a member of cluster " + clusterId).asRuntimeException();
      }
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    if (!joining.compareAndSet(false, true)) {
      response.onError(Status.FAILED_PRECONDITION.withDescription("node " + node.nodeId()
          + " is already restarting to join a cluster").asException());
      return;
    }
    LOG.info("node {}: asked to join cluster {} through {}; restarting empty", node.nodeId(),
        clusterId, seed);
    response.onNext(JoinClusterReply.newBuilder().setNodeId(node.nodeId())
        .setClusterId(clusterId).build());
    response.onCompleted();
    // After the reply: the restart stops this very service (it waits for this call to end).
    control.joinCluster(seed);
  }

  @Override
  public void join(JoinRequest request, StreamObserver<JoinReply> response) {
    try {
      ClusterMap map = node.admit(request.getNode(), request.getClusterId());
      response.onNext(JoinReply.newBuilder().setMap(map).build());
      response.onCompleted();
    } catch (AdminRefusal e) {
      response.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asException());
    } catch (IllegalArgumentException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException());
    } catch (RuntimeException e) {
      // No meta leader reachable in time (an election, or no quorum): the joiner retries.
      response.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asException());
    }
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusReply> response) {
    try {
      response.onNext(statusReply(request));
      response.onCompleted();
    } catch (RuntimeException e) {
      LOG.warn("status failed", e);
      response.onError(Status.INTERNAL.withDescription("status failed: " + e).asException());
    }
  }

  private StatusReply statusReply(StatusRequest request) {
    ClusterMap map = node.clusterMap();
    Map<Integer, GroupStatus> live = new HashMap<>();
    for (GroupStats s : node.router().groupStats()) {
      live.put(s.index(), groupStatus(map, s));
    }
    List<NodeTransfer> transfers = new ArrayList<>();
    transfers.add(NodeTransfer.newBuilder().setNodeId(node.nodeId())
        .setSnapshotBytesSent(control.snapshotBytesSent()).build());
    if (!request.getLocalOnly()) {
      gatherPeerStats(map, live, transfers);
    }
    StatusReply.Builder reply = StatusReply.newBuilder()
        .setClusterId(map.getClusterId())
        .setNodeId(node.nodeId())
        .addAllNodes(map.getNodesList())
        .setReplicationFactor(map.getReplicationFactor())
        .addAllMoves(map.getMovesList())
        .addAllMetaReplicas(map.getMetaReplicasList())
        .setEpoch(map.getEpoch())
        .addAllTransfers(transfers);
    String metaLeader = node.metaLeader();
    if (metaLeader != null) {
      reply.setMetaLeader(metaLeader);
    }
    for (SlotGroupInfo g : map.getGroupsList()) {
      GroupStatus s = live.get(g.getIndex());
      if (request.getLocalOnly()) {
        if (s != null) {
          reply.addGroups(s);
        }
        continue;
      }
      reply.addGroups(s != null ? s : GroupStatus.newBuilder()
          .setIndex(g.getIndex())
          .addAllSlots(g.getSlotsList())
          .addAllReplicas(g.getReplicasList())
          .setLeader(g.getLeader())
          .setTerm(g.getLeaderTerm())
          .build());
    }
    return reply.build();
  }

  private static GroupStatus groupStatus(ClusterMap map, GroupStats s) {
    SlotGroupInfo g = map.getGroups(s.index());
    return GroupStatus.newBuilder()
        .setIndex(s.index())
        .setRaftGroupId(s.raftGroupId())
        .addAllSlots(g.getSlotsList())
        .addAllReplicas(g.getReplicasList())
        .setLeader(s.leader() == null ? "" : s.leader())
        .setTerm(s.term())
        .setAppliedIndex(s.appliedIndex())
        .setSizeOnDisk(s.sizeOnDisk())
        .setKeys(s.keys())
        .build();
  }

  /**
   * Asks the other nodes that are not down for their own replicas' state and snapshot counters:
   * replaces local follower views with each group's leader's own (applied index and size from
   * the leader) and collects the counters. A node that does not answer in time is skipped.
   */
  private void gatherPeerStats(ClusterMap map, Map<Integer, GroupStatus> live,
      List<NodeTransfer> transfers) {
    for (NodeInfo n : map.getNodesList()) {
      if (n.getId().equals(node.nodeId()) || n.getState() == NodeState.NODE_STATE_DOWN
          || n.getAdminAddress().isEmpty()) {
        continue;
      }
      boolean leads = leadsAnything(map, live, n.getId());
      int colon = n.getAdminAddress().lastIndexOf(':');
      ManagedChannel channel = NettyChannelBuilder.forAddress(
              n.getAdminAddress().substring(0, colon),
              Integer.parseInt(n.getAdminAddress().substring(colon + 1)))
          .usePlaintext().intercept(AdminToken.attach(adminToken)).build();
      try {
        StatusReply r = KvorumAdminGrpc.newBlockingStub(channel)
            .withDeadlineAfter(PEER_STATUS_MS, TimeUnit.MILLISECONDS)
            .status(StatusRequest.newBuilder().setLocalOnly(true).build());
        for (GroupStatus s : r.getGroupsList()) {
          if (leads && s.getLeader().equals(n.getId())) {
            live.put(s.getIndex(), s);
          }
        }
        for (NodeTransfer t : r.getTransfersList()) {
          if (t.getNodeId().equals(n.getId())) {
            transfers.add(t);
          }
        }
      } catch (StatusRuntimeException e) {
        // down or slow: the map's view of its groups stands
      } finally {
        channel.shutdownNow();
      }
    }
  }

  /** Whether {@code id} leads a group that this node has no leader's view of yet. */
  private boolean leadsAnything(ClusterMap map, Map<Integer, GroupStatus> live, String id) {
    for (SlotGroupInfo g : map.getGroupsList()) {
      GroupStatus s = live.get(g.getIndex());
      String leader = s != null && !s.getLeader().isEmpty() ? s.getLeader() : g.getLeader();
      if (leader.equals(id) && (s == null || !s.getLeader().equals(node.nodeId()))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void leave(LeaveRequest request, StreamObserver<LeaveReply> response) {
    run(response, () -> {
      NodeInfo n = node.leave(request.getNode());
      int replicas = 0;
      for (SlotGroupInfo g : node.clusterMap().getGroupsList()) {
        replicas += g.getReplicasList().contains(n.getId()) ? 1 : 0;
      }
      return LeaveReply.newBuilder().setReplicas(replicas).build();
    });
  }

  @Override
  public void rebalance(RebalanceRequest request, StreamObserver<RebalanceReply> response) {
    run(response, () -> {
      RebalanceReply.Builder reply = RebalanceReply.newBuilder();
      for (BalancePlanner.Step s : node.plan()) {
        reply.addSteps(step(s));
      }
      if (!request.getDryRun()) {
        node.rebalanceNow();
      }
      return reply.build();
    });
  }

  static Step step(BalancePlanner.Step s) {
    if (s instanceof BalancePlanner.MoveStep m) {
      String kind = m.add().isEmpty() ? "remove" : m.remove().isEmpty() ? "add" : "move";
      return Step.newBuilder().setKind(kind).setGroup(m.group()).setFromNode(m.remove())
          .setToNode(m.add()).setReason(m.reason()).build();
    }
    if (s instanceof BalancePlanner.LeaderStep l) {
      return Step.newBuilder().setKind("transfer-leader").setGroup(l.group())
          .setFromNode(l.from()).setToNode(l.to()).setReason("leaders").build();
    }
    BalancePlanner.ForgetNode f = (BalancePlanner.ForgetNode) s;
    return Step.newBuilder().setKind("forget-node").setGroup(-1).setFromNode(f.node())
        .setReason("drained").build();
  }

  @Override
  public void moveReplica(MoveReplicaRequest request,
      StreamObserver<MoveReplicaReply> response) {
    run(response, () -> MoveReplicaReply.newBuilder().setMoveId(node.moveReplica(
        request.getGroup(), request.getFromNode(), request.getToNode())).build());
  }

  @Override
  public void transferLeader(TransferLeaderRequest request,
      StreamObserver<TransferLeaderReply> response) {
    run(response, () -> {
      node.transferLeader(request.getGroup(), request.getNode());
      return TransferLeaderReply.getDefaultInstance();
    });
  }

  @Override
  public void setReplicationFactor(SetReplicationFactorRequest request,
      StreamObserver<SetReplicationFactorReply> response) {
    run(response, () -> {
      node.setReplicationFactor(request.getReplicationFactor());
      return SetReplicationFactorReply.getDefaultInstance();
    });
  }

  @Override
  public void watchEvents(WatchRequest request, StreamObserver<Event> response) {
    ServerCallStreamObserver<Event> out = (ServerCallStreamObserver<Event>) response;
    Object lock = new Object();
    ClusterMap[] last = {node.clusterMap()};
    Consumer<ClusterMap> listener = next -> {
      synchronized (lock) {
        if (out.isCancelled() || next.getEpoch() <= last[0].getEpoch()) {
          return;
        }
        List<String> changes = MapChanges.describe(last[0], next);
        last[0] = next;
        try {
          out.onNext(Event.newBuilder().setTimeMs(System.currentTimeMillis())
              .setEpoch(next.getEpoch()).addAllChanges(changes).setMap(next).build());
        } catch (RuntimeException e) {
          // the watcher went away between the check and the send
        }
      }
    };
    out.setOnCancelHandler(() -> node.removeMapListener(listener));
    synchronized (lock) {
      out.onNext(Event.newBuilder().setTimeMs(System.currentTimeMillis())
          .setEpoch(last[0].getEpoch()).addChanges("watching cluster " + last[0].getClusterId()
              + " at epoch " + last[0].getEpoch()).setMap(last[0]).build());
    }
    node.addMapListener(listener);
  }

  /** A unary call: its refusals mapped to gRPC codes. */
  private interface Call<R> {
    R run();
  }

  private static <R> void run(StreamObserver<R> response, Call<R> call) {
    R reply;
    try {
      reply = call.run();
    } catch (AdminRefusal e) {
      Status status = switch (e.kind()) {
        case NOT_FOUND -> Status.NOT_FOUND;
        case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
        case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
      };
      response.onError(status.withDescription(e.getMessage()).asException());
      return;
    } catch (RuntimeException e) {
      // The meta group could not commit or answer in time (election, no quorum): retry later.
      response.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asException());
      return;
    }
    response.onNext(reply);
    response.onCompleted();
  }
}
