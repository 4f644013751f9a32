package io.kvorum.storage.list;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.storage.command.CommandFlag;
import io.kvorum.storage.command.CommandSpec;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.RedisServer;
import io.kvorum.storage.testing.RespClient;
import io.kvorum.storage.testing.StoreFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The list commands against a real redis-server 7.0: seeded random command streams over a few
 * keys (with strings and hashes mixed in, so WRONGTYPE paths run) go to both, and every reply must
 * be byte-for-byte what Redis sends, in RESP2 and in RESP3. List replies are ordered, so no reply
 * needs a looser comparison.
 *
 * <p>Blocking commands are sent to Redis inside MULTI, where Redis never blocks and answers an
 * empty wait as a timeout; the one difference is that BLMOVE and BRPOPLPUSH answer a null bulk
 * there instead of the null array of a real timeout, so that pair is accepted.
 *
 * <p>A mismatch prints the seed, the command and the recent history. Replay one stream with
 * {@code -Dkvorum.list.oracle.seed=N -Dkvorum.list.oracle.resp3=true|false}; {@code
 * -Dkvorum.list.oracle.streams=N} adds N random seeds per protocol (default 1).
 */
class ListOracleTest {
  @TempDir static Path tmp;
  static RedisServer redis;

  @BeforeAll
  static void startRedis() throws IOException {
    redis = RedisServer.start(Files.createDirectories(tmp.resolve("redis")));
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void specsMatchCommandInfo() throws IOException {
    List<String> problems = new ArrayList<>();
    try (RespClient c = redis.client()) {
      for (KeyspaceCommand cmd : ListCommands.table()) {
        CommandSpec spec = cmd.spec();
        Reply.Array all = (Reply.Array) c.call("COMMAND", "INFO", spec.name());
        List<Reply> f = ((Reply.Array) all.items().get(0)).items();
        Set<String> flags = new TreeSet<>();
        for (CommandFlag flag : spec.flags()) {
          flags.add(flag.redisName());
        }
        check(problems, spec.name() + " arity", ((Reply.Int) f.get(1)).value(), spec.arity());
        check(problems, spec.name() + " flags", texts(f.get(2)), flags);
        check(problems, spec.name() + " first", ((Reply.Int) f.get(3)).value(), spec.firstKey());
        check(problems, spec.name() + " last", ((Reply.Int) f.get(4)).value(), spec.lastKey());
        check(problems, spec.name() + " step", ((Reply.Int) f.get(5)).value(), spec.keyStep());
        check(problems, spec.name() + " acl", texts(f.get(6)), new TreeSet<>(spec.aclCategories()));
        check(problems, spec.name() + " tips", texts(f.get(7)), new TreeSet<>(spec.tips()));
      }
    }
    assertThat(ListCommands.table()).hasSize(22);
    assertThat(problems).isEmpty();
  }

  private static void check(List<String> problems, String what, Object redisValue, Object ours) {
    Object r = redisValue instanceof Long l ? (Object) l.intValue() : redisValue;
    if (!r.equals(ours)) {
      problems.add(what + ": redis " + redisValue + ", ours " + ours);
    }
  }

  private static Set<String> texts(Reply r) {
    Set<String> s = new TreeSet<>();
    for (Reply item : ((Reply.Array) r).items()) {
      s.add(item instanceof Reply.Status st ? st.text() : ((Reply.Bulk) item).utf8());
    }
    return s;
  }

  @Test
  void resp2StreamsGiveRedisBytes() throws IOException {
    runStreams(false, List.of(1L, 2L));
  }

  @Test
  void resp3StreamsGiveRedisBytes() throws IOException {
    runStreams(true, List.of(3L, 4L));
  }

  /** Every timeout form is accepted or refused exactly as Redis refuses it. */
  @Test
  void timeoutArgumentsAreCheckedLikeRedis() throws IOException {
    String[] timeouts = {"0", "1", "0.01", "-0", "-0.0001", "-0.0009999", "-0.001", "-1", "inf",
        "-inf", "+inf", "nan", "x", "", " 1", "1 ", "1e16", "1e30", "-1e30", "9223372036854775",
        "9223372036854776", "0x10", "1e-400", "1e5000", "-0.000999999999999999999", "1.", ".5",
        "00001", "1e3", "-1e-10"};
    try (StoreFixture fx = new StoreFixture(tmp.resolve("timeouts"));
        RespBytes.Client c = new RespBytes.Client(redis.port())) {
      OracleStore store = new OracleStore(fx);
      for (String t : timeouts) {
        for (byte[][] args : List.of(
            args("blpop", "nokey", t), args("brpop", "nokey", "other", t),
            args("blmove", "nokey", "dst", "left", "right", t),
            args("brpoplpush", "nokey", "dst", t), args("blmpop", t, "1", "nokey", "left"))) {
          byte[] expected = inMulti(c, args, false);
          byte[] actual = RespBytes.encode(store.call(args, false, System.currentTimeMillis()),
              false);
          assertThat(RespBytes.show(actual)).as("%s", show(args))
              .isEqualTo(RespBytes.show(nullArrayForMove(args, expected)));
        }
      }
    }
  }

  private void runStreams(boolean resp3, List<Long> fixedSeeds) throws IOException {
    String replay = System.getProperty("kvorum.list.oracle.seed");
    List<Long> seeds = new ArrayList<>(fixedSeeds);
    for (int n = Integer.getInteger("kvorum.list.oracle.streams", 1); n > 0; n--) {
      seeds.add(new Random().nextLong());
    }
    if (replay != null) {
      if (Boolean.parseBoolean(System.getProperty("kvorum.list.oracle.resp3", "false")) != resp3) {
        return;
      }
      seeds = List.of(Long.parseLong(replay));
    }
    int i = 0;
    for (long seed : seeds) {
      runStream(seed, 3000, resp3, tmp.resolve((resp3 ? "resp3-" : "resp2-") + i++));
    }
  }

  private void runStream(long seed, int commands, boolean resp3, Path dir) throws IOException {
    Generator gen = new Generator(new Random(seed));
    Deque<String> recent = new ArrayDeque<>();
    Map<String, Integer> outcomes = new TreeMap<>();
    try (StoreFixture fx = new StoreFixture(dir);
        RespBytes.Client c = new RespBytes.Client(redis.port())) {
      if (resp3) {
        c.call("HELLO", "3");
      }
      c.call("FLUSHALL");
      OracleStore store = new OracleStore(fx);
      for (int step = 0; step < commands; step++) {
        byte[][] args = gen.next();
        recent.addLast(show(args));
        if (recent.size() > 25) {
          recent.removeFirst();
        }
        String name = new String(args[0], StandardCharsets.UTF_8).toLowerCase();
        boolean blocking = name.startsWith("bl") || name.startsWith("br");
        byte[] expected = blocking ? nullArrayForMove(args, inMulti(c, args, resp3)) : c.call(args);
        byte[] actual = RespBytes.encode(store.call(args, resp3, System.currentTimeMillis()), resp3);
        if (!Arrays.equals(expected, actual)) {
          fail("seed " + seed + " (replay with -Dkvorum.list.oracle.seed=" + seed
              + " -Dkvorum.list.oracle.resp3=" + resp3 + "), step " + step + ": " + show(args)
              + "\n  redis: " + RespBytes.show(expected) + "\n  ours:  " + RespBytes.show(actual)
              + "\n  recent commands:\n    " + String.join("\n    ", recent));
        }
        outcomes.merge(name + " " + kind(expected), 1, Integer::sum);
      }
    }
    System.out.println("list oracle seed " + seed + (resp3 ? " resp3" : " resp2") + ": "
        + outcomes);
  }

  private static String kind(byte[] reply) {
    return switch (reply[0]) {
      case '-' -> new String(reply, 0, Math.min(reply.length, 24), StandardCharsets.UTF_8)
          .split(" ")[0].trim();
      case '*' -> reply[1] == '-' ? "nil[]" : reply[1] == '0' ? "[]" : "[..]";
      case '$' -> reply[1] == '-' ? "nil" : "bulk";
      case '_' -> "null";
      default -> String.valueOf((char) reply[0]);
    };
  }

  /** A command's reply inside MULTI/EXEC, where Redis answers instead of blocking. */
  private static byte[] inMulti(RespBytes.Client c, byte[][] args, boolean resp3)
      throws IOException {
    c.call("MULTI");
    byte[] queued = c.call(args);
    if (queued[0] == '-') {
      c.call("DISCARD");
      return queued;
    }
    byte[] exec = c.call("EXEC");
    byte[] one = "*1\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(Arrays.copyOf(exec, 4)).isEqualTo(one);
    return Arrays.copyOfRange(exec, 4, exec.length);
  }

  /** BLMOVE and BRPOPLPUSH answer {@code $-1} in MULTI but {@code *-1} on a real timeout. */
  private static byte[] nullArrayForMove(byte[][] args, byte[] reply) {
    String name = new String(args[0], StandardCharsets.UTF_8).toLowerCase();
    boolean move = name.equals("blmove") || name.equals("brpoplpush");
    if (move && Arrays.equals(reply, "$-1\r\n".getBytes(StandardCharsets.US_ASCII))) {
      return "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    }
    return reply;
  }

  static byte[][] args(String... parts) {
    byte[][] out = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      out[i] = parts[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  static String show(byte[][] args) {
    StringBuilder s = new StringBuilder();
    for (byte[] a : args) {
      if (s.length() > 0) {
        s.append(' ');
      }
      s.append('"').append(RespBytes.show(a).replace("\"", "\\\"")).append('"');
    }
    return s.toString();
  }

  /**
   * The store driven like the Raft layer drives it, with the client's protocol: writes as log
   * entries whose call carries the RESP3 flag, reads through {@code read(args, resp3, now)}. Uses
   * its own log index, so the fixture's own {@code call} must not be mixed in.
   */
  static final class OracleStore {
    private final StoreFixture fx;
    private long index;

    OracleStore(StoreFixture fx) {
      this.fx = fx;
    }

    Reply call(byte[][] args, boolean resp3, long now) {
      KeyspaceCommand c = StoreFixture.TABLE.resolve(args);
      boolean write = c != null && c.handler() != null && c.runsAsWrite();
      if (!write) {
        return fx.store().read(args, resp3, now);
      }
      CommandCall.Builder call = CommandCall.newBuilder().setResp3(resp3);
      for (byte[] a : args) {
        call.addArgs(ByteString.copyFrom(a));
      }
      SlotGroupEntry entry =
          SlotGroupEntry.newBuilder().setTimeMs(now).setRandomSeed(index).addCalls(call).build();
      return fx.store().apply(1, ++index, entry).get(0);
    }
  }

  /**
   * The random command stream: four keys, elements from a small alphabet (so LREM, LPOS and
   * LINSERT find repeats) plus empty, long and binary ones; every list command and option, and
   * some string, hash and generic commands on the same keys.
   */
  static final class Generator {
    private static final String[] KEYS = {"a", "b", "c", "{t}d"};
    private static final String[] ELEMENTS = {"x", "y", "z", "x", "1", "2", "-3", "x"};
    private static final String[] INDEXES = {"0", "1", "2", "-1", "-2", "3", "-3", "5", "-5",
        "0", "1", "-1", "4", "-4", "10", "-10", "100", "-100", "9223372036854775807",
        "-9223372036854775808", "x", "1.5", ""};
    private static final String[] COUNTS = {"0", "1", "2", "3", "5", "70", "-1", "x",
        "9223372036854775807", "-9223372036854775808"};
    private static final String[] TIMEOUTS = {"0", "0", "0.01", "1", "-1", "x", "-0.0001", "inf",
        "1e16"};
    private final Random rnd;

    Generator(Random rnd) {
      this.rnd = rnd;
    }

    private String key() {
      return KEYS[rnd.nextInt(KEYS.length)];
    }

    private String pick(String[] values) {
      return values[rnd.nextInt(values.length)];
    }

    private byte[] element() {
      return switch (rnd.nextInt(20)) {
        case 0 -> new byte[0];
        case 1 -> "e".repeat(60 + rnd.nextInt(10)).getBytes(StandardCharsets.UTF_8);
        case 2 -> {
          byte[] v = new byte[1 + rnd.nextInt(4)];
          rnd.nextBytes(v);
          yield v;
        }
        default -> pick(ELEMENTS).getBytes(StandardCharsets.UTF_8);
      };
    }

    private String end() {
      return switch (rnd.nextInt(12)) {
        case 0 -> "middle";
        case 1 -> "LEFT";
        case 2 -> "Right";
        default -> rnd.nextBoolean() ? "left" : "right";
      };
    }

    byte[][] next() {
      int kind = rnd.nextInt(100);
      List<byte[]> a = new ArrayList<>();
      if (kind < 22) {
        add(a, pick(new String[] {"lpush", "rpush", "lpush", "rpush", "lpushx", "rpushx"}), key());
        int n = rnd.nextInt(40) == 0 ? 60 + rnd.nextInt(30) : 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
          a.add(element());
        }
      } else if (kind < 29) {
        add(a, rnd.nextBoolean() ? "lpop" : "rpop", key());
        int extra = rnd.nextInt(8);
        if (extra >= 3) {
          add(a, pick(COUNTS));
        }
        if (extra == 7) {
          add(a, "1");
        }
      } else if (kind < 31) {
        add(a, "llen", key());
      } else if (kind < 37) {
        add(a, "lrange", key(), pick(INDEXES), pick(INDEXES));
      } else if (kind < 40) {
        add(a, "lindex", key(), pick(INDEXES));
      } else if (kind < 43) {
        add(a, "lset", key(), pick(INDEXES));
        a.add(element());
      } else if (kind < 48) {
        add(a, "linsert", key(), pick(new String[] {"before", "AFTER", "after", "Before", "in"}));
        a.add(element());
        a.add(element());
      } else if (kind < 53) {
        add(a, "lrem", key(), pick(new String[] {"0", "1", "2", "-1", "-2", "x", "5", "-5",
            "-9223372036854775808"}));
        a.add(element());
      } else if (kind < 57) {
        add(a, "ltrim", key(), pick(INDEXES), pick(INDEXES));
      } else if (kind < 63) {
        add(a, "lpos", key());
        a.add(element());
        for (int i = rnd.nextInt(4); i > 0; i--) {
          switch (rnd.nextInt(7)) {
            case 0, 1 -> add(a, "RANK", pick(new String[] {"1", "2", "-1", "-2", "0", "3", "x",
                "-9223372036854775808", "9223372036854775807"}));
            case 2, 3 -> add(a, "COUNT", pick(new String[] {"0", "1", "2", "-1", "x"}));
            case 4, 5 -> add(a, "maxlen", pick(new String[] {"0", "1", "2", "5", "-1"}));
            default -> add(a, pick(new String[] {"RANK", "foo", "count"}));
          }
        }
      } else if (kind < 69) {
        if (rnd.nextInt(3) == 0) {
          add(a, "rpoplpush", key(), key());
        } else {
          add(a, "lmove", key(), key(), end(), end());
        }
      } else if (kind < 73) {
        mpop(a, "lmpop");
      } else if (kind < 77) {
        add(a, rnd.nextBoolean() ? "blpop" : "brpop");
        for (int i = rnd.nextInt(3); i >= 0; i--) {
          add(a, key());
        }
        add(a, pick(TIMEOUTS));
      } else if (kind < 80) {
        if (rnd.nextBoolean()) {
          add(a, "brpoplpush", key(), key(), pick(TIMEOUTS));
        } else {
          add(a, "blmove", key(), key(), end(), end(), pick(TIMEOUTS));
        }
      } else if (kind < 83) {
        add(a, "blmpop", pick(TIMEOUTS));
        List<byte[]> rest = new ArrayList<>();
        mpop(rest, "");
        a.addAll(rest.subList(1, rest.size()));
      } else if (kind < 85) {
        add(a, rnd.nextBoolean() ? "set" : "hset", key(), pick(ELEMENTS));
        if (a.size() == 3 && new String(a.get(0), StandardCharsets.UTF_8).equals("hset")) {
          add(a, "v");
        }
      } else if (kind < 89) {
        add(a, "del", key());
        if (rnd.nextBoolean()) {
          add(a, key());
        }
      } else if (kind < 92) {
        add(a, pick(new String[] {"type", "exists", "get", "llen", "lrange"}), key());
        if (new String(a.get(0), StandardCharsets.UTF_8).equals("lrange")) {
          add(a, "0", "-1");
        }
      } else if (kind < 94) {
        add(a, "object", "encoding", key());
      } else if (kind < 96) {
        if (rnd.nextBoolean()) {
          add(a, "expire", key(), "1000");
        } else {
          add(a, "persist", key());
        }
      } else if (kind < 98) {
        if (rnd.nextBoolean()) {
          add(a, "rename", key(), key());
        } else {
          add(a, "copy", key(), key(), "REPLACE");
        }
      } else {
        // Wrong arity: checked by the table, or (LPOP, RPOP) by the handler.
        switch (rnd.nextInt(4)) {
          case 0 -> add(a, "lpop", key(), "1", "2");
          case 1 -> add(a, "lindex", key());
          case 2 -> add(a, "blpop", key());
          default -> add(a, "lmpop", "1", key());
        }
      }
      return a.toArray(new byte[0][]);
    }

    private void mpop(List<byte[]> a, String name) {
      add(a, name);
      int keys = 1 + rnd.nextInt(3);
      String numkeys = switch (rnd.nextInt(12)) {
        case 0 -> "0";
        case 1 -> Integer.toString(keys + 1);
        case 2 -> "x";
        case 3 -> "-1";
        default -> Integer.toString(keys);
      };
      add(a, numkeys);
      for (int i = 0; i < keys; i++) {
        add(a, key());
      }
      add(a, end());
      switch (rnd.nextInt(6)) {
        case 0 -> add(a, "COUNT", pick(COUNTS));
        case 1 -> add(a, "count", pick(new String[] {"1", "2", "3", "100"}));
        case 2 -> add(a, "COUNT");
        case 3 -> add(a, "COUNT", "1", "COUNT", "2");
        default -> { }
      }
    }

    private static void add(List<byte[]> a, String... parts) {
      for (String p : parts) {
        a.add(p.getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
