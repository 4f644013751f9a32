package io.kvorum.raft.group;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * A read-only command handed to the local division's linearizable read path. It never leaves the
 * process, so the state machine receives this very object in {@code query}.
 */
public final class ReadMessage implements Message {
  private final byte[][] args;
  private final boolean resp3;

  public ReadMessage(byte[][] args, boolean resp3) {
    this.args = args;
    this.resp3 = resp3;
  }

  public byte[][] args() {
    return args;
  }

  public boolean resp3() {
    return resp3;
  }

  /** Only for Ratis's logging; the read itself is local. */
  @Override
  public org.apache.ratis.thirdparty.com.google.protobuf.ByteString getContent() {
    CommandCall.Builder b = CommandCall.newBuilder().setResp3(resp3);
    for (byte[] a : args) {
      b.addArgs(ByteString.copyFrom(a));
    }
    return UnsafeByteOperations.unsafeWrap(b.build().toByteArray());
  }

  @Override
  public String toString() {
    return "ReadMessage(" + new String(args[0], java.nio.charset.StandardCharsets.ISO_8859_1) + ")";
  }
}
