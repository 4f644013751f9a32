package io.kvorum.resp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespEncoderTest {

  static String resp2(Reply r) {
    return new String(RespEncoder.toBytes(r, false), StandardCharsets.ISO_8859_1);
  }

  static String resp3(Reply r) {
    return new String(RespEncoder.toBytes(r, true), StandardCharsets.ISO_8859_1);
  }

  static void both(Reply r, String v2, String v3) {
    assertThat(resp2(r)).isEqualTo(v2);
    assertThat(resp3(r)).isEqualTo(v3);
    // What we write, we read back to a tree that writes the same bytes (RESP3 keeps every type).
    byte[] encoded = RespEncoder.toBytes(r, true);
    List<Reply> parsed = RespReplyParser.parseAll(encoded);
    assertThat(parsed).hasSize(1);
    assertThat(RespEncoder.toBytes(parsed.get(0), true)).isEqualTo(encoded);
    assertThat(RespEncoder.toBytes(parsed.get(0), false)).isEqualTo(RespEncoder.toBytes(r, false));
  }

  @Test
  void everyReplyTypeInBothProtocols() {
    both(Reply.OK, "+OK\r\n", "+OK\r\n");
    both(new Reply.Status("QUEUED"), "+QUEUED\r\n", "+QUEUED\r\n");
    both(new Reply.Error("ERR bad thing"), "-ERR bad thing\r\n", "-ERR bad thing\r\n");
    // Like Redis, CR and LF inside an error text become spaces.
    assertThat(resp2(new Reply.Error("ERR bad\r\nthing"))).isEqualTo("-ERR bad  thing\r\n");
    both(Reply.integer(-42), ":-42\r\n", ":-42\r\n");
    both(Reply.integer(Long.MAX_VALUE), ":9223372036854775807\r\n", ":9223372036854775807\r\n");
    both(Reply.bulk("hé"), "$3\r\nh\u00c3\u00a9\r\n", "$3\r\nh\u00c3\u00a9\r\n");
    both(Reply.bulk(new byte[0]), "$0\r\n\r\n", "$0\r\n\r\n");
    both(Reply.NULL, "$-1\r\n", "_\r\n");
    assertThat(resp2(Reply.NULL_ARRAY)).isEqualTo("*-1\r\n");
    assertThat(resp3(Reply.NULL_ARRAY)).isEqualTo("_\r\n");
    both(Reply.array(Reply.integer(1), Reply.bulk("a")), "*2\r\n:1\r\n$1\r\na\r\n", "*2\r\n:1\r\n$1\r\na\r\n");
    both(Reply.EMPTY_ARRAY, "*0\r\n", "*0\r\n");
    both(new Reply.MapReply(List.of(Reply.bulk("k"), Reply.integer(7))), "*2\r\n$1\r\nk\r\n:7\r\n",
        "%1\r\n$1\r\nk\r\n:7\r\n");
    both(new Reply.SetReply(List.of(new Reply.Status("a"))), "*1\r\n+a\r\n", "~1\r\n+a\r\n");
    both(new Reply.Double("1.5"), "$3\r\n1.5\r\n", ",1.5\r\n");
    both(new Reply.Double("inf"), "$3\r\ninf\r\n", ",inf\r\n");
    both(new Reply.Bool(true), ":1\r\n", "#t\r\n");
    both(new Reply.Bool(false), ":0\r\n", "#f\r\n");
    both(new Reply.Verbatim("txt", "ab\r\n".getBytes(StandardCharsets.UTF_8)), "$4\r\nab\r\n\r\n",
        "=8\r\ntxt:ab\r\n\r\n");
    both(new Reply.BigNumber("123456789012345678901234567890"),
        "$30\r\n123456789012345678901234567890\r\n", "(123456789012345678901234567890\r\n");
    both(new Reply.Push(List.of(Reply.bulk("message"))), "*1\r\n$7\r\nmessage\r\n", ">1\r\n$7\r\nmessage\r\n");
  }

  @Test
  void errorTextsCarryClientBytesAsLatin1() {
    assertThat(RespEncoder.toBytes(new Reply.Error("ERR '\u00ff'"), false))
        .containsExactly('-', 'E', 'R', 'R', ' ', '\'', 0xFF, '\'', '\r', '\n');
    assertThat(resp2(new Reply.Status("\u20ac"))).isEqualTo("+\u00e2\u0082\u00ac\r\n");
  }

  @Test
  void largeAggregates() {
    Reply.Array big = new Reply.Array(java.util.Collections.nCopies(5000, Reply.integer(1234)));
    assertThat(resp2(big)).startsWith("*5000\r\n:1234\r\n").hasSize(7 + 5000 * 7);
  }
}
