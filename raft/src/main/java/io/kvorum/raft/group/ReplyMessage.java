package io.kvorum.raft.group;

import io.kvorum.storage.reply.Reply;
import java.util.List;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The replies of an applied entry or a read, handed back to the local caller as objects. Requests
 * are always submitted to the local division, so Ratis never ships this message over the wire;
 * {@link #getContent} is empty for that reason.
 */
public final class ReplyMessage implements Message {
  private final List<Reply> replies;

  public ReplyMessage(List<Reply> replies) {
    this.replies = replies;
  }

  public List<Reply> replies() {
    return replies;
  }

  @Override
  public ByteString getContent() {
    return ByteString.EMPTY;
  }

  @Override
  public String toString() {
    return "ReplyMessage(" + replies.size() + ")";
  }
}
