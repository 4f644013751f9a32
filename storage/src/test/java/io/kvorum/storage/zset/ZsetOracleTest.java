package io.kvorum.storage.zset;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.testing.RedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sorted sets against a real redis-server 7.0: seeded random streams of every sorted-set command
 * and option (plus other types' commands on the same few keys, so WRONGTYPE paths and overwrites
 * happen), in RESP2 and RESP3. {@code -Dkvorum.zset.oracle.seed=N} replays one seed; {@code
 * -Dkvorum.zset.oracle.commands=N} changes the stream length.
 *
 * <p>Lex ranges over sets whose scores differ are undefined in Redis (the skiplist's answer depends
 * on its random node levels), so lex commands are sent only when the key is a listpack or all its
 * scores are equal.
 */
class ZsetOracleTest {
  static final List<String> COMMANDS = List.of("zadd", "zincrby", "zrem", "zcard", "zcount",
      "zlexcount", "zscore", "zmscore", "zrank", "zrevrank", "zrange", "zrangestore", "zrevrange",
      "zrangebyscore", "zrevrangebyscore", "zrangebylex", "zrevrangebylex", "zremrangebyrank",
      "zremrangebyscore", "zremrangebylex", "zpopmin", "zpopmax", "zmpop", "bzpopmin", "bzpopmax",
      "bzmpop", "zrandmember", "zunion", "zinter", "zdiff", "zintercard", "zunionstore",
      "zinterstore", "zdiffstore", "zscan");

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
  void commandTableMatchesCommandInfo() throws IOException {
    assertThat(OracleRun.commandInfoProblems(redis.port(), COMMANDS)).isEmpty();
  }

  @Test
  void randomStreamsGiveRedisReplies() throws IOException {
    int commands = Integer.getInteger("kvorum.zset.oracle.commands", 2500);
    int n = 0;
    for (long seed : OracleRun.seeds("kvorum.zset.oracle.seed", 1, 7)) {
      for (boolean resp3 : new boolean[] {false, true}) {
        OracleRun run = new OracleRun(seed, resp3, redis.port(), tmp.resolve("s" + n++));
        try {
          Generator gen = new Generator(new Random(seed));
          for (int i = 0; i < commands; i++) {
            byte[][] args = gen.next();
            if (gen.isLex(args) && !lexIsDefined(run, args)) {
              continue;
            }
            run.check(args);
          }
          System.out.println("zset seed " + seed + (resp3 ? " RESP3: " : " RESP2: ")
              + run.outcomes());
        } finally {
          run.close();
        }
      }
    }
  }

  /** Whether Redis's answer for a lex command on this key is defined (see the class comment). */
  private static boolean lexIsDefined(OracleRun run, byte[][] args) throws IOException {
    String name = new String(args[0], StandardCharsets.UTF_8).toLowerCase();
    String key = new String(args[name.equals("zrangestore") ? 2 : 1], StandardCharsets.UTF_8);
    RespNode type = run.redis("TYPE", key);
    if (!"zset".equals(type.text())) {
      return true;
    }
    if ("listpack".equals(run.redis("OBJECT", "ENCODING", key).text())) {
      return true;
    }
    RespNode all = run.redis("ZRANGE", key, "0", "-1", "WITHSCORES");
    Set<String> scores = new HashSet<>();
    List<RespNode> items = all.items();
    for (int i = 0; i < items.size(); i++) {
      RespNode item = items.get(i);
      if (item.items() != null) {
        scores.add(item.items().get(1).text());
      } else if (i % 2 == 1) {
        scores.add(item.text());
      }
    }
    return scores.size() <= 1;
  }

