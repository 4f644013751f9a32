package io.kvorum.storage.hash;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashCommandsTest {
  @TempDir Path dir;
  StoreFixture fx;

  @BeforeEach
  void open() {
    fx = new StoreFixture(dir);
  }

  @AfterEach
  void close() {
    fx.close();
  }

  private String run(String command) {
    return ReplyText.of(fx.run(command));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Applies {@code HSET key f<from> <i> … f<to-1> <i>} as one command. */
  private void fill(String key, int from, int to) {
    List<byte[]> args = new ArrayList<>(List.of(b("hset"), b(key)));
    for (int i = from; i < to; i++) {
      args.add(b("f" + i));
      args.add(b(Integer.toString(i)));
    }
    fx.call(args.toArray(new byte[0][]));
  }

  @Test
  void setGetAndDelete() {
    assertThat(run("hset h a 1 b 2 a 3")).isEqualTo(":2");
    assertThat(run("hget h a")).isEqualTo("3");
    assertThat(run("hmget h a x b")).isEqualTo("[3, (nil), 2]");
    assertThat(run("hmset h c 4")).isEqualTo("+OK");
    assertThat(run("hsetnx h c 5")).isEqualTo(":0");
    assertThat(run("hsetnx h d 5")).isEqualTo(":1");
    assertThat(run("hlen h")).isEqualTo(":4");
    assertThat(run("hexists h d")).isEqualTo(":1");
    assertThat(run("hstrlen h d")).isEqualTo(":1");
    assertThat(run("hstrlen h zz")).isEqualTo(":0");
    assertThat(run("hdel h a zz b")).isEqualTo(":2");
    assertThat(run("hdel h c d")).isEqualTo(":2");
    assertThat(run("exists h")).isEqualTo(":0");
    assertThat(run("test.datacount")).isEqualTo(":0");
  }

  @Test
  void errorsAreRedisErrors() {
    assertThat(run("hset h a")).isEqualTo("-ERR wrong number of arguments for 'hset' command");
    assertThat(run("hmset h a 1 b")).isEqualTo(
        "-ERR wrong number of arguments for 'hmset' command");
    run("set s x");
    assertThat(run("hget s a")).startsWith("-WRONGTYPE");
    assertThat(run("hset s a 1")).startsWith("-WRONGTYPE");
    run("hset h s abc n 9223372036854775807");
    assertThat(run("hincrby h s 1")).isEqualTo("-ERR hash value is not an integer");
    assertThat(run("hincrby h n 1")).isEqualTo("-ERR increment or decrement would overflow");
    assertThat(run("hincrby h n x")).isEqualTo("-ERR value is not an integer or out of range");
    assertThat(run("hincrbyfloat h s 1")).isEqualTo("-ERR hash value is not a float");
    assertThat(run("hincrbyfloat h x inf")).isEqualTo("-ERR value is NaN or Infinity");
    assertThat(run("hincrbyfloat h x nan")).isEqualTo("-ERR value is not a valid float");
    assertThat(run("hrandfield h -9223372036854775808")).isEqualTo(
        "-ERR value is out of range, value must between -9223372036854775807 and"
            + " 9223372036854775807");
    assertThat(run("hrandfield h 4611686018427387904 withvalues"))
        .isEqualTo("-ERR value is out of range");
    assertThat(run("hrandfield h 1 withvalue")).isEqualTo("-ERR syntax error");
    assertThat(run("hscan h abc")).isEqualTo("-ERR invalid cursor");
    assertThat(run("hscan h 0 count 0")).isEqualTo("-ERR syntax error");
  }

  @Test
  void incrementsFormatLikeRedis() {
    assertThat(run("hincrby h n 5")).isEqualTo(":5");
    assertThat(run("hincrby h n -7")).isEqualTo(":-2");
    assertThat(run("hincrbyfloat h f 10.5")).isEqualTo("10.5");
    assertThat(run("hincrbyfloat h f 0.1")).isEqualTo("10.6");
    assertThat(run("hincrbyfloat h f 5.0e3")).isEqualTo("5010.60000000000000009");
    assertThat(run("hincrbyfloat h n 1.5")).isEqualTo("-0.5");
    assertThat(run("hget h n")).isEqualTo("-0.5");
  }

  @Test
  void encodingFollowsRedisListpackLimits() {
    run("hset h a 1");
    assertThat(run("object encoding h")).isEqualTo("listpack");
    fill("h", 0, 511);
    assertThat(run("hlen h")).isEqualTo(":512");
    assertThat(run("object encoding h")).isEqualTo("listpack");
    run("hset h one more");
    assertThat(run("object encoding h")).isEqualTo("hashtable");
    run("hdel h one a");
    assertThat(run("object encoding h")).isEqualTo("hashtable");

    run("hset v a " + "x".repeat(64));
    assertThat(run("object encoding v")).isEqualTo("listpack");
    run("hsetnx v a " + "x".repeat(65));
    assertThat(run("object encoding v")).isEqualTo("listpack");
    run("hincrby v " + "y".repeat(65) + " 1");
    assertThat(run("object encoding v")).isEqualTo("hashtable");
    run("hincrbyfloat w a 1e64");
    assertThat(run("object encoding w")).isEqualTo("listpack");
    run("hincrbyfloat w a 1e65");
    assertThat(run("object encoding w")).isEqualTo("hashtable");
  }

  @Test
  void resp3ShapesFollowRedis() {
    run("hset h a 1 b 2");
    Reply all = fx.store().read(StoreFixture.split("hgetall h"), true, fx.now);
    assertThat(all).isInstanceOf(Reply.MapReply.class);
    Reply pairs = fx.store().read(StoreFixture.split("hrandfield h -3 withvalues"), true, fx.now);
    assertThat(((Reply.Array) pairs).items()).hasSize(3)
        .allSatisfy(p -> assertThat(((Reply.Array) p).items()).hasSize(2));
    Reply flat = fx.store().read(StoreFixture.split("hrandfield h -3 withvalues"), false, fx.now);
    assertThat(((Reply.Array) flat).items()).hasSize(6);
  }

  @Test
  void randomFieldsFollowTheCountRules() {
    fill("h", 0, 10);
    assertThat(fx.run("hrandfield h 0")).isEqualTo(Reply.EMPTY_ARRAY);
    assertThat(fx.run("hrandfield nokey 5")).isEqualTo(Reply.EMPTY_ARRAY);
    assertThat(fx.run("hrandfield nokey")).isEqualTo(Reply.NULL);
    for (int count = 1; count <= 12; count++) {
      List<Reply> items = ((Reply.Array) fx.run("hrandfield h " + count)).items();
      assertThat(items).hasSize(Math.min(count, 10));
      assertThat(new HashSet<>(items.stream().map(ReplyText::of).toList())).hasSize(items.size());
    }
    List<Reply> repeated = ((Reply.Array) fx.run("hrandfield h -50")).items();
    assertThat(repeated).hasSize(50);
    List<Reply> withValues = ((Reply.Array) fx.run("hrandfield h 4 withvalues")).items();
    for (int i = 0; i < withValues.size(); i += 2) {
      String field = ReplyText.of(withValues.get(i));
      assertThat(ReplyText.of(withValues.get(i + 1))).isEqualTo(field.substring(1));
    }
  }

  @Test
  void randomDrawsAreCloseToUniform() {
    // Exact draws below the sampling limit, seek-and-window draws above it.
    for (int size : new int[] {20, 3000}) {
      String key = "h" + size;
      fill(key, 0, size);
      Map<String, Integer> seen = new HashMap<>();
      int draws = size * 40;
      for (int done = 0; done < draws; done += 5000) {
        for (Reply r : ((Reply.Array) fx.run("hrandfield " + key + " -5000")).items()) {
          seen.merge(ReplyText.of(r), 1, Integer::sum);
        }
      }
      assertThat(seen).hasSize(size);
      double mean = seen.values().stream().mapToInt(Integer::intValue).sum() / (double) size;
      int max = seen.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
      assertThat(max).as("most drawn field of %d", size).isLessThan((int) (mean * 3));
    }
  }

  @Test
  void scanReturnsEveryFieldOnceAndResumesAcrossWrites() {
    fill("h", 0, 2000);
    assertThat(run("object encoding h")).isEqualTo("hashtable");
    Set<String> seen = new HashSet<>();
    String cursor = "0";
    int pages = 0;
    do {
      List<Reply> page = ((Reply.Array) fx.run("hscan h " + cursor + " COUNT 100")).items();
      cursor = ReplyText.of(page.get(0));
      List<Reply> items = ((Reply.Array) page.get(1)).items();
      assertThat(items.size()).isBetween(0, 2 * 101);
      for (int i = 0; i < items.size(); i += 2) {
        assertThat(seen.add(ReplyText.of(items.get(i)))).isTrue();
      }
      // Fields come and go during the scan; those present throughout must all be seen.
      fx.run("hdel h f" + (1000 + pages));
      fx.run("hset h new" + pages + " x");
      pages++;
    } while (!cursor.equals("0"));
    for (int i = 0; i < 2000; i++) {
      if (i < 1000 || i >= 1000 + pages) {
        assertThat(seen).contains("f" + i);
      }
    }
    assertThat(pages).isBetween(15, 30);
  }

  @Test
  void smallHashesScanWholeWithMatch() {
    run("hset h apple 1 banana 2 avocado 3");
    List<Reply> page = ((Reply.Array) fx.run("hscan h 77 MATCH a* COUNT 1")).items();
    assertThat(ReplyText.of(page.get(0))).isEqualTo("0");
    assertThat(((Reply.Array) page.get(1)).items()).hasSize(4);
    assertThat(run("hscan nokey 0")).isEqualTo("[0, []]");
  }

  @Test
  void renameCopyAndTtlKeepFieldsAndEncoding() {
    fill("h", 0, 600);
    run("expire h 1000");
    run("hset h extra 1");
    assertThat(ReplyText.of(fx.run("ttl h"))).isEqualTo(":1000");
    run("rename h g");
    assertThat(run("hlen g")).isEqualTo(":601");
    assertThat(run("object encoding g")).isEqualTo("hashtable");
    run("copy g c");
    run("hdel g f1");
    assertThat(run("hget c f1")).isEqualTo("1");
    assertThat(run("hlen c")).isEqualTo(":601");
    run("set c overwritten");
    run("del g");
    assertThat(run("test.datacount")).isEqualTo(":0");
  }
}
