package io.kvorum.server.admin;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.admin.GroupStatus;
import io.kvorum.proto.admin.JoinReply;
import io.kvorum.proto.admin.JoinRequest;
import io.kvorum.proto.admin.KvorumAdminGrpc;
import io.kvorum.proto.admin.StatusReply;
import io.kvorum.proto.admin.StatusRequest;
import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.SlotGroupInfo;
import io.kvorum.raft.node.RaftNode;
import io.kvorum.raft.route.GroupStats;
import java.util.HashMap;
import java.util.Map;

/** The admin gRPC service of a node: cluster status as this node sees it, and Join. */
public final class AdminService extends KvorumAdminGrpc.KvorumAdminImplBase {
  private final RaftNode node;

  public AdminService(RaftNode node) {
    this.node = node;
  }

  @Override
  public void join(JoinRequest request, StreamObserver<JoinReply> response) {
    try {
      ClusterMap map = node.admit(request.getNode());
      response.onNext(JoinReply.newBuilder().setMap(map).build());
      response.onCompleted();
    } catch (IllegalArgumentException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException());
    } catch (RuntimeException e) {
      // No meta leader reachable in time (an election, or no quorum): the joiner retries.
      response.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asException());
    }
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusReply> response) {
    ClusterMap map = node.clusterMap();
    Map<Integer, GroupStats> live = new HashMap<>();
    for (GroupStats s : node.router().groupStats()) {
      live.put(s.index(), s);
    }
    StatusReply.Builder reply = StatusReply.newBuilder()
        .setClusterId(map.getClusterId())
        .setNodeId(node.nodeId())
        .addAllNodes(map.getNodesList());
    for (SlotGroupInfo g : map.getGroupsList()) {
      GroupStatus.Builder b = GroupStatus.newBuilder()
          .setIndex(g.getIndex())
          .addAllSlots(g.getSlotsList())
          .addAllReplicas(g.getReplicasList());
      GroupStats s = live.get(g.getIndex());
      if (s != null) {
        b.setRaftGroupId(s.raftGroupId())
            .setLeader(s.leader() == null ? "" : s.leader())
            .setTerm(s.term())
            .setAppliedIndex(s.appliedIndex())
            .setSizeOnDisk(s.sizeOnDisk())
            .setKeys(s.keys());
      }
      reply.addGroups(b);
    }
    response.onNext(reply.build());
    response.onCompleted();
  }
}
