package io.kvorum.raft.snapshot;

import io.kvorum.storage.engine.SlotGroupStore;
import java.nio.file.Path;

/**
 * A snapshot's files hard-linked into a directory of their own while they are sent, so that a
 * newer snapshot replacing (and deleting) the original meanwhile cannot remove them; closing
 * deletes the links. Snapshot files are never rewritten in place, so a link is a stable copy.
 */
public record HeldSnapshot(Path dir, SnapshotManifest manifest) implements AutoCloseable {
  @Override
  public void close() {
    SlotGroupStore.deleteRecursively(dir);
  }
}
