package io.kvorum.raft.membership;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.NodeInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Which other nodes this node can reach right now, for the {@code fail} flags of CLUSTER NODES
 * and for leaving failed replicas out of CLUSTER SLOTS, as Redis Cluster does. A node counts as
 * down after {@link #FAILURES_FOR_DOWN} probes in a row could not open its Raft port. Routing never
 * depends on this: leaders come from Raft itself.
 */
public final class PeerLiveness {
  static final int FAILURES_FOR_DOWN = 3;
  private static final int CONNECT_TIMEOUT_MS = 500;

  private final String selfId;
  private final Supplier<ClusterMap> map;
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  /** Node id → when the current run of failed probes began (absent while it answers). */
  private final Map<String, Long> unreachableSince = new ConcurrentHashMap<>();
  /** Node id → when it last answered a probe. */
  private final Map<String, Long> lastAnswer = new ConcurrentHashMap<>();
  /** Node id → when its current run of answered probes began (absent while it fails them). */
  private final Map<String, Long> answeringSince = new ConcurrentHashMap<>();

  public PeerLiveness(String selfId, Supplier<ClusterMap> map) {
    this.selfId = selfId;
    this.map = map;
  }

  /** Whether {@code nodeId} answered recently; unknown nodes and this node count as up. */
  public boolean isUp(String nodeId) {
    return nodeId.equals(selfId) || failures.getOrDefault(nodeId, 0) < FAILURES_FOR_DOWN;
  }

  /**
   * Milliseconds {@code nodeId} has failed every probe (0 while it answers or before any probe);
   * the meta leader marks a node down once this passes the node-down timeout.
   */
  public long unreachableForMs(String nodeId, long nowMs) {
    Long since = unreachableSince.get(nodeId);
    return since == null ? 0 : nowMs - since;
  }

  /** Whether {@code nodeId} answered a probe in the last {@code ms} (this node always has). */
  public boolean answeredWithin(String nodeId, long ms, long nowMs) {
    Long t = lastAnswer.get(nodeId);
    return nodeId.equals(selfId) || (t != null && nowMs - t <= ms);
  }

  /**
   * Milliseconds {@code nodeId} has answered every probe (0 before its first answer, or after a
   * failed one; unbounded for this node): a node that just came back is still catching up.
   */
  public long answeringForMs(String nodeId, long nowMs) {
    if (nodeId.equals(selfId)) {
      return Long.MAX_VALUE;
    }
    Long since = answeringSince.get(nodeId);
    return since == null ? 0 : nowMs - since;
  }

  /** Probes every other node once (blocking connects: run it on its own thread). */
  public void probe() {
    for (NodeInfo n : map.get().getNodesList()) {
      if (n.getId().equals(selfId)) {
        continue;
      }
      long now = System.currentTimeMillis();
      if (reachable(n.getRaftAddress())) {
        failures.remove(n.getId());
        unreachableSince.remove(n.getId());
        lastAnswer.put(n.getId(), now);
        answeringSince.putIfAbsent(n.getId(), now);
      } else {
        failures.merge(n.getId(), 1, Integer::sum);
        unreachableSince.putIfAbsent(n.getId(), now);
        answeringSince.remove(n.getId());
      }
    }
  }

  private static boolean reachable(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      return false;
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(hostPort.substring(0, colon),
          Integer.parseInt(hostPort.substring(colon + 1))), CONNECT_TIMEOUT_MS);
      return true;
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }
}
