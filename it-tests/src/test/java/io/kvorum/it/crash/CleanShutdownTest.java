package io.kvorum.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.fixture.KvorumProcess;
import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.RespReply;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The two ways an operator stops a node, SIGTERM (systemd, Kubernetes, Ctrl-C) and the
 * {@code SHUTDOWN} command, make it exit promptly, and the restarted node (same data directory)
 * has everything that was written.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CleanShutdownTest {

  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

  @Test
  void sigtermStopsTheNodeAndARestartKeepsItsData() throws Exception {
    try (KvorumProcess node = KvorumProcess.start("sigterm")) {
      writeKeys(node, "sigterm", 200);

      node.stop(EXIT_TIMEOUT); // throws if it does not exit in time
      assertThat(node.isAlive()).isFalse();

      node.restart();
      assertKeys(node, "sigterm", 200);
    }
  }

  @Test
  void shutdownCommandStopsTheNodeAndARestartKeepsItsData() throws Exception {
    try (KvorumProcess node = KvorumProcess.start("shutdown-command")) {
      writeKeys(node, "shutdown", 200);

      try (RawResp connection = node.connect()) {
        // Like Redis: no reply on success, the server just closes the connection.
        RespReply reply = connection.call("SHUTDOWN");
        assertThat(reply.isError()).as("SHUTDOWN answered %s", reply.render()).isFalse();
      } catch (EOFException | SocketException closedByTheServer) {
        // expected
      }
      node.awaitExit(EXIT_TIMEOUT);
      assertThat(node.isAlive()).isFalse();

      node.restart();
      assertKeys(node, "shutdown", 200);
    }
  }

  @Test
  void sigtermStopsANodeWhoseDataDirectoryWasDeletedUnderIt() throws Exception {
    try (KvorumProcess node = KvorumProcess.start("deleted-data-dir")) {
      writeKeys(node, "doomed", 200);
      try (Stream<Path> files = Files.walk(node.dataDir())) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }

      // Stopping snapshots every group; each snapshot now fails. Ratis used to retry such a
      // failure in a tight loop that filled the log by hundreds of MB a second and never exited.
      node.stop(EXIT_TIMEOUT); // throws if it does not exit in time
      assertThat(node.isAlive()).isFalse();
      assertThat(Files.size(node.logFile())).as("log size").isLessThan(5L << 20);
    }
  }

  private static void writeKeys(KvorumProcess node, String prefix, int count) throws Exception {
    try (RawResp connection = awaitWritable(node)) {
      for (int i = 0; i < count; i++) {
        connection.send(RawResp.utf8("SET", prefix + ":" + i, "value-" + i));
      }
      connection.flush();
      for (int i = 0; i < count; i++) {
        RespReply reply = connection.read();
        assertThat(reply.text()).as("SET %s:%d", prefix, i).isEqualTo("OK");
      }
    }
  }

  private static void assertKeys(KvorumProcess node, String prefix, int count) throws Exception {
    try (RawResp connection = awaitReadable(node, prefix + ":0")) {
      for (int i = 0; i < count; i++) {
        assertThat(connection.call("GET", prefix + ":" + i).text()).as("GET %s:%d after restart", prefix, i)
            .isEqualTo("value-" + i);
      }
    }
  }

  /** A fresh or restarted node answers PING before its Raft groups have leaders; wait for those. */
  private static RawResp awaitWritable(KvorumProcess node) throws Exception {
    return awaitReply(node, new String[] {"SET", "shutdown-test:probe", "1"});
  }

  private static RawResp awaitReadable(KvorumProcess node, String key) throws Exception {
    return awaitReply(node, new String[] {"GET", key});
  }

  private static RawResp awaitReply(KvorumProcess node, String[] command) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (System.nanoTime() < deadline) {
      RawResp connection = null;
      try {
        connection = node.connect();
        RespReply reply = connection.call(command);
        if (!reply.isError()) {
          return connection;
        }
        last = reply.render();
      } catch (IOException e) {
        last = e.toString();
      }
      if (connection != null) {
        connection.close();
      }
      Thread.sleep(200);
    }
    throw new AssertionError(String.join(" ", command) + " kept failing for 60 s (" + last + "). Log:\n" + node.logTail(40));
  }
}
