package io.kvorum.storage.testing;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.engine.NodeStorage;
import io.kvorum.storage.engine.SlotGroupStore;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real slot-group store in a temporary directory, driven like the Raft layer drives it: write
 * commands through {@code apply} (one log entry each, increasing index, a clock the test sets),
 * read commands through {@code read}. The table is the standard one plus those {@link
 * FakeCollections} stand-ins whose real data type does not exist yet.
 */
public final class StoreFixture implements AutoCloseable {
  public static final KeyspaceCommandTable TABLE =
      KeyspaceCommandTable.standardPlus(FakeCollections.table());

  private final NodeStorage node;
  private final SlotGroupStore store;
  private final KeyspaceCommandTable table;
  private long index;
  /** The clock of the next entry or read, Unix milliseconds. */
  public long now = 1_700_000_000_000L;

  public StoreFixture(Path dir) {
    this(dir, TABLE);
  }

  /** A store whose table also has {@code extra} (test-only commands such as layout checks). */
  public StoreFixture(Path dir, List<KeyspaceCommand> extra) {
    this(dir, KeyspaceCommandTable.standardPlus(concat(FakeCollections.table(), extra)));
  }

  private StoreFixture(Path dir, KeyspaceCommandTable table) {
    this.node = new NodeStorage(16L << 20, 16L << 20);
    this.table = table;
    this.store = SlotGroupStore.open(dir, node, table);
  }

  private static List<KeyspaceCommand> concat(List<KeyspaceCommand> a, List<KeyspaceCommand> b) {
    List<KeyspaceCommand> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }


  public SlotGroupStore store() {
    return store;
  }

  /** Runs one command, splitting on single spaces: writes through the log, reads directly. */
  public Reply run(String command) {
    return call(split(command));
  }

  /** Runs one command given as arguments. */
  public Reply call(byte[]... args) {
    KeyspaceCommand c = table.resolve(args);
    boolean write = c != null && c.handler() != null && c.runsAsWrite();
    return write ? apply(List.<byte[][]>of(args)).get(0) : store.read(args, false, now);
  }

  /** Applies several commands as one log entry (one WriteBatch), at {@link #now}. */
  public List<Reply> apply(List<byte[][]> commands) {
    SlotGroupEntry.Builder e = SlotGroupEntry.newBuilder().setTimeMs(now).setRandomSeed(index);
    for (byte[][] args : commands) {
      CommandCall.Builder call = CommandCall.newBuilder();
      for (byte[] a : args) {
        call.addArgs(ByteString.copyFrom(a));
      }
      e.addCalls(call);
    }
    return store.apply(1, ++index, e.build());
  }

  public static byte[][] split(String command) {
    String[] parts = command.split(" ", -1);
    byte[][] args = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      args[i] = parts[i].getBytes(StandardCharsets.UTF_8);
    }
    return args;
  }

  @Override
  public void close() {
    store.close();
    node.close();
  }
}
