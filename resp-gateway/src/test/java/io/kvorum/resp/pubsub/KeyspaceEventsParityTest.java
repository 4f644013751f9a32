package io.kvorum.resp.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.resp.testing.RawClient;
import io.kvorum.resp.testing.RedisOracle;
import io.kvorum.resp.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyspace notifications against a real redis-server 7.0: a script of writes (every key in one
 * slot, as Redis Cluster requires of multi-key commands) runs on one connection while another,
 * subscribed to {@code __key*}, records the notifications each command caused. After every
 * step the writer publishes a marker, so each step's notifications are told apart (a step may be
 * a whole MULTI/EXEC). See {@link KeyspaceEventScripts}.
 */
class KeyspaceEventsParityTest {
  @TempDir static Path dir;
  static TestServer node;
  static RedisOracle redis;

  @BeforeAll
  static void start() throws Exception {
    node = new TestServer(dir.resolve("kvorum"));
    redis = new RedisOracle(dir.resolve("redis"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (redis != null) {
      redis.close();
    }
    node.close();
  }

  @Test
  void everyClassOfEvents() throws Exception {
    KeyspaceEventScripts.assertSameSteps(KeyspaceEventScripts.run(node.port(), "KEA", false),
        KeyspaceEventScripts.run(redis.port(), "KEA", false));
  }

  @Test
  void onlySomeClassesAndOnlyKeyEvents() throws Exception {
    KeyspaceEventScripts.assertSameSteps(KeyspaceEventScripts.run(node.port(), "El$x", false),
        KeyspaceEventScripts.run(redis.port(), "El$x", false));
  }

  @Test
  void newKeyEvents() throws Exception {
    KeyspaceEventScripts.assertSameSteps(KeyspaceEventScripts.run(node.port(), "KEAn", false),
        KeyspaceEventScripts.run(redis.port(), "KEAn", false));
  }

  @Test
  void everyClassOfEventsInResp3() throws Exception {
    KeyspaceEventScripts.assertSameSteps(KeyspaceEventScripts.run(node.port(), "KEA", true),
        KeyspaceEventScripts.run(redis.port(), "KEA", true));
  }

  @Test
  void configuration() {
    for (int port : new int[] {node.port(), redis.port()}) {
      List<String> got = new ArrayList<>();
      try (RawClient c = new RawClient(port)) {
        for (String v : List.of("KEA", "A", "Eg$lshzxet", "Kx", "KEAm", "KEAn", "Ed", "zyx",
            "AAg", "")) {
          got.add(c.call("CONFIG", "SET", "notify-keyspace-events", v)
              + c.call("CONFIG", "GET", "notify-keyspace-events"));
        }
      }
      if (port == node.port()) {
        expected = got;
      } else {
        assertThat(expected).isEqualTo(got);
      }
    }
  }

  private List<String> expected;
}
