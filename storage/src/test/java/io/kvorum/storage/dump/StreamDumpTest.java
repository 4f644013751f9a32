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
    return cases.stream();
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
}
