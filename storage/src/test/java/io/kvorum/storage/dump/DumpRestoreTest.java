package io.kvorum.storage.dump;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.RedisServer;
import io.kvorum.storage.testing.RespClient;
import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.testing.RespWire;
import io.kvorum.storage.testing.StoreFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DUMP and RESTORE against a real redis-server 7.0, for every type and every encoding Redis keeps
 * it in: a value Redis dumps restores into Kvorum with the same contents, encoding and TTL; a value
 * Kvorum dumps restores into Redis the same way; where Redis's own payload has a fixed member
 * order (strings, lists, intsets, sorted sets, one-field hashes) Kvorum's DUMP is byte for byte
 * Redis's (the test Redis runs with rdbcompression off, since Kvorum never compresses). Older
 * encodings Redis 7.0 still loads are built by {@link LegacyPayloads} and restored into both;
 * every error reply is compared byte for byte.
 */
class DumpRestoreTest {
  @TempDir static Path shared;
  static RedisServer redis;
  static RespClient c;
  /** One store for the whole class (opening RocksDB per case would dominate the run time). */
  static StoreFixture fx;

  @BeforeAll
  static void start() throws IOException {
    redis = RedisServer.start(Files.createDirectories(shared.resolve("redis")));
    c = redis.client();
    c.call("CONFIG", "SET", "rdbcompression", "no");
    fx = new StoreFixture(Files.createDirectories(shared.resolve("store")));
  }

