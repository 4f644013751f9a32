package io.kvorum.resp.script;

import static io.kvorum.resp.testing.RawClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.resp.testing.RawClient;
import io.kvorum.resp.testing.TestServer;
import io.kvorum.storage.script.LuaScript;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * busy-reply-threshold, -BUSY and SCRIPT KILL / FUNCTION KILL through the RESP server: a script
 * running longer than the threshold makes its own slot group answer BUSY (other groups go on); a
 * read-only script can be killed, a script inside a log entry cannot.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ScriptKillCommandsTest {
  private static final String BUSY_EVAL = "-BUSY Redis is busy running a script. You can only "
      + "call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";
  private static final String NOTBUSY = "-NOTBUSY No scripts in execution right now.\r\n";
  @TempDir static Path dir;
  static TestServer node;

  @BeforeAll
  static void start() {
    node = new TestServer(dir.resolve("busy"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void thresholdIsAConfigParameterUnderBothNames() {
    try (RawClient c = new RawClient(node.port())) {
      assertThat(c.call("CONFIG", "GET", "busy-reply-threshold"))
          .isEqualTo("*2\r\n$20\r\nbusy-reply-threshold\r\n$4\r\n5000\r\n");
      assertThat(c.call("CONFIG", "SET", "lua-time-limit", "4000")).isEqualTo("+OK\r\n");
      assertThat(c.call("CONFIG", "GET", "busy-reply-threshold"))
          .isEqualTo("*2\r\n$20\r\nbusy-reply-threshold\r\n$4\r\n4000\r\n");
      assertThat(c.call("CONFIG", "SET", "busy-reply-threshold", "-1")).isEqualTo(
          "-ERR CONFIG SET failed (possibly related to argument 'busy-reply-threshold') - "
              + "argument must be between 0 and 9223372036854775807 inclusive\r\n");
      assertThat(c.call("SCRIPT", "KILL")).isEqualTo(NOTBUSY);
      assertThat(c.call("FUNCTION", "KILL")).isEqualTo(NOTBUSY);
      assertThat(c.call("CONFIG", "SET", "busy-reply-threshold", "5000")).isEqualTo("+OK\r\n");
    }
  }

  @Test
  void aReadOnlyScriptMakesItsGroupBusyUntilKilled() throws Exception {
    String loop = "local i = 0 while true do i = i + 1 end";
    try (RawClient runner = new RawClient(node.port()); RawClient c = new RawClient(node.port())) {
      c.call("CONFIG", "SET", "busy-reply-threshold", "200");
      runner.send(command("EVAL_RO", loop, "1", "{busy}k"));
      // FUNCTION KILL never stops an EVAL script: it shows when the script runs.
      awaitRunning(c);
      Thread.sleep(300);
      assertThat(c.call("GET", "{busy}k")).isEqualTo(BUSY_EVAL);
      assertThat(c.call("EVAL", "return 1", "1", "{busy}x")).isEqualTo(BUSY_EVAL);
      // Another slot group is not held up.
      assertThat(c.call("SET", "{other}k", "v")).isEqualTo("+OK\r\n");
      assertThat(c.call("FUNCTION", "KILL")).isEqualTo(BUSY_EVAL);
      assertThat(c.call("SCRIPT", "KILL")).isEqualTo("+OK\r\n");
      assertThat(runner.readRaw(1)).isEqualTo("-ERR Script killed by user with SCRIPT KILL... "
          + "script: " + LuaScript.sha1hex(loop.getBytes(StandardCharsets.UTF_8)) + ", on @user_script:1.\r\n");
      assertThat(c.call("GET", "{busy}k")).isEqualTo("$-1\r\n");
      assertThat(c.call("SCRIPT", "KILL")).isEqualTo(NOTBUSY);
      c.call("CONFIG", "SET", "busy-reply-threshold", "5000");
    }
  }

  @Test
  void aScriptInsideALogEntryIsUnkillable() throws Exception {
    String slow = "redis.call('set', KEYS[1], 'x') for i = 1, 100000000 do end return 'done'";
    try (RawClient runner = new RawClient(node.port()); RawClient c = new RawClient(node.port())) {
      c.call("CONFIG", "SET", "busy-reply-threshold", "100");
      runner.send(command("EVAL", slow, "1", "{w}k"));
      String refused = awaitRunning(c);
      // Every replica runs it: stopping it on one would leave them different.
      assertThat(refused).startsWith("-UNKILLABLE ");
      Thread.sleep(200);
      String get = c.call("GET", "{w}k");
      String kill = c.call("SCRIPT", "KILL");
      String reply = runner.readRaw(1);
      assertThat(reply).isEqualTo("$4\r\ndone\r\n");
      // (The script may have finished just before: then both are answered normally.)
      assertThat(get).isIn(BUSY_EVAL, "$1\r\nx\r\n");
      assertThat(kill).isIn("-UNKILLABLE Sorry the script already executed write commands "
          + "against the dataset. You can either wait the script termination or kill the server "
          + "in a hard way using the SHUTDOWN NOSAVE command.\r\n", NOTBUSY);
      assertThat(c.call("GET", "{w}k")).isEqualTo("$1\r\nx\r\n");
      c.call("CONFIG", "SET", "busy-reply-threshold", "5000");
    }
  }

  /** Polls FUNCTION KILL (which stops no EVAL script) until a script runs; its reply then. */
  private static String awaitRunning(RawClient c) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      String r = c.call("FUNCTION", "KILL");
      if (!r.equals(NOTBUSY)) {
        return r;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the script never started");
  }
}
