package io.kvorum.storage.set;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A set and a hash of a million members each: single-member commands work on them (each is a few
 * point reads and writes, whatever the size), and DEL drops every member at once, leaving nothing
 * visible to a new key of the same name. No timings are asserted; benchmarks measure those.
 *
 * <p>Tagged {@code large}: building the two collections takes 20-50 s on a busy two-core machine
 * (one point read per new member, against the fixture's small block cache), more than a unit test
 * should. {@code -Dkvorum.large.members=N} changes the size.
 */
@Tag("large")
class LargeCollectionTest {
  private static final int MEMBERS = Integer.getInteger("kvorum.large.members", 1_000_000);
  private static final int PER_COMMAND = 10_000;

  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Builds the collection with {@code PER_COMMAND} members per command and log entry. */
  private static void build(StoreFixture fx, String command, String key, boolean pairs) {
    for (int from = 0; from < MEMBERS; from += PER_COMMAND) {
      List<byte[]> args = new ArrayList<>(2 + 2 * PER_COMMAND);
      args.add(b(command));
      args.add(b(key));
      for (int i = from; i < from + PER_COMMAND; i++) {
        args.add(b("m" + i));
        if (pairs) {
          args.add(b("v" + i));
        }
      }
      fx.call(args.toArray(new byte[0][]));
    }
  }

  private static String run(StoreFixture fx, String command) {
    return ReplyText.of(fx.run(command));
  }

  @Test
  void millionMemberSet() {
    try (StoreFixture fx = new StoreFixture(dir.resolve("set"))) {
      build(fx, "sadd", "big", false);
      assertThat(run(fx, "scard big")).isEqualTo(":" + MEMBERS);
      assertThat(run(fx, "object encoding big")).isEqualTo("hashtable");
      assertThat(run(fx, "sismember big m123456")).isEqualTo(":1");
      assertThat(run(fx, "sismember big m" + MEMBERS)).isEqualTo(":0");
      assertThat(run(fx, "sadd big extra m5")).isEqualTo(":1");
      assertThat(run(fx, "srem big m7 m8 nothing")).isEqualTo(":2");
      assertThat(run(fx, "smismember big m9 m7")).isEqualTo("[:1, :0]");
      assertThat(fx.run("srandmember big")).isInstanceOf(Reply.Bulk.class);
      assertThat(((Reply.Array) fx.run("srandmember big 10")).items()).hasSize(10);
      Reply popped = fx.run("spop big");
      assertThat(run(fx, "sismember big " + ReplyText.of(popped))).isEqualTo(":0");
      assertThat(run(fx, "scard big")).isEqualTo(":" + (MEMBERS - 2));
      List<Reply> page = ((Reply.Array) fx.run("sscan big 0 COUNT 20")).items();
      assertThat(((Reply.Array) page.get(1)).items()).hasSize(20);
      assertThat(run(fx, "smove big small m10")).isEqualTo(":1");
      assertThat(run(fx, "sintercard 2 small big")).isEqualTo(":0");

      assertThat(run(fx, "del big")).isEqualTo(":1");
      assertThat(run(fx, "exists big")).isEqualTo(":0");
      assertThat(run(fx, "sismember big m123456")).isEqualTo(":0");
      assertThat(run(fx, "sadd big fresh")).isEqualTo(":1");
      assertThat(run(fx, "smembers big")).isEqualTo("[fresh]");
      assertThat(run(fx, "sscan big 0 COUNT 1000")).isEqualTo("[0, [fresh]]");
      run(fx, "del big small");
      assertThat(run(fx, "test.datacount")).isEqualTo(":0");
    }
  }

  @Test
  void millionFieldHash() {
    try (StoreFixture fx = new StoreFixture(dir.resolve("hash"))) {
      build(fx, "hset", "big", true);
      assertThat(run(fx, "hlen big")).isEqualTo(":" + MEMBERS);
      assertThat(run(fx, "hget big m765432")).isEqualTo("v765432");
      assertThat(run(fx, "hincrby big counter 5")).isEqualTo(":5");
      assertThat(run(fx, "hdel big m1 m2")).isEqualTo(":2");
      assertThat(run(fx, "hstrlen big m3")).isEqualTo(":2");
      assertThat(((Reply.Array) fx.run("hrandfield big -5 withvalues")).items()).hasSize(10);
      List<Reply> page = ((Reply.Array) fx.run("hscan big 0 COUNT 10")).items();
      assertThat(((Reply.Array) page.get(1)).items()).hasSize(20);
      assertThat(run(fx, "hlen big")).isEqualTo(":" + (MEMBERS - 1));

      assertThat(run(fx, "del big")).isEqualTo(":1");
      assertThat(run(fx, "hget big m765432")).isEqualTo("(nil)");
      assertThat(run(fx, "hset big f v")).isEqualTo(":1");
      assertThat(run(fx, "hgetall big")).isEqualTo("[f, v]");
      run(fx, "del big");
      assertThat(run(fx, "test.datacount")).isEqualTo(":0");
    }
  }
}
