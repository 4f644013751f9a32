package io.kvorum.storage.geo;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.zset.RespNode;
import io.kvorum.storage.zset.ZsetFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GEO commands through a real store, with values taken from redis-server 7.0.15. */
class GeoCommandsTest {
  @TempDir Path dir;
  ZsetFixture fx;

  @BeforeEach
  void open() {
    fx = new ZsetFixture(dir);
    fx.run("GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania");
  }

  @AfterEach
  void close() {
    fx.close();
  }

  private String run(String command) {
    return ReplyText.of(fx.run(command));
  }

  @Test
  void scoresPositionsHashesAndDistancesMatchRedis() {
    assertThat(run("ZSCORE Sicily Palermo")).isEqualTo("3479099956230698");
    assertThat(run("GEOPOS Sicily Palermo nope"))
        .isEqualTo("[[13.36138933897018433, 38.11555639549629859], (nil)]");
    assertThat(run("GEOHASH Sicily Palermo nope")).isEqualTo("[sqc8b49rny0, (nil)]");
    assertThat(run("GEODIST Sicily Palermo Catania")).isEqualTo("166274.1516");
    assertThat(run("GEODIST Sicily Palermo Catania km")).isEqualTo("166.2742");
    assertThat(run("GEODIST Sicily Palermo Catania yd"))
        .isEqualTo("-ERR unsupported unit provided. please use M, KM, FT, MI");
    assertThat(String.valueOf(RespNode.of(fx.run3("GEOPOS Sicily Palermo"), true)))
        .isEqualTo("*[*[,\"13.36138933897018433\", ,\"38.11555639549629859\"]]");
  }

  @Test
  void searchesSortCountAndStore() {
    assertThat(run("GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC WITHCOORD WITHDIST"
        + " WITHHASH")).isEqualTo("[[Catania, 56.4413, :3479447370796909, [15.08726745843887329,"
            + " 37.50266842333162032]], [Palermo, 190.4424, :3479099956230698,"
            + " [13.36138933897018433, 38.11555639549629859]]]");
    assertThat(run("GEORADIUS Sicily 15 37 200 km DESC COUNT 1")).isEqualTo("[Palermo]");
    assertThat(run("GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 400 km ASC"))
        .isEqualTo("[Palermo, Catania]");
    assertThat(run("GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST"))
        .isEqualTo(":2");
    assertThat(run("ZRANGE dst 0 -1 WITHSCORES"))
        .isEqualTo("[Catania, 56.441257870158204, Palermo, 190.44242984775784]");
    assertThat(run("GEORADIUS Sicily 15 37 200 km WITHDIST STORE x"))
        .isEqualTo("-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and"
            + " WITHCOORD options");
    assertThat(run("GEOSEARCH Sicily BYRADIUS 1 km ASC WITHDIST"))
        .isEqualTo("-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH");
    assertThat(run("GEOADD Sicily 200 100 x"))
        .isEqualTo("-ERR invalid longitude,latitude pair 200.000000,100.000000");
  }

  @Test
  void radiusKeysFollowRedisGetkeysProc() {
    assertThat(GeoCommands.radiusKeys(args("georadius g 1 2 3 km store d"))).containsExactly(1, 7);
    assertThat(GeoCommands.radiusKeys(args("georadius g 1 2 3 km storedist d store e")))
        .containsExactly(1, 9);
    assertThat(GeoCommands.radiusKeys(args("georadius g 1 2 3 km count store")))
        .containsExactly(1);
  }

  @Test
  void partialSortPlacesTheWantedPrefixLikeAFullSort() {
    Random rnd = new Random(3);
    for (int round = 0; round < 200; round++) {
      Integer[] values = new Integer[1 + rnd.nextInt(120)];
      for (int i = 0; i < values.length; i++) {
        values[i] = rnd.nextInt(30);
      }
      Integer[] sorted = values.clone();
      Arrays.sort(sorted);
      int k = rnd.nextInt(values.length);
      PartialSort.pqsort(values, Comparator.naturalOrder(), 0, k);
      assertThat(Arrays.copyOf(values, k + 1)).isEqualTo(Arrays.copyOf(sorted, k + 1));
    }
  }

  @Test
  void nonGeoScoresDecodeLikeRedisUint64Conversion() {
    assertThat(GeoHash.scoreBits(-1.0)).isEqualTo(-1L);
    assertThat(GeoHash.scoreBits(Double.POSITIVE_INFINITY)).isEqualTo(0L);
    assertThat(GeoHash.scoreBits(Double.NEGATIVE_INFINITY)).isEqualTo(Long.MIN_VALUE);
    assertThat(GeoHash.scoreBits(1.8446744073709552E19)).isEqualTo(0L);
    assertThat(GeoHash.scoreBits(9.3e18)).isEqualTo((long) (9.3e18 - 9223372036854775808.0)
        ^ Long.MIN_VALUE);
  }

  private static byte[][] args(String s) {
    return Arrays.stream(s.split(" ")).map(x -> x.getBytes(StandardCharsets.UTF_8))
        .toArray(byte[][]::new);
  }
}
