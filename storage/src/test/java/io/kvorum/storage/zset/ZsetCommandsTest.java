package io.kvorum.storage.zset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sorted-set commands through a real store: replies, encodings, the data-model rules. */
class ZsetCommandsTest {
  @TempDir Path dir;
  ZsetFixture fx;

  @BeforeEach
  void open() {
    fx = new ZsetFixture(dir);
  }

  @AfterEach
  void close() {
    fx.close();
  }

  private String run(String command) {
    return ReplyText.of(fx.run(command));
  }

  private String run3(String command) {
    return String.valueOf(RespNode.of(fx.run3(command), true));
  }

  @Test
  void addScoreRankAndRanges() {
    assertThat(run("ZADD z 1 a 2 b 3 c 1.5 d")).isEqualTo(":4");
    assertThat(run("ZCARD z")).isEqualTo(":4");
    assertThat(run("ZSCORE z d")).isEqualTo("1.5");
    assertThat(run("ZRANGE z 0 -1 WITHSCORES")).isEqualTo("[a, 1, d, 1.5, b, 2, c, 3]");
    assertThat(run("ZRANGE z 0 -1 REV")).isEqualTo("[c, b, d, a]");
    assertThat(run("ZRANK z b")).isEqualTo(":2");
    assertThat(run("ZREVRANK z b")).isEqualTo(":1");
    assertThat(run("ZRANK z nope")).isEqualTo("(nil)");
    assertThat(run("ZRANGEBYSCORE z (1 3 LIMIT 1 5")).isEqualTo("[b, c]");
    assertThat(run("ZREVRANGEBYSCORE z +inf -inf LIMIT 0 2")).isEqualTo("[c, b]");
    assertThat(run("ZRANGE z (1.5 +inf BYSCORE REV")).isEqualTo("[]");
    assertThat(run("ZRANGE z +inf (1.5 BYSCORE REV")).isEqualTo("[c, b]");
    assertThat(run("ZCOUNT z -inf (2")).isEqualTo(":2");
    assertThat(run("ZRANGE z 0 -1 LIMIT 0 1"))
        .isEqualTo("-ERR syntax error, LIMIT is only supported in combination with either BYSCORE"
            + " or BYLEX");
    assertThat(run("ZRANGEBYSCORE z x 1")).isEqualTo("-ERR min or max is not a float");
    assertThat(run("ZADD z 1 x nan y")).isEqualTo("-ERR value is not a valid float");
    assertThat(run("ZCARD z")).isEqualTo(":4");
  }

  @Test
  void resp3RepliesUseDoublesAndPairs() {
    fx.run("ZADD z 1 a 2.5 b");
    assertThat(run3("ZSCORE z b")).isEqualTo(",\"2.5\"");
    assertThat(run3("ZRANGE z 0 -1 WITHSCORES")).isEqualTo("*[*[$\"a\", ,\"1\"], *[$\"b\", ,\"2.5\"]]");
    assertThat(run3("ZPOPMIN z")).isEqualTo("*[$\"a\", ,\"1\"]");
    assertThat(run3("ZPOPMIN z 1")).isEqualTo("*[*[$\"b\", ,\"2.5\"]]");
    assertThat(run3("ZSCORE z b")).isEqualTo("_");
    assertThat(run3("ZMPOP 1 z MIN")).isEqualTo("_");
  }

