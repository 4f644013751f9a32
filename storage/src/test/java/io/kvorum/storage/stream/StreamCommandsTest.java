package io.kvorum.storage.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.engine.Bytes;
import io.kvorum.storage.engine.Column;
import io.kvorum.storage.engine.DataView;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the oracle test cannot compare with Redis: everything that depends on the clock (XADD
 * {@code *}, delivery and idle times, XCLAIM/XAUTOCLAIM idle thresholds) driven by the log entry's
 * time, replicas agreeing, the BLOCK contract with the gateway, the limits, and the generic
 * commands on streams (DEL leaves nothing, COPY is independent, expiry).
 */
class StreamCommandsTest {
  static final long T = 1_700_000_000_000L;

  @TempDir Path tmp;
  StoreFixture fx;

  @BeforeEach
  void open() {
    fx = new StoreFixture(tmp.resolve("db"));
    fx.now = T;
  }

  @AfterEach
  void close() {
    fx.close();
  }

  String r(String command) {
    return ReplyText.of(fx.run(command));
  }

  long dataEntries() {
    return ((Reply.Int) fx.run("test.datacount")).value();
  }

  @Test
  void autoIdsComeFromTheEntryClock() {
    assertThat(r("xadd s * a 1")).isEqualTo(T + "-0");
    assertThat(r("xadd s * a 2")).as("same millisecond").isEqualTo(T + "-1");
    fx.now = T - 5000;
    assertThat(r("xadd s * a 3")).as("a clock going back never makes IDs go back")
        .isEqualTo(T + "-2");
    fx.now = T + 1;
    assertThat(r("xadd s * a 4")).isEqualTo((T + 1) + "-0");
    assertThat(ReplyText.of(fx.call(b("xadd"), b("s"), b("*\0junk"), b("a"), b("5"))))
        .as("Redis reads the ID as a C string").isEqualTo((T + 1) + "-1");
    assertThat(r("xadd s " + (T + 1) + "-* a 6")).isEqualTo((T + 1) + "-2");
    assertThat(r("xlen s")).isEqualTo(":6");
  }

  @Test
  void replicasApplyingTheSameEntriesAgree() {
    List<byte[][]> entries = List.of(
        StoreFixture.split("xadd s * a 1"), StoreFixture.split("xgroup create s g 0"),
        StoreFixture.split("xreadgroup group g c streams s >"),
        StoreFixture.split("xadd s maxlen ~ 1 * b 2"),
        StoreFixture.split("xclaim s g d 0 " + T + "-0"),
        StoreFixture.split("xautoclaim s g e 0 0"));
    try (StoreFixture other = new StoreFixture(tmp.resolve("replica"))) {
      other.now = T;
      assertThat(fx.apply(entries).stream().map(ReplyText::of).toList())
          .isEqualTo(other.apply(entries).stream().map(ReplyText::of).toList());
      assertThat(ReplyText.of(fx.run("xinfo stream s full")))
          .isEqualTo(ReplyText.of(other.run("xinfo stream s full")));
    }
  }

  @Test
  void deliveryAndIdleTimesFollowTheEntryClock() {
    r("xadd s 1-1 a 1");
    r("xadd s 2-1 b 2");
    r("xgroup create s g 0");
    assertThat(r("xreadgroup group g alice count 1 streams s >")).isEqualTo("[[s, [[1-1, [a, 1]]]]]");
    fx.now = T + 1000;
    r("xreadgroup group g bob streams s >");
    fx.now = T + 5000;
    assertThat(r("xpending s g - + 10"))
        .isEqualTo("[[1-1, alice, :5000, :1], [2-1, bob, :4000, :1]]");
    assertThat(r("xpending s g idle 4500 - + 10")).isEqualTo("[[1-1, alice, :5000, :1]]");
    assertThat(r("xinfo consumers s g"))
        .isEqualTo("[[name, alice, pending, :1, idle, :5000], [name, bob, pending, :1, idle, :4000]]");
    assertThat(r("xinfo stream s full")).contains("pending, [[1-1, alice, :" + T + ", :1], [2-1,"
        + " bob, :" + (T + 1000) + ", :1]]").contains("name, alice, seen-time, :" + T);

    assertThat(r("xclaim s g carol 4500 1-1 2-1 justid")).as("only 1-1 is idle long enough")
        .isEqualTo("[1-1]");
    assertThat(r("xpending s g - + 10")).isEqualTo("[[1-1, carol, :0, :1], [2-1, bob, :4000, :1]]");
    assertThat(r("xclaim s g carol 0 2-1 idle 300")).isEqualTo("[[2-1, [b, 2]]]");
    assertThat(r("xclaim s g carol 0 1-1 time " + (T + 4000) + " retrycount 7")).isNotEmpty();
    assertThat(r("xpending s g - + 10"))
        .isEqualTo("[[1-1, carol, :1000, :7], [2-1, carol, :300, :2]]");

    fx.now = T + 6000;
    assertThat(r("xautoclaim s g dave 1500 0 justid")).as("1-1 is 2000 ms idle, 2-1 1300 ms")
        .isEqualTo("[0-0, [1-1], []]");
    assertThat(r("xinfo consumers s g")).isEqualTo("[[name, alice, pending, :0, idle, :6000],"
        + " [name, bob, pending, :0, idle, :5000], [name, carol, pending, :1, idle, :1000],"
        + " [name, dave, pending, :1, idle, :0]]");
  }

