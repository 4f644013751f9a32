package io.kvorum.storage.generic;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.keyspace.KeyCodec;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
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

class KeyCommandsTest {
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

  @Test
  void delExistsTypeTouch() {
    fx.run("mset a 1 b 2");
    fx.run("lpush l x");
    fx.run("hset h f v");
    assertThat(r("exists a a b nokey")).isEqualTo(":3");
    assertThat(r("touch a l nokey a")).isEqualTo(":3");
    assertThat(r("type a")).isEqualTo("+string");
    assertThat(r("type l")).isEqualTo("+list");
    assertThat(r("type h")).isEqualTo("+hash");
    assertThat(r("type nokey")).isEqualTo("+none");
    assertThat(r("del a nokey a")).isEqualTo(":1");
    assertThat(r("unlink b l h")).isEqualTo(":3");
    assertThat(r("dbsize")).isEqualTo(":0");
    assertThat(r("lrange l 0 -1")).isEqualTo("[]");
  }

  @Test
  void renameMovesValueEncodingAndTtl() {
    assertThat(r("rename nokey x")).isEqualTo("-ERR no such key");
    assertThat(r("renamenx nokey x")).isEqualTo("-ERR no such key");
    fx.run("set s 5 ex 100");
    assertThat(r("rename s s")).isEqualTo("+OK");
    assertThat(r("renamenx s s")).isEqualTo(":0");
    assertThat(r("rename s t")).isEqualTo("+OK");
    assertThat(r("exists s")).isEqualTo(":0");
    assertThat(r("get t")).isEqualTo("5");
    assertThat(r("ttl t")).isEqualTo(":100");
    assertThat(r("object refcount t")).isEqualTo(":2147483647");
    fx.run("set u other");
    assertThat(r("renamenx t u")).isEqualTo(":0");
    assertThat(r("renamenx t v")).isEqualTo(":1");
    assertThat(r("rename v u")).isEqualTo("+OK");
    assertThat(r("get u")).isEqualTo("5");
    assertThat(r("dbsize")).isEqualTo(":1");
  }

  @Test
  void renameAndCopyCollectionsCarryTheirMembers() {
    fx.run("lpush l a b c");
    fx.run("hset h f1 v1 f2 v2");
    fx.run("set s x");
    assertThat(r("rename l l2")).isEqualTo("+OK");
    assertThat(r("lrange l2 0 -1")).isEqualTo("[c, b, a]");
    assertThat(r("lrange l 0 -1")).isEqualTo("[]");
    assertThat(r("copy l2 l3")).isEqualTo(":1");
    assertThat(r("lpush l3 d")).isEqualTo(":4");
    assertThat(r("lrange l3 0 -1")).isEqualTo("[d, c, b, a]");
    assertThat(r("lrange l2 0 -1")).as("the copy is independent").isEqualTo("[c, b, a]");
    assertThat(r("rename h s")).as("overwrites a key of another type").isEqualTo("+OK");
    assertThat(r("hget s f2")).isEqualTo("v2");
    assertThat(r("copy s l2")).isEqualTo(":0");
    assertThat(r("copy s l2 replace")).isEqualTo(":1");
    assertThat(r("hget l2 f1")).isEqualTo("v1");
    assertThat(r("type l2")).isEqualTo("+hash");
    assertThat(r("object encoding l3")).isEqualTo("quicklist");
    assertThat(r("object encoding l2")).isEqualTo("listpack");
    assertThat(r("dbsize")).isEqualTo(":3");
    // Nothing of the old incarnations is left behind in the data column.
    assertThat(dataEntries()).as("l3, l2 and s hold 4 + 2 + 2 members").isEqualTo(8);
  }

  @Test
  void copyOptionsAndErrors() {
    fx.run("set n 5 ex 100");
    assertThat(r("copy n n")).isEqualTo("-ERR source and destination objects are the same");
    assertThat(r("copy n m db 1"))
        .isEqualTo("-ERR Copying to another database is not allowed in cluster mode");
    assertThat(r("copy n m db 16")).isEqualTo("-ERR DB index is out of range");
    assertThat(r("copy n m db -1")).isEqualTo("-ERR DB index is out of range");
    assertThat(r("copy n m db x")).isEqualTo("-ERR value is not an integer or out of range");
    assertThat(r("copy n m db 99999999999"))
        .isEqualTo("-ERR value is out of range, value must between -2147483648 and 2147483647");
    assertThat(r("copy n m db 1 foo")).isEqualTo("-ERR syntax error");
    assertThat(r("copy n m db")).isEqualTo("-ERR syntax error");
    assertThat(r("copy n n db 1"))
        .isEqualTo("-ERR Copying to another database is not allowed in cluster mode");
    assertThat(r("copy nokey m")).isEqualTo(":0");
    assertThat(r("copy n m db 1 db 0")).isEqualTo(":1");
    assertThat(r("get m")).isEqualTo("5");
    assertThat(r("ttl m")).isEqualTo(":100");
    assertThat(r("object encoding m")).isEqualTo("int");
    assertThat(r("object refcount m")).as("a copy of a shared integer is private").isEqualTo(":1");
    assertThat(r("object refcount n")).isEqualTo(":2147483647");
    fx.run("set e hello");
    assertThat(r("copy e m REPLACE")).isEqualTo(":1");
    assertThat(r("get m")).isEqualTo("hello");
    assertThat(r("ttl m")).isEqualTo(":-1");
    assertThat(r("object encoding m")).isEqualTo("embstr");
  }

