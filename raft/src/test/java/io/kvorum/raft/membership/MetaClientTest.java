package io.kvorum.raft.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.raft.node.RaftNode;
import io.kvorum.raft.node.RaftNodeConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetaClientTest {
  @TempDir Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void aRemoteCallSucceedsAgainOnceTheMetaGroupIsBackAfterACallFailed() throws Exception {
    RaftNodeConfig config =
        RaftNodeConfig.defaults(dir, "127.0.0.1", freePort(), 6379, "127.0.0.1:7379");
    RaftNode node = RaftNode.start(config);
    try {
      ClusterMap map = node.clusterMap();
      // No local server: every call goes through the remote Ratis client, as on a node whose
      // meta replica is not the leader.
      try (MetaClient meta =
          new MetaClient(RaftNode.META_GROUP_ID, () -> null, () -> map, new RaftClients())) {
        assertThat(meta.read().get(30, TimeUnit.SECONDS).getClusterId())
            .isEqualTo(map.getClusterId());

        node.close();
        assertThatThrownBy(() -> meta.read().get(60, TimeUnit.SECONDS))
            .as("a read while the meta group is down")
            .isInstanceOf(ExecutionException.class);

        node = RaftNode.start(config);
        ClusterMap after = null;
        Throwable last = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (after == null && System.nanoTime() < deadline) {
          try {
            after = meta.read().get(15, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            last = e.getCause();
            Thread.sleep(200);
          }
        }
        assertThat(after).as("a read once the meta group is back (last failure: %s)", last)
            .isNotNull();
        assertThat(after.getClusterId()).isEqualTo(map.getClusterId());
      }
    } finally {
      node.close();
    }
  }
}