  @Test
  void blockingReadsAnswerTheNullArrayWhenNothingIsThere() {
    r("xadd s 1-1 a 1");
    r("xgroup create s g $");
    assertThat(fx.run("xread block 0 streams s $")).isEqualTo(Reply.NULL_ARRAY);
    assertThat(fx.run("xread block 100 streams s missing 1-1 0")).isEqualTo(Reply.NULL_ARRAY);
    assertThat(fx.run("xreadgroup group g c block 0 streams s >")).isEqualTo(Reply.NULL_ARRAY);
    assertThat(r("xinfo consumers s g")).as("a read that served nothing created no consumer")
        .isEqualTo("[]");
    assertThat(r("xread block 0 streams s 0")).isEqualTo("[[s, [[1-1, [a, 1]]]]]");
    assertThat(r("xread block -1 streams s 0")).isEqualTo("-ERR timeout is negative");
    assertThat(r("xread block 1.5 streams s 0"))
        .isEqualTo("-ERR timeout is not an integer or out of range");
  }

  @Test
  void blockTimeoutIsReadForTheGateway() {
    assertThat(StreamReadCommands.blockMillis(StoreFixture.split("xread streams s $")))
        .isEqualTo(-1);
    assertThat(StreamReadCommands.blockMillis(StoreFixture.split("xread count 5 block 0 streams s 0")))
        .isZero();
    assertThat(StreamReadCommands.blockMillis(
        StoreFixture.split("xreadgroup group block c BLOCK 2500 streams block >")))
        .as("a group named BLOCK is not the option").isEqualTo(2500);
    assertThat(StreamReadCommands.blockMillis(StoreFixture.split("xread block 1 block 7 streams s 0")))
        .as("the last BLOCK counts, as in Redis").isEqualTo(7);
    assertThatThrownBy(() -> StreamReadCommands.blockMillis(StoreFixture.split(
        "xread block -5 streams s 0"))).isInstanceOf(RedisError.class)
        .hasMessage("ERR timeout is negative");
  }

  /** A retry for a waiting client ({@code kvorum.serve-blocked}) of {@code command}. */
  private String retry(String command) {
    return ReplyText.of(fx.call(concat(b(KeyspaceCommandTable.SERVE_BLOCKED),
        StoreFixture.split(command))));
  }

  @Test
  void retriesTreatOtherTypesAsRedisDoesForWaitingClients() {
    r("rpush l a");
    r("xadd s 1-1 f v");
    r("xgroup create s g $");
    assertThat(r("xread block 0 streams l 0")).as("the first attempt")
        .isEqualTo("-WRONGTYPE Operation against a key holding the wrong kind of value");
    assertThat(retry("xread block 0 streams l 0")).as("XREAD keeps waiting").isEqualTo("(nil)");
    assertThat(retry("xread block 0 streams l s 0 0")).as("and is served from the stream")
        .isEqualTo("[[s, [[1-1, [f, v]]]]]");
    assertThat(r("xreadgroup group g c block 0 streams l >"))
        .isEqualTo("-WRONGTYPE Operation against a key holding the wrong kind of value");
    assertThat(retry("xreadgroup group g c block 0 streams l >"))
        .isEqualTo("-UNBLOCKED the stream key no longer exists");
    assertThat(retry("xreadgroup group g c block 0 streams missing >"))
        .isEqualTo("-UNBLOCKED the stream key no longer exists");
    assertThat(r("xreadgroup group h c block 0 streams s >")).isEqualTo(
        "-NOGROUP No such key 's' or consumer group 'h' in XREADGROUP with GROUP option");
    assertThat(retry("xreadgroup group h c block 0 streams s >"))
        .isEqualTo("-NOGROUP the consumer group this client was blocked on no longer exists");
    assertThat(retry("xreadgroup group g c block 0 streams s >")).as("nothing new: waits on")
        .isEqualTo("(nil)");
    r("xadd s 2-1 f w");
    assertThat(retry("xreadgroup group g c block 0 streams s >"))
        .isEqualTo("[[s, [[2-1, [f, w]]]]]");
  }

