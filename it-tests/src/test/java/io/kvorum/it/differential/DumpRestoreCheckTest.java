package io.kvorum.it.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The payload arithmetic of {@link DumpRestoreCheck}: Redis's checksum, and damage Redis detects. */
class DumpRestoreCheckTest {

  /** DUMP of the string "hello" from redis-server 7.0.15: type, value, RDB version 10, CRC-64. */
  private static final byte[] HELLO = HexFormat.of().parseHex("000568656c6c6f0a006372df766534200a");

  @Test
  void checksumIsRedisCrc64() {
    assertThat(DumpRestoreCheck.crc64("123456789".getBytes(StandardCharsets.US_ASCII), 9))
        .isEqualTo(0xe9c6d914c4b8d9caL);
    byte[] copy = HELLO.clone();
    copy[copy.length - 1] = 0;
    assertThat(DumpRestoreCheck.withChecksum(copy)).isEqualTo(HELLO);
  }

  @Test
  void everyDamageIsOneRedisRefusesBeforeReadingTheValue() {
    byte[] badChecksum = DumpRestoreCheck.corrupt(HELLO, 0);
    assertThat(badChecksum).hasSameSizeAs(HELLO).isNotEqualTo(HELLO);
    assertThat(java.util.Arrays.copyOf(badChecksum, HELLO.length - 8)).isEqualTo(java.util.Arrays.copyOf(HELLO, HELLO.length - 8));

    byte[] newerVersion = DumpRestoreCheck.corrupt(HELLO, 1);
    assertThat(newerVersion[newerVersion.length - 10]).isEqualTo((byte) 11);
    assertThat(validChecksum(newerVersion)).isTrue();

    byte[] cut = DumpRestoreCheck.corrupt(HELLO, 2);
    assertThat(cut.length).isLessThan(HELLO.length);
    assertThat(cut[0]).isEqualTo(HELLO[0]);
    assertThat(validChecksum(cut)).isTrue();

    byte[] unknownType = DumpRestoreCheck.corrupt(HELLO, 3);
    assertThat(unknownType[0] & 0xff).isEqualTo(200);
    assertThat(validChecksum(unknownType)).isTrue();
    assertThat(DumpRestoreCheck.corrupt(HELLO, -1)).isEqualTo(unknownType);
  }

  private static boolean validChecksum(byte[] payload) {
    long crc = DumpRestoreCheck.crc64(payload, payload.length - 8);
    for (int i = 0; i < 8; i++) {
      if (payload[payload.length - 8 + i] != (byte) (crc >>> (8 * i))) {
        return false;
      }
    }
    return true;
  }
}
