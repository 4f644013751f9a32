package io.kvorum.resp.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.resp.testing.RawClient;
import io.kvorum.resp.testing.TestServer;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocking scenarios across several connections, played against a real redis-server 7.0 and
 * against Kvorum in RESP2 and RESP3: every reply must be the same bytes, and a client Redis keeps
 * blocked must stay blocked here too.
 *
 * <p>Steps: {@code A: cmd} sends on connection A and records the reply; {@code A> cmd} sends a
 * command that blocks (then waits for it to park); {@code A<} records A's next reply; {@code A~}
 * records whether A stays silent for a while; {@code A close} disconnects A. {@code $A} in a
 * command is A's client id.
 */
class BlockingParityTest {
  static final int PARK_MS = 120;

  @TempDir static Path dir;
  static TestServer node;
  static Process redis;
  static int redisPort;

  @BeforeAll
  static void start() throws Exception {
    node = new TestServer(dir.resolve("kvorum"));
    try (ServerSocket s = new ServerSocket(0)) {
      redisPort = s.getLocalPort();
    }
    File data = dir.resolve("redis").toFile();
    data.mkdirs();
    try {
      redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort),
          "--bind", "127.0.0.1", "--dir", data.getPath(), "--save", "", "--appendonly", "no")
          .redirectErrorStream(true).redirectOutput(new File(data, "log")).start();
    } catch (java.io.IOException e) {
      return;
    }
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try (RawClient c = new RawClient(redisPort)) {
        c.call("PING");
        return;
      } catch (RuntimeException e) {
        assertThat(System.currentTimeMillis()).isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (redis != null) {
      redis.destroy();
      redis.waitFor(5, TimeUnit.SECONDS);
    }
    node.close();
  }

  static final List<List<String>> SCENARIOS = List.of(
      List.of("A> BLPOP l 0", "A~", "B: RPUSH l x y", "A<", "B: LRANGE l 0 -1"),
      List.of("A> BRPOP {k}a {k}b 0", "B: RPUSH {k}b 1 2", "A<", "B: LRANGE {k}b 0 -1"),
      List.of("A> BLMOVE {k}s {k}d RIGHT LEFT 0", "B: RPUSH {k}s x y", "A<",
          "B: LRANGE {k}d 0 -1", "B: LRANGE {k}s 0 -1"),
      List.of("A> BRPOPLPUSH {k}s {k}s 0", "B: RPUSH {k}s 1 2 3", "A<", "B: LRANGE {k}s 0 -1"),
      List.of("A> BLMPOP 0 2 {k}a {k}b LEFT COUNT 5", "B: RPUSH {k}b 1 2 3", "A<",
          "B: EXISTS {k}b"),
      List.of("A> BZPOPMIN {z}a {z}b 0", "B: ZADD {z}b 2.5 m 3 n", "A<",
          "A> BZPOPMAX {z}a 0", "B: ZADD {z}a -1 o", "A<",
          "A> BZMPOP 0 2 {z}a {z}b MAX COUNT 3", "B: ZADD {z}a 1 p 2 q", "A<"),
      List.of("A: BLPOP l 0.1", "A: BRPOP l 0.1", "A: BLMOVE {k}a {k}b LEFT LEFT 0.1",
          "A: BRPOPLPUSH {k}a {k}b 0.1", "A: BLMPOP 0.1 1 l LEFT", "A: BZPOPMIN z 0.1",
          "A: BZPOPMAX z 0.1", "A: BZMPOP 0.1 1 z MIN", "A: BLPOP l 0.001"),
      List.of("A> BLPOP q 0", "C> BLPOP q 0", "B: RPUSH q 1", "A<", "C~", "B: RPUSH q 2 3",
          "C<", "B: LRANGE q 0 -1"),
      List.of("C> BLPOP {k}d 0", "A> BLMOVE {k}s {k}d LEFT LEFT 0", "B: RPUSH {k}s x", "A<",
          "C<", "B: EXISTS {k}d {k}s"),
      List.of("A> BLPOP {k}a {k}b 0", "B: SET {k}a s", "A~", "B: RPUSH {k}b v", "A<",
          "A: BLPOP {k}a 0"),
      List.of("A> BZPOPMIN {k}a {k}b 0", "B: RPUSH {k}a s", "A~", "B: ZADD {k}b 1 m", "A<"),
      List.of("B: SET {k}d s", "A> BLMOVE {k}a {k}d LEFT RIGHT 0", "B: RPUSH {k}a 1 2", "A<",
          "B: LRANGE {k}a 0 -1", "B: GET {k}d"),
      List.of("B: CLIENT UNBLOCK $A", "A> BLPOP l 0", "B: CLIENT UNBLOCK $A", "A<",
          "A> BZPOPMIN z 0", "B: CLIENT UNBLOCK $A ERROR", "A<", "B: CLIENT UNBLOCK $A ERROR",
          "B: CLIENT UNBLOCK $A foo", "B: CLIENT UNBLOCK x", "B: CLIENT UNBLOCK x y",
          "B: CLIENT UNBLOCK 1 timeout z"),
      List.of("A> BLPOP l 0.2", "A> RPUSH l mine", "A~", "B: EXISTS l", "A<", "A<"),
      List.of("A> BLPOP l 0", "A close", "B: RPUSH l x", "B: LRANGE l 0 -1"),
      // XREAD/XREADGROUP BLOCK on a key of another type answer WRONGTYPE at once, whatever the
      // other keys hold; a key that turns into another type while a client waits on it does not
      // wake the client (Redis 7.0 serves stream waiters only when the key is a stream).
      List.of("B: RPUSH {x}l a", "B: XADD {x}s 1-1 f v", "B: XGROUP CREATE {x}s g $",
          "A: XREAD BLOCK 100 STREAMS {x}l $", "A: XREAD BLOCK 0 STREAMS {x}l 0",
          "A: XREAD BLOCK 0 STREAMS {x}s {x}l $ $", "A: XREAD BLOCK 0 STREAMS {x}n {x}l $ $",
          "A: XREADGROUP GROUP g c BLOCK 100 STREAMS {x}l >",
          "A: XREADGROUP GROUP g c BLOCK 0 STREAMS {x}s {x}l > >",
          "A: XREADGROUP GROUP g c BLOCK 0 STREAMS {x}l {x}s > >",
          "A: XREAD STREAMS {x}l 0", "A: XREADGROUP GROUP g c STREAMS {x}l >"),
      List.of("A> XREAD BLOCK 0 STREAMS {x}n $", "B: RPUSH {x}n a", "A~", "B: DEL {x}n",
          "B: XADD {x}n 5-1 f v", "A<"),
      List.of("B: XADD {x}s 1-1 f v", "B: XGROUP CREATE {x}s g $",
          "A> XREADGROUP GROUP g c BLOCK 0 STREAMS {x}s >", "B: DEL {x}s", "B: RPUSH {x}s a",
          "A~", "B: DEL {x}s", "B: XADD {x}s 2-1 f v", "A~", "B: XGROUP CREATE {x}s g 0",
          "B: XADD {x}s 3-1 f v", "A<"),
      List.of("B: XADD {x}s 1-1 f v", "B: XGROUP CREATE {x}s g $",
          "A> XREADGROUP GROUP g c BLOCK 0 STREAMS {x}s >", "B: XGROUP DESTROY {x}s g", "A<"),
      List.of("B: SET s x", "A: BLPOP s 0", "A: BLMOVE s {s}d LEFT LEFT 0", "A: BZPOPMIN s 0",
          "A: BLPOP l -1", "A: BLPOP l abc", "A: BZMPOP 0 0 z MIN", "A: BLMPOP x 1 l LEFT"));

  @Test
  void blockingRepliesMatchRedisByteForByte() throws Exception {
    assertThat(redis).as("redis-server must be installed (make test installs it)").isNotNull();
    for (boolean resp3 : new boolean[] {false, true}) {
      for (List<String> scenario : SCENARIOS) {
        // Both servers at once: the waits of a scenario dominate its time.
        boolean r3 = resp3;
        CompletableFuture<List<String>> redisSide =
            CompletableFuture.supplyAsync(() -> play(redisPort, scenario, r3));
        List<String> actual = play(node.port(), scenario, resp3);
        List<String> expected = redisSide.get();
        assertThat(actual).as("resp3 %s: %s", resp3, scenario).isEqualTo(expected);
      }
    }
  }

  static List<String> play(int port, List<String> steps, boolean resp3) {
    Map<String, RawClient> conns = new HashMap<>();
    Map<String, String> ids = new HashMap<>();
    List<String> out = new ArrayList<>();
    try (RawClient admin = new RawClient(port)) {
      admin.call("FLUSHALL");
      for (String name : List.of("A", "B", "C")) {
        RawClient c = new RawClient(port);
        conns.put(name, c);
        if (resp3) {
          c.call("HELLO", "3");
        }
        ids.put(name, c.call("CLIENT", "ID").substring(1).trim());
      }
      for (String step : steps) {
        RawClient c = conns.get(step.substring(0, 1));
        String rest = step.substring(1);
        if (rest.equals("<")) {
          out.add(step + " -> " + c.readRaw(1));
        } else if (rest.equals("~")) {
          out.add(step + " -> " + (c.silentFor(300) ? "silent" : "answered " + c.leftover()));
        } else if (rest.equals(" close")) {
          c.close();
          Thread.sleep(PARK_MS);
        } else {
          String command = rest.substring(2);
          for (Map.Entry<String, String> id : ids.entrySet()) {
            command = command.replace("$" + id.getKey(), id.getValue());
          }
          c.send(RawClient.command(command.split(" ")));
          if (rest.startsWith(">")) {
            Thread.sleep(PARK_MS);
          } else {
            out.add(step + " -> " + c.readRaw(1));
          }
        }
      }
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    } finally {
      conns.values().forEach(RawClient::close);
    }
    return out;
  }
}
