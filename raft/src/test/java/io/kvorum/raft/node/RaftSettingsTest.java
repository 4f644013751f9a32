package io.kvorum.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftSettingsTest {
  @TempDir Path dir;

  @Test
  void anEntryCountsAsWrittenOnlyOnceItsOwnFsyncReturned() {
    RaftProperties p = RaftSettings.of(
        RaftNodeConfig.defaults(dir, "127.0.0.1", 16379, 6379, "127.0.0.1:7379"),
        dir.resolve("raft").toFile());

    // Both modes let Ratis treat entries as flushed before an fsync that covers them returned.
    assertThat(RaftServerConfigKeys.Log.unsafeFlushEnabled(p)).isFalse();
    assertThat(RaftServerConfigKeys.Log.asyncFlushEnabled(p)).isFalse();
  }

  @Test
  void readsAreLinearizableAndLeaderElectionUsesPreVote() {
    RaftProperties p = RaftSettings.of(
        RaftNodeConfig.defaults(dir, "127.0.0.1", 16379, 6379, "127.0.0.1:7379"),
        dir.resolve("raft").toFile());

    assertThat(RaftServerConfigKeys.Read.option(p))
        .isEqualTo(RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    // The read lease is only safe because a follower that heard from its leader refuses pre-votes.
    assertThat(RaftServerConfigKeys.LeaderElection.preVote(p)).isTrue();
  }
}