  @Test
  void zaddOptionsAndIncr() {
    assertThat(run("ZADD z XX 1 a")).isEqualTo(":0");
    assertThat(run("EXISTS z")).isEqualTo(":0");
    assertThat(run("ZADD z XX INCR 1 a")).isEqualTo("(nil)");
    assertThat(run("ZADD z NX XX 1 a"))
        .isEqualTo("-ERR XX and NX options at the same time are not compatible");
    assertThat(run("ZADD z GT LT 1 a"))
        .isEqualTo("-ERR GT, LT, and/or NX options at the same time are not compatible");
    assertThat(run("ZADD z INCR 1 a 2 b"))
        .isEqualTo("-ERR INCR option supports a single increment-element pair");
    assertThat(run("ZADD z 5 a")).isEqualTo(":1");
    assertThat(run("ZADD z GT CH 3 a 1 b")).isEqualTo(":1");
    assertThat(run("ZSCORE z a")).isEqualTo("5");
    assertThat(run("ZADD z LT CH 3 a")).isEqualTo(":1");
    assertThat(run("ZINCRBY z 0.5 a")).isEqualTo("3.5");
    assertThat(run("ZINCRBY z nx a")).isEqualTo("-ERR syntax error");
    assertThat(run("ZADD z inf a")).isEqualTo(":0");
    assertThat(run("ZINCRBY z -inf a")).isEqualTo("-ERR resulting score is not a number (NaN)");
    assertThat(run("ZSCORE z a")).isEqualTo("inf");
    assertThat(run("ZINCRBY z 0.1 c")).isEqualTo("0.10000000000000001");
  }

  @Test
  void negativeZeroSortsAsZeroAndKeepsItsSignOnlyInSkiplists() {
    fx.run("ZADD z -0 b 0 a");
    assertThat(run("ZRANGE z 0 -1 WITHSCORES")).isEqualTo("[a, 0, b, 0]");
    assertThat(run("ZINCRBY lp -0 m")).isEqualTo("-0");
    assertThat(run("ZSCORE lp m")).isEqualTo("0");
    String big = "x".repeat(65);
    fx.run("ZADD big 0 " + big);
    fx.run("ZADD big -0 b");
    assertThat(run("ZSCORE big b")).isEqualTo("-0");
    assertThat(run("ZADD big CH 0 b")).isEqualTo(":0");
    assertThat(run("ZSCORE big b")).isEqualTo("-0");
    assertThat(run("ZRANGE big 0 -1 WITHSCORES")).isEqualTo("[b, -0, " + big + ", 0]");
    assertThat(run("ZRANGESTORE dst big 0 -1")).isEqualTo(":2");
    assertThat(run("ZRANGE dst 0 -1 WITHSCORES")).isEqualTo("[b, 0, " + big + ", 0]");
    assertThat(run("ZUNIONSTORE u 1 big")).isEqualTo(":2");
    assertThat(run("ZSCORE u b")).isEqualTo("-0");
    assertThat(run("ZPOPMIN big")).isEqualTo("[b, -0]");
  }

  @Test
  void encodingFollowsRedisThresholdsOneWay() {
    fx.run("ZADD z 1 a");
    assertThat(run("OBJECT ENCODING z")).isEqualTo("listpack");
    fx.run("ZADD z 2 " + "x".repeat(65));
    assertThat(run("OBJECT ENCODING z")).isEqualTo("skiplist");
    fx.run("ZREM z " + "x".repeat(65));
    assertThat(run("OBJECT ENCODING z")).isEqualTo("skiplist");
    StringBuilder many = new StringBuilder("ZADD y");
    for (int i = 0; i < 128; i++) {
      many.append(' ').append(i).append(" m").append(i);
    }
    fx.run(many.toString());
    assertThat(run("OBJECT ENCODING y")).isEqualTo("listpack");
    fx.run("ZADD y 1 extra");
    assertThat(run("OBJECT ENCODING y")).isEqualTo("skiplist");
    assertThat(run("ZUNIONSTORE u 1 y")).isEqualTo(":129");
    assertThat(run("OBJECT ENCODING u")).isEqualTo("skiplist");
    assertThat(run("ZRANGESTORE r y 0 9")).isEqualTo(":10");
    assertThat(run("OBJECT ENCODING r")).isEqualTo("listpack");
    fx.run("ZADD long 1 " + "x".repeat(70));
    assertThat(run("OBJECT ENCODING long")).isEqualTo("skiplist");
  }

