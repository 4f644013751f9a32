package io.kvorum.raft.group;

import io.kvorum.storage.engine.SlotGroupStore;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

/**
 * The snapshot of a slot group: one RocksDB checkpoint in {@code sm/snapshot}, with its term and
 * index in {@code snapshot.info}. Ratis ships exactly the files of that directory to a lagging
 * replica and installs them into the same place there (via {@code sm/tmp}); the replica then
 * opens a copy of it as its live database in {@code sm/db}. Only the latest snapshot is kept.
 */
final class CheckpointSnapshots implements StateMachineStorage {
  static final String INFO_FILE = "snapshot.info";

  private Path smDir;
  private volatile SnapshotInfo latest;

  @Override
  public void init(RaftStorage raftStorage) {
    this.smDir = raftStorage.getStorageDir().getStateMachineDir().toPath();
    try {
      Files.createDirectories(smDir);
      recoverInterruptedSwap();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.latest = readInfo(snapshotDir());
  }

  Path dbDir() {
    return smDir.resolve("db");
  }

  Path snapshotDir() {
    return smDir.resolve("snapshot");
  }

  @Override
  public File getSnapshotDir() {
    return snapshotDir().toFile();
  }

  @Override
  public File getTmpDir() {
    return smDir.resolve("tmp").toFile();
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    return latest;
  }

  /** Re-reads the snapshot directory after Ratis installed a snapshot into it. */
  SnapshotInfo reload() {
    latest = readInfo(snapshotDir());
    return latest;
  }

  /**
   * Checkpoints {@code store} into a fresh directory, then swaps it in place of the previous
   * snapshot. Runs on the apply thread, so the checkpoint is exactly the applied state.
   */
  SnapshotInfo take(SlotGroupStore store) {
    Path fresh = smDir.resolve("snapshot.new");
    Path old = smDir.resolve("snapshot.old");
    SlotGroupStore.deleteRecursively(fresh);
    SlotGroupStore.Applied applied = store.checkpoint(fresh);
    try {
      Files.writeString(
          fresh.resolve(INFO_FILE), applied.term() + " " + applied.index() + "\n",
          StandardCharsets.US_ASCII);
      SlotGroupStore.deleteRecursively(old);
      if (Files.exists(snapshotDir())) {
        Files.move(snapshotDir(), old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(fresh, snapshotDir(), StandardCopyOption.ATOMIC_MOVE);
      SlotGroupStore.deleteRecursively(old);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install new snapshot in " + smDir, e);
    }
    latest = readInfo(snapshotDir());
    return latest;
  }

  /** A crash between the two renames of {@link #take} leaves the new snapshot complete aside. */
  private void recoverInterruptedSwap() throws IOException {
    Path fresh = smDir.resolve("snapshot.new");
    Path old = smDir.resolve("snapshot.old");
    if (!Files.exists(snapshotDir()) && Files.exists(fresh.resolve(INFO_FILE))) {
      Files.move(fresh, snapshotDir(), StandardCopyOption.ATOMIC_MOVE);
    }
    if (!Files.exists(snapshotDir()) && Files.exists(old.resolve(INFO_FILE))) {
      Files.move(old, snapshotDir(), StandardCopyOption.ATOMIC_MOVE);
    }
    SlotGroupStore.deleteRecursively(fresh);
    SlotGroupStore.deleteRecursively(old);
  }

  static SnapshotInfo readInfo(Path dir) {
    Path info = dir.resolve(INFO_FILE);
    if (!Files.exists(info)) {
      return null;
    }
    try {
      String[] parts = Files.readString(info, StandardCharsets.US_ASCII).trim().split(" ");
      TermIndex ti = TermIndex.valueOf(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
      List<FileInfo> files = new ArrayList<>();
      try (Stream<Path> list = Files.list(dir)) {
        for (Path f : (Iterable<Path>) list.sorted()::iterator) {
          if (Files.isRegularFile(f)) {
            files.add(new FileInfo(f.toAbsolutePath(), null));
          }
        }
      }
      return new FileListSnapshotInfo(files, ti);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("unreadable snapshot in " + dir, e);
    }
  }

  @Override
  public void format() {}

  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {
    // Only one snapshot exists at a time: take() replaces the previous one.
  }
}
