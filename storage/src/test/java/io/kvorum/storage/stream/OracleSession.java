package io.kvorum.storage.stream;

import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.engine.NodeStorage;
import io.kvorum.storage.engine.SlotGroupStore;
import io.kvorum.storage.testing.FakeCollections;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The same commands against a private redis-server and a Kvorum store, in one protocol; every
 * reply must be Redis's bytes, and the store's layout must stay consistent ({@link
 * #checkInvariants}). Only clock readings may differ, by at most {@link #TIME_SLACK_MS}:
 * XPENDING's idle times, XINFO CONSUMERS' idle, and XINFO STREAM FULL's seen and delivery times
 * (both sides read their own clock a few milliseconds apart). The store gets the wall clock as the
 * entry's time, as the leader would. XREAD and XREADGROUP with BLOCK go to Redis inside MULTI,
 * where Redis answers an empty wait with the null array instead of blocking, as the store does.
 */
final class OracleSession implements AutoCloseable {
  static final long TIME_SLACK_MS = 1500;

  private final StreamWire.Client redis;
  /** The standard table, the test stand-ins, and {@link StreamInvariants}. */
  static final KeyspaceCommandTable TABLE = KeyspaceCommandTable.standardPlus(
      concat(FakeCollections.table(), List.of(StreamInvariants.command())));

  private final NodeStorage node;
  private final SlotGroupStore store;
  private final boolean resp3;
  private final String label;
  private final Deque<String> recent = new ArrayDeque<>();
  private final Map<String, Integer> outcomes = new TreeMap<>();
  private long index;

  OracleSession(int redisPort, Path dir, boolean resp3, String label) throws IOException {
    this.redis = new StreamWire.Client(redisPort);
    this.node = new NodeStorage(16L << 20, 16L << 20);
    this.store = SlotGroupStore.open(dir, node, TABLE);
    this.resp3 = resp3;
    this.label = label;
    if (resp3) {
      redis.call("HELLO", "3");
    }
    redis.call("FLUSHALL");
  }

  /**
   * Runs one command given as space-separated words: {@code ""} is an empty argument, {@code \\s}
   * a space and {@code \\0} a NUL byte inside a word.
   */
  void check(String line) throws IOException {
    check(split(line));
  }

  static byte[][] split(String line) {
    String[] words = line.split(" ");
    byte[][] args = new byte[words.length][];
    for (int i = 0; i < words.length; i++) {
      String w = words[i].equals("\"\"") ? ""
          : words[i].replace("\\s", " ").replace("\\0", "\0");
      args[i] = w.getBytes(StandardCharsets.UTF_8);
    }
    return args;
  }

  /** Runs one command on both sides and fails unless the replies agree. */
  byte[] check(byte[][] args) throws IOException {
    recent.addLast(show(args));
    if (recent.size() > 30) {
      recent.removeFirst();
    }
    byte[] expected = blocking(args) ? inMulti(args) : redis.call(args);
    byte[] actual = StreamWire.encode(ours(args), resp3);
    String problem = compare(args, expected, actual);
    if (problem != null) {
      fail(label + (resp3 ? " RESP3" : " RESP2") + ": " + show(args) + ": " + problem
          + "\n  redis: " + StreamWire.show(expected) + "\n  ours:  " + StreamWire.show(actual)
          + "\n  recent commands:\n    " + String.join("\n    ", recent));
    }
    outcomes.merge(KeyspaceCommandName.of(args) + " " + kind(expected), 1, Integer::sum);
    return expected;
  }

  Map<String, Integer> outcomes() {
    return outcomes;
  }

  /** The store driven as the Raft layer drives it: writes as log entries, reads directly. */
  Reply ours(byte[][] args) {
    long now = System.currentTimeMillis();
    KeyspaceCommand c = TABLE.resolve(args);
    boolean write = c != null && c.handler() != null && c.runsAsWrite();
    if (!write) {
      return store.read(args, resp3, now);
    }
    CommandCall.Builder call = CommandCall.newBuilder().setResp3(resp3);
    for (byte[] a : args) {
      call.addArgs(ByteString.copyFrom(a));
    }
    SlotGroupEntry entry =
        SlotGroupEntry.newBuilder().setTimeMs(now).setRandomSeed(index).addCalls(call).build();
    return store.apply(1, ++index, entry).get(0);
  }

  private static boolean blocking(byte[][] args) {
    String name = new String(args[0], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    if (!name.equals("xread") && !name.equals("xreadgroup")) {
      return false;
    }
    for (byte[] a : args) {
      if (new String(a, StandardCharsets.UTF_8).equalsIgnoreCase("block")) {
        return true;
      }
    }
    return false;
  }

  /** A command's reply inside MULTI/EXEC, where Redis answers instead of blocking. */
  private byte[] inMulti(byte[][] args) throws IOException {
    redis.call("MULTI");
    byte[] queued = redis.call(args);
    if (queued[0] == '-') {
      redis.call("DISCARD");
      return queued;
    }
    byte[] exec = redis.call("EXEC");
    return Arrays.copyOfRange(exec, 4, exec.length);
  }

  /** Null when the replies agree, else what differs. */
  static String compare(byte[][] args, byte[] expected, byte[] actual) {
    if (Arrays.equals(expected, actual)) {
      return null;
    }
    String cmd = KeyspaceCommandName.of(args);
    boolean timed = cmd.equals("xpending") && args.length >= 6 || cmd.equals("xinfo|consumers")
        || cmd.equals("xinfo|stream") && args.length > 3;
    if (!timed || expected[0] == '-' || actual[0] == '-') {
      return "different bytes";
    }
    List<Long> redisTimes = new ArrayList<>();
    List<Long> ourTimes = new ArrayList<>();
    byte[] maskedRedis = mask(StreamWire.parse(expected), cmd, redisTimes).bytes();
    byte[] maskedOurs = mask(StreamWire.parse(actual), cmd, ourTimes).bytes();
    if (!Arrays.equals(maskedRedis, maskedOurs) || redisTimes.size() != ourTimes.size()) {
      return "different bytes (times aside)";
    }
    for (int i = 0; i < redisTimes.size(); i++) {
      if (Math.abs(redisTimes.get(i) - ourTimes.get(i)) > TIME_SLACK_MS) {
        return "time " + i + " differs by more than " + TIME_SLACK_MS + " ms";
      }
    }
    return null;
  }

  private static final StreamWire.Node TIME = new StreamWire.Node(':', "T", null, List.of());

  /** The reply with every clock reading replaced by a marker; the readings go to {@code times}. */
  private static StreamWire.Node mask(StreamWire.Node n, String cmd, List<Long> times) {
    switch (cmd) {
      case "xpending" -> {
        List<StreamWire.Node> items = new ArrayList<>();
        for (StreamWire.Node item : n.children()) {
          items.add(maskAt(item, 2, times));
        }
        return with(n, items);
      }
      case "xinfo|consumers" -> {
        List<StreamWire.Node> items = new ArrayList<>();
        for (StreamWire.Node consumer : n.children()) {
          items.add(maskValue(consumer, "idle", times));
        }
        return with(n, items);
      }
      default -> {
        List<StreamWire.Node> top = new ArrayList<>(n.children());
        for (int i = 0; i + 1 < top.size(); i += 2) {
          if (top.get(i).isBulk("groups")) {
            List<StreamWire.Node> groups = new ArrayList<>();
            for (StreamWire.Node g : top.get(i + 1).children()) {
              groups.add(maskGroup(g, times));
            }
            top.set(i + 1, with(top.get(i + 1), groups));
          }
        }
        return with(n, top);
      }
    }
  }

  private static StreamWire.Node maskGroup(StreamWire.Node g, List<Long> times) {
    List<StreamWire.Node> kv = new ArrayList<>(g.children());
    for (int i = 0; i + 1 < kv.size(); i += 2) {
      if (kv.get(i).isBulk("pending")) {
        List<StreamWire.Node> items = new ArrayList<>();
        for (StreamWire.Node item : kv.get(i + 1).children()) {
          items.add(maskAt(item, 2, times));
        }
        kv.set(i + 1, with(kv.get(i + 1), items));
      } else if (kv.get(i).isBulk("consumers")) {
        List<StreamWire.Node> consumers = new ArrayList<>();
        for (StreamWire.Node c : kv.get(i + 1).children()) {
          StreamWire.Node masked = maskValue(c, "seen-time", times);
          List<StreamWire.Node> ckv = new ArrayList<>(masked.children());
          for (int j = 0; j + 1 < ckv.size(); j += 2) {
            if (ckv.get(j).isBulk("pending")) {
              List<StreamWire.Node> items = new ArrayList<>();
              for (StreamWire.Node item : ckv.get(j + 1).children()) {
                items.add(maskAt(item, 1, times));
              }
              ckv.set(j + 1, with(ckv.get(j + 1), items));
            }
          }
          consumers.add(with(masked, ckv));
        }
        kv.set(i + 1, with(kv.get(i + 1), consumers));
      }
    }
    return with(g, kv);
  }

  private static StreamWire.Node maskAt(StreamWire.Node item, int index, List<Long> times) {
    if (item.children().size() <= index || item.children().get(index).type() != ':') {
      return item;
    }
    List<StreamWire.Node> c = new ArrayList<>(item.children());
    times.add(c.get(index).integer());
    c.set(index, TIME);
    return with(item, c);
  }

  private static StreamWire.Node maskValue(StreamWire.Node map, String key, List<Long> times) {
    List<StreamWire.Node> kv = new ArrayList<>(map.children());
    for (int i = 0; i + 1 < kv.size(); i += 2) {
      if (kv.get(i).isBulk(key) && kv.get(i + 1).type() == ':') {
        times.add(kv.get(i + 1).integer());
        kv.set(i + 1, TIME);
      }
    }
    return with(map, kv);
  }

  private static StreamWire.Node with(StreamWire.Node n, List<StreamWire.Node> children) {
    return new StreamWire.Node(n.type(), n.head(), n.payload(), children);
  }

  static String kind(byte[] reply) {
    return switch (reply[0]) {
      case '-' -> new String(reply, 0, Math.min(reply.length, 40), StandardCharsets.UTF_8)
          .split("\r")[0];
      case '*' -> reply[1] == '-' ? "nil[]" : reply[1] == '0' ? "[]" : "[..]";
      case '$' -> reply[1] == '-' ? "nil" : "bulk";
      case '_' -> "null";
      case '%' -> "map";
      default -> String.valueOf((char) reply[0]);
    };
  }

  static String show(byte[][] args) {
    StringBuilder s = new StringBuilder();
    for (byte[] a : args) {
      if (s.length() > 0) {
        s.append(' ');
      }
      s.append('"').append(StreamWire.show(a).replace("\"", "\\\"")).append('"');
    }
    return s.toString();
  }

  /** Fails unless the store's layout of these stream keys is consistent (see StreamInvariants). */
  void checkInvariants(String... keys) {
    for (String k : keys) {
      Reply r = store.read(new byte[][] {"test.streamcheck".getBytes(StandardCharsets.UTF_8),
          k.getBytes(StandardCharsets.UTF_8)}, false, System.currentTimeMillis());
      if (!(r instanceof Reply.Status)) {
        fail(label + ": stream " + k + " is inconsistent: " + r + "\n  recent commands:\n    "
            + String.join("\n    ", recent));
      }
    }
  }

  private static List<KeyspaceCommand> concat(List<KeyspaceCommand> a, List<KeyspaceCommand> b) {
    List<KeyspaceCommand> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  @Override
  public void close() throws IOException {
    redis.close();
    store.close();
    node.close();
  }

  /** The table name of an invocation: {@code xadd}, {@code xinfo|stream}, … */
  static final class KeyspaceCommandName {
    private KeyspaceCommandName() {}

    static String of(byte[][] args) {
      String name = new String(args[0], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
      if ((name.equals("xinfo") || name.equals("xgroup") || name.equals("object"))
          && args.length > 1) {
        return name + "|" + new String(args[1], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
      }
      return name;
    }
  }
}