  @AfterAll
  static void stop() throws IOException {
    if (fx != null) {
      fx.close();
    }
    if (c != null) {
      c.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void empty() throws IOException {
    fx.now = System.currentTimeMillis();
    fx.call(cmd("flushall"));
    c.call("FLUSHALL");
  }

  // ---- the values ---------------------------------------------------------------------------

  /**
   * A value built by {@code commands} at key "k". {@code fixedOrder}: Redis's payload for it has
   * a member order that does not depend on hashing, so Kvorum's DUMP must equal it byte for byte.
   */
  record Case(String name, boolean fixedOrder, List<byte[][]> commands) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[][] cmd(Object... parts) {
    byte[][] out = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      out[i] = parts[i] instanceof byte[] bytes ? bytes : b(parts[i].toString());
    }
    return out;
  }

  private static byte[] random(Random rnd, int length) {
    byte[] v = new byte[length];
    rnd.nextBytes(v);
    return v;
  }

  /** One command: {@code name key} followed by {@code items}. */
  private static byte[][] many(String name, List<byte[]> items) {
    List<byte[]> args = new ArrayList<>(List.of(b(name), b("k")));
    args.addAll(items);
    return args.toArray(new byte[0][]);
  }

  private static Case one(String name, boolean fixedOrder, byte[][]... commands) {
    return new Case(name, fixedOrder, List.of(commands));
  }

  static Stream<Case> cases() {
    Random rnd = new Random(7);
    List<Case> cases = new ArrayList<>();
    for (String v : new String[] {"0", "1", "-1", "127", "128", "-128", "-129", "32767", "32768",
        "-32768", "-32769", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "5000000000", "9223372036854775807", "-9223372036854775808", "12345678901", "007", "-0",
        "+1", " 1", "", "hello", "x".repeat(44), "x".repeat(45), "1.5"}) {
      cases.add(one("string '" + v + "'", true, cmd("set", "k", v)));
    }
    cases.add(one("string binary", true, cmd("set", "k", random(rnd, 300))));
    cases.add(one("string 20000 bytes", true, cmd("set", "k", random(rnd, 20000))));
    cases.add(one("string appended (raw)", true, cmd("set", "k", "ab"), cmd("append", "k", "c")));
    cases.add(one("string incr (int)", true, cmd("incrby", "k", "70000")));

    cases.add(one("list small", true, cmd("rpush", "k", "a", "b", "1", "-5", "300", "")));
    cases.add(one("list lpush", true, cmd("lpush", "k", "a", "b", "c")));
    List<byte[]> sixty = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      sixty.add(random(rnd, 60));
    }
    cases.add(one("list of three 8k nodes", true, many("rpush", sixty)));
    cases.add(one("list with a 9000-byte element", true,
        cmd("rpush", "k", "a", random(rnd, 9000), "b", random(rnd, 8185), "c")));
    List<byte[]> ints = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      ints.add(b(Integer.toString(rnd.nextInt(2_000_000) - 1_000_000)));
    }
    cases.add(one("list of 5000 integers", true, many("rpush", ints)));
    List<byte[]> mixed = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      mixed.add(rnd.nextBoolean() ? b(Long.toString(rnd.nextLong() >> rnd.nextInt(64)))
          : random(rnd, rnd.nextInt(200)));
    }
    cases.add(one("list of mixed sizes", true, many("rpush", mixed)));

    cases.add(one("intset int16", true, cmd("sadd", "k", "3", "1", "-2", "32767")));
    cases.add(one("intset int32", true, cmd("sadd", "k", "3", "70000", "-70000")));
    cases.add(one("intset int64", true, cmd("sadd", "k", "1", "9223372036854775807",
        "-9223372036854775808")));
    List<byte[]> five12 = new ArrayList<>();
    for (int i = 0; i < 512; i++) {
      five12.add(b(Integer.toString(i * 3 - 700)));
    }
    cases.add(one("intset of 512", true, many("sadd", five12)));
    List<byte[]> five13 = new ArrayList<>(five12);
    five13.add(b("100000"));
    cases.add(one("set of 513 integers (hashtable)", false, many("sadd", five13)));
    cases.add(one("set hashtable", false, cmd("sadd", "k", "a", "b", "1", "", "x".repeat(70))));
    cases.add(one("set of one string", true, cmd("sadd", "k", "solo")));

    cases.add(one("hash one field", true, cmd("hset", "k", "f", "v")));
    cases.add(one("hash one integer field", true, cmd("hset", "k", "12", "-7000")));
    cases.add(one("hash listpack", false, cmd("hset", "k", "f", "v", "f2", "12", "", "e")));
    cases.add(one("hash with a long value (hashtable)", false,
        cmd("hset", "k", "f", "v", "g", "y".repeat(65))));
    List<byte[]> fields = new ArrayList<>();
    for (int i = 0; i < 513; i++) {
      fields.add(b("f" + i));
      fields.add(b(Integer.toString(i)));
    }
    cases.add(one("hash of 513 fields (hashtable)", false, many("hset", fields)));

    cases.add(one("zset listpack", true, cmd("zadd", "k", "1", "a", "1.5", "b", "-0", "c", "inf",
        "d", "-inf", "e", "4611686018427387904", "f", "9223372036854775808", "g",
        "0.1", "h", "-4611686018427387906", "i", "3", "12", "1e-300", "j")));
    List<byte[]> members = new ArrayList<>();
    for (int i = 0; i < 129; i++) {
      members.add(b(Double.toString(rnd.nextGaussian() * 1000)));
      members.add(b("m" + i));
    }
    cases.add(one("zset of 129 (skiplist)", true, many("zadd", members)));
    cases.add(one("zset with a long member (skiplist)", true,
        cmd("zadd", "k", "2", "z".repeat(65), "-0", "zero", "1", "12")));
    return cases.stream();
  }

  // ---- reading a value the same way on both sides -------------------------------------------

  /** A description of the key's type, encoding, contents (sets and hashes sorted) and TTL. */
  private static String describe(Function<byte[][], Reply> call, String key) {
    String type = ((Reply.Status) call.apply(cmd("type", key))).text();
    Reply encoding = call.apply(cmd("object", "encoding", key));
    List<String> content = switch (type) {
      case "none" -> List.of();
      case "string" -> flat(call.apply(cmd("get", key)));
      case "list" -> flat(call.apply(cmd("lrange", key, "0", "-1")));
      case "set" -> sorted(flat(call.apply(cmd("smembers", key))));
      case "hash" -> {
        List<String> pairs = flat(call.apply(cmd("hgetall", key)));
        TreeMap<String, String> map = new TreeMap<>();
        for (int i = 0; i < pairs.size(); i += 2) {
          map.put(pairs.get(i), pairs.get(i + 1));
        }
        yield List.of(map.toString());
      }
      case "zset" -> flat(call.apply(cmd("zrange", key, "0", "-1", "withscores")));
      default -> throw new AssertionError(type);
    };
    return type + " " + flat(encoding) + " " + content;
  }

  private static List<String> sorted(List<String> items) {
    List<String> out = new ArrayList<>(items);
    out.sort(null);
    return out;
  }

  /** The leaves of a reply as hex (binary-safe). */
  private static List<String> flat(Reply r) {
    List<String> out = new ArrayList<>();
    if (r instanceof Reply.Bulk bulk) {
      out.add(HexFormat.of().formatHex(bulk.value()));
    } else if (r instanceof Reply.Double d) {
      out.add(HexFormat.of().formatHex(b(d.text())));
    } else if (r instanceof Reply.Array a) {
      a.items().forEach(i -> out.addAll(flat(i)));
    } else if (r instanceof Reply.MapReply m) {
      m.keysAndValues().forEach(i -> out.addAll(flat(i)));
    } else if (r instanceof Reply.SetReply s) {
      s.items().forEach(i -> out.addAll(flat(i)));
    } else {
      out.add(String.valueOf(r));
    }
    return out;
  }

  private Reply redisCall(byte[][] args) {
    try {
      return c.call(args);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private String inRedis(String key) {
    return describe(this::redisCall, key);
  }

  private String inKvorum(String key) {
    return describe(fx::call, key);
  }

  private static byte[] bulk(Reply r) {
    assertThat(r).isInstanceOf(Reply.Bulk.class);
    return ((Reply.Bulk) r).value();
  }

  // ---- the two directions -------------------------------------------------------------------

  /**
   * Redis's payload restores into Kvorum as it restores into Redis (contents, and the encoding
   * the loaded value gets, which can differ from the original's: an appended string is raw until
   * reloaded), and Kvorum dumps the restored value as Redis dumped it.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void redisDumpRestoresIntoKvorum(Case value) throws IOException {
    for (byte[][] command : value.commands()) {
      redisCall(command);
    }
    byte[] payload = bulk(c.call(cmd("dump", "k")));
    assertThat(c.call(cmd("restore", "restored", "0", payload))).isEqualTo(Reply.OK);
    assertThat(fx.call(cmd("restore", "k", "0", payload))).isEqualTo(Reply.OK);
    assertThat(inKvorum("k")).isEqualTo(inRedis("restored"));
    if (value.fixedOrder()) {
      assertThat(RespWire.show(bulk(fx.call(cmd("dump", "k")))))
          .as("Kvorum's DUMP of the restored value").isEqualTo(RespWire.show(payload));
    }
  }

  /**
   * The same commands build the same value on both sides; Kvorum's payload restores into Redis
   * exactly as Redis's own payload does, and is Redis's payload byte for byte where the member
   * order is fixed.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void kvorumDumpRestoresIntoRedis(Case value) throws IOException {
    for (byte[][] command : value.commands()) {
      redisCall(command);
      fx.call(command);
    }
    assertThat(inKvorum("k")).as("the value built by the same commands").isEqualTo(inRedis("k"));
    byte[] ours = bulk(fx.call(cmd("dump", "k")));
    byte[] theirs = bulk(c.call(cmd("dump", "k")));
    assertThat(c.call(cmd("restore", "fromKvorum", "0", ours))).isEqualTo(Reply.OK);
    assertThat(c.call(cmd("restore", "fromRedis", "0", theirs))).isEqualTo(Reply.OK);
    assertThat(inRedis("fromKvorum")).isEqualTo(inRedis("fromRedis"));
    if (value.fixedOrder()) {
      assertThat(RespWire.show(ours)).isEqualTo(RespWire.show(theirs));
    }
  }

  @Test
  void compressedStringsAndNodesFromRedisRestore() throws IOException {
    c.call("CONFIG", "SET", "rdbcompression", "yes");
    try {
      Random rnd = new Random(3);
      redisCall(cmd("set", "s", "a".repeat(100) + "b".repeat(5000)));
      List<byte[]> repetitive = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        repetitive.add(b("element-" + (i % 17)));
      }
      redisCall(many("rpush", repetitive));
      redisCall(cmd("rename", "k", "l"));
      redisCall(cmd("hset", "h", "field", "value".repeat(20), "f2", "abcabcabcabcabcabcabc"));
      redisCall(cmd("zadd", "z", "1", "member".repeat(12), "2", "x".repeat(30)));
      redisCall(cmd("sadd", "i", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"));
      redisCall(cmd("set", "r", random(rnd, 100)));
      for (String key : List.of("s", "l", "h", "z", "i", "r")) {
        byte[] payload = bulk(c.call(cmd("dump", key)));
        assertThat(fx.call(cmd("restore", key, "0", payload))).as(key).isEqualTo(Reply.OK);
        assertThat(inKvorum(key)).as(key).isEqualTo(inRedis(key));
      }
      assertThat(bulk(c.call(cmd("dump", "s")))[1] & 0xFF).as("Redis compressed it")
          .isEqualTo(0xC3);
    } finally {
      c.call("CONFIG", "SET", "rdbcompression", "no");
    }
  }

  // ---- older encodings ----------------------------------------------------------------------

  private static List<byte[]> bytes(String... items) {
    List<byte[]> out = new ArrayList<>();
    for (String s : items) {
      out.add(b(s));
    }
    return out;
  }

  /** Legacy payloads: restored into both, every reply and the resulting key compared. */
  static Stream<Object[]> legacyPayloads() {
    List<byte[]> longEntries = bytes("a", "12", "-1", "300", "-70000", "5000000000", "",
        "x".repeat(100), "y".repeat(300), "13", "-128");
    List<byte[]> fiveHundred = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      fiveHundred.add(b("e" + i));
    }
    List<Object[]> out = new ArrayList<>();
    out.add(new Object[] {"linked list",
        new LegacyPayloads.Body(RdbType.LIST).length(3).string("a").raw(0xC0, 0x05)
            .string("c").seal()});
    out.add(new Object[] {"list ziplist",
        new LegacyPayloads.Body(RdbType.LIST_ZIPLIST).string(LegacyPayloads.ziplist(longEntries))
            .seal()});
    out.add(new Object[] {"list ziplist of 300 (count in header exact)",
        new LegacyPayloads.Body(RdbType.LIST_ZIPLIST).string(LegacyPayloads.ziplist(fiveHundred))
            .seal()});
    out.add(new Object[] {"quicklist v1 with an empty node",
        new LegacyPayloads.Body(RdbType.LIST_QUICKLIST).length(3)
            .string(LegacyPayloads.ziplist(bytes("a", "b")))
            .string(LegacyPayloads.ziplist(List.of()))
            .string(LegacyPayloads.ziplist(bytes("7", "d"))).seal()});
    out.add(new Object[] {"quicklist v2 with a plain node",
        new LegacyPayloads.Body(RdbType.LIST_QUICKLIST_2).length(2)
            .length(RdbType.NODE_PLAIN).string("plain element")
            .length(RdbType.NODE_PACKED)
            .string(new Listpack.Builder().append(b("x")).append(b("42")).finish()).seal(10)});
    out.add(new Object[] {"set generic of integers",
        new LegacyPayloads.Body(RdbType.SET).length(3).string("5").string("-3").string("100")
            .seal()});
    out.add(new Object[] {"set generic of strings",
        new LegacyPayloads.Body(RdbType.SET).length(2).string("a").string("5").seal()});
    out.add(new Object[] {"zset with text scores",
        new LegacyPayloads.Body(RdbType.ZSET).length(5)
            .string("a").raw(3).raw(b("1.5"))
            .string("b").raw(254)
            .string("c").raw(255)
            .string("d").raw(4).raw(b(" 2e3"))
            .string("e").raw(5).raw(b("7junk")).seal()});
    out.add(new Object[] {"zset ziplist",
        new LegacyPayloads.Body(RdbType.ZSET_ZIPLIST)
            .string(LegacyPayloads.ziplist(bytes("c", "-inf", "a", "1", "b", "2.5", "d",
                "300000"))).seal()});
    out.add(new Object[] {"hash ziplist",
        new LegacyPayloads.Body(RdbType.HASH_ZIPLIST)
            .string(LegacyPayloads.ziplist(bytes("f", "v", "n", "12", "long", "z".repeat(100))))
            .seal()});
    out.add(new Object[] {"hash zipmap",
        new LegacyPayloads.Body(RdbType.HASH_ZIPMAP)
            .string(LegacyPayloads.zipmap(bytes("f", "v", "g", "w".repeat(300), "", "e"), 2))
            .seal()});
    out.add(new Object[] {"hash zipmap with short values",
        new LegacyPayloads.Body(RdbType.HASH_ZIPMAP)
            .string(LegacyPayloads.zipmap(bytes("a", "1", "b", "2"), 0)).seal()});
    out.add(new Object[] {"hash generic",
        new LegacyPayloads.Body(RdbType.HASH).length(2).string("a").string("1").string("b")
            .string("2").seal()});
    out.add(new Object[] {"string with rdb version 1",
        new LegacyPayloads.Body(RdbType.STRING).string("old").seal(1)});
    out.add(new Object[] {"string int16",
        new LegacyPayloads.Body(RdbType.STRING).raw(0xC1, 0x39, 0x30).seal()});
    out.add(new Object[] {"string int32 negative",
        new LegacyPayloads.Body(RdbType.STRING).raw(0xC2, 0xFF, 0xFF, 0xFF, 0xFF).seal()});
    out.add(new Object[] {"string hand-made LZF",
        new LegacyPayloads.Body(RdbType.STRING).raw(0xC3).length(6).length(40)
            .raw(0x02, 'a', 'b', 'c', 0xE0, 0x13, 0x02).seal()});
    out.add(new Object[] {"intset with bytes after the value (never read)",
        new LegacyPayloads.Body(RdbType.SET_INTSET).string(Intset.encode(new long[] {4, 2}))
            .raw('x', 'y', 'z').seal(10)});
    // The loaders' refusals: each must be "Bad data format" on both sides.
    out.add(new Object[] {"empty linked list", new LegacyPayloads.Body(RdbType.LIST).length(0)
        .seal()});
    out.add(new Object[] {"empty set", new LegacyPayloads.Body(RdbType.SET).length(0).seal()});
    out.add(new Object[] {"duplicate set member",
        new LegacyPayloads.Body(RdbType.SET).length(2).string("a").string("a").seal()});
    out.add(new Object[] {"duplicate zset member",
        new LegacyPayloads.Body(RdbType.ZSET_2).length(2).string("a").raw(new byte[8])
            .string("a").raw(new byte[8]).seal()});
    out.add(new Object[] {"NaN score",
        new LegacyPayloads.Body(RdbType.ZSET).length(1).string("a").raw(253).seal()});
    out.add(new Object[] {"duplicate hash field",
        new LegacyPayloads.Body(RdbType.HASH).length(2).string("a").string("1").string("a")
            .string("2").seal()});
    out.add(new Object[] {"unknown type 8", new LegacyPayloads.Body(8).string("x").seal()});
    out.add(new Object[] {"type 20", new LegacyPayloads.Body(20).string("x").seal()});
    out.add(new Object[] {"stream", new LegacyPayloads.Body(RdbType.STREAM_LISTPACKS_2).length(0)
        .seal()});
    out.add(new Object[] {"module", new LegacyPayloads.Body(RdbType.MODULE_2).length(1).seal()});
    out.add(new Object[] {"list count beyond the payload",
        new LegacyPayloads.Body(RdbType.LIST).length(1_000_000).string("a").seal()});
    out.add(new Object[] {"string longer than the payload",
        new LegacyPayloads.Body(RdbType.STRING).length(1000).raw(b("abc")).seal()});
    out.add(new Object[] {"unknown string encoding",
        new LegacyPayloads.Body(RdbType.STRING).raw(0xC5, 1, 2).seal()});
    out.add(new Object[] {"LZF that does not fill its length",
        new LegacyPayloads.Body(RdbType.STRING).raw(0xC3).length(4).length(10)
            .raw(0x02, 'a', 'b', 'c').seal()});
    out.add(new Object[] {"LZF claiming far more than it can hold",
        new LegacyPayloads.Body(RdbType.STRING).raw(0xC3).length(4).length(100_000_000)
            .raw(0x02, 'a', 'b', 'c').seal()});
    out.add(new Object[] {"a length of 2^64 - 1",
        new LegacyPayloads.Body(RdbType.LIST).raw(0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF).string("a").seal()});
    out.add(new Object[] {"quicklist node container 3",
        new LegacyPayloads.Body(RdbType.LIST_QUICKLIST_2).length(1).length(3).string("x")
            .seal()});
    out.add(new Object[] {"quicklist of empty nodes only",
        new LegacyPayloads.Body(RdbType.LIST_QUICKLIST).length(1)
            .string(LegacyPayloads.ziplist(List.of())).seal()});
    out.add(new Object[] {"hash ziplist with an odd count",
        new LegacyPayloads.Body(RdbType.HASH_ZIPLIST)
            .string(LegacyPayloads.ziplist(bytes("f", "v", "g"))).seal()});
    out.add(new Object[] {"zipmap with a wrong count",
        new LegacyPayloads.Body(RdbType.HASH_ZIPMAP)
            .string(withFirstByte(LegacyPayloads.zipmap(bytes("a", "1"), 0), 3)).seal()});
    out.add(new Object[] {"intset out of order",
        new LegacyPayloads.Body(RdbType.SET_INTSET)
            .raw(intsetRaw(2, 5, 3)).seal()});
    out.add(new Object[] {"intset of width 3",
        new LegacyPayloads.Body(RdbType.SET_INTSET).string(withFirstByte(
            Intset.encode(new long[] {1}), 3)).seal()});
    out.add(new Object[] {"ziplist with a wrong total size",
        new LegacyPayloads.Body(RdbType.LIST_ZIPLIST)
            .string(withFirstByte(LegacyPayloads.ziplist(bytes("a")), 99)).seal()});
    return out.stream();
  }

  private static byte[] withFirstByte(byte[] blob, int first) {
    byte[] out = blob.clone();
    out[0] = (byte) first;
    return out;
  }

  /** An intset as an RDB string whose values are written in the given order. */
  private static byte[] intsetRaw(int width, long... values) {
    byte[] is = new byte[8 + values.length * width];
    Listpack.putLittle(is, 0, width, 4);
    Listpack.putLittle(is, 4, values.length, 4);
    for (int i = 0; i < values.length; i++) {
      Listpack.putLittle(is, 8 + i * width, values[i], width);
    }
    byte[] out = new byte[1 + is.length];
    out[0] = (byte) is.length;
    System.arraycopy(is, 0, out, 1, is.length);
    return out;
  }

  /**
   * Redis runs with sanitize-dump-payload on here: Kvorum always decodes every entry (it has to,
   * to store members as sub-keys) and so refuses what Redis's deep check refuses, such as a hash
   * payload with a field twice, which Redis's default shallow check lets through into a corrupt
   * key.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("legacyPayloads")
  void olderEncodingsRestoreLikeRedis(String name, byte[] payload) throws IOException {
    try (RespWire.Client wire = new RespWire.Client(redis.port())) {
      wire.call("CONFIG", "SET", "sanitize-dump-payload", "yes");
      byte[] expected = wire.call(cmd("restore", "k", "0", payload));
      wire.call("CONFIG", "SET", "sanitize-dump-payload", "no");
      byte[] actual = RespWire.encode(fx.call(cmd("restore", "k", "0", payload)), false);
      assertThat(RespWire.show(actual)).isEqualTo(RespWire.show(expected));
    }
    assertThat(inKvorum("k")).isEqualTo(inRedis("k"));
    if (fx.call(cmd("exists", "k")).equals(Reply.ONE)) {
      byte[] ours = bulk(fx.call(cmd("dump", "k")));
      assertThat(c.call(cmd("restore", "again", "0", ours))).isEqualTo(Reply.OK);
      assertThat(inRedis("again")).isEqualTo(inRedis("k"));
    }
  }

  // ---- errors -------------------------------------------------------------------------------

  @Test
  void errorsAreRedisBytes() throws IOException {
    byte[] good = setAndDump("src", "hello");
    byte[] badCrc = good.clone();
    badCrc[badCrc.length - 1] ^= 1;
    byte[] newer = LegacyPayloads.seal(Arrays.copyOf(good, good.length - 10), 11);
    byte[] older = LegacyPayloads.seal(Arrays.copyOf(good, good.length - 10), 9);
    List<byte[][]> commands = new ArrayList<>(List.of(
        cmd("restore", "k", "0", badCrc),
        cmd("restore", "k", "0", Arrays.copyOf(good, good.length - 1)),
        cmd("restore", "k", "0", Arrays.copyOf(good, 9)),
        cmd("restore", "k", "0", ""),
        cmd("restore", "k", "0", newer),
        cmd("restore", "k", "0", older),
        cmd("restore", "k", "-1", good),
        cmd("restore", "k", "x", good),
        cmd("restore", "k", "1.5", good),
        cmd("restore", "k", "0", good, "bogus"),
        cmd("restore", "k", "0", good, "idletime"),
        cmd("restore", "k", "0", good, "idletime", "-1"),
        cmd("restore", "k", "0", good, "idletime", "x"),
        cmd("restore", "k", "0", good, "freq", "256"),
        cmd("restore", "k", "0", good, "freq", "-1"),
        cmd("restore", "k", "0", good, "freq", "1", "idletime", "1"),
        cmd("restore", "k", "0", good, "idletime", "1", "freq", "1"),
        cmd("restore", "k", "0", good, "idletime", "1", "idletime", "2", "replace"),
        cmd("restore", "k", "0", good),
        cmd("restore", "k", "0", good),
        cmd("restore", "k", "x", badCrc),
        cmd("restore", "k", "-5", good, "REPLACE"),
        cmd("restore", "k", "0", good, "REPLACE", "FREQ", "5", "ABSTTL"),
        cmd("restore", "k"),
        cmd("restore", "k", "0"),
        cmd("dump"),
        cmd("dump", "k", "x"),
        cmd("dump", "missing")));
    try (RespWire.Client wire = new RespWire.Client(redis.port())) {
      for (boolean resp3 : new boolean[] {false, true}) {
        wire.call("HELLO", resp3 ? "3" : "2");
        wire.call("DEL", "k");
        fx.call(cmd("del", "k"));
        for (byte[][] command : commands) {
          byte[] expected = wire.call(command);
          byte[] actual = RespWire.encode(fx.call(command), resp3);
          assertThat(RespWire.show(actual)).as("%s %s", new String(command[0]),
              command.length > 4 ? new String(command[4]) : "").isEqualTo(RespWire.show(expected));
        }
      }
    }
  }

  private byte[] setAndDump(String key, String value) throws IOException {
    c.call("SET", key, value);
    return bulk(c.call("DUMP", key));
  }

  // ---- time ---------------------------------------------------------------------------------

  @Test
  void ttlIsRelativeToTheEntryClockUnlessAbsolute() throws IOException {
    byte[] payload = setAndDump("src", "v");
    fx.now = 1_800_000_000_000L;
    assertThat(fx.call(cmd("restore", "rel", "5000", payload))).isEqualTo(Reply.OK);
    assertThat(fx.call(cmd("pexpiretime", "rel"))).isEqualTo(Reply.integer(1_800_000_005_000L));
    assertThat(fx.call(cmd("restore", "abs", "1900000000000", payload, "ABSTTL")))
        .isEqualTo(Reply.OK);
    assertThat(fx.call(cmd("pexpiretime", "abs"))).isEqualTo(Reply.integer(1_900_000_000_000L));
    assertThat(fx.call(cmd("restore", "none", "0", payload, "ABSTTL"))).isEqualTo(Reply.OK);
    assertThat(fx.call(cmd("pttl", "none"))).isEqualTo(Reply.integer(-1));

    // A deadline already past creates nothing; with REPLACE the old value is deleted.
    assertThat(fx.call(cmd("restore", "past", "1", payload, "ABSTTL"))).isEqualTo(Reply.OK);
    assertThat(fx.call(cmd("exists", "past"))).isEqualTo(Reply.ZERO);
    assertThat(fx.call(cmd("restore", "rel", "1000", payload, "ABSTTL", "REPLACE")))
        .isEqualTo(Reply.OK);
    assertThat(fx.call(cmd("exists", "rel"))).isEqualTo(Reply.ZERO);
    // Redis adds the clock to the TTL without an overflow check: the wrapped deadline is past.
    assertThat(fx.call(cmd("restore", "huge", "9223372036854775807", payload)))
        .isEqualTo(Reply.OK);
    assertThat(fx.call(cmd("exists", "huge"))).isEqualTo(Reply.ZERO);
    assertThat(c.call(cmd("restore", "huge", "9223372036854775807", payload)))
        .isEqualTo(Reply.OK);
    assertThat(c.call(cmd("exists", "huge"))).isEqualTo(Reply.ZERO);

    // The key expires when the clock passes the deadline.
    fx.now = 1_800_000_004_999L;
    assertThat(fx.call(cmd("exists", "abs"))).isEqualTo(Reply.ONE);
    fx.now = 1_900_000_000_000L;
    assertThat(fx.call(cmd("exists", "abs"))).isEqualTo(Reply.ZERO);
  }

  @Test
  void replaceOverwritesAnyTypeAndTheOldTtl() throws IOException {
    redisCall(cmd("rpush", "l", "a", "b"));
    byte[] list = bulk(c.call(cmd("dump", "l")));
    fx.call(cmd("hset", "k", "f", "v"));
    fx.call(cmd("expire", "k", "100"));
    assertThat(fx.call(cmd("restore", "k", "0", list, "REPLACE"))).isEqualTo(Reply.OK);
    assertThat(inKvorum("k")).isEqualTo(inRedis("l"));
    assertThat(fx.call(cmd("ttl", "k"))).isEqualTo(Reply.integer(-1));
    assertThat(fx.call(cmd("hget", "k", "f")).toString()).contains("WRONGTYPE");
    assertThat(fx.call(cmd("dbsize"))).isEqualTo(Reply.ONE);
  }

  // ---- size ---------------------------------------------------------------------------------

  @Test
  void aHundredThousandFieldHashRoundTrips() throws IOException {
    for (int batch = 0; batch < 100; batch++) {
      List<byte[]> pairs = new ArrayList<>();
      for (int i = batch * 1000; i < (batch + 1) * 1000; i++) {
        pairs.add(b("field:" + i));
        pairs.add(b("value:" + (i * 7)));
      }
      redisCall(many("hset", pairs));
    }
    byte[] payload = bulk(c.call(cmd("dump", "k")));
    assertThat(fx.call(cmd("restore", "k", "0", payload))).isEqualTo(Reply.OK);
    assertThat(fx.call(cmd("hlen", "k"))).isEqualTo(Reply.integer(100_000));
    assertThat(inKvorum("k")).isEqualTo(inRedis("k"));
    assertThat(ReplyText.of(fx.call(cmd("object", "encoding", "k")))).isEqualTo("hashtable");
    assertThat(ReplyText.of(fx.call(cmd("hget", "k", "field:99999")))).isEqualTo("value:699993");
    byte[] ours = bulk(fx.call(cmd("dump", "k")));
    assertThat(c.call(cmd("restore", "back", "0", ours))).isEqualTo(Reply.OK);
    assertThat(inRedis("back")).isEqualTo(inKvorum("k"));
    assertThat(fx.call(cmd("hset", "k", "new", "1"))).isEqualTo(Reply.ONE);
    assertThat(fx.call(cmd("hlen", "k"))).isEqualTo(Reply.integer(100_001));
  }
}
