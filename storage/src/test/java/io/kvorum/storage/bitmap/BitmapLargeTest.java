package io.kvorum.storage.bitmap;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bitmap of 2^23 bits (1 MiB) with 8,388,607 bits set, built with two commands, then
 * single-bit operations at its far end and DEL. A bitmap is one string value, so these are O(size)
 * rewrites of the value (as SETRANGE is), not member operations; the test checks correctness
 * only, no timings.
 */
class BitmapLargeTest {
  @TempDir Path tmp;

  @Test
  void millionsOfSetBits() {
    try (StoreFixture fx = new StoreFixture(tmp.resolve("db"))) {
      assertThat(ReplyText.of(fx.run("setbit zeros 8388607 0"))).isEqualTo(":0");
      assertThat(ReplyText.of(fx.run("bitop not bits zeros"))).isEqualTo(":1048576");
      assertThat(ReplyText.of(fx.run("bitcount bits"))).isEqualTo(":8388608");
      assertThat(ReplyText.of(fx.run("setbit bits 8000000 0"))).isEqualTo(":1");
      assertThat(ReplyText.of(fx.run("getbit bits 8000000"))).isEqualTo(":0");
      assertThat(ReplyText.of(fx.run("getbit bits 8000001"))).isEqualTo(":1");
      assertThat(ReplyText.of(fx.run("bitpos bits 0"))).isEqualTo(":8000000");
      assertThat(ReplyText.of(fx.run("bitpos bits 0 1000001"))).isEqualTo(":8388608");
      assertThat(ReplyText.of(fx.run("bitcount bits"))).isEqualTo(":8388607");
      assertThat(ReplyText.of(fx.run("bitcount bits -1 -1"))).isEqualTo(":8");
      assertThat(ReplyText.of(fx.run("bitfield bits incrby u8 #999999 1 get u16 #499999")))
          .isEqualTo("[:0, :65280]");
      assertThat(ReplyText.of(fx.run("setbit bits 8388608 1"))).isEqualTo(":0");
      assertThat(ReplyText.of(fx.run("strlen bits"))).isEqualTo(":1048577");
      assertThat(ReplyText.of(fx.run("del bits zeros"))).isEqualTo(":2");
      assertThat(ReplyText.of(fx.run("get bits"))).isEqualTo("(nil)");
      assertThat(ReplyText.of(fx.run("bitcount bits"))).isEqualTo(":0");
      assertThat(ReplyText.of(fx.run("dbsize"))).isEqualTo(":0");
    }
  }
}
