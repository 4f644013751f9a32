package io.kvorum.raft.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.raft.node.RaftNode;
import io.kvorum.raft.node.RaftNodeConfig;
import java.net.ServerSocket;
import java.nio.file.Path;
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
}
