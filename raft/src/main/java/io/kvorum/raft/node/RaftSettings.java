package io.kvorum.raft.node;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * The Ratis settings Kvorum sets explicitly, each for a reason given beside it. Nothing here is
 * left to a Ratis default that could change behaviour between versions.
 */
public final class RaftSettings {
  private RaftSettings() {}

  public static RaftProperties of(RaftNodeConfig c, File raftDir) {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    GrpcConfigKeys.Server.setHost(p, c.bindHost());
    GrpcConfigKeys.Server.setPort(p, c.raftPort());
    RaftServerConfigKeys.setStorageDir(p, List.of(raftDir));

    // The default (DEFAULT) reads the state machine directly and can return stale data.
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    // Code default and docs disagree, so say it (Kvorum's default: on). Ratis itself never reads
    // under its lease (FreshReadIndex zeroes it: Ratis 3.3 renews it on refusals); the flag and
    // the timeout ratio configure the router's ReadLease, and Ratis turns the flag off while it
    // transfers leadership.
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, c.leaderLease());
    // The lease is only safe because a follower that heard from its leader within the election
    // timeout refuses a pre-vote: no new leader can exist before the old one's lease runs out.
    RaftServerConfigKeys.LeaderElection.setPreVote(p, true);

    // Election timeouts long enough to ride out a JVM GC pause without a needless election;
    // a dead leader is replaced in roughly 1-2 s.
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, duration(c.electionTimeoutMin().toMillis()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, duration(c.electionTimeoutMax().toMillis()));
    // A fresh or restarted node elects quickly: nobody else can be leading a group it just made.
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, duration(150));
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, duration(300));
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, duration(5000));

    // Off by default: without it the log grows until the disk fills.
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, c.snapshotEvery());
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);

    // Every entry must fit Ratis's appender buffer and the log writer's buffer (both allocated per
    // group), or it can never be replicated. Entries are bounded by the gateway's limits.
    SizeInBytes entry = SizeInBytes.valueOf(c.maxEntryBytes());
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, entry);
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(c.maxEntryBytes() + 8L));
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(Math.max(64L << 20, 2L * c.maxEntryBytes())));
    RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(4L << 20));
    RaftServerConfigKeys.Write.setByteLimit(p, SizeInBytes.valueOf(Math.max(64L << 20, 4L * c.maxEntryBytes())));
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(Math.max(64L << 20, 2L * c.maxEntryBytes())));
    // Ratis would ship snapshots itself, as fast as it can and with no hook to slow it down;
    // instead it only tells a lagging or new replica to install one, and the replica downloads
    // the leader's files over the node service, under the sender's --move-bytes-per-sec cap
    // (io.kvorum.raft.snapshot.SnapshotDownloads). The setting is per server, so the meta group
    // (whose snapshot is one small file) takes the same path.
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, false);

    // On by default, it appends a metadata entry to the log after every commit: a second write
    // and fsync per round. Restart does not need it: the store keeps its applied index, and the
    // rest of the log is applied once a leader commits again (which needs a quorum anyway).
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);

    // Never enabled in production: acknowledging before fsync loses acknowledged writes.
    RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, false);
    // Off too: in 3.3.0 a finished asynchronous fsync marks as flushed the last index written by
    // the time it returns, not the last one it covered, so entries written meanwhile would count
    // as durable.
    RaftServerConfigKeys.Log.setAsyncFlushEnabled(p, false);

    // After a JVM pause longer than this Ratis closes the server (its leases and timers can no
    // longer be trusted); RaftNode then exits the process so that it is restarted.
    RaftServerConfigKeys.setCloseThreshold(p, closeThreshold());

    // Redis clients carry no idempotency token, so Ratis's retry cache never de-duplicates for
    // them; keep its entries only briefly to bound memory at high request rates.
    RaftServerConfigKeys.RetryCache.setExpiryTime(p, duration(2000));
    return p;
  }

  /**
   * Ratis's close threshold: 60 s, or {@code -Dkvorum.raft.closeThresholdSeconds} (a test knob:
   * the fail-stop after a long freeze is tested with a short one).
   */
  static TimeDuration closeThreshold() {
    return TimeDuration.valueOf(Long.getLong("kvorum.raft.closeThresholdSeconds", 60),
        TimeUnit.SECONDS);
  }

  private static TimeDuration duration(long ms) {
    return TimeDuration.valueOf(ms, TimeUnit.MILLISECONDS);
  }
}
