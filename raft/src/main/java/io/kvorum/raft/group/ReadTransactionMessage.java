package io.kvorum.raft.group;

import io.kvorum.storage.transaction.WatchedKey;
import java.util.List;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * A MULTI/EXEC transaction of read-only commands handed to the local division's linearizable
 * read path: it runs against one snapshot without a log entry. Never leaves the process.
 */
public final class ReadTransactionMessage implements Message {
  private static final ByteString MARKER = ByteString.copyFromUtf8("kvorum-read-transaction");

  private final List<byte[][]> commands;
  private final boolean resp3;
  private final List<WatchedKey> watched;

  public ReadTransactionMessage(List<byte[][]> commands, boolean resp3, List<WatchedKey> watched) {
    this.commands = commands;
    this.resp3 = resp3;
    this.watched = watched;
  }

  public List<byte[][]> commands() {
    return commands;
  }

  public boolean resp3() {
    return resp3;
  }

  public List<WatchedKey> watched() {
    return watched;
  }

  /** Must differ from Ratis's "dummy read" marker; the read is local, nothing is serialized. */
  @Override
  public ByteString getContent() {
    return MARKER;
  }

  @Override
  public String toString() {
    return "ReadTransactionMessage(" + commands.size() + " commands)";
  }
}