  @Test
  void dollarIdsAreResolvedOnceForRetries() {
    r("xadd s 5-1 a 1");
    r("set str v");
    byte[][] call = StoreFixture.split("xread count 2 block 0 streams s missing str s $ $ $ 0");
    Reply resolved = fx.call(concat(b(KeyspaceCommandTable.RESOLVE_BLOCKED), call));
    assertThat(ReplyText.of(resolved)).isEqualTo(
        "[xread, count, 2, block, 0, streams, s, missing, str, s, 5-1, 0-0, $, 0]");
    r("xadd s 6-1 b 2");
    byte[][] retry = new byte[call.length][];
    List<Reply> items = ((Reply.Array) resolved).items();
    for (int i = 0; i < retry.length; i++) {
      retry[i] = ((Reply.Bulk) items.get(i)).value();
    }
    retry[8] = b("s2");
    retry[12] = b("0");
    assertThat(r(String.join(" ", text(retry)))).as("the retry sees only what came after")
        .isEqualTo("[[s, [[6-1, [b, 2]]]], [s, [[5-1, [a, 1]], [6-1, [b, 2]]]]]");

    assertThat(ReplyText.of(fx.call(concat(b(KeyspaceCommandTable.RESOLVE_BLOCKED),
        StoreFixture.split("xreadgroup group g c streams s >")))))
        .as("only XREAD has $ to resolve").isEqualTo("[xreadgroup, group, g, c, streams, s, >]");
  }

  @Test
  void keysAreFoundAfterTheFirstStreamsOption() {
    KeyspaceCommandTable table = KeyspaceCommandTable.standard();
    assertThat(keys(table, "xread count 1 block 0 streams a b 0 0")).containsExactly(6, 7);
    assertThat(keys(table, "xreadgroup group streams c noack streams streams k 0 0"))
        .as("GROUP's arguments are skipped").containsExactly(6, 7);
    assertThat(keys(table, "xread streams a b 0")).as("unbalanced: no keys").isEmpty();
    assertThat(keys(table, "xread foo streams a 0")).isEmpty();
    assertThat(keys(table, "xgroup create k g 0")).containsExactly(2);
    assertThat(keys(table, "xinfo stream k")).containsExactly(2);
    assertThat(keys(table, "xadd k * f v")).containsExactly(1);
  }

  private static int[] keys(KeyspaceCommandTable table, String command) {
    byte[][] args = StoreFixture.split(command);
    KeyspaceCommand c = table.resolve(args);
    return c.keys().keyIndexes(args);
  }

  @Test
  void entriesOfMoreThanAGibibyteAreRefused() {
    assertThat(StreamCommands.tooLarge(1L << 30)).isFalse();
    assertThat(StreamCommands.tooLarge((1L << 30) + 1)).isTrue();
    // One 128 MiB array for eight of the fields and values, plus two small ones: 1 GiB + 2 bytes.
    byte[] big = new byte[1 << 27];
    byte[][] over = new byte[3 + 10][];
    over[0] = b("xadd");
    over[1] = b("s");
    over[2] = b("1-2");
    Arrays.fill(over, 3, 11, big);
    over[11] = b("f");
    over[12] = new byte[1];
    MemoryView view = new MemoryView();
    CommandContext ctx = new CommandContext(new Keyspace(view, T, new Keyspace.Counters(0, 0)),
        false, new SplittableRandom(1));
    assertThat(ReplyText.of(StreamCommands.xadd(ctx, StoreFixture.split("xadd s 1-1 f v"))))
        .isEqualTo("1-1");
    assertThatThrownBy(() -> StreamCommands.xadd(ctx, over))
        .hasMessage("ERR Elements are too large to be stored");
    assertThat(ReplyText.of(StreamCommands.xlen(ctx, new byte[][] {b("xlen"), b("s")})))
        .isEqualTo(":1");
    over[1] = b("fresh");
    assertThatThrownBy(() -> StreamCommands.xadd(ctx, over))
        .hasMessage("ERR Elements are too large to be stored");
    assertThat(ctx.keyspace().lookup(b("fresh"))).as("Redis has created the empty stream")
        .isNotNull();
  }