  @Test
  void expireFamily() {
    fx.run("set k v");
    assertThat(r("expire nokey 10")).isEqualTo(":0");
    assertThat(r("expire k abc")).isEqualTo("-ERR value is not an integer or out of range");
    assertThat(r("expire k abc foo")).as("options are checked first")
        .isEqualTo("-ERR Unsupported option foo");
    assertThat(r("expire k 10 nx xx"))
        .isEqualTo("-ERR NX and XX, GT or LT options at the same time are not compatible");
    assertThat(r("expire k 10 gt lt"))
        .isEqualTo("-ERR GT and LT options at the same time are not compatible");
    assertThat(r("expire k 9223372036854775807"))
        .isEqualTo("-ERR invalid expire time in 'expire' command");
    assertThat(r("expire k -9223372036854775808"))
        .isEqualTo("-ERR invalid expire time in 'expire' command");
    assertThat(r("pexpire k 9223372036854775807"))
        .isEqualTo("-ERR invalid expire time in 'pexpire' command");
    assertThat(r("expireat k 9223372036854775807"))
        .isEqualTo("-ERR invalid expire time in 'expireat' command");
    assertThat(r("expire k 100 xx")).isEqualTo(":0");
    assertThat(r("expire k 100 gt")).as("no TTL counts as infinite").isEqualTo(":0");
    assertThat(r("expire k 100 lt")).isEqualTo(":1");
    assertThat(r("ttl k")).isEqualTo(":100");
    assertThat(r("expire k 200 nx")).isEqualTo(":0");
    assertThat(r("expire k 50 gt")).isEqualTo(":0");
    assertThat(r("expire k 200 gt")).isEqualTo(":1");
    assertThat(r("pexpire k 150000 lt xx")).isEqualTo(":1");
    assertThat(r("pttl k")).isEqualTo(":150000");
    assertThat(r("expireat k " + (fx.now / 1000 + 300))).isEqualTo(":1");
    assertThat(r("expiretime k")).isEqualTo(":" + (fx.now / 1000 + 300));
    assertThat(r("pexpireat k " + (fx.now + 12345))).isEqualTo(":1");
    assertThat(r("pexpiretime k")).isEqualTo(":" + (fx.now + 12345));
    assertThat(r("persist k")).isEqualTo(":1");
    assertThat(r("persist k")).isEqualTo(":0");
    assertThat(r("persist nokey")).isEqualTo(":0");
    assertThat(r("ttl k")).isEqualTo(":-1");
    assertThat(r("pexpiretime k")).isEqualTo(":-1");
    assertThat(r("ttl nokey")).isEqualTo(":-2");
    assertThat(r("expiretime nokey")).isEqualTo(":-2");
    assertThat(r("expire k -1")).as("a past deadline deletes and answers 1").isEqualTo(":1");
    assertThat(r("exists k")).isEqualTo(":0");
    fx.run("set k v");
    assertThat(r("pexpireat k 0")).isEqualTo(":1");
    assertThat(r("dbsize")).isEqualTo(":0");
    fx.run("set k v");
    assertThat(r("expire k 0 lt")).as("LT against no TTL, deadline in the past").isEqualTo(":1");
    assertThat(r("exists k")).isEqualTo(":0");
  }

  @Test
  void ttlRoundsToTheNearestSecondAndExpiresWithTheClock() {
    fx.run("set k v px 1500");
    assertThat(r("ttl k")).isEqualTo(":2");
    fx.run("set k v px 1499");
    assertThat(r("ttl k")).isEqualTo(":1");
    fx.run("set k v pxat " + (fx.now / 1000 * 1000 + 99_500));
    assertThat(r("expiretime k")).isEqualTo(":" + (fx.now / 1000 + 100));
    fx.run("pexpireat k 9223372036854775807");
    assertThat(r("pexpiretime k")).isEqualTo(":9223372036854775807");
    assertThat(r("expiretime k")).isEqualTo(":9223372036854776");
    fx.run("set e v px 100");
    fx.now += 99;
    assertThat(r("pttl e")).isEqualTo(":1");
    fx.now += 1;
    assertThat(r("pttl e")).isEqualTo(":-2");
    assertThat(r("dbsize")).as("expired but not deleted still counts").isEqualTo(":2");
    assertThat(r("keys *")).isEqualTo("[k]");
    assertThat(r("expire e 100")).isEqualTo(":0");
    assertThat(r("dbsize")).as("the write path deleted it").isEqualTo(":1");
  }

