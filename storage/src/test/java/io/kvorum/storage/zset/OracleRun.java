package io.kvorum.storage.zset;

import static org.assertj.core.api.Assertions.fail;

import io.kvorum.storage.command.CommandFlag;
import io.kvorum.storage.command.CommandSpec;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.testing.StoreFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * One oracle stream: the same seeded commands against a private redis-server and a {@link
 * ZsetFixture}, in RESP2 or RESP3, every reply compared structurally (type for type). Commands
 * whose output Redis leaves open are compared by properties: ZRANDMEMBER (sizes, distinctness,
 * membership and scores checked against Redis's state), ZSCAN (a full iteration on both sides,
 * compared as a set; exactly when Redis answers in one listpack reply), TTL (within 2 s). A
 * mismatch fails with the seed, the command and the recent history.
 */
public final class OracleRun {
  private final long seed;
  private final boolean resp3;
  private final RespNode.Client redis;
  private final ZsetFixture ours;
  private final Deque<String> recent = new ArrayDeque<>();
  private final Map<String, Integer> outcomes = new TreeMap<>();
  private boolean lastBitTolerance;
  private int step;

  public OracleRun(long seed, boolean resp3, int redisPort, Path dir) throws IOException {
    this.seed = seed;
    this.resp3 = resp3;
    this.redis = new RespNode.Client(redisPort, resp3);
    this.ours = new ZsetFixture(dir);
    redis.call("FLUSHALL");
  }

  /**
   * Accepts numbers (bulk strings or doubles) that differ from Redis's by at most 2 ulps: GEO
   * distances come from glibc's trigonometry, which is not quite correctly rounded (see
   * {@code io.kvorum.storage.geo.Trig}).
   */
  public OracleRun withLastBitTolerance() {
    lastBitTolerance = true;
    return this;
  }

  /** Redis's reply to a side query (the stream's own commands go through {@link #check}). */
  public RespNode redis(String... args) throws IOException {
    return redis.call(args);
  }

  public boolean resp3() {
    return resp3;
  }

  /** Runs one command on both sides and compares the replies. */
  public void check(byte[][] args) throws IOException {
    step++;
    recent.addLast(show(args));
    if (recent.size() > 30) {
      recent.removeFirst();
    }
    String name = new String(args[0], StandardCharsets.UTF_8).toLowerCase();
    if (name.equals("zscan")) {
      checkScan(args);
      return;
    }
    RespNode expected = redis.call(args);
    ours.now = System.currentTimeMillis();
    RespNode actual = RespNode.of(ours.call(resp3, args), resp3);
    String why = switch (name) {
      case "zrandmember" -> randomMembers(args, expected, actual);
      case "ttl", "pttl" -> ttl(expected, actual);
      default -> expected.equals(actual)
          || (lastBitTolerance && nearlyEqual(expected, actual)) ? null : "different replies";
    };
    record(name, expected);
    if (why != null) {
      mismatch(args, why, expected, actual);
    }
  }

  private void record(String name, RespNode expected) {
    String outcome = expected.type() == '-'
        ? expected.text().split(" ", 3)[0] + " " + expected.text().split(" ", 3)[1]
        : String.valueOf(expected.type());
    outcomes.merge(name + " -> " + outcome, 1, Integer::sum);
  }

  private void mismatch(byte[][] args, String why, Object expected, Object actual) {
    String state = "";
    if (args.length > 1) {
      try {
        state = "\n  redis state of " + show(new byte[][] {args[1]}) + ": "
            + redis.call("TYPE".getBytes(), args[1]) + " "
            + redis.call("OBJECT".getBytes(), "ENCODING".getBytes(), args[1]) + " "
            + redis.call("ZRANGE".getBytes(), args[1], "0".getBytes(), "-1".getBytes(),
                "WITHSCORES".getBytes());
      } catch (IOException e) {
        state = "\n  (no state: " + e + ")";
      }
    }
    fail("seed " + seed + " (" + (resp3 ? "RESP3" : "RESP2") + "; replay with"
        + " -Dkvorum.zset.oracle.seed=" + seed + "), step " + step + ": " + show(args) + "\n  "
        + why + "\n  redis: " + expected + "\n  ours:  " + actual
        + state + "\n  recent commands:\n    " + String.join("\n    ", recent));
  }

