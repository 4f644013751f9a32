package io.kvorum.raft.group;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.raft.snapshot.SnapshotDownloads;
import io.kvorum.raft.snapshot.SnapshotFetcher;
import io.kvorum.storage.engine.NodeStorage;
import io.kvorum.storage.engine.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys.Log.CorruptionPolicy;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a write cut off by a leadership change learns its fate (see awaitOrphan), and what a
 * replica does when its disk fails under it.
 */
class SlotGroupStateMachineTest {
  private static final ClientId CLIENT = ClientId.randomId();
  private final NodeStorage storage = new NodeStorage(8 << 20, 8 << 20);
  private final List<StorageException> storageFailures = new CopyOnWriteArrayList<>();
  private final SlotGroupStateMachine machine =
      new SlotGroupStateMachine(storage, (g, l) -> { }, (g, k) -> { }, (g, e) -> { },
          storageFailures::add, new SnapshotDownloads(SnapshotFetcher.NONE, node -> null));

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void anEntryOfALaterTermProvesAnOrphanWasTruncated() {
    machine.notifyTermIndexUpdated(3, 10);
    CompletableFuture<ReplyMessage> orphan = machine.awaitOrphan(CLIENT, 42, 3);
    machine.notifyTermIndexUpdated(3, 11);
    assertThat(orphan).as("same term: it may still be applied").isNotDone();
    machine.notifyTermIndexUpdated(4, 12);
    assertThat(orphan).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(SlotGroupStateMachine.NotAppliedException.class);
  }

  @Test
  void anOrphanRegisteredAfterALaterTermIsUnknownNotFailed() {
    machine.notifyTermIndexUpdated(5, 20);
    CompletableFuture<ReplyMessage> orphan = machine.awaitOrphan(CLIENT, 7, 4);
    assertThat(orphan).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void aForgottenOrphanIsNotResolvedLater() {
    CompletableFuture<ReplyMessage> orphan = machine.awaitOrphan(CLIENT, 9, 1);
    machine.forgetOrphan(9);
    machine.notifyTermIndexUpdated(2, 1);
    assertThat(orphan).isNotDone();
  }

  @Test
  void aDatabaseDeletedUnderTheReplicaFailsSnapshotsAsIoAndReportsTheNextWriteAsAStorageFailure(
      @TempDir Path dir) throws Exception {
    RaftStorage raftStorage = RaftStorage.newBuilder().setDirectory(dir.resolve("group").toFile())
        .setOption(RaftStorage.StartupOption.FORMAT)
        .setLogCorruptionPolicy(CorruptionPolicy.EXCEPTION)
        .setStorageFreeSpaceMin(SizeInBytes.ONE_MB).build();
    raftStorage.initialize();
    // A real (never started) server: the state machine only asks it for its id.
    RaftProperties properties = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(properties, List.of(dir.resolve("server").toFile()));
    RaftServer server = RaftServer.newBuilder().setServerId(RaftPeerId.valueOf("replica"))
        .setProperties(properties).setStateMachine(machine).build();
    machine.initialize(server, RaftGroupId.randomId(), raftStorage);
    assertThat(apply(1, "SET", "before", "1")).succeedsWithin(Duration.ofSeconds(5));
    assertThat(storageFailures).isEmpty();

    try (Stream<Path> files = Files.walk(dir.resolve("group"))) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }

    // Ratis's apply thread survives an IOException from a snapshot; anything else it retries in
    // a tight loop that never lets the node shut down.
    assertThatThrownBy(machine::takeSnapshot).isInstanceOf(IOException.class);
    assertThat(machine.takeSnapshot()).as("no second attempt right away").isEqualTo(-1);
    CompletableFuture<Message> after = apply(2, "SET", "after", "1");
    assertThat(after).failsWithin(Duration.ofSeconds(5));
    assertThat(storageFailures).as("the write the database refused stops the node").hasSize(1);
    machine.close();
    server.close();
  }

  private CompletableFuture<Message> apply(long index, String... args) {
    CommandCall.Builder call = CommandCall.newBuilder();
    for (String a : args) {
      call.addArgs(ByteString.copyFrom(a, StandardCharsets.UTF_8));
    }
    SlotGroupEntry entry = SlotGroupEntry.newBuilder().setTimeMs(1).addCalls(call).build();
    LogEntryProto log = LogEntryProto.newBuilder().setTerm(1).setIndex(index)
        .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
            .setLogData(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(
                entry.toByteArray()))
            .setClientId(CLIENT.toByteString()).setCallId(index))
        .build();
    return machine.applyTransaction(
        TransactionContext.newBuilder().setStateMachine(machine).setLogEntry(log).build());
  }
}
