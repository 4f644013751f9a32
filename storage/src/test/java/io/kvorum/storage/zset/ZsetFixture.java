package io.kvorum.storage.zset;

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
 * A real slot-group store driven like the Raft layer drives it (writes as log entries, reads
 * through the read path), with the client's protocol version as a parameter so RESP3 replies can
 * be checked. Uses the same command table as {@link StoreFixture}.
 */
public final class ZsetFixture implements AutoCloseable {
  private final NodeStorage node;
  private final SlotGroupStore store;
  private long index;
  /** The clock of the next entry or read, Unix milliseconds. */
  public long now = 1_700_000_000_000L;

  public ZsetFixture(Path dir) {
    this.node = new NodeStorage(16L << 20, 16L << 20);
    this.store = SlotGroupStore.open(dir, node, StoreFixture.TABLE);
  }

  public SlotGroupStore store() {
    return store;
  }

  /** Runs a command given as one string split on single spaces, in RESP2. */
  public Reply run(String command) {
    return call(false, StoreFixture.split(command));
  }

  /** Runs a command given as one string split on single spaces, in RESP3. */
  public Reply run3(String command) {
    return call(true, StoreFixture.split(command));
  }

  /** Writes through a log entry, reads through the read path. */
  public Reply call(boolean resp3, byte[]... args) {
    KeyspaceCommand c = StoreFixture.TABLE.resolve(args);
    boolean write = c != null && c.handler() != null && c.runsAsWrite();
    return write ? apply(resp3, List.<byte[][]>of(args)).get(0) : store.read(args, resp3, now);
  }

  /** Applies several commands as one log entry. */
  public List<Reply> apply(boolean resp3, List<byte[][]> commands) {
    SlotGroupEntry.Builder e = SlotGroupEntry.newBuilder().setTimeMs(now).setRandomSeed(index);
    for (byte[][] args : commands) {
      CommandCall.Builder call = CommandCall.newBuilder().setResp3(resp3);
      for (byte[] a : args) {
        call.addArgs(ByteString.copyFrom(a));
      }
      e.addCalls(call);
    }
    return store.apply(1, ++index, e.build());
  }

  @Override
  public void close() {
    store.close();
    node.close();
  }
}