  /** Same structure; numeric leaves within 2 ulps of each other. */
  static boolean nearlyEqual(RespNode e, RespNode a) {
    if (e.type() != a.type()) {
      return false;
    }
    if (e.items() != null || a.items() != null) {
      if (e.items() == null || a.items() == null || e.items().size() != a.items().size()) {
        return false;
      }
      for (int i = 0; i < e.items().size(); i++) {
        if (!nearlyEqual(e.items().get(i), a.items().get(i))) {
          return false;
        }
      }
      return true;
    }
    if (e.equals(a)) {
      return true;
    }
    try {
      double x = Double.parseDouble(e.text());
      double y = Double.parseDouble(a.text());
      return Double.isFinite(x) && Math.abs(x - y) <= 2 * Math.ulp(x);
    } catch (NumberFormatException | NullPointerException ex) {
      return false;
    }
  }

  private static String ttl(RespNode e, RespNode a) {
    if (e.type() == ':' && a.type() == ':') {
      long x = Long.parseLong(e.text());
      long y = Long.parseLong(a.text());
      if (x >= 0 && y >= 0) {
        return Math.abs(x - y) <= 2000 ? null : "TTL beyond tolerance";
      }
    }
    return e.equals(a) ? null : "different replies";
  }

  /** ZRANDMEMBER: Redis's rules, and every drawn member (and score) as Redis has it. */
  private String randomMembers(byte[][] args, RespNode e, RespNode a) throws IOException {
    if (e.type() == '-' || e.isNull() || args.length == 2) {
      if (e.isNull() || a.isNull()) {
        return e.equals(a) ? null : "null on one side";
      }
      if (e.type() == '-' || a.type() == '-') {
        return e.equals(a) ? null : "different replies";
      }
      return scoreOf(args[1], a.bytes()) != null ? null : "drew a non-member";
    }
    if (a.type() != '*' || e.type() != '*') {
      return "different reply types";
    }
    if (e.items().size() != a.items().size()) {
      return "different number of members";
    }
    long count = Long.parseLong(new String(args[2], StandardCharsets.UTF_8));
    boolean withScores = args.length == 4;
    List<RespNode[]> drawn = new ArrayList<>();
    if (withScores && !resp3) {
      for (int i = 0; i < a.items().size(); i += 2) {
        drawn.add(new RespNode[] {a.items().get(i), a.items().get(i + 1)});
      }
    } else if (withScores) {
      for (RespNode pair : a.items()) {
        drawn.add(new RespNode[] {pair.items().get(0), pair.items().get(1)});
      }
    } else {
      for (RespNode m : a.items()) {
        drawn.add(new RespNode[] {m, null});
      }
    }
    Set<String> distinct = new HashSet<>();
    for (RespNode[] d : drawn) {
      RespNode score = scoreOf(args[1], d[0].bytes());
      if (score == null) {
        return "drew a non-member " + d[0];
      }
      if (d[1] != null && !d[1].equals(score)) {
        return "score of " + d[0] + " differs: " + score;
      }
      distinct.add(d[0].toString());
    }
    long size = Long.parseLong(redis.call("ZCARD".getBytes(), args[1]).text());
    if (count > 0 && distinct.size() != drawn.size()) {
      return "repeated members for a positive count";
    }
    if (count >= size && !e.equals(a)) {
      return "whole set expected in Redis's order";
    }
    return null;
  }

  private RespNode scoreOf(byte[] key, byte[] member) throws IOException {
    RespNode s = redis.call("ZSCORE".getBytes(), key, member);
    return s.isNull() ? null : s;
  }

  /** ZSCAN from cursor 0 to the end on both sides. */
  private void checkScan(byte[][] args) throws IOException {
    ours.now = System.currentTimeMillis();
    RespNode expected = redis.call(args);
    RespNode actual = RespNode.of(ours.call(resp3, args), resp3);
    record("zscan", expected);
    if (expected.type() != '*' || actual.type() != '*') {
      if (!expected.equals(actual)) {
        mismatch(args, "different replies", expected, actual);
      }
      return;
    }
    RespNode encoding = redis.call("OBJECT".getBytes(), "ENCODING".getBytes(), args[1]);
    if (!"skiplist".equals(encoding.text())) {
      if (!expected.equals(actual)) {
        mismatch(args, "listpack ZSCAN must answer at once, in order", expected, actual);
      }
      return;
    }
    Set<String> e = scanAll(args, expected, r -> {
      try {
        return redis.call(r);
      } catch (IOException x) {
        throw new IllegalStateException(x);
      }
    });
    Set<String> a = scanAll(args, actual, r -> RespNode.of(ours.call(resp3, r), resp3));
    if (!e.equals(a)) {
      mismatch(args, "full ZSCAN iterations differ", new TreeSet<>(e), new TreeSet<>(a));
    }
  }

