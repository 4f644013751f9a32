package io.kvorum.raft.snapshot;

import java.io.IOException;
import java.nio.file.Path;

/** The snapshot side of a state machine, as the fetch-based snapshot transfer needs it. */
public interface SnapshotStore {
  /** Holds the latest snapshot's files for sending; null if there is no snapshot yet. */
  HeldSnapshot hold() throws IOException;

  /** A directory on the same file system as the snapshots, for downloads to be moved in. */
  Path downloadsDir();

  /**
   * Makes the downloaded snapshot in {@code dir} (described by {@code manifest}) this replica's
   * latest snapshot, durably, so that a crash from here on restarts from it; the live state is
   * replaced when Ratis then calls {@code reinitialize}.
   */
  void install(Path dir, SnapshotManifest manifest) throws IOException;
}