  /** The random command stream over a few keys shared by every type. */
  static final class Generator {
    private static final String[] KEYS = {"a", "b", "c", "d"};
    private static final String[] MEMBERS = {"a", "b", "c", "d", "e", "f", "g", "m1", "m2", "",
        "10", "-1", "x"};
    private static final String[] SCORES = {"0", "1", "2", "3", "-1", "1.5", "-2.5", "10", "inf",
        "-inf", "+inf", "-0", "0x10", "1e10", "1e-5", "123456789.123", "0.1", "2", "2", "1"};
    private static final String[] BAD_SCORES = {"nan", "abc", "", " 1", "1e400", "1 ", "0x",
        "inf\0"};
    private static final String[] BOUNDS = {"-inf", "+inf", "0", "1", "(1", "2", "(2", "1.5",
        "(-1", "-1", "10", "(inf", "inf", "x", "nan", "", "(", "3", "(0"};
    private static final String[] LEX = {"-", "+", "[a", "(a", "[c", "(c", "[b", "(d", "[",
        "(", "[m", "[e", "a", "+x", "[x", "(g"};
    private static final String[] INDEXES = {"0", "1", "-1", "2", "-2", "5", "-100", "100", "3",
        "-3", "x", "9223372036854775807", "-9223372036854775808"};
    private final Random rnd;

    Generator(Random rnd) {
      this.rnd = rnd;
    }

    private String pick(String[] values) {
      return values[rnd.nextInt(values.length)];
    }

    private String key() {
      return pick(KEYS);
    }

    private String member() {
      int r = rnd.nextInt(40);
      if (r == 0) {
        return "x".repeat(60 + rnd.nextInt(10));
      }
      if (r == 1) {
        return "\0\u00ff" + pick(MEMBERS);
      }
      return pick(MEMBERS);
    }

    private String score() {
      return rnd.nextInt(30) == 0 ? pick(BAD_SCORES) : pick(SCORES);
    }

    boolean isLex(byte[][] args) {
      String name = new String(args[0], StandardCharsets.UTF_8).toLowerCase();
      if (name.contains("lex")) {
        return true;
      }
      if (name.equals("zrange") || name.equals("zrangestore")) {
        for (byte[] a : args) {
          if (new String(a, StandardCharsets.UTF_8).equalsIgnoreCase("bylex")) {
            return true;
          }
        }
      }
      return false;
    }

