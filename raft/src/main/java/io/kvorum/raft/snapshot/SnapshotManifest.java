package io.kvorum.raft.snapshot;

import java.util.List;
import org.apache.ratis.server.protocol.TermIndex;

/**
 * What a snapshot is: the log position it covers and its files (names within the snapshot's
 * directory, sizes in bytes), in the order they are sent.
 */
public record SnapshotManifest(long term, long index, List<FileEntry> files) {
  public SnapshotManifest {
    files = List.copyOf(files);
  }

  /** One file of a snapshot. */
  public record FileEntry(String name, long size) {}

  public TermIndex termIndex() {
    return TermIndex.valueOf(term, index);
  }

  /** Total bytes of all files. */
  public long bytes() {
    return files.stream().mapToLong(FileEntry::size).sum();
  }
}
