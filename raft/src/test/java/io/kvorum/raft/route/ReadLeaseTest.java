package io.kvorum.raft.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;

class ReadLeaseTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private final Object term = new Object();
  private final ReadLease lease = new ReadLease(term, 900 * MS);

  @Test
  void aNewTermHoldsNoLeaseUntilAReadCompletes() {
    assertThat(lease.covers(System.nanoTime())).isFalse();
    assertThat(lease.belongsTo(term)).isTrue();
    assertThat(lease.belongsTo(new Object())).isFalse();
  }

  @Test
  void aCompletedReadRenewsFromWhenItWasSubmittedForTheLeaseDuration() {
    long t0 = 1_000 * MS;
    lease.readCompleted(t0, true);
    assertThat(lease.covers(t0)).isTrue();
    assertThat(lease.covers(t0 + 449 * MS)).isTrue();
    assertThat(lease.covers(t0 + 900 * MS)).isFalse();
    assertThat(lease.covers(t0 + 5_000 * MS)).isFalse();
  }

  @Test
  void aFailedReadRenewsNothing() {
    lease.readCompleted(1_000 * MS, false);
    assertThat(lease.covers(1_001 * MS)).isFalse();
  }

  @Test
  void pastHalfTheLeaseOneReadAtATimeIsSentToRenewIt() {
    long t0 = 1_000 * MS;
    lease.readCompleted(t0, true);
    long late = t0 + 500 * MS;
    assertThat(lease.covers(late)).as("the first read past half renews").isFalse();
    assertThat(lease.covers(late)).as("the others still read under the lease").isTrue();
    assertThat(lease.covers(late + MS)).isTrue();
    // The renewing read failed (say, a heartbeat round that timed out): the next one tries.
    lease.readCompleted(late, false);
    assertThat(lease.covers(late + 2 * MS)).isFalse();
    lease.readCompleted(late, true);
    assertThat(lease.covers(late + 2 * MS)).isTrue();
    assertThat(lease.covers(late + 400 * MS)).isTrue();
  }

  @Test
  void anOlderReadCompletingLateDoesNotShortenTheLease() {
    lease.readCompleted(2_000 * MS, true);
    lease.readCompleted(1_000 * MS, true);
    assertThat(lease.covers(2_400 * MS)).isTrue();
  }

  @Test
  void theDurationIsRatisMinimumElectionTimeoutTimesItsLeaseRatio() {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(1, TimeUnit.SECONDS));
    RaftServerConfigKeys.Read.setLeaderLeaseTimeoutRatio(p, 0.9);
    assertThat(ReadLease.durationNanos(p)).isEqualTo(900 * MS);
  }
}
