package io.kvorum.storage.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream of a million entries: single-entry commands (XADD, XRANGE of one entry, XDEL, XACK,
 * XREADGROUP, XINFO GROUPS) and DEL stay fast because each touches a few keys, not the stream. The
 * time limits are far above what a point operation needs and far below what rewriting a million
 * entries would take, so they fail only if an operation became proportional to the stream.
 */
class StreamLargeTest {
  private static final int SIZE = 1_000_000;
  private static final int PER_ENTRY = 5_000;
  /**
   * Generous for a point operation even on a loaded two-core test machine where RocksDB is still
   * compacting the load; rewriting a million entries takes several seconds.
   */
  private static final long POINT_MS = 1000;

  @TempDir Path tmp;

  @Test
  void millionEntryStreamSupportsPointOperationsAndDel() {
    try (StoreFixture fx = new StoreFixture(tmp.resolve("db"))) {
      for (int first = 1; first <= SIZE; first += PER_ENTRY) {
        List<byte[][]> batch = new ArrayList<>(PER_ENTRY);
        for (int i = first; i < first + PER_ENTRY; i++) {
          batch.add(new byte[][] {b("xadd"), b("big"), b(i + "-0"), b("f"), b(Integer.toString(i))});
        }
        fx.apply(batch);
      }
      // Let RocksDB settle (memtables to disk) so timings below measure the commands.
      fx.store().flush();
      assertThat(r(fx, "xlen big")).isEqualTo(":1000000");
      assertThat(r(fx, "xgroup create big g 0")).isEqualTo("+OK");

      assertThat(timed(() -> r(fx, "xadd big 1000001-0 f last"))).isEqualTo("1000001-0");
      assertThat(timed(() -> r(fx, "xrange big 500000 500000")))
          .isEqualTo("[[500000-0, [f, 500000]]]");
      assertThat(timed(() -> r(fx, "xrevrange big + - count 1")))
          .isEqualTo("[[1000001-0, [f, last]]]");
      assertThat(timed(() -> r(fx, "xdel big 500000-0"))).isEqualTo(":1");
      assertThat(timed(() -> r(fx, "xrange big 499999 500001")))
          .isEqualTo("[[499999-0, [f, 499999]], [500001-0, [f, 500001]]]");
      assertThat(timed(() -> r(fx, "xreadgroup group g c count 1 streams big >")))
          .isEqualTo("[[big, [[1-0, [f, 1]]]]]");
      assertThat(timed(() -> r(fx, "xack big g 1-0"))).isEqualTo(":1");
      assertThat(timed(() -> r(fx, "xgroup setid big g 999999-0"))).isEqualTo("+OK");
      assertThat(timed(() -> r(fx, "xreadgroup group g c streams big >")))
          .isEqualTo("[[big, [[1000000-0, [f, 1000000]], [1000001-0, [f, last]]]]]");
      assertThat(timed(() -> r(fx, "xpending big g"))).isEqualTo("[:2, 1000000-0, 1000001-0,"
          + " [[c, 2]]]");
      assertThat(timed(() -> r(fx, "xdel big 1-0"))).isEqualTo(":1");
      assertThat(timed(() -> r(fx, "xrange big - + count 1"))).isEqualTo("[[2-0, [f, 2]]]");
      assertThat(timed(() -> r(fx, "xtrim big maxlen 999990"))).isEqualTo(":9");
      assertThat(timed(() -> r(fx, "xtrim big minid ~ 2000"))).isEqualTo(":1890");
      assertThat(timed(() -> r(fx, "xlen big"))).isEqualTo(":998100");
      assertThat(r(fx, "xinfo stream big")).startsWith(
          "[length, :998100, radix-tree-keys, :9982, radix-tree-nodes, :");

      assertThat(timed(() -> r(fx, "del big"))).isEqualTo(":1");
      assertThat(r(fx, "exists big")).isEqualTo(":0");
      assertThat(r(fx, "xlen big")).isEqualTo(":0");
      assertThat(r(fx, "xrange big - + count 5")).isEqualTo("[]");
      assertThat(((Reply.Int) fx.run("test.datacount")).value())
          .as("nothing of the deleted stream stays visible").isZero();
      assertThat(r(fx, "xadd big 1-0 f again")).isEqualTo("1-0");
      assertThat(r(fx, "xrange big - +")).isEqualTo("[[1-0, [f, again]]]");
    }
  }

  private static String timed(Supplier<String> op) {
    long start = System.nanoTime();
    String reply = op.get();
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.println(ms + " ms: " + reply);
    assertThat(ms).as("a point operation on a million-entry stream took %d ms", ms)
        .isLessThan(POINT_MS);
    return reply;
  }

  private static String r(StoreFixture fx, String command) {
    return ReplyText.of(fx.run(command));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
