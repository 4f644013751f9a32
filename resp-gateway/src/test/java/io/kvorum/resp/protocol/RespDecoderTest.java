package io.kvorum.resp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespDecoderTest {

  /** Limits with a switchable "unauthenticated" flag. */
  static final class Limits implements ProtocolLimits {
    long maxBulk = 16 * 1024 * 1024;
    long maxMultibulk = 1024 * 1024;
    long maxQuery = 64L * 1024 * 1024;
    boolean unauthenticated;

    @Override
    public long maxBulkLength() {
      return maxBulk;
    }

    @Override
    public long maxMultibulkLength() {
      return maxMultibulk;
    }

    @Override
    public long maxQueryBuffer() {
      return maxQuery;
    }

    @Override
    public boolean unauthenticated() {
      return unauthenticated;
    }
  }

  /** Decodes {@code input} fed in chunks of {@code chunk} bytes; returns commands as strings. */
  static List<String> decode(Limits limits, byte[] input, int chunk) {
    EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder(limits));
    for (int i = 0; i < input.length; i += chunk) {
      ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(input, i, Math.min(input.length, i + chunk))));
    }
    List<String> out = new ArrayList<>();
    Object m;
    while ((m = ch.readInbound()) != null) {
      if (m instanceof RespInput.Command c) {
        List<String> args = new ArrayList<>();
        for (byte[] a : c.args()) {
          args.add(new String(a, StandardCharsets.ISO_8859_1));
        }
        out.add(String.join("|", args));
      } else {
        out.add("!" + ((RespInput.Violation) m).error());
      }
    }
    ch.finishAndReleaseAll();
    return out;
  }

  static List<String> decode(String input) {
    return decode(new Limits(), input.getBytes(StandardCharsets.ISO_8859_1), Integer.MAX_VALUE);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void multibulkAndInlineDecodeTheSameWhateverTheSplit() {
    String input = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n"
        + "PING\r\n"
        + "echo \"a b\" 'c\\'d' \"\\x41\\n\"\n"
        + "*0\r\n*-1\r\n\r\n   \r\n"
        + "*1\r\n$0\r\n\r\n"
        + "*2\r\n$4\r\nECHO\r\n$10\r\n0123456789\r\n";
    List<String> expected = List.of("SET|key|va\r\nl", "PING", "echo|a b|c'd|A\n", "", "ECHO|0123456789");
    for (int chunk = 1; chunk <= input.length(); chunk++) {
      assertThat(decode(new Limits(), bytes(input), chunk)).as("chunk %d", chunk).isEqualTo(expected);
    }
  }

  @Test
  void largeArgumentArrivingInPiecesIsNotRescanned() {
    byte[] value = new byte[1 << 20];
    Arrays.fill(value, (byte) 'x');
    byte[] head = bytes("*2\r\n$4\r\nECHO\r\n$" + value.length + "\r\n");
    byte[] all = new byte[head.length + value.length + 2];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(value, 0, all, head.length, value.length);
    all[all.length - 2] = '\r';
    all[all.length - 1] = '\n';
    List<String> out = decode(new Limits(), all, 1000);
    assertThat(out).hasSize(1);
    assertThat(out.get(0)).hasSize(5 + value.length);
  }

  @Test
  void protocolErrorsUseRedisTexts() {
    assertThat(decode("*x\r\n")).containsExactly("!ERR Protocol error: invalid multibulk length");
    assertThat(decode("*2147483648\r\n")).containsExactly("!ERR Protocol error: invalid multibulk length");
    assertThat(decode("*1\r\n$-1\r\n")).containsExactly("!ERR Protocol error: invalid bulk length");
    assertThat(decode("*1\r\n$05\r\n")).containsExactly("!ERR Protocol error: invalid bulk length");
    assertThat(decode("*1\r\nx4\r\n")).containsExactly("!ERR Protocol error: expected '$', got 'x'");
    assertThat(decode("set a \"b\r\n")).containsExactly("!ERR Protocol error: unbalanced quotes in request");
    assertThat(decode("set a \"b\"c\r\n")).containsExactly("!ERR Protocol error: unbalanced quotes in request");
    assertThat(decode("set a 'b\r\n")).containsExactly("!ERR Protocol error: unbalanced quotes in request");
  }

  @Test
  void commandsBeforeAnErrorAreDeliveredThenNothingAfterIt() {
    assertThat(decode("PING\r\n*1\r\n$4\r\nECHO\r\n*1\r\n$x\r\nPING\r\n"))
        .containsExactly("PING", "ECHO", "!ERR Protocol error: invalid bulk length");
    byte[] input = bytes("GET a\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n*1\r\n?3\r\nPING\r\n");
    for (int chunk = 1; chunk < input.length; chunk++) {
      assertThat(decode(new Limits(), input, chunk))
          .containsExactly("GET|a", "GET|b", "!ERR Protocol error: expected '$', got '?'");
    }
  }

  @Test
  void configurableLimits() {
    Limits l = new Limits();
    l.maxBulk = 10;
    assertThat(decode(l, bytes("*1\r\n$10\r\n0123456789\r\n"), 3)).containsExactly("0123456789");
    assertThat(decode(l, bytes("*1\r\n$11\r\n"), 100)).containsExactly("!ERR Protocol error: invalid bulk length");
    l = new Limits();
    l.maxMultibulk = 3;
    assertThat(decode(l, bytes("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"), 100)).containsExactly("a|b|c");
    assertThat(decode(l, bytes("*4\r\n"), 100)).containsExactly("!ERR Protocol error: invalid multibulk length");
  }

  @Test
  void tooBigLinesWithoutNewline() {
    byte[] inline = new byte[ProtocolLimits.INLINE_MAX + 1];
    Arrays.fill(inline, (byte) 'a');
    assertThat(decode(new Limits(), inline, 4096)).containsExactly("!ERR Protocol error: too big inline request");
    byte[] mbulk = inline.clone();
    mbulk[0] = '*';
    assertThat(decode(new Limits(), mbulk, 4096)).containsExactly("!ERR Protocol error: too big mbulk count string");
    byte[] bulk = new byte[4 + ProtocolLimits.INLINE_MAX + 1];
    Arrays.fill(bulk, (byte) '1');
    System.arraycopy(bytes("*1\r\n$"), 0, bulk, 0, 5);
    assertThat(decode(new Limits(), bulk, 4096)).containsExactly("!ERR Protocol error: too big bulk count string");
    // A long inline line is fine as long as its newline is there (as in Redis).
    assertThat(decode(new Limits(), bytes("ECHO " + "b".repeat(100_000) + "\n"), 200_000)).hasSize(1);
  }

  @Test
  void unauthenticatedClientsGetRedisSmallLimits() {
    Limits l = new Limits();
    l.unauthenticated = true;
    assertThat(decode(l, bytes("*10\r\n"), 100)).isEmpty();
    assertThat(decode(l, bytes("*11\r\n"), 100)).containsExactly("!ERR Protocol error: unauthenticated multibulk length");
    assertThat(decode(l, bytes("*1\r\n$16384\r\n"), 100)).isEmpty();
    assertThat(decode(l, bytes("*1\r\n$16385\r\n"), 100)).containsExactly("!ERR Protocol error: unauthenticated bulk length");
  }

  @Test
  void queryBufferLimitClosesWithoutAReply() {
    Limits l = new Limits();
    l.maxQuery = 1024;
    byte[] value = new byte[2000];
    Arrays.fill(value, (byte) 'v');
    byte[] input = (new String(bytes("PING\r\n*2\r\n$4\r\nECHO\r\n$2000\r\n"), StandardCharsets.ISO_8859_1)
        + new String(value, StandardCharsets.ISO_8859_1) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    assertThat(decode(l, input, 100)).containsExactly("PING", "!null");
  }

  @Test
  void inlineSplittingFollowsSdssplitargs() {
    assertThat(split("set  key   \"hello world\"")).containsExactly("set", "key", "hello world");
    assertThat(split("a\"b c\"")).containsExactly("ab c");
    assertThat(split("\"\\x4a\\x4B\\xzz\"")).containsExactly("JK\\xzz".replace("\\xzz", "xzz"));
    assertThat(split("'it\\'s' \"q\\\"\"")).containsExactly("it's", "q\"");
    assertThat(split("\"\\t\\r\\n\\b\\a\\\\\"")).containsExactly("\t\r\n\b\u0007\\");
    assertThat(split("'a\\nb'")).containsExactly("a\\nb");
    assertThat(split("x\u0000y z")).containsExactly("x");
    assertThat(split("")).isEmpty();
    assertThat(InlineSplitter.split(bytes("\"abc"))).isNull();
    assertThat(InlineSplitter.split(bytes("'abc'x"))).isNull();
  }

  private static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    for (byte[] a : InlineSplitter.split(bytes(line))) {
      out.add(new String(a, StandardCharsets.ISO_8859_1));
    }
    return out;
  }
}
