package io.kvorum.server.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvorum.server.config.ServerConfigLoader;
import io.kvorum.storage.slot.HashSlot;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * SCRIPT KILL of a write script on a whole node (Raft, RocksDB, RESP) with Jedis: the leader runs
 * EVAL first, where it can be killed until it writes, as in Redis; its slot group answers BUSY
 * meanwhile and serves again as soon as it is killed, with nothing applied.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KvorumNodeScriptKillTest {
  private static final String BUSY = "BUSY Redis is busy running a script. You can only call "
      + "SCRIPT KILL or SHUTDOWN NOSAVE.";
  private static final int GROUPS = 4;
  @TempDir static Path dir;
  static KvorumNode node;
  /** A key, one in the same slot group and one in another group. */
  static final String KEY = "{loop}k";
  static final String SAME_GROUP = "{loop}other";
  static String otherGroup;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @BeforeAll
  static void start() throws IOException {
    Map<String, String> flags = new HashMap<>();
    flags.put("port", Integer.toString(freePort()));
    flags.put("raft-port", Integer.toString(freePort()));
    flags.put("admin-port", Integer.toString(freePort()));
    flags.put("data-dir", dir.toString());
    flags.put("slot-groups", Integer.toString(GROUPS));
    node = KvorumNode.start(ServerConfigLoader.load(flags, Map.of(), null));
    for (int i = 0; otherGroup == null; i++) {
      String candidate = "{other" + i + "}k";
      if (group(candidate) != group(KEY)) {
        otherGroup = candidate;
      }
    }
  }

  /** The slot group of a key: groups are equal contiguous slot ranges. */
  static int group(String key) {
    return HashSlot.of(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)) * GROUPS
        / HashSlot.COUNT;
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static Jedis jedis() {
    Jedis j = new Jedis("127.0.0.1", node.respPort(), 60_000);
    return j;
  }

  @BeforeEach
  void reset() {
    try (Jedis j = jedis()) {
      j.flushAll();
      j.configSet("busy-reply-threshold", "200");
    }
  }

  /** Runs EVAL on its own connection; returns once the script runs (FUNCTION KILL says so). */
  static CompletableFuture<Object> evalInBackground(String script) throws InterruptedException {
    CompletableFuture<Object> reply = CompletableFuture.supplyAsync(() -> {
      try (Jedis j = jedis()) {
        return j.eval(script, 1, KEY);
      } catch (JedisDataException e) {
        return e;
      }
    });
    try (Jedis admin = jedis()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          admin.functionKill();
        } catch (JedisDataException e) {
          if (!e.getMessage().startsWith("NOTBUSY")) {
            return reply;
          }
        }
        assertThat(System.nanoTime()).as("the script starts").isLessThan(deadline);
        Thread.sleep(10);
      }
    }
  }

  @Test
  void aRunawayWriteScriptIsKilledBeforeItWritesAndTheGroupServesAgainAtOnce() throws Exception {
    try (Jedis c = jedis()) {
      c.set(KEY, "before");
      String loop = "local v = redis.call('get', KEYS[1]) while true do end";
      CompletableFuture<Object> runner = evalInBackground(loop);
      Thread.sleep(300);
      assertThatThrownBy(() -> c.get(SAME_GROUP)).hasMessage(BUSY);
      assertThatThrownBy(() -> c.set(KEY, "during")).hasMessage(BUSY);
      // Another slot group is not held up.
      assertThat(c.set(otherGroup, "v")).isEqualTo("OK");
      assertThat(c.get(otherGroup)).isEqualTo("v");
      assertThat(c.scriptKill()).isEqualTo("OK");
      Object reply = runner.get(20, TimeUnit.SECONDS);
      assertThat(reply).isInstanceOf(JedisDataException.class);
      assertThat(((JedisDataException) reply).getMessage()).isEqualTo(
          "ERR Script killed by user with SCRIPT KILL... script: "
              + sha1(loop) + ", on @user_script:1.");
      long start = System.nanoTime();
      assertThat(c.get(KEY)).isEqualTo("before");
      assertThat(c.set(SAME_GROUP, "after")).isEqualTo("OK");
      assertThat(System.nanoTime() - start).as("served at once")
          .isLessThan(TimeUnit.SECONDS.toNanos(2));
      assertThat(c.dbSize()).isEqualTo(3);
      assertThatThrownBy(c::scriptKill).hasMessage("NOTBUSY No scripts in execution right now.");
    }
  }

  @Test
  void aWriteScriptThatWroteCannotBeKilledAndKeepsItsWrites() throws Exception {
    try (Jedis c = jedis()) {
      // Long enough to be caught running (twice: first on the leader, then in its log entry).
      String slow = "redis.call('set', KEYS[1], 'x') local i = 0 "
          + "while i < 40000000 do i = i + 1 end return 'done'";
      CompletableFuture<Object> runner = evalInBackground(slow);
      // FUNCTION KILL never stops an EVAL, so it can watch for the write without racing it:
      // a SCRIPT KILL sent before the script's first statement ran would rightly kill it.
      String wrote = null;
      while (wrote == null) {
        assertThat(runner.isDone()).as("the script is still running").isFalse();
        try {
          c.functionKill();
        } catch (JedisDataException e) {
          if (e.getMessage().startsWith("UNKILLABLE Sorry")) {
            wrote = e.getMessage();
          }
        }
        Thread.sleep(5);
      }
      String refused = null;
      while (refused == null && !runner.isDone()) {
        try {
          String killed = c.scriptKill();
          throw new AssertionError("SCRIPT KILL stopped a script that wrote: " + killed);
        } catch (JedisDataException e) {
          if (e.getMessage().startsWith("UNKILLABLE")) {
            refused = e.getMessage();
          }
        }
        Thread.sleep(5);
      }
      assertThat(refused).isEqualTo("UNKILLABLE Sorry the script already executed write "
          + "commands against the dataset. You can either wait the script termination or kill "
          + "the server in a hard way using the SHUTDOWN NOSAVE command.");
      assertThat(runner.get(60, TimeUnit.SECONDS)).isEqualTo("done");
      assertThat(c.get(KEY)).isEqualTo("x");
    }
  }

  @Test
  void aScriptThatOnlyReadsIsAnsweredWithoutWaitingForItsEntryAndKeepsEvalshaWorking() {
    try (Jedis c = jedis()) {
      c.set(KEY, "v");
      String read = "return redis.call('get', KEYS[1])";
      assertThat(c.eval(read, 1, KEY)).isEqualTo("v");
      assertThat(c.evalsha(sha1(read), 1, KEY)).isEqualTo("v");
      assertThat(c.eval("return redis.call('incr', KEYS[1])", 1, SAME_GROUP)).isEqualTo(1L);
      assertThat(c.eval("return redis.call('incr', KEYS[1])", 1, SAME_GROUP)).isEqualTo(2L);
      // A pipeline of a write, a script and a write keeps its order.
      var p = c.pipelined();
      p.set(SAME_GROUP, "10");
      p.eval("return redis.call('incrby', KEYS[1], 5)", 1, SAME_GROUP);
      p.incr(SAME_GROUP);
      assertThat(p.syncAndReturnAll()).containsExactly("OK", 15L, 16L);
    }
  }

  static String sha1(String script) {
    return io.kvorum.storage.script.LuaScript.sha1hex(
        script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
