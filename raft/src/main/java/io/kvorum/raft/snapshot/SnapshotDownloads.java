package io.kvorum.raft.snapshot;

import io.kvorum.storage.engine.SlotGroupStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.protocol.TermIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's half of Ratis's notification-mode snapshot install: when the leader tells a
 * follower that it no longer has the log the follower needs (or that a new replica should start
 * from a snapshot), the follower downloads the leader's latest snapshot itself, through a
 * {@link SnapshotFetcher}, and installs it. Ratis does not ship the files in this mode, which is
 * what lets the sending node cap its transfer rate. Downloads run on a small pool of their own,
 * never on Ratis's threads: Ratis keeps answering the leader "in progress" meanwhile.
 */
public final class SnapshotDownloads implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotDownloads.class);
  /** Downloads running at once on this node; more wait (the leader keeps asking meanwhile). */
  public static final int MAX_PARALLEL = 4;

  private final SnapshotFetcher fetcher;
  private final Function<String, String> adminAddressOf;
  private final ExecutorService pool;
  private final AtomicLong sequence = new AtomicLong();

  /**
   * @param adminAddressOf {@code host:port} of a node's admin port by node id (from the cluster
   *                       map), or null if unknown
   */
  public SnapshotDownloads(SnapshotFetcher fetcher, Function<String, String> adminAddressOf) {
    this.fetcher = fetcher;
    this.adminAddressOf = adminAddressOf;
    this.pool = Executors.newFixedThreadPool(MAX_PARALLEL, r -> {
      Thread t = new Thread(r, "kvorum-snapshot-fetch");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Fetches the leader's latest snapshot of {@code group} and installs it into {@code store}.
   * Completes with the snapshot's position, with null if the leader has none (its log then still
   * starts at the beginning, so the follower catches up from the log), or exceptionally if the
   * transfer failed or the snapshot would leave a gap before {@code firstInLog} (Ratis asks again
   * later either way).
   *
   * @param role       the follower's role info from Ratis, which names the leader
   * @param firstInLog the first entry the leader still has in its log
   */
  public CompletableFuture<TermIndex> install(RaftGroupId group, RoleInfoProto role,
      TermIndex firstInLog, SnapshotStore store) {
    String leader = leaderOf(role);
    if (leader == null) {
      return CompletableFuture.failedFuture(
          new IOException(group + ": install requested but the leader is unknown"));
    }
    return CompletableFuture.supplyAsync(() -> {
      try {
        return fetchAndInstall(group, leader, firstInLog, store);
      } catch (IOException | RuntimeException e) {
        LOG.warn("{}: cannot fetch the snapshot from leader {}: {}", group, leader, e.toString());
        throw new CompletionException(e);
      }
    }, pool);
  }

  private TermIndex fetchAndInstall(RaftGroupId group, String leader, TermIndex firstInLog,
      SnapshotStore store) throws IOException {
    Path dir = store.downloadsDir().resolve("fetch-" + sequence.incrementAndGet());
    SlotGroupStore.deleteRecursively(dir);
    Files.createDirectories(dir);
    try {
      long started = System.nanoTime();
      LOG.info("{}: fetching the snapshot from leader {} (its log starts at {})", group, leader,
          firstInLog);
      String address = adminAddressOf.apply(leader);
      if (address == null || address.isEmpty()) {
        throw new IOException("no admin address known for node " + leader);
      }
      SnapshotManifest m = fetcher.fetch(address, group, dir);
      if (m == null) {
        LOG.info("{}: leader {} has no snapshot; catching up from its log", group, leader);
        return null;
      }
      // Ratis purges a leader's log only up to its snapshot, so this holds unless leadership
      // moved to a replica with an older snapshot; then the next request names that one's log.
      if (m.index() < firstInLog.getIndex() - 1) {
        throw new IOException("snapshot at " + m.termIndex() + " ends before the leader's log ("
            + firstInLog + ")");
      }
      store.install(dir, m);
      LOG.info("{}: installed snapshot {} from {} ({} bytes in {} ms)", group, m.termIndex(),
          leader, m.bytes(), (System.nanoTime() - started) / 1_000_000);
      return m.termIndex();
    } finally {
      SlotGroupStore.deleteRecursively(dir);
    }
  }

  /** The leader's peer id (a node id) in a follower's role info; null if it has none. */
  static String leaderOf(RoleInfoProto role) {
    if (role == null || !role.hasFollowerInfo()
        || role.getFollowerInfo().getLeaderInfo().getId().getId().isEmpty()) {
      return null;
    }
    return RaftPeerId.valueOf(role.getFollowerInfo().getLeaderInfo().getId().getId()).toString();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