  @Test
  void emptiedSetsDisappearAndDeleteLeavesNoMembers() {
    fx.run("ZADD z 1 a 2 b");
    fx.run("EXPIRE z 1000");
    fx.run("ZREM z a");
    assertThat(run("TTL z")).isEqualTo(":1000");
    fx.run("ZREM z b");
    assertThat(run("EXISTS z")).isEqualTo(":0");
    fx.run("ZADD z 1 a 2 b 3 c");
    fx.run("ZREMRANGEBYSCORE z -inf +inf");
    assertThat(run("EXISTS z")).isEqualTo(":0");
    fx.run("ZADD z 1 a 2 b 3 c");
    fx.run("ZPOPMIN z 5");
    assertThat(run("EXISTS z")).isEqualTo(":0");
    assertThat(run("TEST.DATACOUNT")).isEqualTo(":0");
    fx.run("ZADD z 1 a 2 b 3 c");
    fx.run("DEL z");
    assertThat(run("TEST.DATACOUNT")).isEqualTo(":0");
    assertThat(run("DBSIZE")).isEqualTo(":0");
  }

  @Test
  void renameAndCopyCarryMembersAndEncoding() {
    fx.run("ZADD z 1 a 2 b");
    fx.run("ZADD z 3 " + "x".repeat(70));
    fx.run("RENAME z w");
    assertThat(run("ZRANGE w 0 1 WITHSCORES")).isEqualTo("[a, 1, b, 2]");
    assertThat(run("OBJECT ENCODING w")).isEqualTo("skiplist");
    fx.run("COPY w v");
    fx.run("ZREM w a");
    assertThat(run("ZSCORE v a")).isEqualTo("1");
    assertThat(run("ZCARD v")).isEqualTo(":3");
    assertThat(run("ZRANK v b")).isEqualTo(":1");
  }

  @Test
  void wrongTypeAndArgumentOrder() {
    fx.run("SET s x");
    assertThat(run("ZADD s 1 a")).startsWith("-WRONGTYPE");
    assertThat(run("ZADD s x a")).isEqualTo("-ERR value is not a valid float");
    assertThat(run("ZRANGE s 0 -1")).startsWith("-WRONGTYPE");
    assertThat(run("ZRANGE nokey 0 -1")).isEqualTo("[]");
    assertThat(run("ZRANGESTORE d s 0 -1")).startsWith("-WRONGTYPE");
    assertThat(run("ZUNION 2 nokey s")).startsWith("-WRONGTYPE");
    assertThat(run("ZUNIONSTORE s 1 nokey")).isEqualTo(":0");
    assertThat(run("EXISTS s")).isEqualTo(":0");
  }

  @Test
  void setAlgebraAcceptsSetsAndFoldsInSizeOrder() {
    fx.run("ZADD a 1 x 2 y 3 z");
    fx.run("SADD s y z w");
    assertThat(run("ZUNION 2 a s WITHSCORES")).isEqualTo("[w, 1, x, 1, y, 3, z, 4]");
    assertThat(run("ZINTER 2 a s WEIGHTS 2 10 AGGREGATE MAX WITHSCORES"))
        .isEqualTo("[y, 10, z, 10]");
    assertThat(run("ZDIFF 2 a s WITHSCORES")).isEqualTo("[x, 1]");
    assertThat(run("ZINTERCARD 2 a s LIMIT 1")).isEqualTo(":1");
    assertThat(run("ZINTERSTORE d 2 a s")).isEqualTo(":2");
    assertThat(run("ZRANGE d 0 -1 WITHSCORES")).isEqualTo("[y, 3, z, 4]");
    fx.run("ZADD inf 1 +inf");
    fx.run("ZADD ninf 1 -inf");
    fx.run("ZADD inf inf p");
    fx.run("ZADD ninf -inf p");
    assertThat(run("ZUNION 2 inf ninf WITHSCORES")).isEqualTo("[p, 0, +inf, 1, -inf, 1]");
    assertThat(run("ZUNION 0 a")).isEqualTo("-ERR at least 1 input key is needed for 'zunion' command");
  }

