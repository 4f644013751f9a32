package io.kvorum.resp.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvorum.resp.protocol.RespEncoder;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyBytesTest {

  @Test
  void everyReplyTypeCrossesToTheSameBytesInBothProtocols() {
    // An error carrying a client's non-UTF-8 key byte, as storage builds it (one char per byte).
    String latin1Key = new String(new byte[] {'k', (byte) 0xE9, (byte) 0xFF},
        StandardCharsets.ISO_8859_1);
    List<Reply> replies = List.of(
        Reply.OK,
        new Reply.Status("QUEUED"),
        new Reply.Error("NOGROUP No such key '" + latin1Key + "' or consumer group 'g'"),
        new Reply.Error("ERR wide \u20ac text"),
        Reply.integer(-42),
        Reply.bulk(new byte[] {0, (byte) 0x80, '\r', '\n', (byte) 0xFF}),
        Reply.NULL,
        Reply.NULL_ARRAY,
        Reply.array(Reply.bulk("a"), Reply.NULL, Reply.array()),
        new Reply.MapReply(List.of(Reply.bulk("f"), new Reply.Double("1.5"))),
        new Reply.SetReply(List.of(Reply.bulk("m"))),
        new Reply.Double("-inf"),
        new Reply.Bool(true),
        new Reply.Bool(false),
        new Reply.Verbatim("txt", "line\r\nnext".getBytes(StandardCharsets.UTF_8)),
        new Reply.BigNumber("123456789012345678901234567890"),
        new Reply.Push(List.of(Reply.bulk("message"), Reply.bulk("ch"))));
    for (boolean resp3 : new boolean[] {false, true}) {
      List<byte[]> sent = ReplyBytes.encode(replies, resp3);
      List<Reply> received = ReplyBytes.decode(sent);
      assertThat(received).hasSize(replies.size());
      for (int i = 0; i < replies.size(); i++) {
        assertThat(RespEncoder.toBytes(received.get(i), resp3))
            .as("reply %s in RESP%s", replies.get(i), resp3 ? 3 : 2)
            .isEqualTo(RespEncoder.toBytes(replies.get(i), resp3));
      }
    }
  }

  @Test
  void anEncodingThatIsNotExactlyOneReplyIsRefused() {
    byte[] two = "+OK\r\n+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> ReplyBytes.decode(List.of(two)))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] truncated = "$5\r\nab".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> ReplyBytes.decode(List.of(truncated)))
        .isInstanceOf(RuntimeException.class);
  }
}
