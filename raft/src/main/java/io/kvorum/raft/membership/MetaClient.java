package io.kvorum.raft.membership;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.MetaEntry;
import io.kvorum.raft.meta.MetaStateMachine;
import io.kvorum.raft.route.FreshReadIndex;
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

/**
 * Reads and changes the cluster map from any node: straight into the local meta division when it
 * leads, otherwise through a Ratis client to the meta group's replicas (which finds the leader).
 */
public final class MetaClient implements AutoCloseable {
  private final RaftGroupId metaGroup;
  private final Supplier<RaftServer> server;
  private final Supplier<ClusterMap> map;
  private final RaftClients clients;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private List<RaftPeer> remotePeers = List.of();
  private RaftClient remote;
  private boolean closed;

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
      FreshReadIndex.patch(local);
      return submitLocal(local, MetaStateMachine.MapQuery.INSTANCE,
          RaftClientRequest.readRequestType());
    }
    return remote().thenCompose(c -> dropOnFailure(c, c.async().sendReadOnly(Message.EMPTY)))
        .thenApply(MetaClient::mapOf);
  }

  /**
   * A Ratis client whose async call failed after its retries closes its sliding window for
   * good ({@code AlreadyClosedException} on every later call), so it is replaced: the next call
   * builds a fresh one. Without this a node that once lost the meta leader under load could
   * never admit a joiner or change the map again.
   */
  private CompletableFuture<RaftClientReply> dropOnFailure(RaftClient c,
      CompletableFuture<RaftClientReply> call) {
    return call.whenComplete((r, e) -> {
      if (e != null) {
        discard(c);
      }
    });
  }

  private void discard(RaftClient c) {
    synchronized (this) {
      if (remote != c) {
        return; // a newer client may already serve other calls
      }
      remote = null;
    }
    closeLater(c);
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

  private synchronized CompletableFuture<RaftClient> remote() {
    if (closed) {
      return CompletableFuture.failedFuture(new IOException("the meta client is closed"));
    }
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
    if (remote == null || !peers.equals(remotePeers)) {
      if (remote != null) {
        closeLater(remote);
      }
      remote = clients.client(metaGroup, peers);
      remotePeers = peers;
    }
    return CompletableFuture.completedFuture(remote);
  }

  /**
   * Closes a replaced client off this thread and outside this object's lock: closing waits for
   * the client's channels to terminate, and their threads may be completing this client's other
   * calls, whose callbacks ({@link #discard}) take the lock (a node once hung in close so).
   */
  private static void closeLater(RaftClient c) {
    CompletableFuture.runAsync(() -> closeQuietly(c));
  }

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
      closed = true;
      c = remote;
      remote = null;
    }
    if (c != null) {
      closeQuietly(c); // outside the lock, for the reason closeLater gives
    }
  }
}