  @Test
  void lexRangesFollowRedisWalk() {
    fx.run("ZADD z 0 a 0 b 0 c 0 d 0 e");
    assertThat(run("ZRANGEBYLEX z [b (d")).isEqualTo("[b, c]");
    assertThat(run("ZREVRANGEBYLEX z + - LIMIT 1 2")).isEqualTo("[d, c]");
    assertThat(run("ZLEXCOUNT z (a +")).isEqualTo(":4");
    assertThat(run("ZRANGE z [c + BYLEX REV")).isEqualTo("[]");
    assertThat(run("ZRANGE z + [c BYLEX REV")).isEqualTo("[e, d, c]");
    assertThat(run("ZREMRANGEBYLEX z - (c")).isEqualTo(":2");
    assertThat(run("ZRANGEBYLEX z foo +")).isEqualTo("-ERR min or max not valid string range item");
    // Mixed scores: the walk starts at the first element (in score order) that is >= min.
    fx.run("ZADD m 1 b 2 a 3 c");
    assertThat(run("ZRANGEBYLEX m [a +")).isEqualTo("[b, a, c]");
    assertThat(run("ZRANGEBYLEX m [b [c")).isEqualTo("[b, a, c]");
  }

  @Test
  void popsAndBlockingAttempts() {
    fx.run("ZADD z 1 a 2 b 3 c");
    assertThat(run("ZPOPMAX z 2")).isEqualTo("[c, 3, b, 2]");
    assertThat(run("ZPOPMIN z 0")).isEqualTo("[]");
    assertThat(run("ZPOPMIN z -1")).isEqualTo("-ERR value is out of range, must be positive");
    assertThat(run("BZPOPMIN nokey z 0")).isEqualTo("[z, a, 1]");
    assertThat(run("BZPOPMIN nokey z 0")).isEqualTo("(nil)");
    assertThat(fx.run("BZPOPMIN nokey 0")).isEqualTo(Reply.NULL_ARRAY);
    assertThat(run("BZPOPMIN z -1")).isEqualTo("-ERR timeout is negative");
    assertThat(run("BZPOPMIN z x")).isEqualTo("-ERR timeout is not a float or out of range");
    assertThat(run("BZPOPMIN z inf")).isEqualTo("-ERR timeout is negative");
    assertThat(run("BZPOPMIN z 9223372036854776")).isEqualTo("-ERR timeout is negative");
    fx.run("ZADD y 1 a 2 b");
    assertThat(run("ZMPOP 2 z y MAX COUNT 5")).isEqualTo("[y, [[b, 2], [a, 1]]]");
    assertThat(run("BZMPOP 0.5 1 y MIN")).isEqualTo("(nil)");
    assertThat(run("BZMPOP -1 1 y MIN")).isEqualTo("-ERR timeout is negative");
    assertThat(run("BZMPOP -1 0 y MIN")).isEqualTo("-ERR numkeys should be greater than 0");
    assertThat(run("ZMPOP 1 y MIN COUNT 0")).isEqualTo("-ERR count should be greater than 0");
  }

  @Test
  void timeoutsAreRoundedAsLongDoubles() {
    assertThat(ZsetPopCommands.validateTimeout(b("1.5"))).isEqualTo(1500);
    assertThat(ZsetPopCommands.validateTimeout(b("0.0001"))).isEqualTo(1);
    assertThat(ZsetPopCommands.validateTimeout(b("-0.0001"))).isEqualTo(0);
    assertThat(ZsetPopCommands.validateTimeout(b("-0.0005"))).isEqualTo(0);
    assertThat(ZsetPopCommands.validateTimeout(b("0x1p53"))).isEqualTo(9007199254740992000L);
    assertThat(ZsetPopCommands.validateTimeout(b("9223372036854775.807"))).isPositive();
    // The long double nearest 0.001 is a little below it: -0.001 s rounds up to 0 ms, as in Redis.
    assertThat(ZsetPopCommands.validateTimeout(b("-0.001"))).isEqualTo(0);
    assertThatThrownBy(() -> ZsetPopCommands.validateTimeout(b("-0.0011")))
        .isInstanceOf(RedisError.class);
  }

