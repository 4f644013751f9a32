package io.kvorum.storage.string;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StringCommandsTest {
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

  @Test
  void getAndSetWithOptions() {
    assertThat(r("get k")).isEqualTo("(nil)");
    assertThat(r("set k v")).isEqualTo("+OK");
    assertThat(r("get k")).isEqualTo("v");
    assertThat(r("set k v2 nx")).isEqualTo("(nil)");
    assertThat(r("set k v2 xx")).isEqualTo("+OK");
    assertThat(r("set new v xx")).isEqualTo("(nil)");
    assertThat(r("set k v3 get")).isEqualTo("v2");
    assertThat(r("set k v4 NX GET")).as("NX with GET answers the old value").isEqualTo("v3");
    assertThat(r("get k")).isEqualTo("v3");
    assertThat(r("set absent v get nx")).isEqualTo("(nil)");
    assertThat(r("get absent")).isEqualTo("v");
    assertThat(r("set k v nx xx")).isEqualTo("-ERR syntax error");
    assertThat(r("set k v ex 10 px 10")).isEqualTo("-ERR syntax error");
    assertThat(r("set k v keepttl ex 10")).isEqualTo("-ERR syntax error");
    assertThat(r("set k v persist")).isEqualTo("-ERR syntax error");
    assertThat(r("set k v ex")).isEqualTo("-ERR syntax error");
    assertThat(r("set k v ex 10 ex 20")).as("a repeated EX: the last one wins").isEqualTo("+OK");
    assertThat(r("pttl k")).isEqualTo(":20000");
    assertThat(r("set k v ex 0")).isEqualTo("-ERR invalid expire time in 'set' command");
    assertThat(r("set k v px -1")).isEqualTo("-ERR invalid expire time in 'set' command");
    assertThat(r("set k v ex abc")).isEqualTo(NOT_INTEGER);
    assertThat(r("set k v ex 9223372036854775"))
        .isEqualTo("-ERR invalid expire time in 'set' command");
    assertThat(r("set k v px 9223372036854775807"))
        .isEqualTo("-ERR invalid expire time in 'set' command");
    assertThat(r("set k v exat 9223372036854775")).isEqualTo("+OK");
    assertThat(r("set k\0 v")).isEqualTo("+OK");
    assertThat(r("set k v nX\0junk")).as("options compare as C strings").isEqualTo("(nil)");
  }

  @Test
  void setTtlHandling() {
    fx.run("set k v ex 100");
    assertThat(r("ttl k")).isEqualTo(":100");
    fx.run("set k v2 keepttl");
    assertThat(r("ttl k")).isEqualTo(":100");
    fx.run("set k v3");
    assertThat(r("ttl k")).isEqualTo(":-1");
    fx.run("set k v px 1500");
    assertThat(r("pttl k")).isEqualTo(":1500");
    fx.run("set k v exat " + (fx.now / 1000 + 50));
    assertThat(r("expiretime k")).isEqualTo(":" + (fx.now / 1000 + 50));
    fx.run("set k v pxat " + (fx.now + 1234));
    assertThat(r("pexpiretime k")).isEqualTo(":" + (fx.now + 1234));
    fx.now += 1234;
    assertThat(r("get k")).isEqualTo("(nil)");
    assertThat(r("set k v pxat 1")).as("a past deadline: the key is gone at once").isEqualTo("+OK");
    assertThat(r("exists k")).isEqualTo(":0");
  }

  @Test
  void setWithGetOnWrongType() {
    fx.run("lpush l a");
    assertThat(r("set l v get")).isEqualTo(WRONGTYPE);
    assertThat(r("set l v ex 0 get")).as("expire checked first")
        .isEqualTo("-ERR invalid expire time in 'set' command");
    assertThat(r("set l v")).isEqualTo("+OK");
    assertThat(r("get l")).isEqualTo("v");
    assertThat(r("type l")).isEqualTo("+string");
  }

  @Test
  void setnxSetexPsetexGetsetGetdel() {
    assertThat(r("setnx k v")).isEqualTo(":1");
    assertThat(r("setnx k w")).isEqualTo(":0");
    assertThat(r("setex k 10 v")).isEqualTo("+OK");
    assertThat(r("ttl k")).isEqualTo(":10");
    assertThat(r("setex k 0 v")).isEqualTo("-ERR invalid expire time in 'setex' command");
    assertThat(r("setex k x v")).isEqualTo(NOT_INTEGER);
    assertThat(r("psetex k 1500 v")).isEqualTo("+OK");
    assertThat(r("pttl k")).isEqualTo(":1500");
    assertThat(r("psetex k -5 v")).isEqualTo("-ERR invalid expire time in 'psetex' command");
    assertThat(r("getset k w")).isEqualTo("v");
    assertThat(r("ttl k")).as("GETSET drops the TTL").isEqualTo(":-1");
    assertThat(r("getset nokey w")).isEqualTo("(nil)");
    assertThat(r("getdel k")).isEqualTo("w");
    assertThat(r("getdel k")).isEqualTo("(nil)");
    fx.run("lpush l a");
    assertThat(r("getset l v")).isEqualTo(WRONGTYPE);
    assertThat(r("getdel l")).isEqualTo(WRONGTYPE);
    assertThat(r("setnx l v")).isEqualTo(":0");
  }

  @Test
  void getex() {
    fx.run("set k v");
    assertThat(r("getex k")).isEqualTo("v");
    assertThat(r("ttl k")).isEqualTo(":-1");
    assertThat(r("getex k ex 100")).isEqualTo("v");
    assertThat(r("ttl k")).isEqualTo(":100");
    assertThat(r("getex k persist")).isEqualTo("v");
    assertThat(r("ttl k")).isEqualTo(":-1");
    assertThat(r("getex k pxat " + (fx.now + 5000))).isEqualTo("v");
    assertThat(r("pttl k")).isEqualTo(":5000");
    assertThat(r("getex k persist ex 10")).isEqualTo("-ERR syntax error");
    assertThat(r("getex k ex 10 persist")).isEqualTo("-ERR syntax error");
    assertThat(r("getex k persist persist")).isEqualTo("v");
    assertThat(r("getex k nx")).isEqualTo("-ERR syntax error");
    assertThat(r("getex k keepttl")).isEqualTo("-ERR syntax error");
    assertThat(r("getex k ex 0")).isEqualTo("-ERR invalid expire time in 'getex' command");
    assertThat(r("getex nokey ex 0")).as("the key is looked up first").isEqualTo("(nil)");
    assertThat(r("getex k exat 1")).isEqualTo("v");
    assertThat(r("exists k")).as("a past EXAT deletes").isEqualTo(":0");
    fx.run("lpush l a");
    assertThat(r("getex l")).isEqualTo(WRONGTYPE);
  }

  @Test
  void msetMgetMsetnx() {
    assertThat(r("mset a 1 b 2")).isEqualTo("+OK");
    assertThat(r("mset a 1 b")).isEqualTo("-ERR wrong number of arguments for 'mset' command");
    assertThat(r("msetnx a 1 b")).isEqualTo("-ERR wrong number of arguments for 'msetnx' command");
    fx.run("lpush l x");
    assertThat(r("mget a b c l")).isEqualTo("[1, 2, (nil), (nil)]");
    assertThat(r("msetnx c 3 a 9")).isEqualTo(":0");
    assertThat(r("get c")).isEqualTo("(nil)");
    assertThat(r("msetnx c 3 d 4 c 5")).isEqualTo(":1");
    assertThat(r("mget c d")).isEqualTo("[5, 4]");
    fx.run("expire a 100");
    fx.run("mset a 7");
    assertThat(r("ttl a")).as("MSET drops the TTL").isEqualTo(":-1");
  }

  @Test
  void appendStrlenRanges() {
    assertThat(r("append k hello")).isEqualTo(":5");
    assertThat(r("append k _world")).isEqualTo(":11");
    assertThat(r("strlen k")).isEqualTo(":11");
    assertThat(r("strlen nokey")).isEqualTo(":0");
    assertThat(r("getrange k 0 4")).isEqualTo("hello");
    assertThat(r("getrange k -5 -1")).isEqualTo("world");
    assertThat(r("getrange k -1 -5")).isEqualTo("");
    assertThat(r("getrange k 0 -100")).as("Redis 7.0 clamps the end to 0").isEqualTo("h");
    assertThat(r("getrange k -100 -100")).isEqualTo("h");
    assertThat(r("getrange k 5 3")).isEqualTo("");
    assertThat(r("getrange k 9223372036854775807 9223372036854775807")).isEqualTo("");
    assertThat(r("getrange k -9223372036854775808 9223372036854775807"))
        .isEqualTo("hello_world");
    assertThat(r("substr k 6 100")).isEqualTo("world");
    assertThat(r("getrange nokey 0 1")).isEqualTo("");
    assertThat(r("getrange k a 1")).isEqualTo(NOT_INTEGER);
    assertThat(r("setrange k 6 WORLD")).isEqualTo(":11");
    assertThat(r("get k")).isEqualTo("hello_WORLD");
    assertThat(r("setrange k 13 !")).isEqualTo(":14");
    assertThat(r("get k")).isEqualTo("hello_WORLD\0\0!");
    assertThat(r("setrange k -1 x")).isEqualTo("-ERR offset is out of range");
    assertThat(r("setrange k 999999999999 ")).as("empty value: the length").isEqualTo(":14");
    assertThat(r("setrange nokey 999999999999 ")).isEqualTo(":0");
    assertThat(r("exists nokey")).isEqualTo(":0");
    assertThat(r("setrange k 536870912 x"))
        .isEqualTo("-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    assertThat(r("setrange k 9223372036854775807 x"))
        .isEqualTo("-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    assertThat(r("setrange fresh 2 ab")).isEqualTo(":4");
    assertThat(r("get fresh")).isEqualTo("\0\0ab");
    fx.run("lpush l a");
    assertThat(r("append l x")).isEqualTo(WRONGTYPE);
    assertThat(r("strlen l")).isEqualTo(WRONGTYPE);
    assertThat(r("getrange l 0 1")).isEqualTo(WRONGTYPE);
    assertThat(r("setrange l 0 x")).isEqualTo(WRONGTYPE);
    assertThat(r("setrange l 0 ")).as("type checked before the empty value").isEqualTo(WRONGTYPE);
  }

  @Test
  void appendAndSetrangeKeepTheTtl() {
    fx.run("set k v ex 100");
    fx.run("append k w");
    fx.run("setrange k 0 x");
    fx.run("incrbyfloat n 1");
    assertThat(r("ttl k")).isEqualTo(":100");
    fx.run("set n 1 ex 50");
    fx.run("incr n");
    fx.run("incrbyfloat n 1.5");
    assertThat(r("ttl n")).isEqualTo(":50");
  }

  @Test
  void maxStringSizeIsConfigurable() {
    try {
      StringLimits.setMaxBytes(10);
      fx.run("set k 12345");
      assertThat(r("append k 67890")).isEqualTo(":10");
      assertThat(r("append k x"))
          .isEqualTo("-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
      assertThat(r("setrange k 10 x"))
          .isEqualTo("-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
      assertThat(r("setrange k 9 x")).isEqualTo(":10");
    } finally {
      StringLimits.setMaxBytes(StringLimits.DEFAULT_MAX_BYTES);
    }
  }

  @Test
  void counters() {
    assertThat(r("incr n")).isEqualTo(":1");
    assertThat(r("incrby n 10")).isEqualTo(":11");
    assertThat(r("decr n")).isEqualTo(":10");
    assertThat(r("decrby n 20")).isEqualTo(":-10");
    assertThat(r("incrby n abc")).isEqualTo(NOT_INTEGER);
    assertThat(ra("incrby", "n", " 1")).isEqualTo(NOT_INTEGER);
    assertThat(r("incrby n 1.0")).isEqualTo(NOT_INTEGER);
    fx.run("set n 9223372036854775807");
    assertThat(r("incr n")).isEqualTo("-ERR increment or decrement would overflow");
    assertThat(r("decrby n -9223372036854775808")).isEqualTo("-ERR decrement would overflow");
    assertThat(r("incrby n -9223372036854775808")).isEqualTo(":-1");
    fx.run("set n -9223372036854775808");
    assertThat(r("decr n")).isEqualTo("-ERR increment or decrement would overflow");
    fx.run("set f 1.5");
    assertThat(r("incr f")).isEqualTo(NOT_INTEGER);
    fx.run("set f 007");
    assertThat(r("incr f")).isEqualTo(NOT_INTEGER);
    fx.run("set f ");
    assertThat(r("incr f")).isEqualTo(NOT_INTEGER);
    fx.run("lpush l a");
    assertThat(r("incr l")).isEqualTo(WRONGTYPE);
    assertThat(r("incrbyfloat l 1")).isEqualTo(WRONGTYPE);
  }

  @Test
  void incrbyfloat() {
    fx.run("set k 10.5");
    assertThat(r("incrbyfloat k 0.1")).isEqualTo("10.6");
    assertThat(r("incrbyfloat k 5.0e3")).isEqualTo("5010.60000000000000009");
    assertThat(r("get k")).isEqualTo("5010.60000000000000009");
    assertThat(r("incrbyfloat new 3")).isEqualTo("3");
    assertThat(r("incrbyfloat new abc")).isEqualTo("-ERR value is not a valid float");
    assertThat(r("incrbyfloat new nan")).isEqualTo("-ERR value is not a valid float");
    assertThat(ra("incrbyfloat", "new", " 1")).isEqualTo("-ERR value is not a valid float");
    assertThat(r("incrbyfloat new inf"))
        .isEqualTo("-ERR increment would produce NaN or Infinity");
    assertThat(r("incrbyfloat new 1e5000")).isEqualTo("-ERR value is not a valid float");
    assertThat(r("incrbyfloat new 0x10")).isEqualTo("19");
    assertThat(r("incrbyfloat new -19")).isEqualTo("0");
    fx.run("set s hello");
    assertThat(r("incrbyfloat s 1")).isEqualTo("-ERR value is not a valid float");
  }

  @Test
  void encodingsFollowRedis() {
    fx.run("set small 5");
    fx.run("set big 10000");
    fx.run("set neg -1");
    fx.run("set short hello");
    fx.run("set long " + "x".repeat(45));
    fx.run("set edge " + "x".repeat(44));
    fx.run("set padded 0123");
    fx.run("set huge 123456789012345678901");
    assertThat(enc("small")).isEqualTo("int");
    assertThat(refcount("small")).isEqualTo(":2147483647");
    assertThat(enc("big")).isEqualTo("int");
    assertThat(refcount("big")).isEqualTo(":1");
    assertThat(enc("neg")).isEqualTo("int");
    assertThat(refcount("neg")).isEqualTo(":1");
    assertThat(enc("short")).isEqualTo("embstr");
    assertThat(enc("edge")).isEqualTo("embstr");
    assertThat(enc("long")).isEqualTo("raw");
    assertThat(enc("padded")).isEqualTo("embstr");
    assertThat(enc("huge")).isEqualTo("embstr");
    fx.run("append short !");
    assertThat(enc("short")).as("APPEND makes it raw").isEqualTo("raw");
    fx.run("append small ");
    assertThat(enc("small")).as("even an empty APPEND").isEqualTo("raw");
    fx.run("append fresh 12");
    assertThat(enc("fresh")).as("APPEND creating a key encodes like SET").isEqualTo("int");
    fx.run("setrange big 0 ");
    assertThat(enc("big")).as("an empty SETRANGE changes nothing").isEqualTo("int");
    fx.run("setrange big 0 9");
    assertThat(enc("big")).isEqualTo("raw");
    fx.run("setrange created 0 abc");
    assertThat(enc("created")).isEqualTo("raw");
    fx.run("incr counter");
    assertThat(enc("counter")).isEqualTo("int");
    assertThat(refcount("counter")).isEqualTo(":2147483647");
    fx.run("incrby counter 99999");
    assertThat(refcount("counter")).isEqualTo(":1");
    fx.run("incrbyfloat fl 1");
    assertThat(enc("fl")).as("INCRBYFLOAT builds an embstr even for \"1\"").isEqualTo("embstr");
    assertThat(refcount("fl")).isEqualTo(":1");
    fx.run("incrbyfloat fl 1e50");
    assertThat(enc("fl")).isEqualTo("raw");
    fx.run("mset m1 7 m2 seven");
    assertThat(enc("m1")).isEqualTo("int");
    assertThat(enc("m2")).isEqualTo("embstr");
    fx.run("set k 1");
    fx.run("expire k 100");
    assertThat(enc("k")).isEqualTo("int");
  }

  @Test
  void lcs() {
    fx.run("mset key1 ohmytext key2 mynewtext");
    assertThat(r("lcs key1 key2")).isEqualTo("mytext");
    assertThat(r("lcs key1 key2 len")).isEqualTo(":6");
    assertThat(r("lcs key1 key2 idx"))
        .isEqualTo("[matches, [[[:4, :7], [:5, :8]], [[:2, :3], [:0, :1]]], len, :6]");
    assertThat(r("lcs key1 key2 idx minmatchlen 4 withmatchlen"))
        .isEqualTo("[matches, [[[:4, :7], [:5, :8], :4]], len, :6]");
    assertThat(r("lcs key1 key2 idx minmatchlen -3"))
        .isEqualTo("[matches, [[[:4, :7], [:5, :8]], [[:2, :3], [:0, :1]]], len, :6]");
    assertThat(r("lcs key1 nokey")).isEqualTo("");
    assertThat(r("lcs nokey nokey2 idx")).isEqualTo("[matches, [], len, :0]");
    assertThat(r("lcs key1 key2 len idx"))
        .isEqualTo("-ERR If you want both the length and indexes, please just use IDX.");
    assertThat(r("lcs key1 key2 minmatchlen")).isEqualTo("-ERR syntax error");
    assertThat(r("lcs key1 key2 minmatchlen x")).isEqualTo(NOT_INTEGER);
    assertThat(r("lcs key1 key2 foo")).isEqualTo("-ERR syntax error");
    fx.run("lpush l a");
    assertThat(r("lcs key1 l foo"))
        .isEqualTo("-ERR The specified keys must contain string values");
    fx.run("set big " + "x".repeat(11600));
    assertThat(r("lcs big big len")).isEqualTo(
        "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    fx.run("set big " + "xy".repeat(1500));
    fx.run("set big2 " + "yx".repeat(1500));
    assertThat(r("lcs big big2 len")).isEqualTo(":2999");
  }

  @Test
  void severalCommandsInOneEntrySeeEachOther() {
    List<String> replies = fx.apply(List.of(StoreFixture.split("set a 1"),
            StoreFixture.split("incr a"), StoreFixture.split("append a x"),
            StoreFixture.split("get a"), StoreFixture.split("del a"),
            StoreFixture.split("get a")))
        .stream().map(ReplyText::of).toList();
    assertThat(replies).containsExactly("+OK", ":2", ":2", "2x", ":1", "(nil)");
    assertThat(fx.store().keyCount()).isZero();
  }

  String ra(String... args) {
    byte[][] bytes = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      bytes[i] = args[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    return ReplyText.of(fx.call(bytes));
  }

  String enc(String key) {
    return r("object encoding " + key);
  }

  String refcount(String key) {
    return r("object refcount " + key);
  }
}
