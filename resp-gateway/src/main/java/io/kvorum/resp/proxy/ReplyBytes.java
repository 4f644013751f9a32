package io.kvorum.resp.proxy;

import io.kvorum.resp.protocol.RespEncoder;
import io.kvorum.resp.protocol.RespReplyParser;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.List;

/**
 * Replies as they travel between nodes: the exact RESP bytes the leader's connection would write,
 * read back on the proxy into trees that the proxy's connection writes as the same bytes (it
 * speaks the protocol the request named).
 */
public final class ReplyBytes {
  private ReplyBytes() {}

  /** One RESP encoding per reply, in RESP3 when {@code resp3}. */
  public static List<byte[]> encode(List<Reply> replies, boolean resp3) {
    List<byte[]> out = new ArrayList<>(replies.size());
    for (Reply r : replies) {
      out.add(RespEncoder.toBytes(r, resp3));
    }
    return out;
  }

  /** The replies back; IllegalArgumentException when an encoding is not exactly one reply. */
  public static List<Reply> decode(List<byte[]> encoded) {
    List<Reply> out = new ArrayList<>(encoded.size());
    for (byte[] b : encoded) {
      List<Reply> one = RespReplyParser.parseExact(b);
      if (one.size() != 1) {
        throw new IllegalArgumentException("expected one reply, got " + one.size());
      }
      out.add(one.get(0));
    }
    return out;
  }
}
