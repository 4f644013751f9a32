package io.kvorum.raft.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointSnapshotsTest {
  @TempDir Path sm;

  @Test
  void aSnapshotWhoseInfoWasCutShortByAnExitIsDroppedAtRestart() throws Exception {
    // What a node that exited while writing its first snapshot's info in place left behind.
    Path fresh = Files.createDirectories(sm.resolve("snapshot.new"));
    Files.writeString(fresh.resolve("000012.sst"), "data");
    Files.writeString(fresh.resolve(CheckpointSnapshots.INFO_FILE), "");

    CheckpointSnapshots snapshots = new CheckpointSnapshots();
    snapshots.init(sm);

    assertThat(snapshots.getLatestSnapshot()).isNull();
    assertThat(fresh).doesNotExist();
    assertThat(sm.resolve("snapshot")).doesNotExist();
  }

  @Test
  void anInfoFileNotYetRenamedLeavesNoSnapshot() throws Exception {
    Path fresh = Files.createDirectories(sm.resolve("snapshot.new"));
    Files.writeString(fresh.resolve("000012.sst"), "data");
    Files.writeString(fresh.resolve(CheckpointSnapshots.INFO_FILE + ".tmp"), "3 4");

    CheckpointSnapshots snapshots = new CheckpointSnapshots();
    snapshots.init(sm);

    assertThat(snapshots.getLatestSnapshot()).isNull();
    assertThat(fresh).doesNotExist();
  }

  @Test
  void aCompleteSnapshotLeftAsideBetweenTheRenamesIsSwappedIn() throws Exception {
    Path fresh = Files.createDirectories(sm.resolve("snapshot.new"));
    Files.writeString(fresh.resolve("000012.sst"), "data");
    CheckpointSnapshots.writeInfo(fresh, 3, 42);

    assertThat(fresh.resolve(CheckpointSnapshots.INFO_FILE + ".tmp")).doesNotExist();
    assertThat(Files.readString(fresh.resolve(CheckpointSnapshots.INFO_FILE),
        StandardCharsets.US_ASCII)).isEqualTo("3 42\n");

    CheckpointSnapshots snapshots = new CheckpointSnapshots();
    snapshots.init(sm);

    SnapshotInfo latest = snapshots.getLatestSnapshot();
    assertThat(latest.getTermIndex()).isEqualTo(TermIndex.valueOf(3, 42));
    assertThat(latest.getFiles()).extracting(f -> f.getPath().getFileName().toString())
        .containsExactly("000012.sst", CheckpointSnapshots.INFO_FILE);
    assertThat(sm.resolve("snapshot").resolve("000012.sst")).exists();
  }
}