  @Test
  void autoclaimCountIsBoundedLikeRedisAllocation() {
    r("xadd s 1-1 a 1");
    r("xgroup create s g 0");
    long refused = ConsumerGroupCommands.AUTOCLAIM_MAX_ALLOCATABLE_COUNT;
    assertThat(r("xautoclaim s g c 0 0 count " + refused)).isEqualTo(
        "-ERR Insufficient memory, failed allocating transient memory, COUNT too high.");
    assertThat(r("xautoclaim s g c 0 0 count " + (refused - 1))).isEqualTo("[0-0, [], []]");
    assertThat(r("xautoclaim s g c 0 0 count " + (Long.MAX_VALUE / 16 + 1)))
        .isEqualTo("-ERR COUNT must be > 0");
  }

  @Test
  void typeEncodingAndScanKnowStreams() {
    r("xadd s 1-1 a 1");
    assertThat(r("type s")).isEqualTo("+stream");
    assertThat(r("object encoding s")).isEqualTo("stream");
    r("set str v");
    Reply.Array scan = (Reply.Array) fx.call(b("kvorum.scan"), new byte[0], new byte[0],
        b("100"), b("TYPE"), b("stream"));
    assertThat(ReplyText.of(scan.items().get(1))).isEqualTo("[s]");
  }

  @Test
  void deleteLeavesNothingBehindWhateverTheStreamHolds() {
    for (int i = 1; i <= 300; i++) {
      r("xadd s " + i + "-0 f " + i);
    }
    r("xgroup create s g 0");
    r("xgroup create s g2 0");
    r("xreadgroup group g c1 count 50 streams s >");
    r("xreadgroup group g c2 count 50 streams s >");
    r("xreadgroup group g2 c1 streams s >");
    r("xgroup destroy s g2");
    r("xdel s 10-0 20-0");
    assertThat(dataEntries()).isGreaterThan(300);
    assertThat(r("unlink s")).isEqualTo(":1");
    assertThat(dataEntries()).isZero();

    r("xadd small 1-0 f v");
    r("xgroup create small g 0");
    r("xreadgroup group g c streams small >");
    assertThat(r("del small")).isEqualTo(":1");
    assertThat(dataEntries()).as("small streams are deleted key by key").isZero();
    assertThat(r("xadd small 2-0 f v")).isEqualTo("2-0");
    assertThat(r("xinfo stream small full")).isEqualTo("[length, :1, radix-tree-keys, :1,"
        + " radix-tree-nodes, :2, last-generated-id, 2-0, max-deleted-entry-id, 0-0,"
        + " entries-added, :1, recorded-first-entry-id, 2-0, entries, [[2-0, [f, v]]], groups,"
        + " []]");
  }

  @Test
  void copyAndRenameCarryGroupsAndStayIndependent() {
    r("xadd s 1-1 a 1");
    r("xadd s 2-1 b 2");
    r("xgroup create s g 0");
    r("xreadgroup group g c count 1 streams s >");
    assertThat(r("copy s t")).isEqualTo(":1");
    r("xack t g 1-1");
    r("xadd t 3-1 c 3");
    assertThat(r("xpending s g")).isEqualTo("[:1, 1-1, 1-1, [[c, 1]]]");
    assertThat(r("xlen s")).isEqualTo(":2");
    assertThat(r("xpending t g")).isEqualTo("[:0, (nil), (nil), (nil)]");
    assertThat(r("rename t u")).isEqualTo("+OK");
    assertThat(r("xrange u - +")).isEqualTo("[[1-1, [a, 1]], [2-1, [b, 2]], [3-1, [c, 3]]]");
    assertThat(r("xinfo groups u")).isEqualTo(
        "[[name, g, consumers, :1, pending, :0, last-delivered-id, 1-1, entries-read, :1, lag,"
            + " :2]]");
    assertThat(r("exists t")).isEqualTo(":0");
  }

