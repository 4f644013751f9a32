package io.kvorum.raft.group;

import org.apache.ratis.protocol.Message;

/**
 * A read-only command handed to the local division's linearizable read path. It never leaves the
 * process, so the state machine receives this very object in {@code query}.
 */
public final class ReadMessage implements Message {
  private static final org.apache.ratis.thirdparty.com.google.protobuf.ByteString MARKER =
      org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFromUtf8("kvorum-read");

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

  /**
   * Ratis compares every read's content with its own "dummy read" marker, so this must be cheap
   * and different from it; the arguments themselves never need serializing, the read is local.
   */
  @Override
  public org.apache.ratis.thirdparty.com.google.protobuf.ByteString getContent() {
    return MARKER;
  }

  @Override
  public String toString() {
    return "ReadMessage(" + new String(args[0], java.nio.charset.StandardCharsets.ISO_8859_1) + ")";
  }
}
