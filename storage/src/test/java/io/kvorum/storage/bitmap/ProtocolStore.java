package io.kvorum.storage.bitmap;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link StoreFixture} driven with a chosen protocol version: writes become log entries whose
 * calls carry the RESP3 flag, reads go through {@code read(args, resp3, now)}. All writes of a
 * test must go through this class (it numbers log entries after the store's applied index).
 */
public final class ProtocolStore implements AutoCloseable {
  private final StoreFixture fixture;

  public ProtocolStore(Path dir) {
    this.fixture = new StoreFixture(dir);
  }

  public StoreFixture fixture() {
    return fixture;
  }

  /** Runs a command the way the node would: write commands through the log, others as reads. */
  public Reply call(boolean resp3, byte[]... args) {
    KeyspaceCommand c = StoreFixture.TABLE.resolve(args);
    boolean write = c != null && c.handler() != null && c.runsAsWrite();
    return write ? applyAll(resp3, List.<byte[][]>of(args)).get(0)
        : fixture.store().read(args, resp3, fixture.now);
  }

  /** Runs any command, read-only ones included, inside a log entry (as in a transaction). */
  public Reply callInLog(boolean resp3, byte[]... args) {
    return applyAll(resp3, List.<byte[][]>of(args)).get(0);
  }

  /** Applies several commands as one log entry. */
  public List<Reply> applyAll(boolean resp3, List<byte[][]> commands) {
    long index = fixture.store().applied().index() + 1;
    SlotGroupEntry.Builder e =
        SlotGroupEntry.newBuilder().setTimeMs(fixture.now).setRandomSeed(index);
    for (byte[][] args : commands) {
      CommandCall.Builder call = CommandCall.newBuilder().setResp3(resp3);
      for (byte[] a : args) {
        call.addArgs(ByteString.copyFrom(a));
      }
      e.addCalls(call);
    }
    return fixture.store().apply(1, index, e.build());
  }

  @Override
  public void close() {
    fixture.close();
  }
}
