package io.kvorum.raft.snapshot;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Downloads another node's latest snapshot of a group (the server module does it over the
 * node-to-node gRPC service; the Raft layer does not know the transport).
 */
@FunctionalInterface
public interface SnapshotFetcher {
  /** Refuses every fetch: for nodes that never need one (single-node tests). */
  SnapshotFetcher NONE = (address, group, into) -> {
    throw new IOException("this node cannot fetch snapshots");
  };

  /**
   * Downloads the latest snapshot of {@code group} held by the node whose admin port is at
   * {@code adminAddress} ({@code host:port}) into the existing empty directory {@code into},
   * checking every file's size and checksum. Blocks until done.
   *
   * @return what was downloaded, or null if that node has no snapshot of the group yet
   * @throws IOException if the transfer failed or the files arrived damaged
   */
  SnapshotManifest fetch(String adminAddress, RaftGroupId group, Path into) throws IOException;
}