  @Test
  void randomMembersFollowRedisRules() {
    StringBuilder add = new StringBuilder("ZADD z");
    for (int i = 0; i < 600; i++) {
      add.append(' ').append(i).append(" m").append(i);
    }
    fx.run(add.toString());
    fx.run("ZADD small 1 a 2 b 3 c");
    assertThat(run("ZRANDMEMBER small 10 WITHSCORES")).isEqualTo("[c, 3, b, 2, a, 1]");
    for (String key : List.of("z", "small")) {
      Reply.Array distinct = (Reply.Array) fx.run("ZRANDMEMBER " + key + " 2");
      Set<String> seen = new HashSet<>();
      for (Reply r : distinct.items()) {
        seen.add(ReplyText.of(r));
      }
      assertThat(seen).hasSize(2);
      Reply.Array repeats = (Reply.Array) fx.run("ZRANDMEMBER " + key + " -50 WITHSCORES");
      assertThat(repeats.items()).hasSize(100);
      for (int i = 0; i < 100; i += 2) {
        String member = ReplyText.of(repeats.items().get(i));
        assertThat(run("ZSCORE " + key + " " + member))
            .isEqualTo(ReplyText.of(repeats.items().get(i + 1)));
      }
    }
    assertThat(run("ZRANDMEMBER z 5 WITHSCORES x")).isEqualTo("-ERR syntax error");
    assertThat(run("ZRANDMEMBER z 9223372036854775807 WITHSCORES"))
        .isEqualTo("-ERR value is out of range");
  }

  @Test
  void zscanPagesBigSetsWithStatelessCursors() {
    StringBuilder add = new StringBuilder("ZADD z");
    for (int i = 0; i < 1000; i++) {
      add.append(' ').append(i).append(" m").append(i);
    }
    fx.run(add.toString());
    Set<String> seen = new HashSet<>();
    String cursor = "0";
    int calls = 0;
    do {
      Reply.Array page = (Reply.Array) fx.run("ZSCAN z " + cursor + " COUNT 37");
      cursor = ReplyText.of(page.items().get(0));
      List<Reply> items = ((Reply.Array) page.items().get(1)).items();
      for (int i = 0; i < items.size(); i += 2) {
        String m = ReplyText.of(items.get(i));
        assertThat(ReplyText.of(items.get(i + 1))).isEqualTo(m.substring(1));
        seen.add(m);
      }
      calls++;
    } while (!cursor.equals("0"));
    assertThat(seen).hasSize(1000);
    assertThat(calls).isGreaterThan(10);
    fx.run("ZADD small 2 b 1 a");
    assertThat(run("ZSCAN small 12345 MATCH a*")).isEqualTo("[0, [a, 1]]");
    assertThat(run("ZSCAN small x")).isEqualTo("-ERR invalid cursor");
  }

  @Test
  void rankRangesReachFromTheNearerEnd() {
    StringBuilder add = new StringBuilder("ZADD z");
    for (int i = 0; i < 300; i++) {
      add.append(' ').append(i).append(" m").append(i);
    }
    fx.run(add.toString());
    assertThat(run("ZRANGE z 295 -1")).isEqualTo("[m295, m296, m297, m298, m299]");
    assertThat(run("ZRANGE z -3 -1 REV")).isEqualTo("[m2, m1, m0]");
    assertThat(run("ZREVRANGE z 0 1")).isEqualTo("[m299, m298]");
    assertThat(run("ZRANK z m250")).isEqualTo(":250");
    assertThat(run("ZREMRANGEBYRANK z 10 289")).isEqualTo(":280");
    assertThat(run("ZRANGE z 8 12")).isEqualTo("[m8, m9, m290, m291, m292]");
    assertThat(run("ZCARD z")).isEqualTo(":20");
  }

