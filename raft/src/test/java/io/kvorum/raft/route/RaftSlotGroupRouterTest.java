package io.kvorum.raft.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.junit.jupiter.api.Test;

class RaftSlotGroupRouterTest {
  private static final RaftGroupMemberId MEMBER =
      RaftGroupMemberId.valueOf(RaftPeerId.valueOf("n1"), RaftGroupId.randomId());

  @Test
  void aLeaderSteppingDownFailsPendingRequestsAsNotLeader() {
    Throwable t = RaftSlotGroupRouter.translate(3, new CompletionException(
        new org.apache.ratis.protocol.exceptions.NotLeaderException(MEMBER, null, null)));
    assertThat(t).isInstanceOf(NotLeaderException.class);
    assertThat(((NotLeaderException) t).group()).isEqualTo(3);
  }

  @Test
  void otherRatisRefusalsAreRoutedAgainAndTheRestPassesThrough() {
    // A leader not ready yet cannot serve: the gateway answers by the route it then sees.
    assertThat(RaftSlotGroupRouter.translate(1, new LeaderNotReadyException(MEMBER)))
        .isInstanceOf(NotLeaderException.class);
    IllegalStateException bug = new IllegalStateException("bug");
    assertThat(RaftSlotGroupRouter.translate(1, new CompletionException(bug))).isSameAs(bug);
  }
}
