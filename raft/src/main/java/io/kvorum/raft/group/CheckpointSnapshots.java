package io.kvorum.raft.group;

import io.kvorum.raft.snapshot.HeldSnapshot;
import io.kvorum.raft.snapshot.SnapshotManifest;
import io.kvorum.raft.snapshot.SnapshotStore;
import io.kvorum.storage.engine.SlotGroupStore;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
 * index in {@code snapshot.info}. A lagging or new replica downloads exactly the files of that
 * directory from the leader (see {@link io.kvorum.raft.snapshot.SnapshotDownloads}) into
 * {@code sm/tmp} and swaps them into the same place there; it then opens a copy of it as its live
 * database in {@code sm/db}. Only the latest snapshot is kept.
 */
final class CheckpointSnapshots implements StateMachineStorage, SnapshotStore {
  static final String INFO_FILE = "snapshot.info";

  private Path smDir;
  private volatile SnapshotInfo latest;
  /** Serializes swapping a snapshot in with holding its files for a transfer. */
  private final Object swap = new Object();
  private final AtomicLong holds = new AtomicLong();

  @Override
  public void init(RaftStorage raftStorage) {
    init(raftStorage.getStorageDir().getStateMachineDir().toPath());
  }

  /** Opens the snapshot kept under the state machine directory {@code smDir}. */
  void init(Path smDir) {
    this.smDir = smDir;
    try {
      Files.createDirectories(smDir);
      recoverInterruptedSwap();
      // Downloads and held files of transfers a previous run did not finish.
      SlotGroupStore.deleteRecursively(getTmpDir().toPath());
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

  /** Re-reads the snapshot directory after a snapshot was installed into it. */
  SnapshotInfo reload() {
    synchronized (swap) {
      latest = readInfo(snapshotDir());
      return latest;
    }
  }

  /**
   * Checkpoints {@code store} into a fresh directory, then swaps it in place of the previous
   * snapshot. Runs on the apply thread, so the checkpoint is exactly the applied state.
   */
  SnapshotInfo take(SlotGroupStore store) {
    Path fresh = smDir.resolve("snapshot.new");
    SlotGroupStore.deleteRecursively(fresh);
    SlotGroupStore.Applied applied = store.checkpoint(fresh);
    try {
      writeInfo(fresh, applied.term(), applied.index());
      synchronized (swap) {
        SnapshotInfo current = latest;
        if (current != null && current.getIndex() >= applied.index()) {
          // A snapshot downloaded from the leader was swapped in meanwhile: it is newer.
          SlotGroupStore.deleteRecursively(fresh);
          return current;
        }
        swapIn(fresh);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install new snapshot in " + smDir, e);
    }
    return latest;
  }

  /** Replaces the snapshot with the complete one in {@code fresh}; caller holds {@link #swap}. */
  private void swapIn(Path fresh) throws IOException {
    Path old = smDir.resolve("snapshot.old");
    SlotGroupStore.deleteRecursively(old);
    if (Files.exists(snapshotDir())) {
      Files.move(snapshotDir(), old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(fresh, snapshotDir(), StandardCopyOption.ATOMIC_MOVE);
    SlotGroupStore.deleteRecursively(old);
    latest = readInfo(snapshotDir());
  }

  @Override
  public HeldSnapshot hold() throws IOException {
    synchronized (swap) {
      SnapshotInfo current = latest;
      if (current == null) {
        return null;
      }
      Path dir = getTmpDir().toPath().resolve("held-" + holds.incrementAndGet());
      SlotGroupStore.deleteRecursively(dir);
      Files.createDirectories(dir);
      List<SnapshotManifest.FileEntry> files = new ArrayList<>();
      try {
        for (FileInfo f : current.getFiles()) {
          Path name = f.getPath().getFileName();
          Files.createLink(dir.resolve(name), f.getPath());
          files.add(new SnapshotManifest.FileEntry(name.toString(), Files.size(f.getPath())));
        }
      } catch (IOException | RuntimeException e) {
        SlotGroupStore.deleteRecursively(dir);
        throw e;
      }
      return new HeldSnapshot(dir, new SnapshotManifest(
          current.getTerm(), current.getIndex(), files));
    }
  }

  @Override
  public Path downloadsDir() {
    return getTmpDir().toPath();
  }

  /**
   * Swaps a downloaded checkpoint in as the snapshot, as {@link #take} does a fresh one: a crash
   * at any point leaves either the old or the new snapshot complete, and {@code openStore} then
   * restores the database from it if it is newer.
   */
  @Override
  public void install(Path dir, SnapshotManifest manifest) throws IOException {
    SnapshotInfo downloaded = readInfo(dir);
    if (downloaded == null || !downloaded.getTermIndex().equals(manifest.termIndex())) {
      throw new IOException("downloaded snapshot in " + dir + " is " + downloaded
          + ", expected " + manifest.termIndex());
    }
    Path fresh = smDir.resolve("snapshot.new");
    synchronized (swap) {
      SnapshotInfo current = latest;
      if (current != null && current.getIndex() >= manifest.index()) {
        return;
      }
      SlotGroupStore.deleteRecursively(fresh);
      Files.move(dir, fresh, StandardCopyOption.ATOMIC_MOVE);
      swapIn(fresh);
    }
  }

  /**
   * Writes {@code dir}'s info file, which marks the checkpoint beside it complete: whole or not at
   * all, and on disk before the directory is renamed into place. A node that exited while
   * writing it in place (Ratis snapshots on stop) left an empty one, which the restart's
   * recovery then took for a complete snapshot and could not read.
   */
  static void writeInfo(Path dir, long term, long index) throws IOException {
    Path tmp = dir.resolve(INFO_FILE + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer text = ByteBuffer.wrap((term + " " + index + "\n")
          .getBytes(StandardCharsets.US_ASCII));
      while (text.hasRemaining()) {
        ch.write(text);
      }
      ch.force(true);
    }
    Files.move(tmp, dir.resolve(INFO_FILE), StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * A crash between the two renames of {@link #take} leaves the new snapshot complete aside; a
   * crash before its info file was written leaves an incomplete one, which is dropped.
   */
  private void recoverInterruptedSwap() throws IOException {
    Path fresh = smDir.resolve("snapshot.new");
    Path old = smDir.resolve("snapshot.old");
    if (!Files.exists(snapshotDir()) && complete(fresh)) {
      Files.move(fresh, snapshotDir(), StandardCopyOption.ATOMIC_MOVE);
    }
    if (!Files.exists(snapshotDir()) && complete(old)) {
      Files.move(old, snapshotDir(), StandardCopyOption.ATOMIC_MOVE);
    }
    SlotGroupStore.deleteRecursively(fresh);
    SlotGroupStore.deleteRecursively(old);
  }

  /** Whether {@code dir} holds a snapshot whose info file reads. */
  private static boolean complete(Path dir) {
    try {
      return readInfo(dir) != null;
    } catch (IllegalStateException e) {
      return false;
    }
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
          if (Files.isRegularFile(f) && !f.getFileName().toString().equals(INFO_FILE + ".tmp")) {
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
