package io.kvorum.storage.generic;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MEMORY USAGE measures a key's records: a string grows with its value, a collection with its
 * members, sampling estimates what reading every member gives, and Redis's argument errors hold.
 */
class MemoryCommandsTest {
  @TempDir Path tmp;
  StoreFixture fx;

  @BeforeEach
  void open() {
    fx = new StoreFixture(tmp.resolve("db"));
  }

  @AfterEach
  void close() {
    fx.close();
  }

  String r(String command) {
    return ReplyText.of(fx.run(command));
  }

  long usage(String command) {
    String reply = r(command);
    assertThat(reply).as(command).startsWith(":");
    return Long.parseLong(reply.substring(1));
  }

  @Test
  void stringsGrowWithTheirValueAndTtl() {
    fx.run("set s " + "x".repeat(10));
    long small = usage("memory usage s");
    fx.run("set s " + "x".repeat(1010));
    assertThat(usage("memory usage s")).isEqualTo(small + 1000);
    fx.run("expire s 100");
    assertThat(usage("memory usage s")).isGreaterThan(small + 1000);
    assertThat(r("memory usage nokey")).isEqualTo("(nil)");
  }

  @Test
  void collectionsCountTheirMembersAndSamplingEstimatesThem() {
    for (int i = 0; i < 300; i++) {
      fx.run("hset h field" + i + " value" + i);
      fx.run("zadd z " + i + " member" + i);
    }
    long all = usage("memory usage h samples 0");
    long sampled = usage("memory usage h");
    // 300 members of about 20 bytes: every record read, or 5 of them scaled up.
    assertThat(all).isGreaterThan(300 * 15);
    assertThat(sampled).isBetween(all * 8 / 10, all * 12 / 10);
    assertThat(usage("memory usage h samples 1000")).isEqualTo(all);
    // A sorted set also has its score index.
    assertThat(usage("memory usage z samples 0")).isGreaterThan(all);
    fx.run("hset h2 f v");
    assertThat(usage("memory usage h2")).isLessThan(all / 100);
  }

  @Test
  void argumentErrorsAreRedis() {
    fx.run("set k v");
    assertThat(r("memory usage k samples")).isEqualTo("-ERR syntax error");
    assertThat(r("memory usage k samples x"))
        .isEqualTo("-ERR value is not an integer or out of range");
    assertThat(r("memory usage k samples -1")).isEqualTo("-ERR syntax error");
    assertThat(r("memory usage k foo 1")).isEqualTo("-ERR syntax error");
    assertThat(r("memory usage k samples 1 samples 0")).startsWith(":");
  }
}