  @Test
  void scoresParseLikeStrtod() {
    assertThat(Strtod.string2d(b("0x10"))).isEqualTo(16.0);
    assertThat(Strtod.string2d(b("1e-320"))).isEqualTo(1e-320);
    assertThat(Strtod.string2d(b("1e-400"))).isNull();
    assertThat(Strtod.string2d(b("1e400"))).isNull();
    assertThat(Strtod.string2d(b("-Infinity"))).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(Strtod.string2d(b(" 1"))).isNull();
    assertThat(Strtod.string2d(b("1 "))).isNull();
    assertThat(Strtod.string2d(b(".5"))).isEqualTo(0.5);
    assertThat(Strtod.string2d(b("5."))).isEqualTo(5.0);
    assertThat(Strtod.string2d(b("0x"))).isNull();
    assertThat(Strtod.string2d(b("1e"))).isNull();
    assertThat(Strtod.string2d(b("nan"))).isNull();
    assertThat(ScoreRange.parse(b(""), b("(")).max()).isEqualTo(0.0);
    assertThat(ScoreRange.parse(b(" 1"), b("1\0junk")).min()).isEqualTo(1.0);
    assertThatThrownBy(() -> ScoreRange.parse(b("1 "), b("1"))).isInstanceOf(RedisError.class);
    assertThatThrownBy(() -> ScoreRange.parse(b("nan(x)"), b("1")))
        .isInstanceOf(RedisError.class);
    assertThat(ScoreFormat.text(0.1)).isEqualTo("0.10000000000000001");
    assertThat(ScoreFormat.text(-0.0)).isEqualTo("-0");
    assertThat(ScoreFormat.text(1e20)).isEqualTo("1e+20");
    assertThat(ScoreFormat.text(123456789012345.0)).isEqualTo("123456789012345");
  }

  @Test
  void movableKeysFollowRedisGetkeysProcs() {
    var store = ZsetCommands.numKeys(1, 2, 3);
    assertThat(store.keyIndexes(StoreFixture.split("zunionstore dst 2 a b"))).containsExactly(3, 4, 1);
    assertThat(store.keyIndexes(StoreFixture.split("zunionstore dst 2abc a b")))
        .containsExactly(3, 4, 1);
    assertThat(store.keyIndexes(StoreFixture.split("zunionstore dst 3 a b"))).isEmpty();
    assertThat(store.keyIndexes(StoreFixture.split("zunionstore dst 0 a"))).isEmpty();
    var blocking = ZsetCommands.numKeys(0, 2, 3);
    assertThat(blocking.keyIndexes(StoreFixture.split("bzmpop 0 2 a b min")))
        .containsExactly(3, 4);
    assertThat(blocking.keyIndexes(StoreFixture.split("bzmpop 0 x a b min"))).isEmpty();
  }

  @Test
  void sortableScoreEncodingOrdersNumerically() {
    double[] values = {Double.NEGATIVE_INFINITY, -1e300, -1, -Double.MIN_VALUE, 0,
        Double.MIN_VALUE, 1, 1e300, Double.POSITIVE_INFINITY};
    List<Long> keys = new ArrayList<>();
    for (double v : values) {
      keys.add(SortedSet.sortable(v));
      assertThat(SortedSet.fromSortable(SortedSet.sortable(v))).isEqualTo(v);
    }
    for (int i = 1; i < keys.size(); i++) {
      assertThat(Long.compareUnsigned(keys.get(i - 1), keys.get(i))).isNegative();
    }
    assertThat(SortedSet.sortable(-0.0)).isEqualTo(SortedSet.sortable(0.0));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
