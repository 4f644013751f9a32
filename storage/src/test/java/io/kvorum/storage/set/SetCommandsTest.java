package io.kvorum.storage.set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SetCommandsTest {
  @TempDir Path dir;
  StoreFixture fx;

  @BeforeEach
  void open() {
    fx = new StoreFixture(dir.resolve("a"));
  }

  @AfterEach
  void close() {
    fx.close();
  }

  private String run(String command) {
    return ReplyText.of(fx.run(command));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** SADD key with the members {@code prefix<from> … prefix<to-1>}. */
  private static byte[][] sadd(String key, String prefix, int from, int to) {
    List<byte[]> args = new ArrayList<>(List.of(b("sadd"), b(key)));
    for (int i = from; i < to; i++) {
      args.add(b(prefix + i));
    }
    return args.toArray(new byte[0][]);
  }

  private static Set<String> members(Reply r) {
    Set<String> out = new HashSet<>();
    List<Reply> items = r instanceof Reply.SetReply s ? s.items() : ((Reply.Array) r).items();
    for (Reply m : items) {
      out.add(ReplyText.of(m));
    }
    return out;
  }

  @Test
  void addRemoveAndMembership() {
    assertThat(run("sadd s 3 1 2 1")).isEqualTo(":3");
    assertThat(run("smembers s")).isEqualTo("[1, 2, 3]");
    assertThat(fx.run("smembers s")).isInstanceOf(Reply.SetReply.class);
    assertThat(run("sismember s 2")).isEqualTo(":1");
    assertThat(run("smismember s 2 9")).isEqualTo("[:1, :0]");
    assertThat(run("scard s")).isEqualTo(":3");
    assertThat(run("srem s 1 9 2")).isEqualTo(":2");
    assertThat(run("srem s 3")).isEqualTo(":1");
    assertThat(run("exists s")).isEqualTo(":0");
    assertThat(run("test.datacount")).isEqualTo(":0");
    run("set str x");
    assertThat(run("sadd str a")).startsWith("-WRONGTYPE");
    assertThat(run("smembers nokey")).isEqualTo("[]");
  }

  @Test
  void encodingFollowsRedisIntsetRules() {
    run("sadd s 1 a");
    assertThat(run("object encoding s")).isEqualTo("hashtable");
    run("srem s a");
    assertThat(run("object encoding s")).isEqualTo("hashtable");
    run("sadd t a 1");
    assertThat(run("object encoding t")).isEqualTo("hashtable");
    run("sadd i 1 -5 007");
    assertThat(run("object encoding i")).isEqualTo("hashtable");
    fx.call(sadd("n", "", 0, 512));
    assertThat(run("object encoding n")).isEqualTo("intset");
    run("sadd n 511");
    assertThat(run("object encoding n")).isEqualTo("intset");
    run("sadd n 512");
    assertThat(run("object encoding n")).isEqualTo("hashtable");
  }

  @Test
  void popRemovesWhatItReturns() {
    fx.call(sadd("s", "m", 0, 100));
    Reply one = fx.run("spop s");
    assertThat(run("sismember s " + ReplyText.of(one))).isEqualTo(":0");
    Set<String> popped = members(fx.run("spop s 30"));
    assertThat(popped).hasSize(30);
    assertThat(run("scard s")).isEqualTo(":69");
    for (String m : popped) {
      assertThat(run("sismember s " + m)).isEqualTo(":0");
    }
    assertThat(members(fx.run("spop s 1000"))).hasSize(69);
    assertThat(run("exists s")).isEqualTo(":0");
    assertThat(run("spop s 0")).isEqualTo("[]");
    assertThat(run("spop s")).isEqualTo("(nil)");
    assertThat(run("spop s -1")).isEqualTo("-ERR value is out of range, must be positive");
    assertThat(run("spop s 1 2")).isEqualTo("-ERR syntax error");
  }

  @Test
  void poppingMostOfASetRebuildsItsEncodingLikeRedis() {
    // A hashtable of integers: SPOP keeping at most a sixth rebuilds it, so it becomes an intset.
    fx.call(sadd("s", "", 1, 13));
    run("sadd s a");
    run("srem s a");
    assertThat(run("object encoding s")).isEqualTo("hashtable");
    run("spop s 10");
    assertThat(run("object encoding s")).isEqualTo("intset");
    // Keeping more: Redis pops member by member and the encoding stays.
    fx.call(sadd("t", "", 1, 13));
    run("sadd t a");
    run("srem t a");
    run("spop t 9");
    assertThat(run("object encoding t")).isEqualTo("hashtable");
  }

  @Test
  void randomMembersFollowTheCountRules() {
    fx.call(sadd("s", "m", 0, 10));
    assertThat(run("srandmember nokey")).isEqualTo("(nil)");
    assertThat(run("srandmember nokey 3")).isEqualTo("[]");
    assertThat(run("srandmember s 0")).isEqualTo("[]");
    for (int count = 1; count <= 12; count++) {
      List<Reply> items = ((Reply.Array) fx.run("srandmember s " + count)).items();
      assertThat(items).hasSize(Math.min(count, 10));
      assertThat(members(fx.run("srandmember s " + count))).hasSize(Math.min(count, 10));
    }
    assertThat(((Reply.Array) fx.run("srandmember s -25")).items()).hasSize(25);
    assertThat(run("scard s")).isEqualTo(":10");
    // An intset returned whole comes in ascending order, as Redis iterates it.
    run("sadd n 10 -3 2");
    assertThat(run("srandmember n 5")).isEqualTo("[-3, 2, 10]");
  }

  @Test
  void bigSetsDrawDistinctMembersAndCoverThemAll() {
    fx.call(sadd("big", "m", 0, 5000));
    Set<String> drawn = members(fx.run("srandmember big 1000"));
    assertThat(drawn).hasSize(1000);
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      for (Reply r : ((Reply.Array) fx.run("srandmember big -5000")).items()) {
        seen.merge(ReplyText.of(r), 1, Integer::sum);
      }
    }
    assertThat(seen).hasSize(5000);
    assertThat(seen.values().stream().mapToInt(Integer::intValue).max().orElseThrow())
        .isLessThan(120);
    Set<String> popped = members(fx.run("spop big 4500"));
    assertThat(popped).hasSize(4500);
    assertThat(run("scard big")).isEqualTo(":500");
  }

  @Test
  void moveBetweenSets() {
    run("sadd a 1 2");
    assertThat(run("smove a b 1")).isEqualTo(":1");
    assertThat(run("object encoding b")).isEqualTo("intset");
    assertThat(run("smove a b 9")).isEqualTo(":0");
    assertThat(run("smove a a 2")).isEqualTo(":1");
    assertThat(run("smove nokey b 2")).isEqualTo(":0");
    run("set str x");
    assertThat(run("smove nokey str 2")).isEqualTo(":0");
    assertThat(run("smove a str 2")).startsWith("-WRONGTYPE");
    run("sadd b x");
    assertThat(run("smove a b 2")).isEqualTo(":1");
    assertThat(run("exists a")).isEqualTo(":0");
    assertThat(members(fx.run("smembers b"))).containsExactlyInAnyOrder("1", "2", "x");
  }

  @Test
  void algebra() {
    run("sadd a 1 2 3 x");
    run("sadd b 2 3 4");
    run("sadd c 3 x");
    assertThat(run("sinter a b")).isEqualTo("[2, 3]");
    assertThat(run("sinter a b c")).isEqualTo("[3]");
    assertThat(run("sinter a nokey")).isEqualTo("[]");
    assertThat(members(fx.run("sunion a b c"))).containsExactlyInAnyOrder("1", "2", "3", "4",
        "x");
    assertThat(members(fx.run("sdiff a b"))).containsExactlyInAnyOrder("1", "x");
    assertThat(run("sdiff nokey a")).isEqualTo("[]");
    assertThat(run("sintercard 2 a b")).isEqualTo(":2");
    assertThat(run("sintercard 2 a b LIMIT 1")).isEqualTo(":1");
    assertThat(run("sintercard 2 a b LIMIT 0")).isEqualTo(":2");
    assertThat(run("sintercard 0 a")).isEqualTo("-ERR numkeys should be greater than 0");
    assertThat(run("sintercard 3 a b")).isEqualTo(
        "-ERR Number of keys can't be greater than number of args");
    assertThat(run("sintercard 1 a LIMIT -1")).isEqualTo("-ERR LIMIT can't be negative");
    run("set str x");
    assertThat(run("sinter nokey str")).startsWith("-WRONGTYPE");
    assertThat(run("sunion str")).startsWith("-WRONGTYPE");
  }

  @Test
  void sintercardFindsItsKeysAfterTheCount() {
    var keys = StoreFixture.TABLE.get("sintercard").keys();
    assertThat(keys.keyIndexes(StoreFixture.split("sintercard 2 a b LIMIT 1"))).containsExactly(2,
        3);
    assertThatThrownBy(() -> keys.keyIndexes(StoreFixture.split("sintercard 3 a b")))
        .isInstanceOf(RedisError.class)
        .hasMessage("ERR Number of keys can't be greater than number of args");
    assertThatThrownBy(() -> keys.keyIndexes(StoreFixture.split("sintercard x a")))
        .hasMessage("ERR numkeys should be greater than 0");
  }

  @Test
  void storeReplacesTheDestination() {
    run("sadd a 1 2 3");
    run("sadd b 2 3 x");
    run("set dst old");
    run("expire dst 100");
    assertThat(run("sinterstore dst a b")).isEqualTo(":2");
    assertThat(run("ttl dst")).isEqualTo(":-1");
    assertThat(run("object encoding dst")).isEqualTo("intset");
    assertThat(run("sunionstore dst a b")).isEqualTo(":4");
    assertThat(run("object encoding dst")).isEqualTo("hashtable");
    assertThat(run("sdiffstore a a b")).isEqualTo(":1");
    assertThat(run("smembers a")).isEqualTo("[1]");
    assertThat(run("sinterstore dst a nokey")).isEqualTo(":0");
    assertThat(run("exists dst")).isEqualTo(":0");
    run("del a b");
    assertThat(run("test.datacount")).isEqualTo(":0");
  }

  @Test
  void scanPagesThroughAHashtable() {
    fx.call(sadd("s", "m", 0, 3000));
    Set<String> seen = new HashSet<>();
    String cursor = "0";
    do {
      List<Reply> page = ((Reply.Array) fx.run("sscan s " + cursor + " COUNT 50")).items();
      cursor = ReplyText.of(page.get(0));
      for (Reply m : ((Reply.Array) page.get(1)).items()) {
        assertThat(seen.add(ReplyText.of(m))).isTrue();
      }
    } while (!cursor.equals("0"));
    assertThat(seen).hasSize(3000);
    run("sadd i 5 1 3");
    assertThat(run("sscan i 0 MATCH [13]")).isEqualTo("[0, [1, 3]]");
  }

  @Test
  void replicasApplyingTheSameEntriesPopTheSameMembers() {
    try (StoreFixture other = new StoreFixture(dir.resolve("b"))) {
      for (StoreFixture f : List.of(fx, other)) {
        f.call(sadd("s", "m", 0, 2000));
        f.call(sadd("t", "", 0, 100));
      }
      for (String command : List.of("spop s", "spop s 7", "spop s 1500", "spop t 90", "spop t",
          "smembers s", "smembers t")) {
        assertThat(ReplyText.of(other.run(command))).isEqualTo(run(command));
      }
    }
  }
}
