package io.kvorum.raft.route;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;

/**
 * One term's lease on reads for a slot group this node leads: while it holds, the leader answers
 * reads from its state machine with no heartbeat round.
 *
 * <p>Only a completed linearizable read renews it, from the moment that read was submitted: Ratis
 * (with {@link FreshReadIndex}'s patch) completes it only after a majority <em>accepted</em>
 * heartbeats sent after that moment, and a follower that accepted a heartbeat refuses to vote
 * for anyone else for a minimum election timeout (pre-vote and Ratis's vote withholding). The
 * lease lasts a fraction of that timeout (Ratis's {@code leader.lease.timeout.ratio}), as Ratis's
 * own lease would, which this replaces because Ratis 3.3 renews its lease on refusals too.
 *
 * <p>When half the lease has passed one read goes through Ratis again to renew it, while the
 * others keep reading under the lease; a lease that ran out sends every read through Ratis until
 * one completes.
 */
final class ReadLease {
  private static final long NONE = Long.MIN_VALUE;

  private final Object leader;
  private final long durationNanos;
  /** When (nanoTime) the latest read that renewed the lease was submitted; NONE before any. */
  private final AtomicLong renewedFrom = new AtomicLong(NONE);
  private final AtomicBoolean renewing = new AtomicBoolean();

  /**
   * @param leader   the Ratis leader state (one term's leadership) this lease belongs to
   * @param duration how long a renewal holds, in nanoseconds
   */
  ReadLease(Object leader, long duration) {
    this.leader = leader;
    this.durationNanos = duration;
  }

  /** A lease as long as Ratis's would be under these properties: min election timeout × ratio. */
  static long durationNanos(RaftProperties p) {
    long min = RaftServerConfigKeys.Rpc.timeoutMin(p).toLong(TimeUnit.NANOSECONDS);
    return (long) (min * RaftServerConfigKeys.Read.leaderLeaseTimeoutRatio(p));
  }

  /** Whether this lease belongs to that leader state (a new term starts with no lease). */
  boolean belongsTo(Object leaderState) {
    return leader == leaderState;
  }

  /**
   * Whether a read arriving at {@code now} may be answered under the lease. Past half the lease,
   * the first read to ask is refused (once per renewal) so that it renews the lease through Ratis.
   */
  boolean covers(long now) {
    long from = renewedFrom.get();
    if (from == NONE || now - from >= durationNanos) {
      return false;
    }
    return now - from < durationNanos / 2 || !renewing.compareAndSet(false, true);
  }

  /**
   * A linearizable read submitted at {@code submittedAt} on this leader state has completed
   * ({@code confirmed}: successfully), so a majority accepted this leader after that moment.
   */
  void readCompleted(long submittedAt, boolean confirmed) {
    if (confirmed) {
      renewedFrom.accumulateAndGet(submittedAt, Math::max);
    }
    renewing.set(false);
  }
}
