package io.kvorum.storage.list;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListCommandsTest {
  static final String WRONGTYPE =
      "-WRONGTYPE Operation against a key holding the wrong kind of value";
  static final String NOT_INTEGER = "-ERR value is not an integer or out of range";

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

  /** Sub-keys in the DATA column: shows whether a change left elements behind. */
  long dataEntries() {
    return ((Reply.Int) fx.run("test.datacount")).value();
  }

  String rpushRange(String key, int from, int to) {
    StringJoiner cmd = new StringJoiner(" ", "rpush " + key + " ", "");
    for (int i = from; i < to; i++) {
      cmd.add(Integer.toString(i));
    }
    return r(cmd.toString());
  }

  static String numbers(int from, int to) {
    StringJoiner s = new StringJoiner(", ", "[", "]");
    for (int i = from; i < to; i++) {
      s.add(Integer.toString(i));
    }
    return s.toString();
  }

  @Test
  void pushAndPopAtBothEnds() {
    assertThat(r("lpush l a b c")).isEqualTo(":3");
    assertThat(r("lrange l 0 -1")).isEqualTo("[c, b, a]");
    assertThat(r("rpush l d e")).isEqualTo(":5");
    assertThat(r("lrange l 0 -1")).isEqualTo("[c, b, a, d, e]");
    assertThat(r("lpop l")).isEqualTo("c");
    assertThat(r("rpop l")).isEqualTo("e");
    assertThat(r("lpop l 0")).isEqualTo("[]");
    assertThat(r("rpop l 2")).as("count pops come in pop order").isEqualTo("[d, a]");
    assertThat(r("lpop l 9223372036854775807")).isEqualTo("[b]");
    assertThat(r("exists l")).as("an emptied list is deleted").isEqualTo(":0");
    assertThat(fx.run("lpop l")).isInstanceOf(Reply.NullBulk.class);
    assertThat(fx.run("lpop l 1")).as("*-1 / _ with a count").isInstanceOf(Reply.NullArray.class);
    assertThat(fx.run("lpop l 0")).isInstanceOf(Reply.NullArray.class);
    assertThat(r("lpop l -1")).isEqualTo("-ERR value is out of range, must be positive");
    assertThat(r("rpop l x")).isEqualTo("-ERR value is out of range, must be positive");
    assertThat(r("rpop l 1 2")).isEqualTo("-ERR wrong number of arguments for 'rpop' command");
    assertThat(dataEntries()).isZero();
  }

  @Test
  void pushxOnlyExtendsExistingListsAndTypesAreChecked() {
    assertThat(r("lpushx l a")).isEqualTo(":0");
    assertThat(r("exists l")).isEqualTo(":0");
    r("rpush l a");
    assertThat(r("lpushx l b c")).isEqualTo(":3");
    assertThat(r("rpushx l z")).isEqualTo(":4");
    assertThat(r("lrange l 0 -1")).isEqualTo("[c, b, a, z]");
    r("set s v");
    for (String cmd : List.of("lpush s a", "rpushx s a", "lpop s", "lpop s 0", "llen s",
        "lrange s 0 1", "lindex s x", "lset s 0 v", "linsert s before a b", "lrem s 0 a",
        "ltrim s 0 1", "lpos s a", "lmove s l left left", "lmove l s left left",
        "rpoplpush l s", "lmpop 1 s left", "blpop s 0", "blmove s l left left 0",
        "blmpop 0 1 s left")) {
      assertThat(r(cmd)).as(cmd).isEqualTo(WRONGTYPE);
    }
    assertThat(r("lrange l 0 -1")).as("a refused move leaves the source").isEqualTo("[c, b, a, z]");
    assertThat(r("type l")).isEqualTo("+list");
    assertThat(r("object encoding l")).isEqualTo("quicklist");
  }

  @Test
  void rangesAndIndexesFollowRedisClamping() {
    rpushRange("l", 0, 10);
    assertThat(r("llen l")).isEqualTo(":10");
    assertThat(r("llen none")).isEqualTo(":0");
    assertThat(r("lrange l 2 4")).isEqualTo("[2, 3, 4]");
    assertThat(r("lrange l -3 -1")).isEqualTo("[7, 8, 9]");
    assertThat(r("lrange l -100 1")).isEqualTo("[0, 1]");
    assertThat(r("lrange l 8 100")).isEqualTo("[8, 9]");
    assertThat(r("lrange l 5 4")).isEqualTo("[]");
    assertThat(r("lrange l 10 20")).isEqualTo("[]");
    assertThat(r("lrange l -9223372036854775808 9223372036854775807"))
        .isEqualTo(numbers(0, 10));
    assertThat(r("lrange l x 1")).isEqualTo(NOT_INTEGER);
    assertThat(r("lrange none x 1")).as("indexes are parsed first").isEqualTo(NOT_INTEGER);
    assertThat(r("lindex l 0")).isEqualTo("0");
    assertThat(r("lindex l -1")).isEqualTo("9");
    assertThat(r("lindex l -10")).isEqualTo("0");
    assertThat(r("lindex l 10")).isEqualTo("(nil)");
    assertThat(r("lindex l -11")).isEqualTo("(nil)");
    assertThat(r("lindex l -9223372036854775808")).isEqualTo("(nil)");
    assertThat(r("lindex none x")).as("the key is looked up first").isEqualTo("(nil)");
    assertThat(r("lindex l x")).isEqualTo(NOT_INTEGER);
    assertThat(r("lset l -1 last")).isEqualTo("+OK");
    assertThat(r("lset l 0 first")).isEqualTo("+OK");
    assertThat(r("lset l 10 x")).isEqualTo("-ERR index out of range");
    assertThat(r("lset none x v")).isEqualTo("-ERR no such key");
    assertThat(r("lset l x v")).isEqualTo(NOT_INTEGER);
    assertThat(r("lrange l 0 -1")).isEqualTo("[first, 1, 2, 3, 4, 5, 6, 7, 8, last]");
  }

  @Test
  void linsertMovesTheShorterSideAndKeepsIndexesDense() {
    rpushRange("l", 0, 10);
    assertThat(r("linsert l before 2 A")).isEqualTo(":11");
    assertThat(r("linsert l after 8 B")).isEqualTo(":12");
    assertThat(r("linsert l AFTER 0 C")).isEqualTo(":13");
    assertThat(r("linsert l before 9 D")).isEqualTo(":14");
    assertThat(r("linsert l before nothere E")).isEqualTo(":-1");
    assertThat(r("linsert none before 1 E")).isEqualTo(":0");
    assertThat(r("linsert l middle 1 E")).isEqualTo("-ERR syntax error");
    String expected = "[0, C, 1, A, 2, 3, 4, 5, 6, 7, 8, B, D, 9]";
    assertThat(r("lrange l 0 -1")).isEqualTo(expected);
    List<String> byIndex = new ArrayList<>();
    for (int i = 0; i < 14; i++) {
      byIndex.add(r("lindex l " + i));
    }
    assertThat("[" + String.join(", ", byIndex) + "]").isEqualTo(expected);
    assertThat(r("lpop l")).isEqualTo("0");
    assertThat(r("rpush l Z")).isEqualTo(":14");
    assertThat(r("lindex l -1")).isEqualTo("Z");
    assertThat(dataEntries()).isEqualTo(14);
  }

  @Test
  void lremCountsFromEitherEndAndCompacts() {
    r("rpush l x a x b x c x d x");
    assertThat(r("lrem l 2 x")).isEqualTo(":2");
    assertThat(r("lrange l 0 -1")).isEqualTo("[a, b, x, c, x, d, x]");
    assertThat(r("lrem l -1 x")).isEqualTo(":1");
    assertThat(r("lrange l 0 -1")).isEqualTo("[a, b, x, c, x, d]");
    assertThat(r("lrem l 0 x")).isEqualTo(":2");
    assertThat(r("lrange l 0 -1")).isEqualTo("[a, b, c, d]");
    assertThat(r("lrem l 0 nothere")).isEqualTo(":0");
    assertThat(r("lrem none 0 x")).isEqualTo(":0");
    assertThat(r("lrem l x a")).isEqualTo(NOT_INTEGER);
    assertThat(r("lindex l 3")).isEqualTo("d");
    assertThat(dataEntries()).isEqualTo(4);
    r("rpush l a a");
    assertThat(r("lrem l -9223372036854775808 a")).as("-LONG_MIN removes all").isEqualTo(":3");
    assertThat(r("lrange l 0 -1")).isEqualTo("[b, c, d]");
    assertThat(r("lrem l 0 b")).isEqualTo(":1");
    assertThat(r("lrem l 0 c")).isEqualTo(":1");
    assertThat(r("lrem l 1 d")).isEqualTo(":1");
    assertThat(r("exists l")).isEqualTo(":0");
    assertThat(dataEntries()).isZero();
  }

  @Test
  void lremOnALongListMovesEitherSide() {
    rpushRange("l", 0, 200);
    assertThat(r("lrem l 0 190")).isEqualTo(":1");
    assertThat(r("lrem l 0 5")).isEqualTo(":1");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      if (i != 5 && i != 190) {
        expected.add(Integer.toString(i));
      }
    }
    assertThat(r("lrange l 0 -1")).isEqualTo("[" + String.join(", ", expected) + "]");
    assertThat(r("lindex l 5")).isEqualTo("6");
    assertThat(r("lindex l 189")).isEqualTo("191");
    assertThat(dataEntries()).isEqualTo(198);
  }

  @Test
  void ltrimDeletesBothEndsAndEmptiesTheKey() {
    rpushRange("l", 0, 300);
    assertThat(r("ltrim l 100 -101")).as("range deletions on both sides").isEqualTo("+OK");
    assertThat(r("lrange l 0 -1")).isEqualTo(numbers(100, 200));
    assertThat(dataEntries()).isEqualTo(100);
    assertThat(r("ltrim l 1 -2")).isEqualTo("+OK");
    assertThat(r("llen l")).isEqualTo(":98");
    assertThat(r("lindex l 0")).isEqualTo("101");
    assertThat(r("ltrim l 0 1000")).isEqualTo("+OK");
    assertThat(r("llen l")).isEqualTo(":98");
    assertThat(r("ltrim none 0 1")).isEqualTo("+OK");
    assertThat(r("ltrim l x 1")).isEqualTo(NOT_INTEGER);
    assertThat(r("ltrim l 5 4")).isEqualTo("+OK");
    assertThat(r("exists l")).isEqualTo(":0");
    assertThat(dataEntries()).isZero();
    rpushRange("l", 0, 3);
    assertThat(r("lrange l 0 -1")).as("a new incarnation starts clean").isEqualTo("[0, 1, 2]");
  }

  @Test
  void deletedRangesCanBeRefilledInTheSameLogEntry() {
    rpushRange("l", 0, 100);
    List<Reply> replies = fx.apply(List.of(
        StoreFixture.split("ltrim l 80 -1"),
        StoreFixture.split("lpush l c b a"),
        StoreFixture.split("lrange l 0 4"),
        StoreFixture.split("lpop l 90"),
        StoreFixture.split("rpush l z"),
        StoreFixture.split("lrange l 0 -1")));
    assertThat(ReplyText.of(replies.get(2))).isEqualTo("[a, b, c, 80, 81]");
    assertThat(ReplyText.of(replies.get(5))).isEqualTo("[z]");
    assertThat(r("lrange l 0 -1")).isEqualTo("[z]");
    assertThat(dataEntries()).isEqualTo(1);
  }

  @Test
  void lposFindsRanksCountsWithinMaxlen() {
    r("rpush l a b c 1 2 3 c c");
    assertThat(r("lpos l c")).isEqualTo(":2");
    assertThat(r("lpos l c rank 2")).isEqualTo(":6");
    assertThat(r("lpos l c rank -1")).isEqualTo(":7");
    assertThat(r("lpos l c rank -3")).isEqualTo(":2");
    assertThat(r("lpos l c rank 4")).isEqualTo("(nil)");
    assertThat(r("lpos l c count 0")).isEqualTo("[:2, :6, :7]");
    assertThat(r("lpos l c count 2 rank -1")).isEqualTo("[:7, :6]");
    assertThat(r("lpos l c count 0 maxlen 3")).isEqualTo("[:2]");
    assertThat(r("lpos l c maxlen 2")).isEqualTo("(nil)");
    assertThat(r("lpos l c rank -9223372036854775808")).as("-LONG_MIN wraps as in C")
        .isEqualTo(":7");
    assertThat(r("lpos l x count 1")).isEqualTo("[]");
    assertThat(r("lpos none x")).isEqualTo("(nil)");
    assertThat(r("lpos none x count 1")).isEqualTo("[]");
    assertThat(r("lpos l c rank 0")).startsWith("-ERR RANK can't be zero");
    assertThat(r("lpos l c count -1")).isEqualTo("-ERR COUNT can't be negative");
    assertThat(r("lpos l c maxlen x")).isEqualTo("-ERR MAXLEN can't be negative");
    assertThat(r("lpos l c rank x")).isEqualTo(NOT_INTEGER);
    assertThat(r("lpos l c rank")).isEqualTo("-ERR syntax error");
    assertThat(r("lpos none c foo 1")).isEqualTo("-ERR syntax error");
  }

  @Test
  void lmoveMovesBetweenListsAndRotatesOne() {
    r("rpush src a b c");
    assertThat(r("lmove src dst left right")).isEqualTo("a");
    assertThat(r("rpoplpush src dst")).isEqualTo("c");
    assertThat(r("lrange dst 0 -1")).isEqualTo("[c, a]");
    assertThat(r("lmove dst dst left right")).isEqualTo("c");
    assertThat(r("lrange dst 0 -1")).isEqualTo("[a, c]");
    assertThat(r("lmove src src right left")).as("a one-element rotation keeps the key")
        .isEqualTo("b");
    assertThat(r("lrange src 0 -1")).isEqualTo("[b]");
    assertThat(r("lmove src dst RIGHT Left")).isEqualTo("b");
    assertThat(r("exists src")).isEqualTo(":0");
    assertThat(r("lrange dst 0 -1")).isEqualTo("[b, a, c]");
    r("set s v");
    assertThat(r("lmove none s left left")).as("no source: the destination is not checked")
        .isEqualTo("(nil)");
    assertThat(r("lmove dst new up left")).isEqualTo("-ERR syntax error");
    assertThat(dataEntries()).isEqualTo(3);
  }

  @Test
  void lmpopPopsFromTheFirstNonEmptyList() {
    r("rpush b 1 2 3");
    r("rpush c x");
    assertThat(r("lmpop 3 a b c left")).isEqualTo("[b, [1]]");
    assertThat(r("lmpop 3 a b c right count 5")).isEqualTo("[b, [3, 2]]");
    assertThat(r("lmpop 2 a b left")).isEqualTo("(nil)");
    assertThat(fx.run("lmpop 1 a left")).isInstanceOf(Reply.NullArray.class);
    assertThat(r("lmpop 0 a left")).isEqualTo("-ERR numkeys should be greater than 0");
    assertThat(r("lmpop 2 a left")).isEqualTo("-ERR syntax error");
    assertThat(r("lmpop 9223372036854775807 a left")).isEqualTo("-ERR syntax error");
    assertThat(r("lmpop 1 a left count 0")).isEqualTo("-ERR count should be greater than 0");
    assertThat(r("lmpop 1 a left count 1 count 1")).isEqualTo("-ERR syntax error");
    assertThat(r("lmpop 1 a up")).isEqualTo("-ERR syntax error");
    r("set s v");
    assertThat(r("lmpop 2 c s left")).as("the first list wins before a wrong type")
        .isEqualTo("[c, [x]]");
    assertThat(r("lmpop 2 a s left")).isEqualTo(WRONGTYPE);
  }

  @Test
  void blockingCommandsPopWhenTheyCanAndAnswerNullArrayOtherwise() {
    r("rpush l a b c");
    assertThat(r("blpop none l 0")).isEqualTo("[l, a]");
    assertThat(r("brpop l 1.5")).isEqualTo("[l, c]");
    assertThat(fx.run("blpop none 0")).isInstanceOf(Reply.NullArray.class);
    assertThat(r("brpoplpush l dst 0")).isEqualTo("b");
    assertThat(fx.run("brpoplpush l dst 0")).isInstanceOf(Reply.NullArray.class);
    assertThat(fx.run("blmove l dst left left 0")).isInstanceOf(Reply.NullArray.class);
    assertThat(r("blmove dst l left right 0")).isEqualTo("b");
    assertThat(r("blmpop 0 2 none l right count 3")).isEqualTo("[l, [b]]");
    assertThat(fx.run("blmpop 0 1 l left")).isInstanceOf(Reply.NullArray.class);
    assertThat(r("blpop l -1")).isEqualTo("-ERR timeout is negative");
    assertThat(r("blpop l inf")).isEqualTo("-ERR timeout is negative");
    assertThat(r("brpop l x")).isEqualTo("-ERR timeout is not a float or out of range");
    assertThat(r("blmove l dst up left x")).as("positions before the timeout")
        .isEqualTo("-ERR syntax error");
    assertThat(r("blmpop x 0 l left")).as("numkeys before the timeout")
        .isEqualTo("-ERR numkeys should be greater than 0");
    assertThat(r("blmpop x 1 l left")).isEqualTo("-ERR timeout is not a float or out of range");
    assertThat(r("brpoplpush l dst -0.0001")).as("rounds to 0: wait forever").isEqualTo("(nil)");
  }

  @Test
  void timeoutsAreMillisecondsRoundedUp() {
    assertThat(BlockingTimeout.millis(b("0"))).isZero();
    assertThat(BlockingTimeout.millis(b("-0"))).isZero();
    assertThat(BlockingTimeout.millis(b("-0.0001"))).isZero();
    assertThat(BlockingTimeout.millis(b("-0.001"))).as("-0.001L * 1000 rounds above -1").isZero();
    assertThat(BlockingTimeout.millis(b("0.0001"))).isEqualTo(1);
    assertThat(BlockingTimeout.millis(b("1e-4000"))).isEqualTo(1);
    assertThat(BlockingTimeout.millis(b("1.5"))).isEqualTo(1500);
    assertThat(BlockingTimeout.millis(b("0.001"))).isEqualTo(1);
    assertThat(BlockingTimeout.millis(b("0x10"))).isEqualTo(16000);
    assertThat(BlockingTimeout.millis(b("9223372036854775")))
        .isEqualTo(9_223_372_036_854_775_000L);
    for (String negative : List.of("-1", "-0.0011", "inf", "-inf", "1e16", "9223372036854776")) {
      assertThatThrownBy(() -> BlockingTimeout.millis(b(negative))).as(negative)
          .isInstanceOf(RedisError.class).hasMessage("ERR timeout is negative");
    }
    for (String bad : List.of("x", "", " 1", "nan", "1e5000")) {
      assertThatThrownBy(() -> BlockingTimeout.millis(b(bad))).as(bad)
          .isInstanceOf(RedisError.class).hasMessage("ERR timeout is not a float or out of range");
    }
    assertThat(BlockingTimeout.argumentIndex(StoreFixture.split("BLPOP a b 5"))).isEqualTo(3);
    assertThat(BlockingTimeout.argumentIndex(StoreFixture.split("blmove a b left left 5")))
        .isEqualTo(5);
    assertThat(BlockingTimeout.argumentIndex(StoreFixture.split("brpoplpush a b 5"))).isEqualTo(3);
    assertThat(BlockingTimeout.argumentIndex(StoreFixture.split("blmpop 5 1 a left")))
        .isEqualTo(1);
    assertThat(BlockingTimeout.argumentIndex(StoreFixture.split("lpop a"))).isEqualTo(-1);
  }

  @Test
  void lmpopKeysAreFoundByNumkeys() {
    var lmpop = StoreFixture.TABLE.get("lmpop").keys();
    var blmpop = StoreFixture.TABLE.get("blmpop").keys();
    assertThat(lmpop.keyIndexes(StoreFixture.split("lmpop 2 a b left"))).containsExactly(2, 3);
    assertThat(blmpop.keyIndexes(StoreFixture.split("blmpop 0 2 a b left count 2")))
        .containsExactly(3, 4);
    assertThat(lmpop.keyIndexes(StoreFixture.split("lmpop 0 a left"))).isEmpty();
    assertThat(lmpop.keyIndexes(StoreFixture.split("lmpop 5 a left"))).isEmpty();
    assertThat(lmpop.keyIndexes(StoreFixture.split("lmpop x a left"))).isEmpty();
    assertThat(StoreFixture.TABLE.get("blpop").keys()
        .keyIndexes(StoreFixture.split("blpop a b 0"))).containsExactly(1, 2);
  }

  @Test
  void expiryIsKeptAndGoesWithTheKey() {
    r("rpush l a b c");
    r("expire l 100");
    r("rpush l d");
    r("lpop l");
    r("lset l 0 x");
    r("linsert l before x w");
    r("ltrim l 0 -1");
    assertThat(r("ttl l")).isEqualTo(":100");
    fx.run("lpop l 10");
    assertThat(r("ttl l")).isEqualTo(":-2");
    r("rpush l a");
    assertThat(r("ttl l")).as("a recreated list has no expiry").isEqualTo(":-1");
    r("pexpire l 10");
    fx.now += 20;
    assertThat(r("llen l")).isEqualTo(":0");
    assertThat(r("rpush l fresh")).isEqualTo(":1");
    assertThat(r("lrange l 0 -1")).isEqualTo("[fresh]");
    assertThat(r("dbsize")).isEqualTo(":1");
  }

  @Test
  void copyAndRenameCarryElementsAndEnds() {
    r("rpush l a b c");
    r("lpush l z");
    assertThat(r("copy l c1")).isEqualTo(":1");
    assertThat(r("rename l r1")).isEqualTo("+OK");
    assertThat(r("lrange c1 0 -1")).isEqualTo("[z, a, b, c]");
    assertThat(r("lrange r1 0 -1")).isEqualTo("[z, a, b, c]");
    assertThat(r("lpush c1 y")).isEqualTo(":5");
    assertThat(r("rpush r1 d")).isEqualTo(":5");
    assertThat(r("lindex c1 0")).isEqualTo("y");
    assertThat(r("lindex r1 -1")).isEqualTo("d");
    assertThat(r("object encoding c1")).isEqualTo("quicklist");
    assertThat(r("del c1 r1")).isEqualTo(":2");
    assertThat(dataEntries()).isZero();
  }

  @Test
  void binaryAndEmptyElementsRoundTrip() {
    byte[] binary = {0, (byte) 0xFF, '\r', '\n', 1};
    Reply pushed = fx.call(b("rpush"), b("l"), binary, new byte[0], b("007"), b("12"));
    assertThat(ReplyText.of(pushed)).isEqualTo(":4");
    Reply.Array all = (Reply.Array) fx.call(b("lrange"), b("l"), b("0"), b("-1"));
    assertThat(((Reply.Bulk) all.items().get(0)).value()).isEqualTo(binary);
    assertThat(((Reply.Bulk) all.items().get(1)).value()).isEmpty();
    assertThat(ReplyText.of(all.items().get(2))).isEqualTo("007");
    assertThat(ReplyText.of(fx.call(b("lpos"), b("l"), new byte[0]))).isEqualTo(":1");
    assertThat(ReplyText.of(fx.call(b("lrem"), b("l"), b("0"), binary))).isEqualTo(":1");
    assertThat(r("llen l")).isEqualTo(":3");
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
