package io.kvorum.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.fixture.KvorumProcess;
import io.kvorum.it.fixture.RawResp;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node frozen longer than Ratis tolerates (SIGSTOP here; swapping or a stuck disk in life):
 * Ratis closes its Raft server when the node wakes up, and the node must then exit with status
 * 75 so that its supervisor restarts it, rather than keep answering clients with no Raft behind
 * it. Ratis's close threshold is lowered to 3 s for the test (60 s by default).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FrozenNodeTest {

  @Test
  void aNodeFrozenPastTheCloseThresholdExitsToBeRestarted() throws Exception {
    try (KvorumProcess node = KvorumProcess.start("frozen", List.of(),
        "-Xmx512m -XX:+ExitOnOutOfMemoryError -Dkvorum.raft.closeThresholdSeconds=3")) {
      awaitWritable(node);

      signal("STOP", node.pid());
      Thread.sleep(6000);
      signal("CONT", node.pid());

      int status = node.awaitExit(Duration.ofSeconds(60));
      assertThat(status).as("exit status; log:%n%s", node.logTail(30)).isEqualTo(75);
      assertThat(node.logTail(200)).contains("The Raft server closed itself");

      node.restart();
      awaitWritable(node);
    }
  }

  private static void signal(String name, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor()).as("kill -%s %d", name, pid).isZero();
  }

  private static void awaitWritable(KvorumProcess node) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (System.nanoTime() < deadline) {
      try (RawResp c = node.connect()) {
        var reply = c.call("SET", "frozen:probe", "1");
        if (!reply.isError()) {
          return;
        }
        last = reply.render();
      } catch (java.io.IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("SET kept failing for 60 s: " + last);
  }
}
