package io.kvorum.storage.zset;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.ReplyText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sorted set of a million members: point commands (ZSCORE, ZADD, ZINCRBY, ZREM), the ends of the
 * score order (ZRANGE near either end, ZPOPMIN, score ranges, ZSCAN pages, ZRANDMEMBER) work on
 * it, each a few seeks whatever the size, and DEL drops every member at once, leaving nothing
 * visible to a new key of the same name. No timings are asserted; benchmarks measure those.
 *
 * <p>Tagged {@code large} like the other collections' million-member tests: building it (two
 * sub-keys and one point read per member) takes tens of seconds on a busy two-core machine.
 * {@code -Dkvorum.large.members=N} changes the size.
 */
@Tag("large")
class ZsetLargeTest {
  private static final int MEMBERS = Integer.getInteger("kvorum.large.members", 1_000_000);
  private static final int PER_COMMAND = 10_000;

  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String run(ZsetFixture fx, String command) {
    return ReplyText.of(fx.run(command));
  }

  @Test
  void millionMemberSortedSet() {
    try (ZsetFixture fx = new ZsetFixture(dir)) {
      for (int from = 0; from < MEMBERS; from += PER_COMMAND) {
        List<byte[]> args = new ArrayList<>(2 + 2 * PER_COMMAND);
        args.add(b("zadd"));
        args.add(b("big"));
        for (int i = from; i < from + PER_COMMAND; i++) {
          args.add(b(Integer.toString(i)));
          args.add(b("m" + i));
        }
        assertThat(fx.call(false, args.toArray(new byte[0][]))).isEqualTo(
            Reply.integer(PER_COMMAND));
      }
      int last = MEMBERS - 1;
      assertThat(run(fx, "zcard big")).isEqualTo(":" + MEMBERS);
      assertThat(run(fx, "object encoding big")).isEqualTo("skiplist");
      assertThat(run(fx, "zscore big m12345")).isEqualTo("12345");
      assertThat(run(fx, "zadd big 0.5 new")).isEqualTo(":1");
      assertThat(run(fx, "zincrby big 1 m7")).isEqualTo("8");
      assertThat(run(fx, "zrem big m8")).isEqualTo(":1");
      assertThat(run(fx, "zrange big 0 2 withscores")).isEqualTo("[m0, 0, new, 0.5, m1, 1]");
      assertThat(run(fx, "zrange big -2 -1")).isEqualTo("[m" + (last - 1) + ", m" + last + "]");
      assertThat(run(fx, "zrevrange big 0 0")).isEqualTo("[m" + last + "]");
      assertThat(run(fx, "zrangebyscore big (500000 +inf limit 0 2"))
          .isEqualTo("[m500001, m500002]");
      assertThat(run(fx, "zcount big 100 109")).isEqualTo(":10");
      assertThat(run(fx, "zrevrank big m" + (last - 3))).isEqualTo(":3");
      assertThat(run(fx, "zpopmin big 2")).isEqualTo("[m0, 0, new, 0.5]");
      assertThat(run(fx, "zrandmember big")).startsWith("m");
      Reply.Array draws = (Reply.Array) fx.run("zrandmember big 5 withscores");
      assertThat(draws.items()).hasSize(10);
      Reply.Array page = (Reply.Array) fx.run("zscan big 0 count 100");
      assertThat(((Reply.Array) page.items().get(1)).items().size()).isGreaterThanOrEqualTo(200);
      assertThat(ReplyText.of(page.items().get(0))).isNotEqualTo("0");
      assertThat(run(fx, "zremrangebyscore big 10 19")).isEqualTo(":10");
      assertThat(run(fx, "zcard big")).isEqualTo(":" + (MEMBERS + 1 - 1 - 2 - 10));

      assertThat(run(fx, "del big")).isEqualTo(":1");
      assertThat(run(fx, "exists big")).isEqualTo(":0");
      assertThat(run(fx, "zscore big m12345")).isEqualTo("(nil)");
      assertThat(run(fx, "zadd big 1 fresh")).isEqualTo(":1");
      assertThat(run(fx, "zrange big 0 -1 withscores")).isEqualTo("[fresh, 1]");
      assertThat(run(fx, "zscan big 0")).isEqualTo("[0, [fresh, 1]]");
      assertThat(run(fx, "zcard big")).isEqualTo(":1");
      assertThat(run(fx, "test.datacount")).isEqualTo(":1");
    }
  }
}
