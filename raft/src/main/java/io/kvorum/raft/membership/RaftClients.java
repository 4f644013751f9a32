package io.kvorum.raft.membership;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.NodeInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.io.IOException;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.GroupInfoReply;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.util.TimeDuration;

/**
 * Builds Ratis clients that reach a group over the Raft ports of its peers, for what cannot be
 * done on the local division: talking to a group this node holds no replica of, or to a leader
 * elsewhere. Retries are bounded so a caller on a schedule never hangs on a dead group.
 */
public final class RaftClients {
  private final ClientId clientId = ClientId.randomId();
  private final RaftProperties properties = new RaftProperties();

  public RaftClients() {
    RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
    RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(5, TimeUnit.SECONDS));
  }

  /** A client of {@code group}; the caller closes it. */
  public RaftClient client(RaftGroupId group, Collection<RaftPeer> peers) {
    return RaftClient.newBuilder()
        .setClientId(clientId)
        .setProperties(properties)
        .setRaftGroup(RaftGroup.valueOf(group, peers))
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            10, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS)))
        .build();
  }

  /**
   * A client that asks only {@code leader} and never retries, for requests that must not be
   * carried out later under other conditions (a leadership transfer decided for the leader
   * that was, replayed by retries on the one elected since); the caller closes it.
   */
  public RaftClient oneShotClient(RaftGroupId group, Collection<RaftPeer> peers, RaftPeerId leader) {
    return RaftClient.newBuilder()
        .setClientId(clientId)
        .setProperties(properties)
        .setRaftGroup(RaftGroup.valueOf(group, peers))
        .setLeaderId(leader)
        .setRetryPolicy(RetryPolicies.noRetry())
        .build();
  }

  /**
   * Whether {@code nodeId} is in the configuration (current, or old during a change) of the
   * leader of {@code group}, asking each of {@code peers} and trusting only the one that answers
   * as leader; empty when none does. The map may lag the group by a report; the leader does not.
   */
  public Optional<Boolean> inLeadersConf(RaftGroupId group, Collection<RaftPeer> peers,
      String nodeId) {
    for (RaftPeer p : peers) {
      try (RaftClient c = client(group, List.of(p))) {
        GroupInfoReply info = c.getGroupManagementApi(p.getId()).info(group);
        if (info.getRoleInfoProto().getRole() != RaftProtos.RaftPeerRole.LEADER
            || info.getConf().isEmpty()) {
          continue;
        }
        RaftProtos.RaftConfigurationProto conf = info.getConf().get();
        for (RaftProtos.RaftPeerProto q : conf.getPeersList()) {
          if (q.getId().toStringUtf8().equals(nodeId)) {
            return Optional.of(true);
          }
        }
        for (RaftProtos.RaftPeerProto q : conf.getOldPeersList()) {
          if (q.getId().toStringUtf8().equals(nodeId)) {
            return Optional.of(true);
          }
        }
        return Optional.of(false);
      } catch (IOException | RuntimeException e) {
        // not reachable, or holds no replica: ask the next
      }
    }
    return Optional.empty();
  }

  /** The Raft peers of the given node ids, as the map records their addresses. */
  public static List<RaftPeer> peers(ClusterMap map, Collection<String> nodeIds) {
    List<RaftPeer> peers = new ArrayList<>();
    for (String id : nodeIds) {
      for (NodeInfo n : map.getNodesList()) {
        if (n.getId().equals(id)) {
          peers.add(peer(n));
        }
      }
    }
    return peers;
  }

  public static RaftPeer peer(NodeInfo n) {
    return RaftPeer.newBuilder().setId(n.getId()).setAddress(n.getRaftAddress()).build();
  }
}
