package io.kvorum.raft.route;

/**
 * How far the followers of a slot group this node leads have its log: what WAIT counts.
 *
 * @param commitIndex          the group's commit index on this leader
 * @param followerMatchIndexes per follower, the last log index the leader knows it holds
 */
public record GroupReplication(long commitIndex, long[] followerMatchIndexes) {

  /** Followers that hold the log up to {@code index}. */
  public int holding(long index) {
    int n = 0;
    for (long m : followerMatchIndexes) {
      if (m >= index) {
        n++;
      }
    }
    return n;
  }
}