    byte[][] next() {
      List<String> a = new ArrayList<>();
      int kind = rnd.nextInt(100);
      if (kind < 14) {
        zadd(a);
      } else if (kind < 16) {
        // Many members at once: crosses the listpack limit of 128 entries.
        a.addAll(List.of("zadd", key()));
        boolean lex = rnd.nextBoolean();
        int n = 100 + rnd.nextInt(60);
        for (int i = 0; i < n; i++) {
          a.add(lex ? "0" : Integer.toString(rnd.nextInt(50)));
          a.add("k" + rnd.nextInt(200));
        }
      } else if (kind < 18) {
        a.addAll(List.of("zincrby", key(), score(), member()));
      } else if (kind < 21) {
        a.addAll(List.of("zrem", key()));
        for (int i = rnd.nextInt(3); i >= 0; i--) {
          a.add(member());
        }
      } else if (kind < 23) {
        a.addAll(List.of(rnd.nextBoolean() ? "zcard" : "type", key()));
      } else if (kind < 25) {
        a.addAll(List.of("zcount", key(), pick(BOUNDS), pick(BOUNDS)));
      } else if (kind < 26) {
        a.addAll(List.of("zlexcount", key(), pick(LEX), pick(LEX)));
      } else if (kind < 29) {
        a.addAll(List.of("zscore", key(), member()));
      } else if (kind < 30) {
        a.addAll(List.of("zmscore", key(), member(), member()));
      } else if (kind < 32) {
        a.addAll(List.of(rnd.nextBoolean() ? "zrank" : "zrevrank", key(), member()));
      } else if (kind < 40) {
        zrange(a, false);
      } else if (kind < 42) {
        zrange(a, true);
      } else if (kind < 47) {
        legacyRange(a);
      } else if (kind < 50) {
        switch (rnd.nextInt(3)) {
          case 0 -> a.addAll(List.of("zremrangebyrank", key(), pick(INDEXES), pick(INDEXES)));
          case 1 -> a.addAll(List.of("zremrangebyscore", key(), pick(BOUNDS), pick(BOUNDS)));
          default -> a.addAll(List.of("zremrangebylex", key(), pick(LEX), pick(LEX)));
        }
      } else if (kind < 54) {
        a.addAll(List.of(rnd.nextBoolean() ? "zpopmin" : "zpopmax", key()));
        if (rnd.nextBoolean()) {
          a.add(pick(new String[] {"0", "1", "2", "5", "-1", "x", "200"}));
        }
        if (rnd.nextInt(20) == 0) {
          a.add("1");
        }
      } else if (kind < 56) {
        mpop(a, false);
      } else if (kind < 58) {
        a.add(rnd.nextBoolean() ? "bzpopmin" : "bzpopmax");
        for (int i = rnd.nextInt(2); i >= 0; i--) {
          a.add(key());
        }
        a.add(timeout());
      } else if (kind < 59) {
        mpop(a, true);
      } else if (kind < 63) {
        a.addAll(List.of("zrandmember", key()));
        if (rnd.nextInt(4) > 0) {
          a.add(pick(new String[] {"1", "2", "3", "5", "-3", "-10", "0", "100", "200", "x",
              "-9223372036854775808", "4611686018427387904"}));
          if (rnd.nextBoolean()) {
            a.add(rnd.nextInt(10) == 0 ? "foo" : "WITHSCORES");
          }
        }
      } else if (kind < 70) {
        algebra(a);
      } else if (kind < 73) {
        a.addAll(List.of("zscan", key(), rnd.nextInt(10) == 0 ? "x" : "0"));
        if (rnd.nextBoolean()) {
          a.addAll(List.of("COUNT", pick(new String[] {"1", "3", "10", "0", "x"})));
        }
        if (rnd.nextBoolean()) {
          a.addAll(List.of("MATCH", pick(new String[] {"*", "k1*", "?", "[a-c]", "m*"})));
        }
        if (rnd.nextInt(15) == 0) {
          a.add("TYPE");
        }
      } else if (kind < 77) {
        a.addAll(List.of("object", "encoding", key()));
      } else if (kind < 80) {
        switch (rnd.nextInt(4)) {
          case 0 -> a.addAll(List.of("set", key(), "v"));
          case 1 -> a.addAll(List.of("sadd", key(), member(), member()));
          case 2 -> a.addAll(List.of("hset", key(), "f", "v"));
          default -> a.addAll(List.of("lpush", key(), "x"));
        }
      } else if (kind < 84) {
        a.addAll(List.of(pick(new String[] {"del", "exists", "unlink"}), key()));
      } else if (kind < 87) {
        a.addAll(List.of(rnd.nextBoolean() ? "rename" : "copy", key(), key()));
      } else if (kind < 89) {
        a.addAll(List.of(pick(new String[] {"expire", "persist", "ttl"}), key()));
        if (a.get(0).equals("expire")) {
          a.add("1000");
        }
      } else if (kind < 92) {
        a.addAll(List.of("zadd", key(), "0", member(), "0", member(), "0", member()));
      } else {
        zadd(a);
      }
      byte[][] out = new byte[a.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = a.get(i).getBytes(StandardCharsets.UTF_8);
      }
      return out;
    }

    private void zadd(List<String> a) {
      a.addAll(List.of("zadd", key()));
      for (int i = rnd.nextInt(4); i > 0; i--) {
        a.add(pick(new String[] {"NX", "XX", "GT", "LT", "CH", "INCR", "ch", "gt"}));
      }
      int pairs = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 6 : 3);
      for (int i = 0; i < pairs; i++) {
        a.add(score());
        a.add(member());
      }
      if (rnd.nextInt(25) == 0) {
        a.remove(a.size() - 1);
      }
    }

