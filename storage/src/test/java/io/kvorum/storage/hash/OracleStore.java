package io.kvorum.storage.hash;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.engine.NodeStorage;
import io.kvorum.storage.engine.SlotGroupStore;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.file.Path;
import java.util.List;

/**
 * A slot-group store driven like {@link StoreFixture} (writes as log entries, reads through the
 * read path, the same command table) that can also speak RESP3: each call says which protocol the
 * client uses, as the gateway does with {@code CommandCall.resp3}.
 */
public final class OracleStore implements AutoCloseable {
  private final NodeStorage node;
  private final SlotGroupStore store;
  private long index;
  /** The clock of the next entry or read, Unix milliseconds. */
  public long now = 1_700_000_000_000L;
  /** The random seed of the next log entry. */
  public long seed;

  public OracleStore(Path dir) {
    this.node = new NodeStorage(16L << 20, 16L << 20);
    this.store = SlotGroupStore.open(dir, node, StoreFixture.TABLE);
  }

  public static boolean isWrite(byte[][] args) {
    KeyspaceCommand c = StoreFixture.TABLE.resolve(args);
    return c != null && c.handler() != null && c.runsAsWrite();
  }

  /**
   * Runs one command: a write (or a read the gateway logs, such as SORT_RO) as its own log entry,
   * a read against a snapshot.
   */
  public Reply call(boolean resp3, byte[]... args) {
    return isWrite(args) ? apply(resp3, List.<byte[][]>of(args)).get(0)
        : store.read(args, resp3, now);
  }

  /** Applies several commands as one log entry. */
  public List<Reply> apply(boolean resp3, List<byte[][]> commands) {
    SlotGroupEntry.Builder e = SlotGroupEntry.newBuilder().setTimeMs(now).setRandomSeed(seed++);
    for (byte[][] args : commands) {
      CommandCall.Builder call = CommandCall.newBuilder().setResp3(resp3);
      for (byte[] a : args) {
        call.addArgs(ByteString.copyFrom(a));
      }
      e.addCalls(call);
    }
    return store.apply(1, ++index, e.build());
  }

  public SlotGroupStore store() {
    return store;
  }

  @Override
  public void close() {
    store.close();
    node.close();
  }
}
