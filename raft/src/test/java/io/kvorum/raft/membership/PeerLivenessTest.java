package io.kvorum.raft.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.NodeInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** How long a peer has answered, as the balancer asks before giving it leadership. */
class PeerLivenessTest {
  @Test
  void aNodeThatFailsAProbeStartsItsAnsweringTimeAgain() throws IOException {
    ServerSocket raftPort = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    String address = "127.0.0.1:" + raftPort.getLocalPort();
    ClusterMap map = ClusterMap.newBuilder()
        .addNodes(NodeInfo.newBuilder().setId("self").setRaftAddress("127.0.0.1:1"))
        .addNodes(NodeInfo.newBuilder().setId("peer").setRaftAddress(address))
        .build();
    PeerLiveness liveness = new PeerLiveness("self", () -> map);
    long now = System.currentTimeMillis();
    assertThat(liveness.answeringForMs("peer", now)).isZero();
    assertThat(liveness.answeringForMs("self", now)).isEqualTo(Long.MAX_VALUE);

    liveness.probe();
    long answeredAt = System.currentTimeMillis();
    assertThat(liveness.answeringForMs("peer", answeredAt + 5_000)).isBetween(5_000L, 6_000L);
    liveness.probe();
    assertThat(liveness.answeringForMs("peer", answeredAt + 5_000))
        .as("still counted from the first answer").isBetween(5_000L, 6_000L);

    raftPort.close();
    liveness.probe();
    assertThat(liveness.answeringForMs("peer", System.currentTimeMillis() + 5_000)).isZero();
    assertThat(liveness.isUp("peer")).as("one failed probe is not down yet").isTrue();
  }
}
