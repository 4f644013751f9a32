package io.kvorum.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.kvorum.storage.command.CommandFlag;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.number.PrintfFormat;
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
import java.util.HashSet;
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
 * The storage module against a real redis-server 7.0: the same seeded random command stream runs
 * on both, and every reply must be the same (structurally, RESP2). Writes go through {@code apply}
 * like log entries, reads through {@code read}. The seed of a run is printed with any mismatch;
 * {@code -Dkvorum.oracle.seed=N} replays one, {@code -Dkvorum.oracle.streams=N} adds N random
 * seeds (default 1) to the two fixed ones.
 *
 * <p>Time: both sides use the wall clock. Relative deadlines are at least 1000 s away and absolute
 * ones sit in other bands, so no comparison (GT/LT, expiry) depends on which millisecond a command
 * ran in; TTL-like replies are compared with a tolerance.
 */
class RedisOracleTest {
  @TempDir static Path tmp;
  static RedisServer redis;

  @BeforeAll
  static void startRedis() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("redis"));
    redis = RedisServer.start(dir);
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void commandTableMatchesCommandInfo() throws IOException {
    try (RespClient c = redis.client()) {
      List<String> problems = new ArrayList<>();
      int checked = 0;
      for (KeyspaceCommand cmd : StoreFixture.TABLE.commands()) {
        String name = cmd.name();
        if (!cmd.spec().aclCategories().isEmpty() || cmd.handler() == null) {
          Reply info = commandInfo(c, name);
          if (info == null) {
            problems.add(name + ": Redis does not know it");
            continue;
          }
          compareSpec(cmd, (Reply.Array) info, problems);
          checked++;
        }
      }
      assertThat(checked).as("commands checked against COMMAND INFO").isGreaterThanOrEqualTo(50);
      assertThat(problems).isEmpty();
    }
  }

  /** COMMAND INFO of a command, or of a subcommand found in its container's subcommand list. */
  private static Reply commandInfo(RespClient c, String name) throws IOException {
    int bar = name.indexOf('|');
    String top = bar < 0 ? name : name.substring(0, bar);
    Reply.Array all = (Reply.Array) c.call("COMMAND", "INFO", top);
    Reply info = all.items().get(0);
    if (info instanceof Reply.NullArray || bar < 0) {
      return info instanceof Reply.NullArray ? null : info;
    }
    for (Reply sub : ((Reply.Array) ((Reply.Array) info).items().get(9)).items()) {
      if (text(((Reply.Array) sub).items().get(0)).equals(name)) {
        return sub;
      }
    }
    return null;
  }

  private static void compareSpec(KeyspaceCommand cmd, Reply.Array info, List<String> problems) {
    List<Reply> f = info.items();
    var spec = cmd.spec();
    Set<String> flags = new TreeSet<>();
    for (CommandFlag flag : spec.flags()) {
      flags.add(flag.redisName());
    }
    expect(problems, spec.name(), "name", text(f.get(0)), spec.name());
    expect(problems, spec.name(), "arity", ((Reply.Int) f.get(1)).value(), (long) spec.arity());
    expect(problems, spec.name(), "flags", textSet(f.get(2)), flags);
    expect(problems, spec.name(), "first", ((Reply.Int) f.get(3)).value(), (long) spec.firstKey());
    expect(problems, spec.name(), "last", ((Reply.Int) f.get(4)).value(), (long) spec.lastKey());
    expect(problems, spec.name(), "step", ((Reply.Int) f.get(5)).value(), (long) spec.keyStep());
    expect(problems, spec.name(), "acl", textSet(f.get(6)), new TreeSet<>(spec.aclCategories()));
    expect(problems, spec.name(), "tips", textSet(f.get(7)), new TreeSet<>(spec.tips()));
  }

  private static void expect(List<String> problems, String name, String what, Object redis,
      Object ours) {
    if (!redis.equals(ours)) {
      problems.add(name + " " + what + ": redis " + redis + ", ours " + ours);
    }
  }

  private static Set<String> textSet(Reply r) {
    Set<String> s = new TreeSet<>();
    for (Reply item : ((Reply.Array) r).items()) {
      s.add(text(item));
    }
    return s;
  }

  private static String text(Reply r) {
    if (r instanceof Reply.Bulk b) {
      return new String(b.value(), StandardCharsets.UTF_8);
    }
    if (r instanceof Reply.Status s) {
      return s.text();
    }
    return String.valueOf(r);
  }

  @Test
  void randomCommandStreamsGiveRedisReplies() throws IOException {
    String fixed = System.getProperty("kvorum.oracle.seed");
    int extra = Integer.getInteger("kvorum.oracle.streams", 1);
    List<Long> seeds = new ArrayList<>(List.of(1L, 42L));
    for (int n = 0; n < extra; n++) {
      seeds.add(new Random().nextLong());
    }
    if (fixed != null) {
      seeds = List.of(Long.parseLong(fixed));
    }
    int i = 0;
    for (long seed : seeds) {
      runStream(seed, 1500, tmp.resolve("stream-" + i++));
    }
  }

  private void runStream(long seed, int commands, Path dir) throws IOException {
    Random rnd = new Random(seed);
    Generator gen = new Generator(rnd, System.currentTimeMillis());
    Deque<String> recent = new ArrayDeque<>();
    Map<String, Integer> outcomes = new TreeMap<>();
    try (StoreFixture fx = new StoreFixture(dir); RespClient c = redis.client()) {
      c.call("FLUSHALL");
      for (int step = 0; step < commands; step++) {
        byte[][] args = gen.next();
        recent.addLast(show(args));
        if (recent.size() > 25) {
          recent.removeFirst();
        }
        Reply expected = c.call(args);
        fx.now = System.currentTimeMillis();
        Reply actual = fx.call(args);
        String why = Comparison.mismatch(args, expected, actual);
        if (why != null) {
          fail("seed " + seed + " (replay with -Dkvorum.oracle.seed=" + seed + "), step " + step
              + ": " + show(args) + "\n  " + why + "\n  redis: " + Comparison.render(expected)
              + "\n  ours:  " + Comparison.render(actual) + "\n  recent commands:\n    "
              + String.join("\n    ", recent));
        }
        String outcome = expected instanceof Reply.Error e ? e.text().split(" ", 3)[0] + " "
            + e.text().split(" ", 3)[1] : expected.getClass().getSimpleName();
        outcomes.merge(new String(args[0], StandardCharsets.UTF_8).toLowerCase() + " -> "
            + outcome, 1, Integer::sum);
      }
    }
    System.out.println("seed " + seed + ": " + outcomes);
  }

  @Test
  void keysPatternsMatchLikeRedis() throws IOException {
    Random rnd = new Random(7);
    String alphabet = "ab*?[]^-\\c";
    try (StoreFixture fx = new StoreFixture(tmp.resolve("glob")); RespClient c = redis.client()) {
      c.call("FLUSHALL");
      List<byte[][]> sets = new ArrayList<>();
      Set<String> keys = new HashSet<>();
      while (keys.size() < 150) {
        keys.add(randomString(rnd, alphabet, 1 + rnd.nextInt(6)));
      }
      keys.add("");
      for (String k : keys) {
        byte[][] set = {b("set"), b(k), b("1")};
        c.call(set);
        sets.add(set);
      }
      byte[][] high = {b("set"), new byte[] {'x', (byte) 0xC3, (byte) 0x80, 0}, b("1")};
      c.call(high);
      sets.add(high);
      fx.apply(sets);
      for (int i = 0; i < 400; i++) {
        String pattern = randomString(rnd, alphabet, 1 + rnd.nextInt(7));
        byte[][] cmd = {b("keys"), b(pattern)};
        String why = Comparison.mismatch(cmd, c.call(cmd), fx.call(cmd));
        if (why != null) {
          fail("KEYS " + pattern + ": " + why);
        }
      }
    }
  }

  @Test
  void incrbyfloatAndPercentG17DigitsMatchRedis() throws IOException {
    Random rnd = new Random(11);
    try (StoreFixture fx = new StoreFixture(tmp.resolve("floats")); RespClient c = redis.client()) {
      c.call("FLUSHALL");
      for (int i = 0; i < 300; i++) {
        String a = randomDecimal(rnd);
        String inc = randomDecimal(rnd);
        for (byte[][] cmd : List.of(new byte[][] {b("set"), b("f"), b(a)},
            new byte[][] {b("incrbyfloat"), b("f"), b(inc)})) {
          Reply expected = c.call(cmd);
          Reply actual = fx.call(cmd);
          String why = Comparison.mismatch(cmd, expected, actual);
          if (why != null) {
            fail("SET f " + a + "; INCRBYFLOAT f " + inc + ": " + why);
          }
        }
      }
      // Redis 7.0 prints sorted-set scores with %.17g: ZSCORE checks our formatter.
      for (int i = 0; i < 300; i++) {
        double d = switch (i % 3) {
          case 0 -> Double.longBitsToDouble(rnd.nextLong());
          case 1 -> (rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(40) - 20);
          default -> rnd.nextInt(2_000_000) / (double) (1 + rnd.nextInt(999));
        };
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          continue;
        }
        c.call("ZADD", "z", Double.toString(d), "m");
        String score = text(c.call("ZSCORE", "z", "m"));
        assertThat(PrintfFormat.g17(d)).as("%%.17g of %s", d).isEqualTo(score);
      }
    }
  }

  private static String randomDecimal(Random rnd) {
    StringBuilder s = new StringBuilder();
    if (rnd.nextInt(4) == 0) {
      s.append('-');
    }
    s.append(rnd.nextInt(4) == 0 ? rnd.nextInt(10) : rnd.nextInt(100000));
    if (rnd.nextBoolean()) {
      s.append('.');
      int digits = 1 + rnd.nextInt(20);
      for (int i = 0; i < digits; i++) {
        s.append((char) ('0' + rnd.nextInt(10)));
      }
    }
    if (rnd.nextInt(5) == 0) {
      s.append('e').append(rnd.nextInt(41) - 20);
    }
    return s.toString();
  }

  private static String randomString(Random rnd, String alphabet, int len) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < len; i++) {
      s.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    return s.toString();
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String show(byte[][] args) {
    StringBuilder s = new StringBuilder();
    for (byte[] a : args) {
      if (s.length() > 0) {
        s.append(' ');
      }
      s.append('"');
      for (byte x : a) {
        int c = x & 0xFF;
        if (c == '"' || c == '\\') {
          s.append('\\').append((char) c);
        } else if (c >= 32 && c < 127) {
          s.append((char) c);
        } else {
          s.append(String.format("\\x%02x", c));
        }
      }
      s.append('"');
    }
    return s.toString();
  }

  /** Structural comparison of a Redis RESP2 reply with ours, with the few allowed differences. */
  static final class Comparison {
    private static final Set<String> SECONDS = Set.of("ttl", "expiretime");
    private static final Set<String> MILLIS = Set.of("pttl", "pexpiretime");

    /** Null when equal, else what differs. */
    static String mismatch(byte[][] args, Reply redisReply, Reply ours) {
      Reply expected = redisReply;
      Reply actual = resp2(ours);
      String name = new String(args[0], StandardCharsets.UTF_8).toLowerCase();
      String sub = args.length > 1 ? new String(args[1], StandardCharsets.UTF_8).toLowerCase() : "";
      if ((SECONDS.contains(name) || MILLIS.contains(name))
          && expected instanceof Reply.Int e && actual instanceof Reply.Int a
          && e.value() >= 0 && a.value() >= 0) {
        long tolerance = SECONDS.contains(name) ? 2 : 2000;
        return Math.abs(e.value() - a.value()) <= tolerance ? null : "beyond tolerance";
      }
      if (name.equals("object") && sub.equals("idletime")
          && expected instanceof Reply.Int && actual instanceof Reply.Int) {
        return null; // Redis counts real idle seconds; we answer 0 (documented)
      }
      if (name.equals("randomkey")) {
        return (expected instanceof Reply.NullBulk) == (actual instanceof Reply.NullBulk)
            ? null : "one side has no key";
      }
      if (name.equals("keys") && expected instanceof Reply.Array e
          && actual instanceof Reply.Array a) {
        return asSet(e).equals(asSet(a)) ? null : "different key sets";
      }
      return equal(expected, actual) ? null : "different replies";
    }

    private static Set<String> asSet(Reply.Array a) {
      Set<String> s = new HashSet<>();
      for (Reply r : a.items()) {
        s.add(render(r));
      }
      return s;
    }

    /** Our reply as RESP2 carries it. */
    static Reply resp2(Reply r) {
      if (r instanceof Reply.MapReply m) {
        return Reply.array(m.keysAndValues().stream().map(Comparison::resp2).toList());
      } else if (r instanceof Reply.SetReply s) {
        return Reply.array(s.items().stream().map(Comparison::resp2).toList());
      } else if (r instanceof Reply.Push p) {
        return Reply.array(p.items().stream().map(Comparison::resp2).toList());
      } else if (r instanceof Reply.Array a) {
        return Reply.array(a.items().stream().map(Comparison::resp2).toList());
      } else if (r instanceof Reply.Double d) {
        return Reply.bulk(d.text());
      } else if (r instanceof Reply.Bool b) {
        return Reply.integer(b.value() ? 1 : 0);
      } else if (r instanceof Reply.Verbatim v) {
        return Reply.bulk(v.value());
      } else if (r instanceof Reply.BigNumber n) {
        return Reply.bulk(n.digits());
      }
      return r;
    }

    static boolean equal(Reply a, Reply b) {
      if (a instanceof Reply.Bulk x && b instanceof Reply.Bulk y) {
        return Arrays.equals(x.value(), y.value());
      }
      if (a instanceof Reply.Array x && b instanceof Reply.Array y) {
        if (x.items().size() != y.items().size()) {
          return false;
        }
        for (int i = 0; i < x.items().size(); i++) {
          if (!equal(x.items().get(i), y.items().get(i))) {
            return false;
          }
        }
        return true;
      }
      return a.equals(b);
    }

    static String render(Reply r) {
      if (r instanceof Reply.Bulk b) {
        byte[][] one = {b.value()};
        return show(one);
      } else if (r instanceof Reply.Array a) {
        List<String> parts = new ArrayList<>();
        for (Reply item : a.items()) {
          parts.add(render(item));
        }
        return parts.toString();
      }
      return String.valueOf(resp2(r));
    }
  }

  /**
   * The random command stream: a handful of keys so types collide (WRONGTYPE paths), values that
   * are integers, floats, empty, long, binary; every string and generic command and option.
   */
  static final class Generator {
    private static final String[] KEYS = {"a", "b", "c", "d", "{t}e", "f"};
    private static final String[] FLOATS = {"0", "1", "-1", "0.1", "10.5", "5.0e3", "-3.25",
        "1e20", "1e-5", "3.0e2", "0x1p3", "inf", "-inf", "nan", " 1", "1 ", "", "abc", "1e400",
        "1.5", "+.5", "7.", "-0", "123456789.123456789", "1e-4940", "1e5000"};
    private static final String[] INTS = {"0", "1", "-1", "5", "9999", "10000", "-42",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "007", "+1",
        "1.0", "", " 1", "x"};
    private static final String[] PATTERNS = {"*", "a", "?", "[ab]", "[^a]*", "{t}*", "*e",
        "[a-c]", "\\a", "x*", "[", "*[", "?*"};
    private final Random rnd;
    private final long startMs;

    Generator(Random rnd, long startMs) {
      this.rnd = rnd;
      this.startMs = startMs;
    }

    private String key() {
      return KEYS[rnd.nextInt(KEYS.length)];
    }

    private String pick(String[] values) {
      return values[rnd.nextInt(values.length)];
    }

    private byte[] value() {
      switch (rnd.nextInt(10)) {
        case 0:
        case 1:
          return b(pick(INTS));
        case 2:
          return b(pick(FLOATS));
        case 3:
          return new byte[0];
        case 4:
          return b("x".repeat(40 + rnd.nextInt(10)));
        case 5: {
          byte[] v = new byte[1 + rnd.nextInt(8)];
          rnd.nextBytes(v);
          return v;
        }
        default: {
          String letters = "abcxyz";
          StringBuilder s = new StringBuilder();
          int n = rnd.nextInt(8);
          for (int i = 0; i < n; i++) {
            s.append(letters.charAt(rnd.nextInt(letters.length())));
          }
          return b(s.toString());
        }
      }
    }

    /** Seconds for relative deadlines: far away (and in bands), or invalid. */
    private String relativeSeconds() {
      return switch (rnd.nextInt(8)) {
        case 0 -> "0";
        case 1 -> "-5";
        case 2 -> "abc";
        default -> Long.toString(1000L * (1 + rnd.nextInt(3)));
      };
    }

    /** A unix time in seconds: past, or far in the future away from relative bands. */
    private long absoluteSeconds() {
      return rnd.nextInt(6) == 0 ? 100 + rnd.nextInt(1000)
          : startMs / 1000 + 1500 + 1000L * rnd.nextInt(3);
    }

    byte[][] next() {
      int kind = rnd.nextInt(100);
      List<String> a = new ArrayList<>();
      byte[] extra = null;
      if (kind < 8) {
        a.add("set");
        a.add(key());
        extra = value();
        a.add("\0");
        addSetOptions(a);
      } else if (kind < 12) {
        a.add("get");
        a.add(key());
      } else if (kind < 14) {
        return cmd(List.of(pick(new String[] {"setnx", "getset"}), key()), value());
      } else if (kind < 16) {
        boolean seconds = rnd.nextBoolean();
        return cmd(List.of(seconds ? "setex" : "psetex", key(),
            seconds ? relativeSeconds() : relativeSeconds() + "000"), value());
      } else if (kind < 18) {
        a.add("getdel");
        a.add(key());
      } else if (kind < 21) {
        a.add("getex");
        a.add(key());
        switch (rnd.nextInt(7)) {
          case 0 -> a.addAll(List.of("ex", relativeSeconds()));
          case 1 -> a.addAll(List.of("px", relativeSeconds() + "000"));
          case 2 -> a.addAll(List.of("exat", Long.toString(absoluteSeconds())));
          case 3 -> a.addAll(List.of("pxat", absoluteSeconds() + "000"));
          case 4 -> a.add("persist");
          case 5 -> a.addAll(List.of("persist", "ex", "1000"));
          default -> { }
        }
      } else if (kind < 24) {
        a.add("mget");
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
          a.add(key());
        }
      } else if (kind < 27) {
        byte[][] base = {b(rnd.nextInt(3) == 0 ? "msetnx" : "mset")};
        List<byte[]> args = new ArrayList<>(List.of(base));
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
          args.add(b(key()));
          args.add(value());
        }
        if (rnd.nextInt(10) == 0) {
          args.remove(args.size() - 1);
        }
        return args.toArray(new byte[0][]);
      } else if (kind < 31) {
        return cmd(List.of("append", key()), value());
      } else if (kind < 33) {
        a.add("strlen");
        a.add(key());
      } else if (kind < 38) {
        switch (rnd.nextInt(4)) {
          case 0 -> a.addAll(List.of("incr", key()));
          case 1 -> a.addAll(List.of("decr", key()));
          case 2 -> a.addAll(List.of("incrby", key(), pick(INTS)));
          default -> a.addAll(List.of("decrby", key(), pick(INTS)));
        }
      } else if (kind < 41) {
        a.addAll(List.of("incrbyfloat", key(), pick(FLOATS)));
      } else if (kind < 44) {
        a.addAll(List.of(rnd.nextBoolean() ? "getrange" : "substr", key(), index(), index()));
      } else if (kind < 47) {
        String offset = switch (rnd.nextInt(8)) {
          case 0 -> "-1";
          case 1 -> "536870912";
          case 2 -> "x";
          default -> Integer.toString(rnd.nextInt(12));
        };
        return cmd(List.of("setrange", key(), offset), value());
      } else if (kind < 50) {
        a.addAll(List.of("lcs", key(), key()));
        for (int i = rnd.nextInt(4); i > 0; i--) {
          switch (rnd.nextInt(5)) {
            case 0 -> a.add("LEN");
            case 1 -> a.add("IDX");
            case 2 -> a.add("WITHMATCHLEN");
            case 3 -> a.addAll(List.of("MINMATCHLEN", pick(new String[] {"0", "1", "2", "-1"})));
            default -> a.add("IDX");
          }
        }
      } else if (kind < 54) {
        a.add(pick(new String[] {"del", "unlink", "exists", "touch"}));
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
          a.add(key());
        }
      } else if (kind < 56) {
        a.addAll(List.of("type", key()));
      } else if (kind < 59) {
        a.addAll(List.of(rnd.nextBoolean() ? "rename" : "renamenx", key(), key()));
      } else if (kind < 62) {
        a.addAll(List.of("copy", key(), key()));
        if (rnd.nextBoolean()) {
          a.add("REPLACE");
        }
        if (rnd.nextInt(4) == 0) {
          a.addAll(List.of("DB", pick(new String[] {"0", "16", "x", "-1"})));
        }
      } else if (kind < 68) {
        addExpire(a);
      } else if (kind < 73) {
        a.addAll(List.of(pick(new String[] {"ttl", "pttl", "expiretime", "pexpiretime"}), key()));
      } else if (kind < 75) {
        a.addAll(List.of("persist", key()));
      } else if (kind < 79) {
        a.add("object");
        a.add(pick(new String[] {"encoding", "encoding", "refcount", "freq", "idletime"}));
        a.add(key());
      } else if (kind < 80) {
        a.addAll(rnd.nextBoolean() ? List.of("object", "help") : List.of("object", "nosuch", "k"));
      } else if (kind < 82) {
        a.add("dbsize");
      } else if (kind < 84) {
        a.addAll(List.of("keys", pick(PATTERNS)));
      } else if (kind < 85) {
        a.add("randomkey");
      } else if (kind < 86) {
        if (rnd.nextInt(4) == 0) {
          a.add(rnd.nextBoolean() ? "flushdb" : "flushall");
          if (rnd.nextBoolean()) {
            a.add(pick(new String[] {"sync", "ASYNC", "foo"}));
          }
        } else {
          a.addAll(List.of("dbsize"));
        }
      } else if (kind < 91) {
        List<String> l = new ArrayList<>(List.of("lpush", key()));
        for (int i = rnd.nextInt(3); i >= 0; i--) {
          l.add(pick(new String[] {"x", "y", "z"}));
        }
        return cmd(l, null);
      } else if (kind < 93) {
        a.addAll(List.of("lrange", key(), "0", "-1"));
      } else if (kind < 96) {
        a.addAll(List.of("hset", key(), pick(new String[] {"f", "g"}), pick(new String[] {"1", "v"})));
      } else if (kind < 98) {
        a.addAll(List.of("hget", key(), pick(new String[] {"f", "g"})));
      } else {
        // Wrong arity: the table's own check must word it like Redis.
        a.addAll(List.of(pick(new String[] {"get", "strlen", "type", "ttl"}), key(), key()));
      }
      byte[][] out = new byte[a.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = a.get(i).equals("\0") ? extra : b(a.get(i));
      }
      return out;
    }

    private String index() {
      return switch (rnd.nextInt(10)) {
        case 0 -> "9223372036854775807";
        case 1 -> "-9223372036854775808";
        case 2 -> "a";
        default -> Integer.toString(rnd.nextInt(21) - 10);
      };
    }

    private void addSetOptions(List<String> a) {
      int n = rnd.nextInt(4);
      for (int i = 0; i < n; i++) {
        switch (rnd.nextInt(10)) {
          case 0 -> a.add("NX");
          case 1 -> a.add("XX");
          case 2, 3 -> a.add("GET");
          case 4 -> a.add("KEEPTTL");
          case 5 -> a.addAll(List.of("EX", relativeSeconds()));
          case 6 -> a.addAll(List.of("PX", relativeSeconds() + "000"));
          case 7 -> a.addAll(List.of("EXAT", Long.toString(futureSeconds())));
          case 8 -> a.addAll(List.of("PXAT", futureSeconds() + "000"));
          default -> a.add(pick(new String[] {"PERSIST", "EX"}));
        }
      }
    }

    /** SET never gets a past deadline: Redis would keep an expired key around (DBSIZE). */
    private long futureSeconds() {
      return startMs / 1000 + 1500 + 1000L * rnd.nextInt(3);
    }

    private void addExpire(List<String> a) {
      boolean absolute = rnd.nextBoolean();
      boolean millis = rnd.nextBoolean();
      a.add((millis ? "p" : "") + "expire" + (absolute ? "at" : ""));
      a.add(key());
      String when;
      if (absolute) {
        long s = absoluteSeconds();
        when = millis ? s * 1000 + rnd.nextInt(1000) + "" : Long.toString(s);
      } else {
        String s = relativeSeconds();
        when = millis && !s.equals("abc") ? Long.parseLong(s) * 1000 + "" : s;
      }
      a.add(when);
      // GT and LT only with absolute deadlines: relative ones tie with each other by milliseconds.
      String[] options = absolute ? new String[] {"NX", "XX", "GT", "LT", "gt", "foo"}
          : new String[] {"NX", "XX", "nx"};
      for (int i = rnd.nextInt(3); i > 0; i--) {
        a.add(pick(options));
      }
    }

    private static byte[][] cmd(List<String> head, byte[] last) {
      byte[][] out = new byte[head.size() + (last == null ? 0 : 1)][];
      for (int i = 0; i < head.size(); i++) {
        out[i] = b(head.get(i));
      }
      if (last != null) {
        out[head.size()] = last;
      }
      return out;
    }
  }
}
