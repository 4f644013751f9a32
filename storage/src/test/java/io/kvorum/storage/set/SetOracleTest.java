package io.kvorum.storage.set;

import static io.kvorum.storage.hash.OracleReplies.children;
import static io.kvorum.storage.hash.OracleReplies.render;
import static io.kvorum.storage.hash.OracleReplies.same;
import static io.kvorum.storage.hash.OracleReplies.sameUnordered;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.hash.CollectionOracle;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every set command and option against a real redis-server 7.0 (see {@link CollectionOracle}):
 * integer and other members so sets are intsets or hashtables and convert (OBJECT ENCODING), bulk
 * adds past set-max-intset-entries, the set algebra across a few keys of mixed types (WRONGTYPE,
 * missing keys), SPOP and SRANDMEMBER checked by their properties, SSCAN of a hashtable by full
 * scans. After a random SPOP both sides are rebuilt from Redis's remaining members.
 */
class SetOracleTest extends CollectionOracle {
  @TempDir static Path tmp;
  static RedisServer redis;

  private static final String[] KEYS = {"s", "t", "{s}u", "x"};
  private static final String[] MEMBERS = {"1", "2", "3", "-5", "007", "a", "b", "", "10",
      "9223372036854775807", "-9223372036854775808", "M".repeat(70), "\0z", "100", "-0"};
  private static final String[] COUNTS = {"-5", "-1", "0", "1", "2", "3", "10", "600", "-600",
      "x", "-9223372036854775808", "9223372036854775807"};
  private static final String[] PATTERNS = {"*", "1*", "?", "[ab]", "x*", "*0*", "\\*"};

  /** The members Redis had before a SPOP, for checking what was popped. */
  private Set<String> beforePop = Set.of();

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
  void commandSpecsMatchCommandInfo() throws IOException {
    assertThat(specProblems(redis.port(), SetCommands.table())).isEmpty();
  }

  /** Edge cases a random stream rarely hits: encoding histories, cursors, count limits. */
  @Test
  void edgeCasesGiveRedisReplies() throws IOException {
    StringBuilder ints = new StringBuilder();
    for (int i = 1; i <= 12; i++) {
      ints.append(' ').append(i);
    }
    StringBuilder many = new StringBuilder();
    for (int i = 1; i <= 513; i++) {
      many.append(' ').append(i);
    }
    runScript(tmp.resolve("script"), redis.port(), List.of(
        // A hashtable of integers that SPOP empties down to a sixth becomes an intset again.
        "sadd s" + ints + " a", "srem s a", "object encoding s", "spop s 10",
        "object encoding s", "sadd t" + ints + " a", "srem t a", "spop t 9",
        "object encoding t", "sadd u" + ints, "spop u 11", "object encoding u",
        "sadd m 1 2 a", "srem m a", "sunionstore d m", "object encoding d",
        "sinterstore d m m", "object encoding d", "sdiffstore d m", "object encoding d",
        "smove m n 1", "object encoding n",
        // SDIFFSTORE copies the first set when that is cheaper: its encoding carries over.
        "sadd big" + many, "sadd p 1", "sadd q 2", "sadd r 3", "sdiffstore d big p q r",
        "object encoding d", "sdiffstore d big p", "object encoding d", "sadd w 1 2 a",
        "sadd y a", "sdiffstore d w y y y y y", "object encoding d", "sdiffstore d w y y y y",
        "object encoding d", "sdiffstore d w w", "exists d", "smove m o2 2", "sadd x 1", "smove x y2 1",
        "sadd k 1 007", "object encoding k", "sadd k2 007 1", "object encoding k2",
        "sadd k3 -0", "object encoding k3", "sadd k4 9223372036854775808",
        "object encoding k4", "sadd k5 -9223372036854775808", "object encoding k5",
        "sscan k 0\\0y", "sscan k +0 COUNT 1", "sscan k5 -18446744073709551615 MATCH -*",
        "sscan nokey x", "sscan nokey 0 COUNT 0",
        "srandmember nokey -9223372036854775807", "spop nokey 9223372036854775807",
        "sintercard 1 nokey LIMIT 9223372036854775807", "sintercard 9223372036854775807 a",
        "sintercard 1 a LIMIT", "sintercard 1 a LIMIT 1 junk", "sinter nokey", "sunion nokey",
        "sdiff nokey", "sinterstore d nokey", "exists d", "smembers nokey", "spop nokey 0",
        "spop nokey 3", "srandmember nokey 3", "smismember nokey a b"));
  }

