package io.kvorum.raft.membership;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.MetaEntry;
import io.kvorum.raft.meta.MetaStateMachine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and changes the cluster map from any node: straight into the local meta division when it
 * leads, otherwise through a Ratis client to the meta group's replicas (which finds the leader).
 *
 * <p>The remote client is replaced after any failed call. Ratis sends a client's async requests
 * through one ordered sliding window, and the first request that fails for good (retries used up
 * while the meta leader restarts, say) fails that window for the client's lifetime: every later
 * request fails at once with {@code AlreadyClosedException}. Kept, such a client silenced this
 * node's leader reports, so the map kept stale group leaders and the balancer stopped spreading
 * leadership after a clean restart of another node.
 */
public final class MetaClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetaClient.class);
  private final RaftGroupId metaGroup;
  private final Supplier<RaftServer> server;
  private final Supplier<ClusterMap> map;
  private final RaftClients clients;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private List<RaftPeer> remotePeers = List.of();
  private RaftClient remote;

  /**
   * @param server the local Ratis server (may hold no meta replica)
   * @param map    the freshest map this node has, for the meta group's addresses
   */
  public MetaClient(RaftGroupId metaGroup, Supplier<RaftServer> server, Supplier<ClusterMap> map,
      RaftClients clients) {
    this.metaGroup = metaGroup;
    this.server = server;
    this.map = map;
    this.clients = clients;
  }

  /** Commits {@code entry} in the meta group; completes with the map right after it. */
  public CompletableFuture<ClusterMap> propose(MetaEntry entry) {
    Message m = Message.valueOf(UnsafeByteOperations.unsafeWrap(entry.toByteArray()));
    RaftServer.Division local = localLeader();
    if (local != null) {
      return submitLocal(local, m, RaftClientRequest.writeRequestType());
    }
    return remote().thenCompose(c -> dropOnFailure(c, c.async().send(m)))
        .thenApply(MetaClient::mapOf);
  }

  /** A linearizable read of the map from the meta group's leader. */
  public CompletableFuture<ClusterMap> read() {
    RaftServer.Division local = localLeader();
    if (local != null) {
      return submitLocal(local, MetaStateMachine.MapQuery.INSTANCE,
          RaftClientRequest.readRequestType());
    }
    return remote().thenCompose(c -> dropOnFailure(c, c.async().sendReadOnly(Message.EMPTY)))
        .thenApply(MetaClient::mapOf);
  }

  /** The local meta division if it is the leader, else null. */
  public RaftServer.Division localLeader() {
    RaftServer s = server.get();
    if (s == null) {
      return null;
    }
    try {
      RaftServer.Division d = s.getDivision(metaGroup);
      return d.getInfo().isLeader() && d.getInfo().isLeaderReady() ? d : null;
    } catch (IOException e) {
      return null;
    }
  }

  private CompletableFuture<ClusterMap> submitLocal(
      RaftServer.Division d, Message m, RaftClientRequest.Type type) {
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(d.getId())
        .setGroupId(metaGroup)
        .setCallId(callIds.incrementAndGet())
        .setMessage(m)
        .setType(type)
        .build();
    try {
      return ((RaftClientAsynchronousProtocol) d).submitClientRequestAsync(request)
          .thenApply(MetaClient::mapOf);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static ClusterMap mapOf(RaftClientReply r) {
    if (!r.isSuccess()) {
      throw new CompletionException(new IOException("meta group: " + r.getException()));
    }
    if (r.getMessage() instanceof MetaStateMachine.MapMessage m) {
      return m.map();
    }
    try {
      return ClusterMap.parseFrom(r.getMessage().getContent().toByteArray());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new CompletionException(e);
    }
  }

  private CompletableFuture<RaftClient> remote() {
    ClusterMap m = map.get();
    List<String> ids = new ArrayList<>(m.getMetaReplicasList());
    if (ids.isEmpty() && m.getNodesCount() > 0) {
      ids.add(m.getNodes(0).getId());
    }
    List<RaftPeer> peers = RaftClients.peers(m, ids);
    if (peers.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IOException("no meta group replica is known yet"));
    }
    RaftClient replaced = null;
    RaftClient current;
    synchronized (this) {
      if (remote == null || !peers.equals(remotePeers)) {
        replaced = remote;
        remote = clients.client(metaGroup, peers);
        remotePeers = peers;
      }
      current = remote;
    }
    if (replaced != null) {
      closeQuietly(replaced);
    }
    return CompletableFuture.completedFuture(current);
  }

  /** Forgets {@code c} if {@code call} fails: its ordered request window is then dead for good. */
  private CompletableFuture<RaftClientReply> dropOnFailure(RaftClient c,
      CompletableFuture<RaftClientReply> call) {
    return call.whenComplete((r, e) -> {
      if (e != null) {
        drop(c, e);
      }
    });
  }

  private void drop(RaftClient c, Throwable failure) {
    synchronized (this) {
      // Only the client that failed: a newer one may already serve other calls.
      if (remote != c) {
        return;
      }
      remote = null;
    }
    LOG.info("meta group call failed ({}); the next call uses a new client", failure.toString());
    // Not on the failed call's thread, which may be one the client's own close waits for.
    CompletableFuture.runAsync(() -> closeQuietly(c));
  }

  /**
   * Closes a client, never while holding this object's lock: closing fails the client's pending
   * calls, whose callbacks ({@link #drop}) take that lock on the threads the close waits for.
   */
  private static void closeQuietly(RaftClient c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing a client only releases channels
    }
  }

  @Override
  public void close() {
    RaftClient c;
    synchronized (this) {
      c = remote;
      remote = null;
    }
    if (c != null) {
      closeQuietly(c);
    }
  }
}
