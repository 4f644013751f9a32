package io.kvorum.storage.hash;

import static io.kvorum.storage.hash.OracleReplies.render;
import static io.kvorum.storage.hash.OracleReplies.same;
import static io.kvorum.storage.hash.OracleReplies.sameUnordered;
import static io.kvorum.storage.hash.OracleReplies.sameUnorderedGroups;
import static org.assertj.core.api.Assertions.assertThat;

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
 * Every hash command and option against a real redis-server 7.0 (see {@link CollectionOracle}):
 * a few keys so hashes meet strings, sets and lists (WRONGTYPE), fields and values that cross the
 * listpack limits (OBJECT ENCODING), integer and float values for HINCRBY/HINCRBYFLOAT, and the
 * generic commands that carry hashes around (RENAME, COPY, DEL, EXPIRE). HKEYS/HVALS/HGETALL are
 * compared as multisets, HRANDFIELD by its properties, HSCAN of a hashtable by full scans.
 */
class HashOracleTest extends CollectionOracle {
  @TempDir static Path tmp;
  static RedisServer redis;

  private static final String[] KEYS = {"h", "g", "{h}k", "s"};
  private static final String LONG = "L".repeat(65);
  private static final String[] FIELDS = {"f", "g", "h", "1", "2", "-3", "", "\0b", "ff", LONG};
  private static final String[] INTS = {"0", "1", "-1", "7", "100", "-42", "9223372036854775807",
      "-9223372036854775808", "9223372036854775808", "007", "+1", "1.0", "", "x"};
  private static final String[] FLOATS = {"0", "1", "-1", "0.1", "10.5", "5.0e3", "-3.25", "1e20",
      "0x1p3", "inf", "-inf", "nan", " 1", "", "abc", "1e400", "+.5", "7.", "-0", "1e4932",
      "123456789.123456789", "1e64"};
  private static final String[] COUNTS = {"-5", "-1", "0", "1", "2", "3", "10", "200", "-200",
      "x", "-9223372036854775808", "9223372036854775807", "4611686018427387904"};
  private static final String[] PATTERNS = {"*", "f*", "?", "[fg]", "x*", "*1*", "\\*"};

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
    assertThat(specProblems(redis.port(), HashCommands.table())).isEmpty();
  }

  /** Edge cases a random stream rarely hits: cursor syntax, encoding rules, range checks. */
  @Test
  void edgeCasesGiveRedisReplies() throws IOException {
    String long65 = "x".repeat(65);
    runScript(tmp.resolve("script"), redis.port(), List.of(
        "hset h a 1 b 2",
        "hscan h +0", "hscan h -0", "hscan h 0\\0x", "hscan h -18446744073709551615",
        "hscan h 18446744073709551615", "hscan h -18446744073709551616", "hscan h 0x1",
        "hscan h 0 MATCH a* COUNT 5 MATCH *", "hscan h 0 COUNT 9223372036854775807",
        "hscan h 0 COUNT 9223372036854775808", "hscan nokey x", "hscan nokey 0 COUNT 0",
        "hrandfield nokey -9223372036854775807", "hrandfield nokey -9223372036854775807 withvalues",
        "hrandfield nokey 4611686018427387903 withvalues", "hrandfield h 0 withvalues",
        "hrandfield h x junk", "hrandfield h 1 2 3", "hrandfield h 1 withvalues x",
        "hset e a 1", "hsetnx e a " + long65, "object encoding e",
        "hset e2 a " + "y".repeat(64), "object encoding e2",
        "hincrby e3 " + long65 + " 1", "object encoding e3",
        "hincrbyfloat e4 a 1e64", "object encoding e4", "hincrbyfloat e4 a 1e65",
        "object encoding e4",
        "hset f a 5.0e3 b 0x10 c 1e400 d -0", "hincrbyfloat f a 1", "hincrbyfloat f b 1",
        "hincrbyfloat f c 1", "hincrbyfloat f d 1", "hincrby f d 1", "hincrbyfloat f e -0",
        "hget f e", "hset g 1", "hmset g", "hdel g", "hgetall nokey", "hkeys nokey",
        "hmget nokey a b"));
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

  /** Mostly the key other types live in, sometimes any key (WRONGTYPE both ways). */
  private String otherKey() {
    return rnd.nextInt(20) < 17 ? "s" : key();
  }

  private String field() {
    return rnd.nextInt(6) == 0 ? "f" + rnd.nextInt(540) : FIELDS[rnd.nextInt(FIELDS.length)];
  }

  private String value() {
    return switch (rnd.nextInt(8)) {
      case 0, 1 -> pick(INTS);
      case 2 -> pick(FLOATS);
      case 3 -> "V".repeat(60 + rnd.nextInt(10));
      case 4 -> "\0\1\2";
      default -> pick("v", "w", "abc", "", "1", "2");
    };
  }

  @Override
  protected byte[][] next() {
    int kind = rnd.nextInt(100);
    List<String> a = new ArrayList<>();
    if (kind < 14) {
      a.add(pick("hset", "hset", "hmset", "HSET"));
      a.add(key());
      for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
        a.add(field());
        a.add(value());
      }
      if (rnd.nextInt(15) == 0) {
        a.remove(a.size() - 1);
      }
    } else if (kind < 16) {
      // Enough fields to pass hash-max-listpack-entries in one go.
      a.addAll(List.of("hset", key()));
      int base = rnd.nextInt(20);
      for (int n = 0; n < 505 + rnd.nextInt(15); n++) {
        a.add("f" + (base + n));
        a.add(Integer.toString(n));
      }
    } else if (kind < 20) {
      a.addAll(List.of("hsetnx", key(), field(), value()));
    } else if (kind < 27) {
      a.addAll(List.of("hget", key(), field()));
    } else if (kind < 30) {
      a.addAll(List.of("hmget", key()));
      for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
        a.add(field());
      }
    } else if (kind < 35) {
      a.addAll(List.of("hdel", key()));
      for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
        a.add(field());
      }
    } else if (kind < 38) {
      a.addAll(List.of(pick("hexists", "hstrlen"), key(), field()));
    } else if (kind < 40) {
      a.addAll(List.of("hlen", key()));
    } else if (kind < 45) {
      a.addAll(List.of(pick("hkeys", "hvals", "hgetall"), key()));
    } else if (kind < 50) {
      a.addAll(List.of("hincrby", key(), pick(FIELDS), pick(INTS)));
    } else if (kind < 55) {
      a.addAll(List.of("hincrbyfloat", key(), pick(FIELDS), pick(FLOATS)));
    } else if (kind < 62) {
      a.addAll(List.of("hrandfield", key()));
      if (rnd.nextInt(5) > 0) {
        a.add(pick(COUNTS));
        switch (rnd.nextInt(6)) {
          case 0, 1 -> a.add(pick("WITHVALUES", "withvalues"));
          case 2 -> a.add("junk");
          case 3 -> a.addAll(List.of("WITHVALUES", "x"));
          default -> { }
        }
      }
    } else if (kind < 68) {
      a.addAll(List.of("hscan", key(),
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
    } else if (kind < 72) {
      a.addAll(List.of("object", "encoding", key()));
    } else if (kind < 74) {
      a.addAll(List.of("type", key()));
    } else if (kind < 77) {
      a.addAll(List.of("set", otherKey(), value()));
    } else if (kind < 79) {
      a.addAll(List.of("sadd", otherKey(), pick("1", "a")));
    } else if (kind < 80) {
      a.addAll(List.of("lpush", otherKey(), "x"));
    } else if (kind < 83) {
      a.addAll(List.of(pick("del", "exists"), key()));
    } else if (kind < 86) {
      a.addAll(List.of(pick("rename", "renamenx"), key(), key()));
    } else if (kind < 89) {
      a.addAll(List.of("copy", key(), key()));
      if (rnd.nextBoolean()) {
        a.add("REPLACE");
      }
    } else if (kind < 92) {
      a.addAll(List.of(pick("expire", "pexpire"), key(), pick("100000", "200000")));
    } else if (kind < 94) {
      a.addAll(List.of(pick("persist", "ttl"), key()));
    } else if (kind < 96) {
      a.add("dbsize");
    } else {
      // Wrong arity: the table's own check must word it like Redis.
      a.addAll(List.of(pick("hget", "hlen", "hsetnx", "hincrby", "hstrlen"), key()));
    }
    return args(a);
  }

  private String name(byte[][] args) {
    return new String(args[0]).toLowerCase();
  }

  @Override
  protected String check(byte[][] args, boolean resp3, Reply expected, Reply actual)
      throws IOException {
    String name = name(args);
    if (expected instanceof Reply.Error || actual instanceof Reply.Error) {
      return same(expected, actual) ? null : "different replies";
    }
    switch (name) {
      case "hkeys", "hvals" -> {
        return sameUnordered(expected, actual) ? null : "different elements";
      }
      case "hgetall" -> {
        return sameUnorderedGroups(expected, actual, 2) ? null : "different fields";
      }
      case "ttl" -> {
        long e = ((Reply.Int) expected).value();
        long o = ((Reply.Int) actual).value();
        return e == o || (e >= 0 && o >= 0 && Math.abs(e - o) <= 2) ? null : "beyond tolerance";
      }
      case "hrandfield" -> {
        return checkRandomFields(args, resp3, expected, actual);
      }
      case "hscan" -> {
        return checkScan(args, expected, actual);
      }
      default -> {
        return same(expected, actual) ? null : "different replies";
      }
    }
  }

  private List<Reply> redisFields(byte[] key) throws IOException {
    Reply all = redis2.call(b("HGETALL"), key);
    return all instanceof Reply.Array a ? a.items() : List.of();
  }

  private String checkRandomFields(byte[][] args, boolean resp3, Reply expected, Reply actual)
      throws IOException {
    List<Reply> fields = redisFields(args[1]);
    boolean withValues = args.length == 4;
    Set<String> valid = new HashSet<>();
    for (int i = 0; i < fields.size(); i += 2) {
      String f = render(fields.get(i));
      String v = render(fields.get(i + 1));
      if (!withValues) {
        valid.add(f);
      } else if (resp3) {
        valid.add(render(Reply.array(fields.get(i), fields.get(i + 1))));
      } else {
        valid.add(f + " " + v);
      }
    }
    long count = args.length >= 3 ? RedisNumbers.parseLong(args[2]) : 0;
    int group = withValues && !resp3 ? 2 : 1;
    if (count > 0 && count >= fields.size() / 2) {
      return sameUnorderedGroups(expected, actual, group) ? null : "not the whole hash";
    }
    return checkSample(expected, actual, valid, group, count > 0);
  }

  private String checkScan(byte[][] args, Reply expected, Reply actual) throws IOException {
    if (!"hashtable".equals(redisEncoding(args[1]))) {
      // Listpack hashes come back whole, with cursor 0.
      List<Reply> e = OracleReplies.children(expected);
      List<Reply> a = OracleReplies.children(actual);
      if (a == null || a.size() != 2 || !same(e.get(0), a.get(0))) {
        return "different cursor";
      }
      return sameUnorderedGroups(e.get(1), a.get(1), 2) ? null : "different fields";
    }
    return compareFullScans(args, 2);
  }
}
