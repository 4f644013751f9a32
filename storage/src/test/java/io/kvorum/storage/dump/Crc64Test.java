package io.kvorum.storage.dump;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Crc64Test {
  /** The check value in Redis's crc64.c test: crc64(0, "123456789", 9). */
  @Test
  void matchesRedisCheckValue() {
    byte[] data = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertThat(Crc64.of(data, 0, data.length)).isEqualTo(0xe9c6d914c4b8d9caL);
  }

  @Test
  void coversOnlyTheGivenRange() {
    byte[] data = "xx123456789yy".getBytes(StandardCharsets.US_ASCII);
    assertThat(Crc64.of(data, 2, 9)).isEqualTo(0xe9c6d914c4b8d9caL);
    assertThat(Crc64.of(data, 0, 0)).isZero();
  }
}
