package io.kvorum.storage.list;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A list of a million elements: single-element operations at the ends, in the middle and near the
 * ends (LINSERT and LREM move only the shorter side) work on it, and DEL removes it so that no
 * element stays visible. Timings are for benchmarks, not asserted here.
 */
class ListLargeTest {
  private static final int SIZE = 1_000_000;
  private static final int PER_ENTRY = 10_000;

  @TempDir Path tmp;

  @Test
  void millionElementListSupportsPointOperationsAndDel() {
    try (StoreFixture fx = new StoreFixture(tmp.resolve("db"))) {
      for (int first = 0; first < SIZE; first += PER_ENTRY) {
        byte[][] rpush = new byte[2 + PER_ENTRY][];
        rpush[0] = b("rpush");
        rpush[1] = b("big");
        for (int i = 0; i < PER_ENTRY; i++) {
          rpush[2 + i] = b(Integer.toString(first + i));
        }
        fx.apply(List.<byte[][]>of(rpush));
      }
      assertThat(r(fx, "llen big")).isEqualTo(":1000000");
      assertThat(r(fx, "lindex big 0")).isEqualTo("0");
      assertThat(r(fx, "lindex big 500000")).isEqualTo("500000");
      assertThat(r(fx, "lindex big -1")).isEqualTo("999999");
      assertThat(r(fx, "lset big 500000 mid")).isEqualTo("+OK");
      assertThat(r(fx, "lrange big 499999 500001")).isEqualTo("[499999, mid, 500001]");
      assertThat(r(fx, "lpush big head")).isEqualTo(":1000001");
      assertThat(r(fx, "rpush big tail")).isEqualTo(":1000002");
      assertThat(r(fx, "lpop big")).isEqualTo("head");
      assertThat(r(fx, "rpop big")).isEqualTo("tail");
      assertThat(r(fx, "linsert big before 3 ins")).isEqualTo(":1000001");
      assertThat(r(fx, "lrange big 2 4")).isEqualTo("[2, ins, 3]");
      assertThat(r(fx, "lrem big -1 999998")).isEqualTo(":1");
      assertThat(r(fx, "lrange big -2 -1")).isEqualTo("[999997, 999999]");
      assertThat(r(fx, "lindex big 500001")).isEqualTo("mid");
      assertThat(r(fx, "lpos big 999997 rank -1")).isEqualTo(":999998");
      assertThat(r(fx, "ltrim big 1 -2")).isEqualTo("+OK");
      assertThat(r(fx, "llen big")).isEqualTo(":999998");
      assertThat(r(fx, "lmove big other right left")).isEqualTo("999997");
      assertThat(r(fx, "lpop big 3")).isEqualTo("[1, 2, ins]");

      assertThat(r(fx, "del big")).isEqualTo(":1");
      assertThat(r(fx, "llen big")).isEqualTo(":0");
      assertThat(r(fx, "exists big")).isEqualTo(":0");
      assertThat(r(fx, "lindex big 0")).isEqualTo("(nil)");
      assertThat(r(fx, "lrange big 0 10")).isEqualTo("[]");
      assertThat(((Reply.Int) fx.run("test.datacount")).value())
          .as("only the element moved to 'other' remains").isEqualTo(1);
      assertThat(r(fx, "rpush big again")).isEqualTo(":1");
      assertThat(r(fx, "lrange big 0 -1")).isEqualTo("[again]");
    }
  }

  private static String r(StoreFixture fx, String command) {
    return ReplyText.of(fx.run(command));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