  private static Set<String> scanAll(byte[][] args, RespNode first,
      Function<byte[][], RespNode> call) {
    Set<String> pairs = new HashSet<>();
    RespNode reply = first;
    for (int calls = 0; calls < 100_000; calls++) {
      List<RespNode> items = reply.items().get(1).items();
      for (int i = 0; i < items.size(); i += 2) {
        pairs.add(items.get(i) + "=" + items.get(i + 1));
      }
      String cursor = reply.items().get(0).text();
      if (cursor.equals("0")) {
        return pairs;
      }
      byte[][] next = args.clone();
      next[2] = cursor.getBytes(StandardCharsets.UTF_8);
      reply = call.apply(next);
    }
    throw new IllegalStateException("ZSCAN did not finish");
  }

  /** What the stream did, by command and Redis reply type. */
  public Map<String, Integer> outcomes() {
    return outcomes;
  }

  public void close() throws IOException {
    redis.close();
    ours.close();
  }

  public static String show(byte[][] args) {
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

  /** The seeds to run: {@code -D<property>=N} replays one, else two fixed ones and a random one. */
  public static List<Long> seeds(String property, long... fixed) {
    String replay = System.getProperty(property);
    if (replay != null) {
      return List.of(Long.parseLong(replay));
    }
    List<Long> seeds = new ArrayList<>();
    for (long f : fixed) {
      seeds.add(f);
    }
    seeds.add(new Random().nextLong());
    return seeds;
  }

  /**
   * Problems between our table entries named in {@code names} and Redis's COMMAND INFO: arity,
   * flags, key positions, ACL categories and tips.
   */
  public static List<String> commandInfoProblems(int redisPort, Collection<String> names)
      throws IOException {
    List<String> problems = new ArrayList<>();
    Map<String, KeyspaceCommand> ours = new HashMap<>();
    for (KeyspaceCommand c : StoreFixture.TABLE.commands()) {
      ours.put(c.name(), c);
    }
    try (RespNode.Client c = new RespNode.Client(redisPort, false)) {
      for (String name : names) {
        KeyspaceCommand cmd = ours.get(name);
        if (cmd == null) {
          problems.add(name + ": not in the table");
          continue;
        }
        RespNode info = c.call("COMMAND", "INFO", name).items().get(0);
        if (info.isNull()) {
          problems.add(name + ": Redis does not know it");
          continue;
        }
        List<RespNode> f = info.items();
        CommandSpec spec = cmd.spec();
        Set<String> flags = new TreeSet<>();
        for (CommandFlag flag : spec.flags()) {
          flags.add(flag.redisName());
        }
        expect(problems, name, "arity", f.get(1).text(), Integer.toString(spec.arity()));
        expect(problems, name, "flags", texts(f.get(2)), flags);
        expect(problems, name, "first", f.get(3).text(), Integer.toString(spec.firstKey()));
        expect(problems, name, "last", f.get(4).text(), Integer.toString(spec.lastKey()));
        expect(problems, name, "step", f.get(5).text(), Integer.toString(spec.keyStep()));
        expect(problems, name, "acl", texts(f.get(6)), new TreeSet<>(spec.aclCategories()));
        expect(problems, name, "tips", texts(f.get(7)), new TreeSet<>(spec.tips()));
      }
    }
    return problems;
  }

  private static Set<String> texts(RespNode n) {
    Set<String> s = new TreeSet<>();
    for (RespNode item : n.items()) {
      s.add(item.text());
    }
    return s;
  }

  private static void expect(List<String> problems, String name, String what, Object redis,
      Object ours) {
    if (!redis.equals(ours)) {
      problems.add(name + " " + what + ": redis " + redis + ", ours " + ours);
    }
  }
}