  @Test
  void objectSubcommands() {
    fx.run("set s hello");
    assertThat(r("object encoding s")).isEqualTo("embstr");
    assertThat(r("object encoding nokey")).isEqualTo("(nil)");
    assertThat(r("object freq s")).isEqualTo("-" + ObjectCommands.NO_LFU);
    assertThat(r("object freq nokey")).isEqualTo("(nil)");
    assertThat(r("object idletime s")).isEqualTo(":0");
    assertThat(r("object idletime nokey")).isEqualTo("(nil)");
    assertThat(r("object refcount s")).isEqualTo(":1");
    assertThat(r("object")).isEqualTo("-ERR wrong number of arguments for 'object' command");
    assertThat(r("object encoding"))
        .isEqualTo("-ERR wrong number of arguments for 'object|encoding' command");
    assertThat(r("object help foo"))
        .isEqualTo("-ERR wrong number of arguments for 'object|help' command");
    assertThat(r("OBJECT foo s")).isEqualTo("-ERR unknown subcommand 'foo'. Try OBJECT HELP.");
    Reply help = fx.run("object help");
    assertThat(help).isInstanceOf(Reply.Array.class);
    List<Reply> lines = ((Reply.Array) help).items();
    assertThat(lines).hasSize(15).allMatch(l -> l instanceof Reply.Status);
    assertThat(ReplyText.of(lines.get(0)))
        .isEqualTo("+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  }

  @Test
  void keysRandomkeyDbsizeFlush() {
    fx.run("mset hello 1 hallo 2 hxllo 3 world 4");
    fx.run("lpush list a");
    assertThat(set(r("keys *"))).containsExactlyInAnyOrder("hello", "hallo", "hxllo", "world", "list");
    assertThat(set(r("keys h[ae]llo"))).containsExactlyInAnyOrder("hello", "hallo");
    assertThat(set(r("keys h?llo"))).containsExactlyInAnyOrder("hello", "hallo", "hxllo");
    assertThat(r("keys nomatch*")).isEqualTo("[]");
    assertThat(r("dbsize")).isEqualTo(":5");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      seen.add(r("randomkey"));
    }
    assertThat(seen).containsExactlyInAnyOrder("hello", "hallo", "hxllo", "world", "list");
    assertThat(r("flushdb foo")).isEqualTo("-ERR syntax error");
    assertThat(r("flushdb sync async")).isEqualTo("-ERR syntax error");
    assertThat(r("flushdb ASYNC")).isEqualTo("+OK");
    assertThat(r("dbsize")).isEqualTo(":0");
    assertThat(r("keys *")).isEqualTo("[]");
    assertThat(r("randomkey")).isEqualTo("(nil)");
    assertThat(r("lrange list 0 -1")).isEqualTo("[]");
    assertThat(dataEntries()).isZero();
    fx.run("set again 1 ex 100");
    assertThat(r("dbsize")).isEqualTo(":1");
    assertThat(r("flushall sync")).isEqualTo("+OK");
    assertThat(r("flushall")).isEqualTo("+OK");
    assertThat(r("dbsize")).isEqualTo(":0");
    assertThat(fx.store().dueForExpiry(Long.MAX_VALUE, 10)).isEmpty();
  }

  @Test
  void flushInsideOneEntryThenWrite() {
    fx.run("mset a 1 b 2");
    List<Reply> replies = fx.apply(List.of(StoreFixture.split("set c 3"),
        StoreFixture.split("flushall"), StoreFixture.split("set d 4"),
        StoreFixture.split("get a"), StoreFixture.split("get c"), StoreFixture.split("dbsize")));
    assertThat(replies.stream().map(ReplyText::of))
        .containsExactly("+OK", "+OK", "+OK", "(nil)", "(nil)", ":1");
    assertThat(r("keys *")).isEqualTo("[d]");
    assertThat(fx.store().keyCount()).isEqualTo(1);
  }

  @Test
  void randomkeySkipsExpiredKeysAndHandlesBigGroups() {
    fx.run("set dead v px 10");
    fx.run("set live v");
    fx.now += 10;
    for (int i = 0; i < 50; i++) {
      assertThat(r("randomkey")).isEqualTo("live");
    }
    List<byte[][]> batch = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      batch.add(StoreFixture.split("set key:" + i + " v"));
    }
    fx.apply(batch);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String k = r("randomkey");
      assertThat(k).isNotEqualTo("dead").isNotEqualTo("(nil)");
      seen.add(k);
    }
    assertThat(seen.size()).isGreaterThan(20);
  }

  @Test
  void internalScanWalksMetaKeysWithCountPatternAndType() {
    List<byte[][]> batch = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      batch.add(StoreFixture.split("set k" + i + " v"));
    }
    batch.add(StoreFixture.split("lpush list1 a"));
    batch.add(StoreFixture.split("set gone v px 5"));
    fx.apply(batch);
    fx.now += 5;
    Set<String> all = new HashSet<>();
    byte[] cursor = new byte[0];
    int calls = 0;
    do {
      Reply.Array r = (Reply.Array) fx.call(b("kvorum.scan"), cursor, new byte[0], b("7"));
      cursor = ((Reply.Bulk) r.items().get(0)).value();
      List<Reply> keys = ((Reply.Array) r.items().get(1)).items();
      assertThat(keys.size()).isLessThanOrEqualTo(7);
      keys.forEach(k -> all.add(ReplyText.of(k)));
      calls++;
    } while (cursor.length > 0);
    assertThat(all).hasSize(31).doesNotContain("gone");
    assertThat(calls).isEqualTo(5);

    Reply.Array typed = (Reply.Array) fx.call(b("kvorum.scan"), new byte[0], new byte[0],
        b("1000"), b("TYPE"), b("LIST"));
    assertThat(ReplyText.of(typed)).isEqualTo("[, [list1]]");
    Reply.Array matched = (Reply.Array) fx.call(b("kvorum.scan"), new byte[0], new byte[0],
        b("1000"), b("MATCH"), b("k1?"), b("TYPE"), b("string"));
    assertThat(set(ReplyText.of(matched.items().get(1))))
        .containsExactlyInAnyOrder("k10", "k11", "k12", "k13", "k14", "k15", "k16", "k17", "k18",
            "k19");
    // A bounded range: only the slot of k1.
    int slot = HashSlot.of(b("k1"));
    Reply.Array bounded = (Reply.Array) fx.call(b("kvorum.scan"), KeyCodec.slotStart(slot),
        KeyCodec.slotEnd(slot), b("100"));
    assertThat(ReplyText.of(bounded)).isEqualTo("[, [k1]]");
    // An empty pattern is a pattern (it matches only the empty key), not "no pattern".
    assertThat(ReplyText.of(fx.call(b("kvorum.scan"), new byte[0], new byte[0], b("1000"),
        b("MATCH"), b("")))).isEqualTo("[, []]");
    assertThat(ReplyText.of(fx.call(b("kvorum.scan"), new byte[0], new byte[0], b("0"))))
        .isEqualTo("-ERR syntax error");
  }

  @Test
  void internalSlotCounts() {
    fx.run("mset {t}a 1 {t}b 2 {t}c 3 other 4");
    int slot = HashSlot.of(b("{t}a"));
    assertThat(r("kvorum.countkeysinslot " + slot)).isEqualTo(":3");
    assertThat(r("kvorum.countkeysinslot " + (slot + 1 == HashSlot.of(b("other")) ? slot + 2 : slot + 1)))
        .isEqualTo(":0");
    assertThat(r("kvorum.getkeysinslot " + slot + " 2")).isEqualTo("[{t}a, {t}b]");
    assertThat(r("kvorum.getkeysinslot " + slot + " 10")).isEqualTo("[{t}a, {t}b, {t}c]");
    assertThat(r("kvorum.countkeysinslot 16384")).isEqualTo("-ERR Invalid slot");
    assertThat(r("kvorum.getkeysinslot 1 -1")).isEqualTo("-ERR Invalid slot or number of keys");
  }

  @Test
  void flushSurvivesRestart() {
    fx.run("mset a 1 b 2");
    fx.run("lpush l x y");
    fx.run("flushdb");
    fx.run("set c 3");
    fx.close();
    fx = new StoreFixture(tmp.resolve("db"));
    assertThat(r("keys *")).isEqualTo("[c]");
    assertThat(r("dbsize")).isEqualTo(":1");
  }

  /** Entries in the DATA column, stale incarnations included. */
  long dataEntries() {
    return ((Reply.Int) fx.run("test.datacount")).value();
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Set<String> set(String arrayText) {
    String inner = arrayText.substring(1, arrayText.length() - 1);
    return inner.isEmpty() ? Set.of() : Set.of(inner.split(", "));
  }
}