  @Test
  void anExpiredStreamIsGone() {
    r("xadd s 1-1 a 1");
    r("pexpire s 100");
    fx.now = T + 100;
    assertThat(r("xlen s")).isEqualTo(":0");
    assertThat(r("xinfo stream s")).isEqualTo("-ERR no such key");
    assertThat(r("xadd s nomkstream 2-1 a 1")).isEqualTo("(nil)");
    assertThat(r("xadd s 1-1 a 1")).as("a new stream starts from 0-0").isEqualTo("1-1");
  }

  @Test
  void everyStreamCommandIsRegistered() {
    KeyspaceCommandTable table = KeyspaceCommandTable.standard();
    for (KeyspaceCommand c : StreamCommands.table()) {
      assertThat(table.get(c.name())).as(c.name()).isNotNull();
      assertThat(table.get(c.name()).spec()).isEqualTo(c.spec());
    }
    assertThat(table.get("xgroup|create")).isNotNull();
    assertThat(table.get("kvorum.xread-ids")).as("removed: the gateway resolves $ through"
        + " kvorum.resolve-blocked").isNull();
    assertThat(table.resolve(StoreFixture.split("kvorum.xread-ids xread streams s $"))).isNull();
  }

  @Test
  void raxNodeCountFollowsSharedPrefixes() {
    assertThat(StreamInfoCommands.raxNodes(List.of())).isEqualTo(1);
    assertThat(StreamInfoCommands.raxNodes(List.of(new StreamId(1, 1)))).isEqualTo(2);
    // 7 shared bytes (compressed), a branch on the 8th, and per key its 8-byte rest and a leaf.
    assertThat(StreamInfoCommands.raxNodes(List.of(new StreamId(1, 1), new StreamId(101, 1),
        new StreamId(201, 1)))).isEqualTo(8);
    // Keys that differ only in the last byte: one compressed run, one branch, two leaves.
    assertThat(StreamInfoCommands.raxNodes(List.of(new StreamId(5, 1), new StreamId(5, 2))))
        .isEqualTo(4);
  }

  private static byte[][] concat(byte[] first, byte[][] rest) {
    byte[][] out = new byte[rest.length + 1][];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }

  private static String[] text(byte[][] args) {
    String[] out = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      out[i] = new String(args[i], StandardCharsets.UTF_8);
    }
    return out;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A writable in-memory view, so a handler can run on arguments too big for a log entry. */
  static final class MemoryView implements DataView {
    private final Map<Column, NavigableMap<byte[], byte[]>> columns = new EnumMap<>(Column.class);

    private NavigableMap<byte[], byte[]> column(Column c) {
      return columns.computeIfAbsent(c, k -> new TreeMap<>(Bytes::compare));
    }

    @Override
    public byte[] get(Column column, byte[] key) {
      return column(column).get(key);
    }

    @Override
    public Cursor scan(Column column, byte[] from, byte[] to, boolean reverse) {
      NavigableMap<byte[], byte[]> range = to == null ? column(column).tailMap(from, true)
          : column(column).subMap(from, true, to, false);
      List<Map.Entry<byte[], byte[]>> items =
          new ArrayList<>((reverse ? range.descendingMap() : range).entrySet());
      Iterator<Map.Entry<byte[], byte[]>> it = items.iterator();
      return new Cursor() {
        private Map.Entry<byte[], byte[]> current = it.hasNext() ? it.next() : null;

        @Override
        public boolean valid() {
          return current != null;
        }

        @Override
        public byte[] key() {
          return current.getKey();
        }

        @Override
        public byte[] value() {
          return current.getValue();
        }

        @Override
        public void next() {
          current = it.hasNext() ? it.next() : null;
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public boolean writable() {
      return true;
    }

    @Override
    public void put(Column column, byte[] key, byte[] value) {
      column(column).put(key, value);
    }

    @Override
    public void delete(Column column, byte[] key) {
      column(column).remove(key);
    }

    @Override
    public void deleteRange(Column column, byte[] from, byte[] to) {
      (to == null ? column(column).tailMap(from, true)
          : column(column).subMap(from, true, to, false)).clear();
    }
  }
}
