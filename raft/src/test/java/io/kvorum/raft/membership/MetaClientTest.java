package io.kvorum.raft.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.raft.node.RaftNode;
import io.kvorum.raft.node.RaftNodeConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetaClientTest {
  @TempDir Path dir;

  @Test
  void aCallThatFailedWhileTheMetaGroupWasDownDoesNotBreakLaterCalls() throws Exception {
    int raftPort;
    try (ServerSocket s = new ServerSocket(0)) {
      raftPort = s.getLocalPort();
    }
    RaftNodeConfig config =
        RaftNodeConfig.defaults(dir, "127.0.0.1", raftPort, 6379, "127.0.0.1:7379");
    ClusterMap map;
    try (RaftNode node = RaftNode.start(config)) {
      map = node.clusterMap();
    }
    // A client of a remote meta group (no local server), as on a node without a meta replica.
    try (MetaClient client = new MetaClient(RaftNode.META_GROUP_ID, () -> null, () -> map,
        new RaftClients())) {
      assertThatThrownBy(() -> client.read().get(60, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);
      // Ratis closes an async client whose retries ran out; reused, it would fail at once with
      // AlreadyClosedException for the life of the node, and no joiner could be admitted.
      try (RaftNode node = RaftNode.start(config)) {
        ClusterMap read = client.read().get(60, TimeUnit.SECONDS);
        assertThat(read.getClusterId()).isEqualTo(map.getClusterId());
      }
    }
  }

  @Test
  void closingWithACallInFlightReturns() throws Exception {
    // A peer that accepts connections and never answers keeps the call in flight on the stream.
    try (ServerSocket silent = new ServerSocket(0)) {
      List<Socket> accepted = new CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (IOException e) {
          // closed
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      ClusterMap map = ClusterMap.newBuilder().setClusterId("c").addMetaReplicas("a")
          .addNodes(NodeInfo.newBuilder().setId("a")
              .setRaftAddress("127.0.0.1:" + silent.getLocalPort()))
          .build();
      MetaClient client = new MetaClient(RaftNode.META_GROUP_ID, () -> null, () -> map,
          new RaftClients());
      CompletableFuture<ClusterMap> pending = client.read();
      Thread.sleep(1000);
      // Closing fails the call in flight, whose failure handler replaces the client: that must
      // not wait for a lock close holds (a node's shutdown hung there for good).
      CompletableFuture<Void> closed =
          CompletableFuture.runAsync(client::close);
      closed.get(30, TimeUnit.SECONDS);
      assertThatThrownBy(() -> pending.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);
      assertThatThrownBy(() -> client.read().get(5, TimeUnit.SECONDS))
          .hasMessageContaining("the meta client is closed");
      for (Socket s : accepted) {
        s.close();
      }
    }
  }
}
