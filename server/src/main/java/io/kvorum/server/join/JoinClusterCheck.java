package io.kvorum.server.join;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvorum.proto.admin.KvorumAdminGrpc;
import io.kvorum.proto.admin.StatusReply;
import io.kvorum.proto.admin.StatusRequest;
import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.SlotGroupInfo;
import io.kvorum.raft.route.GroupStats;
import io.kvorum.server.admin.AdminToken;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Whether a running node may throw its own cluster away to join another (admin JoinCluster):
 * only a node that is alone in its map, moves nothing and holds no keys, because joining restarts
 * it empty. Refusals are gRPC statuses with a reason a user can act on.
 */
public final class JoinClusterCheck {
  /** How long the seed may take to say which cluster it is in. */
  private static final long SEED_DEADLINE_MS = 5000;

  private JoinClusterCheck() {}

  /**
   * Refuses unless the node is alone in {@code map}, no move runs and every group of the map is
   * here with no keys.
   *
   * @param stats this node's live replicas (exact key counts)
   * @throws StatusRuntimeException FAILED_PRECONDITION with the reason
   */
  public static void requireEmpty(String nodeId, ClusterMap map, Collection<GroupStats> stats) {
    if (map.getClusterId().isEmpty()) {
      throw refused("node " + nodeId + " has not finished starting; try again");
    }
    if (map.getNodesCount() != 1 || !map.getNodes(0).getId().equals(nodeId)) {
      throw refused("node " + nodeId + " is already one of " + map.getNodesCount()
          + " nodes of cluster " + map.getClusterId() + "; only a node alone in its own cluster "
          + "can join another");
    }
    if (map.getMovesCount() > 0) {
      throw refused("node " + nodeId + " has " + map.getMovesCount() + " replica moves running");
    }
    Map<Integer, GroupStats> byIndex = new HashMap<>();
    for (GroupStats s : stats) {
      byIndex.put(s.index(), s);
    }
    long keys = 0;
    for (SlotGroupInfo g : map.getGroupsList()) {
      GroupStats s = byIndex.get(g.getIndex());
      if (s == null) {
        // Cannot count what is not open here: better refuse than wipe a group never counted.
        throw refused("node " + nodeId + " cannot count the keys of slot group " + g.getIndex()
            + " (not open on this node); try again");
      }
      keys += s.keys();
    }
    if (keys > 0) {
      throw refused("node " + nodeId + " holds " + keys + (keys == 1 ? " key" : " keys")
          + "; joining would delete them (only an empty node can join a cluster)");
    }
  }

  /**
   * The cluster id of the member at {@code seed}, asked with {@code token}.
   *
   * @throws StatusRuntimeException INVALID_ARGUMENT for a malformed address, UNAVAILABLE if the
   *                                seed cannot be reached, FAILED_PRECONDITION if it refuses
   */
  public static String seedClusterId(String seed, String token) {
    int colon = seed.lastIndexOf(':');
    int port = -1;
    try {
      port = colon <= 0 ? -1 : Integer.parseInt(seed.substring(colon + 1));
    } catch (NumberFormatException e) {
      // reported below
    }
    if (port <= 0 || port > 65535) {
      throw Status.INVALID_ARGUMENT.withDescription("the seed must be HOST:ADMINPORT, got '"
          + seed + "'").asRuntimeException();
    }
    ManagedChannel channel = NettyChannelBuilder.forAddress(seed.substring(0, colon), port)
        .usePlaintext().intercept(AdminToken.attach(token)).build();
    StatusReply r;
    try {
      r = KvorumAdminGrpc.newBlockingStub(channel)
          .withDeadlineAfter(SEED_DEADLINE_MS, TimeUnit.MILLISECONDS)
          .status(StatusRequest.newBuilder().setLocalOnly(true).build());
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
        throw Status.UNAVAILABLE.withDescription("cannot reach the seed " + seed + ": "
            + (e.getStatus().getDescription() == null ? code : e.getStatus().getDescription()))
            .asRuntimeException();
      }
      throw refused("the seed " + seed + " answered " + code
          + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription())
          + (code == Status.Code.UNAUTHENTICATED
              ? " (this node carries its own --admin-token; give it the cluster's)" : ""));
    } finally {
      channel.shutdownNow();
    }
    if (r.getClusterId().isEmpty()) {
      throw Status.UNAVAILABLE.withDescription("the seed " + seed + " has not finished starting;"
          + " try again").asRuntimeException();
    }
    return r.getClusterId();
  }

  private static StatusRuntimeException refused(String why) {
    return Status.FAILED_PRECONDITION.withDescription(why).asRuntimeException();
  }
}
