package io.kvorum.resp.slowlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.resp.proxy.ReplyBytes;
import io.kvorum.resp.testing.RawClient;
import io.kvorum.resp.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import io.kvorum.storage.reply.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slow log keeps what Redis keeps: the threshold and length as configured, newest first,
 * arguments cut as Redis cuts them, passwords redacted, and EXEC and blocking commands out.
 */
class SlowLogTest {
  @TempDir Path dir;

  private static byte[][] args(String... a) {
    byte[][] out = new byte[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  private static String text(Reply r) {
    return new String(ReplyBytes.encode(List.of(r), false).get(0), StandardCharsets.UTF_8);
  }

  @Test
  void thresholdLengthAndTheWayRedisCutsArguments() {
    SlowLog log = new SlowLog();
    assertThat(log.slow(9_999)).isFalse();
    assertThat(log.slow(10_000)).isTrue();
    log.slowerThanMicros(-1);
    assertThat(log.slow(Long.MAX_VALUE)).isFalse();
    log.slowerThanMicros(0);
    assertThat(log.slow(0)).isTrue();

    byte[][] many = new byte[40][];
    for (int i = 0; i < many.length; i++) {
      many[i] = ("a" + i).getBytes(StandardCharsets.UTF_8);
    }
    log.add(many, 5_000, 12, "1.2.3.4:5", null);
    log.add(args("SET", "k", "x".repeat(130)), 6_000, 34, "1.2.3.4:5", "me");
    assertThat(log.length()).isEqualTo(2);
    String reply = text(log.get(-1));
    // Newest first; 31 arguments and a note for the other 9; 128 bytes and a note for 2 more.
    assertThat(reply.indexOf("me")).isLessThan(reply.indexOf("a0"));
    assertThat(reply).contains("... (9 more arguments)").doesNotContain("a31")
        .contains("x".repeat(128) + "... (2 more bytes)");
    assertThat(text(log.get(1))).doesNotContain("a0");

    log.maxLength(1);
    assertThat(log.length()).isEqualTo(1);
    log.maxLength(0);
    log.add(args("GET", "k"), 7_000, 1, "a", "b");
    assertThat(log.length()).isZero();
  }

  @Test
  void passwordsAreRedacted() {
    assertThat(SlowLog.redacted("auth", args("AUTH", "user", "secret")))
        .isDeepEqualTo(args("AUTH", "(redacted)", "(redacted)"));
    assertThat(SlowLog.redacted("hello", args("HELLO", "3", "AUTH", "u", "p", "SETNAME", "n")))
        .isDeepEqualTo(args("HELLO", "3", "AUTH", "(redacted)", "(redacted)", "SETNAME", "n"));
    assertThat(SlowLog.redacted("config|set", args("CONFIG", "SET", "timeout", "5",
        "requirepass", "pw"))).isDeepEqualTo(args("CONFIG", "SET", "timeout", "5",
        "requirepass", "(redacted)"));
    byte[][] plain = args("SET", "k", "v");
    assertThat(SlowLog.redacted("set", plain)).isSameAs(plain);
  }

  @Test
  void aNodeLogsItsSlowCommandsButNotExecOrBlockingOnes() {
    try (TestServer node = new TestServer(dir); RawClient c = new RawClient(node.port())) {
      assertThat(c.call("CONFIG", "SET", "slowlog-log-slower-than", "0")).isEqualTo("+OK\r\n");
      assertThat(c.call("CLIENT", "SETNAME", "tester")).isEqualTo("+OK\r\n");
      assertThat(c.call("SLOWLOG", "RESET")).isEqualTo("+OK\r\n");
      assertThat(c.call("SET", "{s}k", "v")).isEqualTo("+OK\r\n");
      assertThat(c.call("MULTI")).isEqualTo("+OK\r\n");
      assertThat(c.call("INCR", "{s}n")).isEqualTo("+QUEUED\r\n");
      assertThat(c.call("EXEC")).isEqualTo("*1\r\n:1\r\n");
      assertThat(c.call("BLPOP", "{s}list", "0.01")).isEqualTo("*-1\r\n");
      String log = c.call("SLOWLOG", "GET", "-1");
      // MULTI, SET, RESET (newest first): EXEC skips the log and BLPOP waited.
      assertThat(log).startsWith("*3\r\n*6\r\n:4\r\n").contains("$5\r\nMULTI\r\n")
          .contains("$3\r\nSET\r\n$4\r\n{s}k\r\n$1\r\nv\r\n").contains("$6\r\ntester\r\n")
          .doesNotContain("EXEC").doesNotContain("BLPOP");
      assertThat(c.call("SLOWLOG", "LEN")).isEqualTo(":4\r\n");
      assertThat(c.call("CONFIG", "SET", "slowlog-log-slower-than", "-1")).isEqualTo("+OK\r\n");
      c.call("SET", "{s}k", "w");
      assertThat(c.call("SLOWLOG", "LEN")).isEqualTo(":5\r\n");
    }
  }
}