  @Test
  void randomCommandStreamsGiveRedisReplies() throws IOException {
    int i = 0;
    for (long seed : seeds()) {
      runStream(seed, 4000, tmp.resolve("stream-" + i++), redis.port());
    }
  }

  private String key() {
    return KEYS[rnd.nextInt(KEYS.length)];
  }

  private String otherKey() {
    return rnd.nextInt(20) < 17 ? "x" : key();
  }

  private String member() {
    return rnd.nextInt(5) == 0 ? Integer.toString(rnd.nextInt(600))
        : MEMBERS[rnd.nextInt(MEMBERS.length)];
  }

  private void addKeys(List<String> a, int n) {
    for (int i = 0; i < n; i++) {
      a.add(key());
    }
  }

  @Override
  protected byte[][] next() {
    int kind = rnd.nextInt(100);
    List<String> a = new ArrayList<>();
    if (kind < 14) {
      a.addAll(List.of(pick("sadd", "SADD"), key()));
      for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
        a.add(member());
      }
    } else if (kind < 16) {
      // Many integers: past set-max-intset-entries, or not quite.
      a.addAll(List.of("sadd", key()));
      int base = rnd.nextInt(50);
      int n = rnd.nextBoolean() ? 505 + rnd.nextInt(15) : 20 + rnd.nextInt(100);
      for (int i = 0; i < n; i++) {
        a.add(Integer.toString(base + i));
      }
    } else if (kind < 21) {
      a.addAll(List.of("srem", key()));
      for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
        a.add(member());
      }
    } else if (kind < 25) {
      a.addAll(List.of("sismember", key(), member()));
    } else if (kind < 27) {
      a.addAll(List.of("smismember", key()));
      for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
        a.add(member());
      }
    } else if (kind < 30) {
      a.addAll(List.of(pick("smembers", "scard"), key()));
    } else if (kind < 36) {
      a.addAll(List.of("spop", key()));
      if (rnd.nextInt(3) > 0) {
        a.add(pick(COUNTS));
        if (rnd.nextInt(8) == 0) {
          a.add("1");
        }
      }
    } else if (kind < 42) {
      a.addAll(List.of("srandmember", key()));
      if (rnd.nextInt(4) > 0) {
        a.add(pick(COUNTS));
        if (rnd.nextInt(8) == 0) {
          a.add("1");
        }
      }
    } else if (kind < 47) {
      a.addAll(List.of("smove", key(), key(), member()));
    } else if (kind < 55) {
      a.add(pick("sinter", "sunion", "sdiff"));
      addKeys(a, 1 + rnd.nextInt(3));
    } else if (kind < 62) {
      a.add(pick("sinterstore", "sunionstore", "sdiffstore"));
      addKeys(a, 2 + rnd.nextInt(3));
    } else if (kind < 67) {
      a.add("sintercard");
      String numkeys = pick("1", "2", "3", "2", "0", "-1", "x", "5");
      a.add(numkeys);
      Long n = RedisNumbers.parseLongOrNull(numkeys.getBytes());
      addKeys(a, n != null && n > 0 && n < 4 ? n.intValue() : 1 + rnd.nextInt(3));
      if (rnd.nextBoolean()) {
        a.add(pick("LIMIT", "limit", "LIMIT", "junk"));
        if (rnd.nextInt(6) > 0) {
          a.add(pick("0", "1", "2", "5", "-1", "x"));
        }
      }
    } else if (kind < 73) {
      a.addAll(List.of("sscan", key(),
          pick("0", "0", "0", "0", "abc", "-1", "18446744073709551616", " 1", "", "12345")));
      for (int n = rnd.nextInt(3); n > 0; n--) {
        switch (rnd.nextInt(7)) {
          case 0, 1 -> a.addAll(List.of("MATCH", pick(PATTERNS)));
          case 2, 3 -> a.addAll(List.of("count", pick("1", "2", "5", "10", "100")));
          case 4 -> a.addAll(List.of("COUNT", pick("0", "-1", "x")));
          case 5 -> a.add("MATCH");
          default -> a.add(pick("TYPE", "NOVALUES"));
        }
      }
    } else if (kind < 78) {
      a.addAll(List.of("object", "encoding", key()));
    } else if (kind < 80) {
      a.addAll(List.of("type", key()));
    } else if (kind < 83) {
      a.addAll(List.of("set", otherKey(), pick("1", "v")));
    } else if (kind < 85) {
      a.addAll(List.of("hset", otherKey(), "f", "v"));
    } else if (kind < 88) {
      a.addAll(List.of(pick("del", "exists"), key()));
    } else if (kind < 91) {
      a.addAll(List.of(pick("rename", "renamenx"), key(), key()));
    } else if (kind < 94) {
      a.addAll(List.of("copy", key(), key()));
      if (rnd.nextBoolean()) {
        a.add("REPLACE");
      }
    } else if (kind < 96) {
      a.addAll(List.of(pick("expire", "pexpire"), key(), pick("100000", "200000")));
    } else if (kind < 98) {
      a.addAll(List.of(pick("persist", "ttl"), key()));
    } else {
      a.addAll(List.of(pick("scard", "sismember", "smove", "sadd", "sintercard"), key()));
    }
    return args(a);
  }

  private static String name(byte[][] args) {
    return new String(args[0]).toLowerCase();
  }

  private Set<String> redisMembers(byte[] key) throws IOException {
    Reply r = redis2.call(b("SMEMBERS"), key);
    Set<String> members = new HashSet<>();
    if (r instanceof Reply.Array a) {
      for (Reply m : a.items()) {
        members.add(render(m));
      }
    }
    return members;
  }

  @Override
  protected void before(byte[][] args) throws IOException {
    if (name(args).equals("spop") && args.length >= 2) {
      beforePop = redisMembers(args[1]);
    }
  }

  @Override
  protected String check(byte[][] args, boolean resp3, Reply expected, Reply actual)
      throws IOException {
    if (expected instanceof Reply.Error || actual instanceof Reply.Error) {
      return same(expected, actual) ? null : "different replies";
    }
    switch (name(args)) {
      case "smembers", "sinter", "sunion", "sdiff" -> {
        return sameUnordered(expected, actual) ? null : "different members";
      }
      case "ttl" -> {
        long e = ((Reply.Int) expected).value();
        long o = ((Reply.Int) actual).value();
        return e == o || (e >= 0 && o >= 0 && Math.abs(e - o) <= 2) ? null : "beyond tolerance";
      }
      case "srandmember" -> {
        return checkRandom(args, expected, actual, redisMembers(args[1]));
      }
      case "spop" -> {
        return checkRandom(args, expected, actual, beforePop);
      }
      case "sscan" -> {
        if ("hashtable".equals(redisEncoding(args[1]))) {
          return compareFullScans(args, 1);
        }
        return same(expected, actual) ? null : "different replies";
      }
      default -> {
        return same(expected, actual) ? null : "different replies";
      }
    }
  }

  private String checkRandom(byte[][] args, Reply expected, Reply actual, Set<String> members) {
    long count = args.length == 3 ? RedisNumbers.parseLong(args[2]) : 0;
    if (count > 0 && count >= members.size()) {
      return sameUnordered(expected, actual) ? null : "not the whole set";
    }
    return checkSample(expected, actual, members, 1, count > 0);
  }

  /** After a SPOP that popped some members at random, both sides get Redis's remaining set. */
  @Override
  protected void after(byte[][] args, boolean resp3, Reply expected, Reply actual)
      throws IOException {
    if (!name(args).equals("spop") || expected instanceof Reply.Error) {
      return;
    }
    List<Reply> remaining = children(redis2.call(b("SMEMBERS"), args[1]));
    if (remaining == null || remaining.isEmpty()) {
      return;
    }
    long deadline = ((Reply.Int) redis2.call(b("PEXPIRETIME"), args[1])).value();
    both(b("DEL"), args[1]);
    byte[][] sadd = new byte[remaining.size() + 2][];
    sadd[0] = b("SADD");
    sadd[1] = args[1];
    for (int i = 0; i < remaining.size(); i++) {
      sadd[i + 2] = ((Reply.Bulk) remaining.get(i)).value();
    }
    both(sadd);
    if (deadline > 0) {
      both(b("PEXPIREAT"), args[1], b(Long.toString(deadline)));
    }
  }
}
