package io.kvorum.raft.group;

import io.kvorum.proto.slotgroup.SlotGroupEntry;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * A slot-group log entry on its way into Ratis. The serialized bytes become the log entry; the
 * leader keeps the parsed entry in the transaction context so it does not parse its own writes.
 */
public final class WriteMessage implements Message {
  private final SlotGroupEntry entry;
  private ByteString content;

  public WriteMessage(SlotGroupEntry entry) {
    this.entry = entry;
  }

  public SlotGroupEntry entry() {
    return entry;
  }

  @Override
  public ByteString getContent() {
    if (content == null) {
      content = UnsafeByteOperations.unsafeWrap(entry.toByteArray());
    }
    return content;
  }

  @Override
  public String toString() {
    return "WriteMessage(" + entry.getCallsCount() + " calls)";
  }
}
