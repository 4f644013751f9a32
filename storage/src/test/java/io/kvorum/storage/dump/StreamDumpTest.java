package io.kvorum.storage.dump;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.stream.StreamInvariants;
import io.kvorum.storage.testing.RedisServer;
import io.kvorum.storage.testing.RespClient;
import io.kvorum.storage.testing.RespWire;
import io.kvorum.storage.testing.StoreFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * DUMP and RESTORE of streams against a real redis-server 7.0: a stream Redis dumps restores into
 * Kvorum with the same entries, nodes, IDs, groups, PELs and consumers (XINFO STREAM FULL equal,
 * times included) and goes on growing and trimming as in Redis; a stream Kvorum builds dumps into
 * a payload Redis restores to what its own payload gives. Where the stream never lost an entry
 * from inside a listpack node, Kvorum's payload is Redis's byte for byte. Redis 6's
 * STREAM_LISTPACKS payloads and corrupt payloads are restored into both and compared; the
 * payloads Redis accepts but Kvorum cannot store consistently are refused without touching the
 * key.
 */
class StreamDumpTest {
  @TempDir static Path shared;
  static RedisServer redis;
  static RespClient c;
  static StoreFixture fx;

  @BeforeAll
  static void start() throws IOException {
    redis = RedisServer.start(Files.createDirectories(shared.resolve("redis")));
    c = redis.client();
    c.call("CONFIG", "SET", "rdbcompression", "no");
    fx = new StoreFixture(Files.createDirectories(shared.resolve("store")),
        List.of(StreamInvariants.command(), StreamInvariants.nodes()));
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

  // ---- the streams --------------------------------------------------------------------------

  /**
   * A stream built by {@code commands} at key "k". {@code sameBytes}: no entry was removed from
   * inside a listpack node, so Kvorum's payload must be Redis's byte for byte (when no clock
   * reading is in it).
   */
  record Case(String name, boolean sameBytes, List<byte[][]> commands) {
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

  private static Case one(String name, boolean sameBytes, byte[][]... commands) {
    return new Case(name, sameBytes, List.of(commands));
  }

  /** XADDs of {@code n} entries with IDs 1-1, 1-2 … and values of {@code valueBytes} bytes. */
  private static List<byte[][]> adds(int n, int valueBytes, long seed) {
    Random rnd = new Random(seed);
    List<byte[][]> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      byte[] v = new byte[valueBytes];
      for (int j = 0; j < v.length; j++) {
        v[j] = (byte) ('a' + rnd.nextInt(26));
      }
      out.add(i % 7 == 0
          ? cmd("xadd", "k", "1-" + i, "other", v)
          : cmd("xadd", "k", "1-" + i, "f", v, "n", Integer.toString(i)));
    }
    return out;
  }

  private static Case many(String name, boolean sameBytes, List<byte[][]> first,
      byte[][]... then) {
    List<byte[][]> all = new ArrayList<>(first);
    all.addAll(List.of(then));
    return new Case(name, sameBytes, all);
  }

  static Stream<Case> cases() {
    Random rnd = new Random(11);
    byte[] binary = new byte[300];
    rnd.nextBytes(binary);
    List<Case> cases = new ArrayList<>();
    cases.add(one("one entry", true, cmd("xadd", "k", "1-1", "f", "v")));
    cases.add(one("same fields (SAMEFIELDS)", true, cmd("xadd", "k", "1-1", "a", "1", "b", "2"),
        cmd("xadd", "k", "1-2", "a", "3", "b", "4"), cmd("xadd", "k", "5-0", "a", "x", "b", "y")));
    cases.add(one("fields differing from the master entry", true,
        cmd("xadd", "k", "1-1", "a", "1"), cmd("xadd", "k", "2-1", "b", "2"),
        cmd("xadd", "k", "3-1", "a", "1", "b", "2"), cmd("xadd", "k", "4-1", "b", "1", "a", "2"),
        cmd("xadd", "k", "5-1", "a", "z")));
    cases.add(one("integer-like, empty, long and binary strings", true,
        cmd("xadd", "k", "1-1", "12", "-5", "007", "", "1.5", "9223372036854775807"),
        cmd("xadd", "k", "1-2", "12", "-9223372036854775808", "007", "x".repeat(70), "1.5",
            "y".repeat(5000)),
        cmd("xadd", "k", "2-0", "12", binary, "007", "4096", "1.5", "-4097")));
    cases.add(one("IDs near 2^64", true, cmd("xadd", "k", "0-1", "f", "v"),
        cmd("xadd", "k", "18446744073709551614-5", "f", "v"),
        cmd("xadd", "k", "18446744073709551615-18446744073709551615", "f", "v")));
    cases.add(many("1000 small entries (10 nodes by count)", true, adds(1000, 3, 1)));
    cases.add(many("1000 entries of 100 bytes (nodes by size)", true, adds(1000, 100, 2)));
    cases.add(many("approximately trimmed (whole nodes)", true, adds(1000, 3, 3),
        cmd("xtrim", "k", "maxlen", "~", "555")));
    cases.add(many("exactly trimmed", false, adds(1000, 3, 4),
        cmd("xtrim", "k", "maxlen", "450")));
    cases.add(many("trimmed by MINID", false, adds(500, 40, 5),
        cmd("xtrim", "k", "minid", "1-250")));
    cases.add(many("XDEL inside nodes, of a master entry and of the last entry", false,
        adds(300, 3, 6), cmd("xdel", "k", "1-5", "1-101", "1-150", "1-300")));
    cases.add(one("emptied by XDEL", true, cmd("xadd", "k", "1-1", "f", "v"),
        cmd("xadd", "k", "1-2", "f", "w"), cmd("xdel", "k", "1-1", "1-2")));
    cases.add(one("XSETID with entries-added and max-deleted-id", true,
        cmd("xadd", "k", "1-1", "f", "v"),
        cmd("xsetid", "k", "5-5", "entriesadded", "10", "maxdeletedid", "2-0")));
    cases.add(one("empty stream with a group", true,
        cmd("xgroup", "create", "k", "g", "$", "mkstream")));
    cases.add(one("groups without consumers", true, cmd("xadd", "k", "1-1", "f", "v"),
        cmd("xadd", "k", "1-2", "f", "v"), cmd("xadd", "k", "1-3", "f", "v"),
        cmd("xgroup", "create", "k", "g", "0"),
        cmd("xgroup", "create", "k", "123", "1-2", "entriesread", "2"),
        cmd("xgroup", "create", "k", "a", "$"),
        cmd("xgroup", "create", "k", "unknown", "1-1"),
        cmd("xgroup", "setid", "k", "a", "1-1")));
    cases.add(many("consumers and pending entries, nothing deleted", true, adds(30, 3, 8),
        cmd("xgroup", "create", "k", "g", "0"), cmd("xgroup", "create", "k", "55", "$"),
        cmd("xreadgroup", "group", "g", "alice", "count", "4", "streams", "k", ">"),
        cmd("xreadgroup", "group", "g", "-1", "count", "2", "streams", "k", ">"),
        cmd("xclaim", "k", "g", "zed", "0", "1-2", "time", "1600000000000", "retrycount", "300"),
        cmd("xgroup", "createconsumer", "k", "55", "idle")));
    cases.add(many("groups with consumers and pending entries", false, adds(40, 3, 7),
        cmd("xgroup", "create", "k", "g", "0"), cmd("xgroup", "create", "k", "h", "0"),
        cmd("xreadgroup", "group", "g", "alice", "count", "10", "streams", "k", ">"),
        cmd("xreadgroup", "group", "g", "bob", "count", "5", "streams", "k", ">"),
        cmd("xreadgroup", "group", "g", "7", "noack", "count", "3", "streams", "k", ">"),
        cmd("xack", "k", "g", "1-2", "1-4"),
        cmd("xclaim", "k", "g", "bob", "0", "1-3", "1-5", "retrycount", "9"),
        cmd("xgroup", "createconsumer", "k", "g", "idle"),
        cmd("xreadgroup", "group", "h", "12", "streams", "k", ">"),
        cmd("xdel", "k", "1-6")));
    for (long seed = 1; seed <= 4; seed++) {
      cases.add(new Case("random history, seed " + seed, false, randomHistory(seed)));
    }
    return cases.stream();
  }

  /**
   * A seeded mix of XADD (fields repeated or not, values of every size), XDEL, every kind of
   * XTRIM, and consumer-group traffic; IDs are explicit so both sides build the same stream.
   */
  private static List<byte[][]> randomHistory(long seed) {
    Random rnd = new Random(seed);
    List<byte[][]> out = new ArrayList<>();
    out.add(cmd("xgroup", "create", "k", "g", "$", "mkstream"));
    long ms = 1;
    int added = 0;
    for (int step = 0; step < 400; step++) {
      int pick = rnd.nextInt(100);
      if (pick < 70) {
        ms += rnd.nextInt(3);
        List<Object> args = new ArrayList<>(List.of("xadd", "k", ms + "-" + (added++)));
        int pairs = 1 + rnd.nextInt(3);
        boolean same = rnd.nextInt(3) > 0;
        for (int p = 0; p < pairs; p++) {
          args.add(same ? "f" + p : "f" + rnd.nextInt(5));
          int size = rnd.nextInt(10) == 0 ? 200 + rnd.nextInt(3000) : rnd.nextInt(40);
          args.add(rnd.nextBoolean() ? Integer.toString(rnd.nextInt(100_000) - 50_000)
              : "v".repeat(size));
        }
        out.add(cmd(args.toArray()));
      } else if (pick < 78) {
        out.add(cmd("xdel", "k", (1 + rnd.nextInt((int) ms)) + "-" + rnd.nextInt(added + 1)));
      } else if (pick < 81) {
        out.add(cmd("xtrim", "k", "maxlen", rnd.nextBoolean() ? "~" : "=",
            Integer.toString(50 + rnd.nextInt(200))));
      } else if (pick < 83) {
        out.add(cmd("xtrim", "k", "minid", rnd.nextBoolean() ? "~" : "=",
            rnd.nextInt((int) ms + 1) + "-0", "limit", "0"));
      } else if (pick < 93) {
        out.add(cmd("xreadgroup", "group", "g", "c" + rnd.nextInt(4), "count",
            Integer.toString(1 + rnd.nextInt(8)), "streams", "k", ">"));
      } else if (pick < 97) {
        out.add(cmd("xack", "k", "g", (1 + rnd.nextInt((int) ms)) + "-" + rnd.nextInt(added + 1)));
      } else {
        out.add(cmd("xautoclaim", "k", "g", "c" + rnd.nextInt(4), "0", "0-0", "count", "3"));
      }
    }
    return out;
  }

  // ---- reading a stream the same way on both sides ------------------------------------------

  /**
   * TYPE, OBJECT ENCODING, XINFO STREAM FULL (every entry and pending entry) and XINFO GROUPS of
   * the key; with {@code maskTimes} the clock readings (seen times, delivery times) are left out.
   */
  private static String describe(Function<byte[][], Reply> call, String key, boolean maskTimes) {
    Object full = tree(call.apply(cmd("xinfo", "stream", key, "full", "count", "0")));
    if (maskTimes) {
      maskTimes(full);
    }
    return tree(call.apply(cmd("type", key))) + " " + tree(call.apply(cmd("object", "encoding",
        key))) + " " + full + " " + tree(call.apply(cmd("xinfo", "groups", key)));
  }

  /** A reply as nested lists of strings (maps as alternating keys and values). */
  private static Object tree(Reply r) {
    if (r instanceof Reply.Bulk bulk) {
      return new String(bulk.value(), StandardCharsets.ISO_8859_1);
    } else if (r instanceof Reply.Status s) {
      return s.text();
    } else if (r instanceof Reply.Int i) {
      return ":" + i.value();
    } else if (r instanceof Reply.Array a) {
      return listOf(a.items());
    } else if (r instanceof Reply.MapReply m) {
      return listOf(m.keysAndValues());
    } else if (r instanceof Reply.NullBulk || r instanceof Reply.NullArray) {
      return "nil";
    }
    return String.valueOf(r);
  }

  private static List<Object> listOf(List<Reply> items) {
    List<Object> out = new ArrayList<>();
    items.forEach(i -> out.add(tree(i)));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void maskTimes(Object full) {
    if (!(full instanceof List<?>)) {
      return;
    }
    List<Object> groups = (List<Object>) valueOf((List<Object>) full, "groups");
    for (Object g : groups) {
      List<Object> group = (List<Object>) g;
      for (Object p : (List<Object>) valueOf(group, "pending")) {
        ((List<Object>) p).set(2, "T");
      }
      for (Object c : (List<Object>) valueOf(group, "consumers")) {
        List<Object> consumer = (List<Object>) c;
        consumer.set(consumer.indexOf("seen-time") + 1, "T");
        for (Object p : (List<Object>) valueOf(consumer, "pending")) {
          ((List<Object>) p).set(1, "T");
        }
      }
    }
  }

  private static Object valueOf(List<Object> map, String key) {
    return map.get(map.indexOf(key) + 1);
  }

  private static Reply redisCall(byte[][] args) {
    try {
      return c.call(args);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String inRedis(String key, boolean maskTimes) {
    return describe(StreamDumpTest::redisCall, key, maskTimes);
  }

  private static String inKvorum(String key, boolean maskTimes) {
    return describe(fx::call, key, maskTimes);
  }

  private static byte[] bulk(Reply r) {
    assertThat(r).isInstanceOf(Reply.Bulk.class);
    return ((Reply.Bulk) r).value();
  }

  private static void assertConsistent(String key) {
    assertThat(fx.call(cmd("test.streamcheck", key))).as("Kvorum's layout of " + key)
        .isEqualTo(Reply.OK);
  }

  /** Kvorum's model of the key's listpack nodes (sizes included), one line per node. */
  private static Object nodes(String key) {
    return tree(fx.call(cmd("test.streamnodes", key)));
  }

  /** Whether the stream has consumers (whose seen times are clock readings). */
  private static boolean hasConsumers(String key) {
    String groups = tree(redisCall(cmd("xinfo", "groups", key))).toString();
    return groups.matches(".*consumers, :[1-9].*");
  }

  // ---- the two directions -------------------------------------------------------------------

  /**
   * Redis's payload restores into Kvorum as into Redis; Kvorum dumps it back as Redis dumped it
   * (where the nodes hold no deleted entries); and both go on alike: the next entry joins or opens
   * a node where Redis's does, and approximate trimming drops the same nodes.
   */
  @SuppressWarnings("unchecked")
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void redisDumpRestoresIntoKvorum(Case value) throws IOException {
    for (byte[][] command : value.commands()) {
      redisCall(command);
      fx.call(command);
    }
    byte[] payload = bulk(c.call(cmd("dump", "k")));
    assertThat(c.call(cmd("restore", "restored", "0", payload))).isEqualTo(Reply.OK);
    assertThat(fx.call(cmd("restore", "restored", "0", payload))).isEqualTo(Reply.OK);
    assertThat(inKvorum("restored", false)).isEqualTo(inRedis("restored", false));
    assertConsistent("restored");
    assertThat(nodes("restored")).as("nodes read from Redis's listpacks, deleted entries included,"
        + " as Kvorum models them when it runs the same commands").isEqualTo(nodes("k"));
    if (value.sameBytes()) {
      assertThat(RespWire.show(bulk(fx.call(cmd("dump", "restored")))))
          .as("Kvorum's DUMP of the restored stream").isEqualTo(RespWire.show(payload));
    }
    List<Object> info = (List<Object>) tree(redisCall(cmd("xinfo", "stream", "restored")));
    String[] last = valueOf(info, "last-generated-id").toString().split("-");
    if (!last[0].equals("18446744073709551615")) {
      // Enough bytes to fill the tail node: where it ends shows the restored node's size.
      String ms = Long.toUnsignedString(Long.parseUnsignedLong(last[0]) + 1);
      List<byte[][]> then = new ArrayList<>();
      for (int i = 1; i <= 45; i++) {
        then.add(cmd("xadd", "restored", ms + "-" + i, "f", "x".repeat(i % 2 == 0 ? 97 : 13)));
        then.add(cmd("xinfo", "stream", "restored"));
      }
      then.add(cmd("xtrim", "restored", "maxlen", "~", "10"));
      for (byte[][] command : then) {
        assertThat(tree(fx.call(command))).isEqualTo(tree(redisCall(command)));
      }
      assertThat(inKvorum("restored", false)).as("after XADD and XTRIM ~")
          .isEqualTo(inRedis("restored", false));
      assertConsistent("restored");
    }
  }

  /**
   * The same commands build the same stream on both sides (clock readings apart); Kvorum's
   * payload restores into Redis as Redis's own does, restores into Kvorum to the very same stream,
   * and is Redis's byte for byte where no entry left a node early and no clock reading is in it.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void kvorumDumpRestoresIntoRedis(Case value) throws IOException {
    for (byte[][] command : value.commands()) {
      fx.now = System.currentTimeMillis();
      assertThat(tree(fx.call(command))).as(new String(command[0]))
          .isEqualTo(tree(redisCall(command)));
    }
    assertThat(inKvorum("k", true)).as("the stream built by the same commands")
        .isEqualTo(inRedis("k", true));
    byte[] ours = bulk(fx.call(cmd("dump", "k")));
    byte[] theirs = bulk(c.call(cmd("dump", "k")));
    assertThat(c.call(cmd("restore", "fromKvorum", "0", ours))).isEqualTo(Reply.OK);
    assertThat(c.call(cmd("restore", "fromRedis", "0", theirs))).isEqualTo(Reply.OK);
    assertThat(inRedis("fromKvorum", true)).isEqualTo(inRedis("fromRedis", true));
    assertThat(inRedis("fromKvorum", false)).as("Kvorum's clock readings kept")
        .isEqualTo(inKvorum("k", false));
    assertThat(fx.call(cmd("restore", "again", "0", ours))).isEqualTo(Reply.OK);
    assertThat(inKvorum("again", false)).isEqualTo(inKvorum("k", false));
    assertConsistent("again");
    if (value.sameBytes()) {
      assertThat(nodes("again")).isEqualTo(nodes("k"));
    }
    if (value.sameBytes() && !hasConsumers("k")) {
      assertThat(RespWire.show(ours)).isEqualTo(RespWire.show(theirs));
    }
  }

  @Test
  void compressedListpacksFromRedisRestore() throws IOException {
    for (byte[][] command : adds(300, 50, 9)) {
      redisCall(command);
    }
    byte[] plain = bulk(c.call(cmd("dump", "k")));
    c.call("CONFIG", "SET", "rdbcompression", "yes");
    byte[] compressed;
    try {
      compressed = bulk(c.call(cmd("dump", "k")));
    } finally {
      c.call("CONFIG", "SET", "rdbcompression", "no");
    }
    assertThat(compressed.length).as("Redis compressed the listpacks").isLessThan(plain.length);
    assertThat(fx.call(cmd("restore", "k", "0", compressed))).isEqualTo(Reply.OK);
    assertThat(inKvorum("k", false)).isEqualTo(inRedis("k", false));
    assertThat(RespWire.show(bulk(fx.call(cmd("dump", "k"))))).isEqualTo(RespWire.show(plain));
  }

  // ---- hand-made payloads -------------------------------------------------------------------

  /** A listpack of these elements: numbers as integers, anything else as {@code lpAppend} does. */
  private static byte[] lp(Object... elements) {
    Listpack.Builder out = new Listpack.Builder();
    for (Object e : elements) {
      if (e instanceof Number n) {
        out.appendInteger(n.longValue());
      } else {
        out.append(b(e.toString()));
      }
    }
    return out.finish();
  }

  /** An ID as Redis stores it in a radix-tree key or a PEL: 16 bytes, big-endian. */
  private static byte[] id(long ms, long seq) {
    byte[] out = new byte[16];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (ms >>> (56 - 8 * i));
      out[8 + i] = (byte) (seq >>> (56 - 8 * i));
    }
    return out;
  }

  /** {@code rdbSaveMillisecondTime}: 8 bytes, little-endian. */
  private static byte[] millis(long t) {
    byte[] out = new byte[8];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (t >>> (8 * i));
    }
    return out;
  }

  /** Node 1-1 with master fields [f]: entries 1-1 (v1) and 1-2 (v2), the second deleted if asked. */
  private static byte[] twoEntries(boolean secondDeleted) {
    return lp(secondDeleted ? 1 : 2, secondDeleted ? 1 : 0, 1, "f", 0,
        2, 0, 0, "v1", 4,
        secondDeleted ? 3 : 2, 0, 1, "v2", 4);
  }

  /** Node 5-0 with master fields [a, b]: 5-0 (a 1 b 2), then 7-3 with other fields (c 3). */
  private static byte[] otherFields() {
    return lp(2, 0, 2, "a", "b", 0,
        2, 0, 0, "1", "2", 5,
        0, 2, 3, 1, "c", "3", 6);
  }

  private static LegacyPayloads.Body stream(int type) {
    return new LegacyPayloads.Body(type);
  }

  /** The two nodes above, 3 live entries, last ID 7-3 (and for type 19 first 1-1, 4 added). */
  private static LegacyPayloads.Body twoNodes(int type, boolean secondDeleted) {
    LegacyPayloads.Body body = stream(type).length(2)
        .string(id(1, 1)).string(twoEntries(secondDeleted))
        .string(id(5, 0)).string(otherFields())
        .length(secondDeleted ? 3 : 4).length(7).length(3);
    if (type == RdbType.STREAM_LISTPACKS_2) {
      body.length(1).length(1).length(secondDeleted ? 1 : 0).length(secondDeleted ? 2 : 0)
          .length(4);
    }
    return body;
  }

  /**
   * Group "g" (last delivered 5-0) with 1-1 and 5-0 pending, delivered at 1700000000000 and
   * 1700000000500, 1-1 to alice and 5-0 to bob; bob also has no other entry.
   */
  private static LegacyPayloads.Body withGroup(LegacyPayloads.Body body, boolean v2) {
    body.length(1).string("g").length(5).length(0);
    if (v2) {
      body.length(3);
    }
    return body.length(2)
        .raw(id(1, 1)).raw(millis(1_700_000_000_000L)).length(1)
        .raw(id(5, 0)).raw(millis(1_700_000_000_500L)).length(7)
        .length(2)
        .string("alice").raw(millis(1_700_000_000_100L)).length(1).raw(id(1, 1))
        .string("bob").raw(millis(1_700_000_000_600L)).length(1).raw(id(5, 0));
  }

  /** Restores into both (Redis with its deep sanitization on) and compares reply and key. */
  private void restoresLikeRedis(String name, byte[] payload) throws IOException {
    try (RespWire.Client wire = new RespWire.Client(redis.port())) {
      wire.call("CONFIG", "SET", "sanitize-dump-payload", "yes");
      byte[] expected = wire.call(cmd("restore", "k", "0", payload));
      wire.call("CONFIG", "SET", "sanitize-dump-payload", "no");
      byte[] actual = RespWire.encode(fx.call(cmd("restore", "k", "0", payload)), false);
      assertThat(RespWire.show(actual)).as(name).isEqualTo(RespWire.show(expected));
    }
    assertThat(tree(fx.call(cmd("exists", "k")))).as(name)
        .isEqualTo(tree(redisCall(cmd("exists", "k"))));
    if (tree(fx.call(cmd("exists", "k"))).equals(":1")) {
      assertThat(inKvorum("k", false)).as(name).isEqualTo(inRedis("k", false));
      assertConsistent("k");
    }
    fx.call(cmd("del", "k"));
    redisCall(cmd("del", "k"));
  }

  /** Redis 6's STREAM_LISTPACKS: no first ID, tombstone ID, entries-added or entries_read. */
  @Test
  void redis6PayloadsRestoreLikeRedis() throws IOException {
    restoresLikeRedis("two nodes, a group",
        withGroup(twoNodes(RdbType.STREAM_LISTPACKS, false), false).seal(9));
    restoresLikeRedis("a deleted entry inside a node",
        withGroup(twoNodes(RdbType.STREAM_LISTPACKS, true), false).seal(9));
    restoresLikeRedis("empty, with a group (first ID: the greatest)",
        stream(RdbType.STREAM_LISTPACKS).length(0).length(0).length(3).length(4).length(1)
            .string("g").length(0).length(0).length(0).length(0).seal(9));
    restoresLikeRedis("a group behind the first entry",
        twoNodes(RdbType.STREAM_LISTPACKS, false).length(2)
            .string("early").length(0).length(5).length(0).length(0)
            .string("first").length(1).length(1).length(0).length(0).seal(9));
    restoresLikeRedis("the same in STREAM_LISTPACKS_2",
        withGroup(twoNodes(RdbType.STREAM_LISTPACKS_2, true), true).seal(10));
  }

  /** Payloads Redis refuses: Kvorum refuses them with the same reply and creates nothing. */
  @Test
  void corruptPayloadsAreRefusedLikeRedis() throws IOException {
    int v2 = RdbType.STREAM_LISTPACKS_2;
    restoresLikeRedis("node key of 15 bytes", stream(v2).length(1)
        .string(new byte[15]).string(twoEntries(false)).length(2).length(1).length(2)
        .length(1).length(1).length(0).length(0).length(2).length(0).seal(10));
    restoresLikeRedis("the same node twice", stream(v2).length(2)
        .string(id(1, 1)).string(twoEntries(false)).string(id(1, 1)).string(twoEntries(false))
        .length(2).length(1).length(2).length(1).length(1).length(0).length(0).length(2)
        .length(0).seal(10));
    restoresLikeRedis("an empty listpack", stream(v2).length(1)
        .string(id(1, 1)).string(lp()).length(0).length(1).length(2)
        .length(0).length(0).length(0).length(0).length(2).length(0).seal(10));
    restoresLikeRedis("an entry with a wrong element count", stream(v2).length(1)
        .string(id(1, 1)).string(lp(1, 0, 1, "f", 0, 2, 0, 0, "v", 5)).length(1).length(1)
        .length(1).length(1).length(1).length(0).length(0).length(1).length(0).seal(10));
    restoresLikeRedis("a master entry without its 0", stream(v2).length(1)
        .string(id(1, 1)).string(lp(1, 0, 1, "f", 9, 2, 0, 0, "v", 4)).length(1).length(1)
        .length(1).length(1).length(1).length(0).length(0).length(1).length(0).seal(10));
    restoresLikeRedis("fewer entries than the node counts", stream(v2).length(1)
        .string(id(1, 1)).string(lp(2, 0, 1, "f", 0, 2, 0, 0, "v", 4)).length(2).length(1)
        .length(1).length(1).length(1).length(0).length(0).length(2).length(0).seal(10));
    restoresLikeRedis("a length without nodes", stream(v2).length(0).length(1).length(1)
        .length(1).length(1).length(1).length(0).length(0).length(1).length(0).seal(10));
    restoresLikeRedis("a consumer's entry not in the group's PEL",
        twoNodes(v2, false).length(1).string("g").length(0).length(0).length(0).length(0)
            .length(1).string("c").raw(millis(5)).length(1).raw(id(1, 1)).seal(10));
    restoresLikeRedis("a pending entry without a consumer",
        twoNodes(v2, false).length(1).string("g").length(0).length(0).length(0)
            .length(1).raw(id(1, 1)).raw(millis(5)).length(1).length(0).seal(10));
    restoresLikeRedis("a pending entry twice",
        twoNodes(v2, false).length(1).string("g").length(0).length(0).length(0)
            .length(2).raw(id(1, 1)).raw(millis(5)).length(1).raw(id(1, 1)).raw(millis(5))
            .length(1).length(1).string("c").raw(millis(5)).length(1).raw(id(1, 1)).seal(10));
    restoresLikeRedis("a group twice",
        twoNodes(v2, false).length(2)
            .string("g").length(0).length(0).length(0).length(0).length(0)
            .string("g").length(0).length(0).length(0).length(0).length(0).seal(10));
    restoresLikeRedis("a consumer twice",
        twoNodes(v2, false).length(1).string("g").length(0).length(0).length(0).length(0)
            .length(2).string("c").raw(millis(5)).length(0).string("c").raw(millis(5))
            .length(0).seal(10));
    restoresLikeRedis("a pending entry of two consumers",
        twoNodes(v2, false).length(1).string("g").length(0).length(0).length(0)
            .length(1).raw(id(1, 1)).raw(millis(5)).length(1)
            .length(2).string("c").raw(millis(5)).length(1).raw(id(1, 1))
            .string("d").raw(millis(5)).length(1).raw(id(1, 1)).seal(10));
    restoresLikeRedis("more groups than the payload holds",
        twoNodes(v2, false).length(40).string("g").length(0).length(0).length(0).length(0)
            .length(0).seal(10));
  }

  /**
   * Payloads Redis 7.0 loads although their parts disagree, into a stream that later misbehaves
   * (a length that is not the number of entries, an XADD that cannot follow the last ID): Kvorum
   * refuses them, and an existing key stays as it was.
   */
  @Test
  void inconsistentPayloadsRedisLoadsAreRefused() throws IOException {
    int v2 = RdbType.STREAM_LISTPACKS_2;
    List<Object[]> payloads = List.of(
        new Object[] {"a length that is not the number of entries", stream(v2).length(1)
            .string(id(1, 1)).string(twoEntries(false)).length(3).length(1).length(2).length(1)
            .length(1).length(0).length(0).length(2).length(0).seal(10)},
        new Object[] {"node counts that disagree with the deleted flags", stream(v2).length(1)
            .string(id(1, 1)).string(lp(2, 0, 1, "f", 0, 2, 0, 0, "v1", 4, 3, 0, 1, "v2", 4))
            .length(2).length(1).length(2).length(1).length(1).length(0).length(0).length(2)
            .length(0).seal(10)},
        new Object[] {"entries out of order", stream(v2).length(1)
            .string(id(1, 1)).string(lp(2, 0, 1, "f", 0, 2, 0, 1, "v1", 4, 2, 0, 0, "v2", 4))
            .length(2).length(1).length(2).length(1).length(1).length(0).length(0).length(2)
            .length(0).seal(10)},
        new Object[] {"a node overlapping the previous one", stream(v2).length(2)
            .string(id(1, 1)).string(twoEntries(false))
            .string(id(1, 2)).string(lp(1, 0, 1, "f", 0, 2, 0, 1, "v3", 4))
            .length(3).length(1).length(3).length(1).length(1).length(0).length(0).length(3)
            .length(0).seal(10)},
        new Object[] {"a last ID below the last entry", stream(v2).length(1)
            .string(id(1, 1)).string(twoEntries(false)).length(2).length(1).length(1).length(1)
            .length(1).length(0).length(0).length(2).length(0).seal(10)},
        new Object[] {"a first ID that is not the first entry", stream(v2).length(1)
            .string(id(1, 1)).string(twoEntries(false)).length(2).length(1).length(2).length(1)
            .length(2).length(0).length(0).length(2).length(0).seal(10)},
        new Object[] {"a node without entries", stream(v2).length(1)
            .string(id(1, 1)).string(lp(0, 0, 1, "f", 0)).length(0).length(1).length(1)
            .length(0).length(0).length(0).length(0).length(1).length(0).seal(10)});
    for (Object[] p : payloads) {
      String name = (String) p[0];
      byte[] payload = (byte[]) p[1];
      assertThat(c.call(cmd("restore", "loaded", "0", payload, "replace"))).as("Redis: " + name)
          .isEqualTo(Reply.OK);
      fx.call(cmd("rpush", "k", "old"));
      assertThat(tree(fx.call(cmd("restore", "k", "0", payload, "replace")))).as(name)
          .isEqualTo("Error[text=ERR Bad data format]");
      assertThat(tree(fx.call(cmd("lrange", "k", "0", "-1")))).as(name)
          .isEqualTo(List.of("old"));
      assertThat(tree(fx.call(cmd("restore", "new", "0", payload)))).as(name)
          .isEqualTo("Error[text=ERR Bad data format]");
      assertThat(tree(fx.call(cmd("exists", "new")))).as(name).isEqualTo(":0");
      fx.call(cmd("del", "k"));
    }
  }

  @Test
  void ttlAndReplaceApplyToStreams() throws IOException {
    redisCall(cmd("xadd", "s", "1-1", "f", "v"));
    redisCall(cmd("xgroup", "create", "s", "g", "0"));
    byte[] payload = bulk(c.call(cmd("dump", "s")));
    fx.now = 1_800_000_000_000L;
    fx.call(cmd("set", "k", "string"));
    fx.call(cmd("expire", "k", "100"));
    assertThat(tree(fx.call(cmd("restore", "k", "0", payload))))
        .isEqualTo("Error[text=BUSYKEY Target key name already exists.]");
    assertThat(fx.call(cmd("restore", "k", "5000", payload, "replace"))).isEqualTo(Reply.OK);
    assertThat(fx.call(cmd("pexpiretime", "k"))).isEqualTo(Reply.integer(1_800_000_005_000L));
    assertThat(inKvorum("k", false)).isEqualTo(inRedis("s", false));
    assertConsistent("k");
    fx.now = 1_800_000_005_000L;
    assertThat(fx.call(cmd("exists", "k"))).isEqualTo(Reply.ZERO);
    assertThat(fx.call(cmd("restore", "k", "1", payload, "absttl"))).isEqualTo(Reply.OK);
    assertThat(fx.call(cmd("exists", "k"))).as("a deadline already past").isEqualTo(Reply.ZERO);
  }
}