    private void zrange(List<String> a, boolean store) {
      if (store) {
        a.addAll(List.of("zrangestore", key()));
      } else {
        a.add("zrange");
      }
      a.add(key());
      int by = rnd.nextInt(3);
      boolean rev = rnd.nextInt(3) == 0;
      String lo;
      String hi;
      if (by == 0) {
        lo = pick(INDEXES);
        hi = pick(INDEXES);
      } else if (by == 1) {
        lo = pick(BOUNDS);
        hi = pick(BOUNDS);
      } else {
        lo = pick(LEX);
        hi = pick(LEX);
      }
      a.add(lo);
      a.add(hi);
      List<String> opts = new ArrayList<>();
      if (by == 1 || (by == 0 && rnd.nextInt(10) == 0)) {
        opts.add("BYSCORE");
      }
      if (by == 2 || (by == 0 && rnd.nextInt(10) == 0)) {
        opts.add("BYLEX");
      }
      if (rev) {
        opts.add("REV");
      }
      if (!store && rnd.nextInt(3) == 0) {
        opts.add("WITHSCORES");
      }
      if (rnd.nextInt(3) == 0) {
        opts.addAll(List.of("LIMIT", pick(new String[] {"0", "1", "2", "-1", "100", "x"}),
            pick(new String[] {"1", "2", "-1", "0", "5"})));
      }
      if (rnd.nextInt(20) == 0) {
        opts.add(pick(new String[] {"REV", "BYSCORE", "foo", "LIMIT"}));
      }
      java.util.Collections.shuffle(opts, rnd);
      a.addAll(opts);
    }

    private void legacyRange(List<String> a) {
      switch (rnd.nextInt(5)) {
        case 0 -> a.addAll(List.of("zrevrange", key(), pick(INDEXES), pick(INDEXES)));
        case 1 -> a.addAll(List.of("zrangebyscore", key(), pick(BOUNDS), pick(BOUNDS)));
        case 2 -> a.addAll(List.of("zrevrangebyscore", key(), pick(BOUNDS), pick(BOUNDS)));
        case 3 -> a.addAll(List.of("zrangebylex", key(), pick(LEX), pick(LEX)));
        default -> a.addAll(List.of("zrevrangebylex", key(), pick(LEX), pick(LEX)));
      }
      if (rnd.nextInt(3) == 0) {
        a.add("WITHSCORES");
      }
      if (rnd.nextInt(3) == 0) {
        a.addAll(List.of("LIMIT", pick(new String[] {"0", "1", "-1", "3"}),
            pick(new String[] {"1", "2", "-1", "0"})));
      }
    }

    private String timeout() {
      return pick(new String[] {"0.01", "0.01", "0.01", "-1", "x", "1e20", "inf", "-0.5",
          "0.02"});
    }

    private void mpop(List<String> a, boolean blocking) {
      a.add(blocking ? "bzmpop" : "zmpop");
      if (blocking) {
        a.add(timeout());
      }
      int n = 1 + rnd.nextInt(3);
      a.add(rnd.nextInt(15) == 0 ? pick(new String[] {"0", "-1", "x", "9"}) : Integer.toString(n));
      for (int i = 0; i < n; i++) {
        a.add(key());
      }
      a.add(pick(new String[] {"MIN", "MAX", "min", "foo"}));
      if (rnd.nextBoolean()) {
        a.addAll(List.of("COUNT", pick(new String[] {"1", "2", "10", "0", "-1", "x"})));
      }
      if (rnd.nextInt(20) == 0) {
        a.add("COUNT");
      }
    }

    private void algebra(List<String> a) {
      String op = pick(new String[] {"zunion", "zinter", "zdiff", "zintercard", "zunionstore",
          "zinterstore", "zdiffstore"});
      a.add(op);
      if (op.endsWith("store")) {
        a.add(key());
      }
      int n = 1 + rnd.nextInt(3);
      a.add(rnd.nextInt(20) == 0 ? pick(new String[] {"0", "-1", "x", "9"}) : Integer.toString(n));
      for (int i = 0; i < n; i++) {
        a.add(key());
      }
      if (rnd.nextInt(3) == 0) {
        a.add("WEIGHTS");
        for (int i = 0; i < n; i++) {
          a.add(pick(new String[] {"1", "2", "-1", "0", "0.5", "inf", "-inf", "x", "1e308"}));
        }
      }
      if (rnd.nextInt(3) == 0) {
        a.addAll(List.of("AGGREGATE", pick(new String[] {"SUM", "MIN", "MAX", "max", "avg"})));
      }
      if (rnd.nextInt(3) == 0) {
        a.add("WITHSCORES");
      }
      if (rnd.nextInt(4) == 0) {
        a.addAll(List.of("LIMIT", pick(new String[] {"0", "1", "2", "-1", "x"})));
      }
    }
  }
}
