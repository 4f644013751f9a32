package io.kvorum.storage.hyperloglog;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.bitmap.ProtocolStore;
import io.kvorum.storage.command.CommandFlag;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.ReplyText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PFADD, PFCOUNT, PFMERGE and PFDEBUG through a real store. Expected bytes were taken from
 * redis-server 7.0.15 for the same commands.
 */
class HyperLogLogCommandsTest {
  static final String NOT_HLL = "-WRONGTYPE Key is not a valid HyperLogLog string value.";
  static final String CORRUPTED = "-INVALIDOBJ Corrupted HLL object detected";

  @TempDir Path tmp;
  ProtocolStore store;

  @BeforeEach
  void open() {
    store = new ProtocolStore(tmp.resolve("db"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  String r(String command) {
    return ReplyText.of(store.call(false, split(command)));
  }

  String inLog(String command) {
    return ReplyText.of(store.callInLog(false, split(command)));
  }

  static byte[][] split(String command) {
    String[] parts = command.split(" ", -1);
    byte[][] args = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      args[i] = parts[i].getBytes(StandardCharsets.ISO_8859_1);
    }
    return args;
  }

  byte[] value(String key) {
    return ((Reply.Bulk) store.call(false, split("get " + key))).value();
  }

  static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  static byte[] header(int encoding, int cacheTop) {
    return bytes('H', 'Y', 'L', 'L', encoding, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, cacheTop);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void pfaddBuildsRedisSparseBytes() {
    assertThat(r("pfadd h")).isEqualTo(":1");
    assertThat(value("h")).containsExactly(concat(header(1, 0x80), bytes(0x7F, 0xFF)));
    assertThat(r("pfadd h a b c")).isEqualTo(":1");
    // Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603, as redis-server 7.0.15 stores it
    assertThat(value("h")).containsExactly(concat(header(1, 0x80),
        bytes(0x60, 0xF3, 0x80, 0x50, 0xB1, 0x84, 0x4B, 0xFB, 0x80, 0x42, 0x5A)));
    assertThat(r("pfdebug decode h")).isEqualTo("Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603");
    assertThat(r("pfadd h a b c")).isEqualTo(":0");
    assertThat(r("pfcount h")).isEqualTo(":3");
    assertThat(r("type h")).isEqualTo("+string");
    assertThat(r("object encoding h")).isEqualTo("raw");
  }

  @Test
  void pfcountCachesTheCardinalityOnlyInsideALogEntry() {
    r("pfadd h a b c");
    byte[] before = value("h");
    assertThat(ReplyText.of(store.fixture().store().read(split("pfcount h"), false, store.fixture().now)))
        .isEqualTo(":3");
    assertThat(value("h")).as("the read path cannot write the cache").isEqualTo(before);
    assertThat(r("pfcount h")).as("logged, as the node runs it").isEqualTo(":3");
    byte[] cached = value("h");
    assertThat(Arrays.copyOfRange(cached, 8, 16)).containsExactly(3, 0, 0, 0, 0, 0, 0, 0);
    assertThat(Arrays.copyOfRange(cached, 16, cached.length))
        .isEqualTo(Arrays.copyOfRange(before, 16, before.length));
    assertThat(r("pfadd h a")).as("no register changes: the cache stays valid").isEqualTo(":0");
    assertThat(value("h")).isEqualTo(cached);
    assertThat(r("pfadd h d")).isEqualTo(":1");
    assertThat(value("h")[15] & 0x80).as("a change marks the cache stale").isEqualTo(0x80);
  }

  /**
   * Found by the differential test: PFMERGE h, PFCOUNT h, GET h showed a stale cache (0x80 in byte
   * 15) where Redis has a valid cached 0, because PFCOUNT ran on the read path, which cannot write.
   */
  @Test
  void pfcountIsLoggedSoItsCacheWriteHappensAsInRedis() {
    KeyspaceCommand pfcount = KeyspaceCommandTable.standard().get("pfcount");
    assertThat(pfcount.runsAsWrite()).as("submitted as a log entry").isTrue();
    assertThat(pfcount.spec().isWrite()).as("COMMAND INFO still says readonly, as Redis").isFalse();
    assertThat(pfcount.spec().has(CommandFlag.READONLY)).isTrue();
    assertThat(KeyspaceCommandTable.standard().get("get").runsAsWrite()).isFalse();

    assertThat(r("pfmerge h")).isEqualTo("+OK");
    assertThat(inLog("pfcount h")).isEqualTo(":0");
    // Redis 7.0.15: PFMERGE h, PFCOUNT h, GET h
    assertThat(value("h")).containsExactly(concat(header(1, 0), bytes(0x7F, 0xFF)));
  }

  @Test
  void aValidCacheIsTrustedAsRedisDoes() {
    byte[] hll = concat(header(1, 0), bytes(0x43, 0xE7, 0x88, 0x7C, 0x16));
    hll[8] = 0x39;
    hll[9] = 0x30; // 12345
    store.call(false, "set".getBytes(StandardCharsets.UTF_8),
        "h".getBytes(StandardCharsets.UTF_8), hll);
    assertThat(r("pfcount h")).isEqualTo(":12345");
    assertThat(r("pfcount h missing")).as("several keys are always counted").isEqualTo(":1");
    assertThat(r("setbit h 120 1")).as("the cache's top bit marks it stale").isEqualTo(":0");
    assertThat(r("pfcount h")).isEqualTo(":1");
  }

  @Test
  void wrongTypesAndCorruptValues() {
    r("hset hash f v");
    assertThat(r("pfadd hash a"))
        .isEqualTo("-WRONGTYPE Operation against a key holding the wrong kind of value");
    r("set s 123");
    assertThat(r("pfadd s a")).isEqualTo(NOT_HLL);
    assertThat(r("pfcount s")).isEqualTo(NOT_HLL);
    assertThat(r("pfmerge d s")).isEqualTo(NOT_HLL);
    assertThat(r("exists d")).isEqualTo(":0");
    r("pfadd h a b c");
    r("setrange h 4 \u0002");
    assertThat(r("pfcount h")).as("unknown encoding byte").isEqualTo(NOT_HLL);
    r("del h");
    r("pfadd h a b c");
    r("append h hello");
    assertThat(r("pfcount h")).isEqualTo(CORRUPTED);
    assertThat(r("pfcount h h")).isEqualTo(CORRUPTED);
    assertThat(r("pfdebug getreg h")).isEqualTo(CORRUPTED);
    assertThat(r("pfdebug getreg missing")).isEqualTo("-ERR The specified key does not exist");
    assertThat(r("pfdebug what h")).isEqualTo("-ERR Unknown PFDEBUG subcommand 'what'");
  }

  @Test
  void sparsePromotesToDenseAndMergeFollowsTheSources() {
    StringBuilder cmd = new StringBuilder("pfadd big");
    for (int i = 0; i < 3000; i++) {
      cmd.append(" e").append(i);
    }
    assertThat(r(cmd.toString())).isEqualTo(":1");
    assertThat(r("pfdebug encoding big")).isEqualTo("+dense");
    assertThat(value("big")).hasSize(HyperLogLog.DENSE_SIZE);
    assertThat(Long.parseLong(r("pfcount big").substring(1))).isBetween(2900L, 3100L);
    r("pfadd small x y");
    assertThat(r("pfmerge m small")).isEqualTo("+OK");
    assertThat(r("pfdebug encoding m")).isEqualTo("+sparse");
    assertThat(r("pfmerge m big")).isEqualTo("+OK");
    assertThat(r("pfdebug encoding m")).isEqualTo("+dense");
    assertThat(r("pfcount m")).isEqualTo(r("pfcount big small"));
    assertThat(r("pfmerge empty")).isEqualTo("+OK");
    assertThat(value("empty")).containsExactly(concat(header(1, 0x80), bytes(0x7F, 0xFF)));
    assertThat(r("pfdebug todense small")).isEqualTo(":1");
    assertThat(r("pfdebug todense small")).isEqualTo(":0");
    assertThat(r("pfcount small")).isEqualTo(":2");
  }

  @Test
  void pfaddKeepsTheTtlAndDelRemovesTheKey() {
    r("pfadd h a");
    r("expire h 100");
    r("pfadd h b");
    assertThat(r("ttl h")).isEqualTo(":100");
    r("pfmerge h other");
    assertThat(r("ttl h")).isEqualTo(":100");
    assertThat(r("del h")).isEqualTo(":1");
    assertThat(r("pfcount h")).isEqualTo(":0");
  }

  @Test
  void murmurHash64AMatchesRedisRegisterChoice() {
    // PFADD a b c in Redis sets registers 8436 (1), 12711 (2) and 15780 (1).
    long a = HyperLogLog.registerAndCount("a".getBytes(StandardCharsets.UTF_8));
    long b = HyperLogLog.registerAndCount("b".getBytes(StandardCharsets.UTF_8));
    long c = HyperLogLog.registerAndCount("c".getBytes(StandardCharsets.UTF_8));
    assertThat(new long[] {a, b, c}).containsExactlyInAnyOrder(
        (8436L << 8) | 1, (12711L << 8) | 2, (15780L << 8) | 1);
  }
}
