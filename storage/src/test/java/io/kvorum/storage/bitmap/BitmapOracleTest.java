package io.kvorum.storage.bitmap;

import io.kvorum.storage.testing.RedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bitmap commands against a real redis-server 7.0: seeded random streams of SETBIT, GETBIT,
 * BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO (every option, valid and invalid arguments),
 * mixed with string commands that make and read the values (SET, APPEND, GET, OBJECT ENCODING,
 * TTL) and with keys of other types, over a handful of keys. Every reply must be byte-identical
 * in RESP2 and in RESP3. {@code -Dkvorum.bitmap.seed=N} replays one seed.
 */
class BitmapOracleTest {
  private static final String SEED_PROPERTY = "kvorum.bitmap.seed";
  private static final String[] KEYS = {"a", "b", "c", "{a}d"};

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
  void randomStreamsGiveRedisBytesInResp2AndResp3() throws IOException {
    OracleRun run = new OracleRun(List.of(), List.of(KEYS));
    int i = 0;
    for (long seed : OracleRun.seeds(SEED_PROPERTY)) {
      for (boolean resp3 : new boolean[] {false, true}) {
        run.run(redis, tmp.resolve("stream-" + i++), seed, resp3, 1500, BitmapOracleTest::next,
            SEED_PROPERTY);
      }
    }
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String pick(Random rnd, String... values) {
    return values[rnd.nextInt(values.length)];
  }

  private static String key(Random rnd) {
    return KEYS[rnd.nextInt(KEYS.length)];
  }

  private static byte[][] cmd(List<String> parts) {
    byte[][] out = new byte[parts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = b(parts.get(i));
    }
    return out;
  }

  private static byte[] value(Random rnd) {
    return switch (rnd.nextInt(6)) {
      case 0 -> b(pick(rnd, "0", "1", "255", "-1", "12345678901234567890", "9"));
      case 1 -> new byte[0];
      case 2 -> b("x".repeat(40 + rnd.nextInt(10)));
      default -> {
        byte[] v = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 6 : 40)];
        rnd.nextBytes(v);
        if (rnd.nextBoolean()) {
          for (int i = 0; i < v.length; i++) {
            v[i] = (byte) pick(rnd, "\0", "\u00ff", "\u0001", "\u0080", "x").charAt(0);
          }
        }
        yield v;
      }
    };
  }

  /** A bit offset: mostly small, sometimes past a short string, sometimes invalid. */
  private static String offset(Random rnd) {
    return switch (rnd.nextInt(20)) {
      case 0 -> "-1";
      case 1 -> "x";
      case 2 -> "4294967296"; // 512 MB: the first byte past proto-max-bulk-len
      case 3 -> Integer.toString(200 + rnd.nextInt(2000));
      case 4 -> "01";
      default -> Integer.toString(rnd.nextInt(120));
    };
  }

  private static String index(Random rnd) {
    return switch (rnd.nextInt(14)) {
      case 0 -> "9223372036854775807";
      case 1 -> "-9223372036854775808";
      case 2 -> "a";
      case 3 -> Integer.toString(rnd.nextInt(400) - 200);
      default -> Integer.toString(rnd.nextInt(41) - 20);
    };
  }

  private static String unit(Random rnd) {
    return pick(rnd, "BIT", "byte", "bit", "BYTE", "bits", "");
  }

  static byte[][] next(Random rnd) {
    int kind = rnd.nextInt(100);
    List<String> a = new ArrayList<>();
    if (kind < 8) {
      byte[][] set = {b("set"), b(key(rnd)), value(rnd)};
      return set;
    } else if (kind < 10) {
      byte[][] append = {b("append"), b(key(rnd)), value(rnd)};
      return append;
    } else if (kind < 24) {
      a.addAll(List.of("setbit", key(rnd), offset(rnd),
          rnd.nextInt(8) == 0 ? pick(rnd, "2", "-1", "x", "01", "") : pick(rnd, "0", "1")));
    } else if (kind < 30) {
      a.addAll(List.of("getbit", key(rnd), offset(rnd)));
    } else if (kind < 40) {
      a.addAll(List.of("bitcount", key(rnd)));
      int form = rnd.nextInt(6);
      if (form >= 1) {
        a.add(index(rnd));
      }
      if (form >= 2) {
        a.add(index(rnd));
      }
      if (form >= 3 && rnd.nextBoolean()) {
        a.add(unit(rnd));
      }
      if (form == 5 && rnd.nextBoolean()) {
        a.add("extra");
      }
    } else if (kind < 52) {
      a.addAll(List.of("bitpos", key(rnd), rnd.nextInt(10) == 0 ? pick(rnd, "2", "x", "-1")
          : pick(rnd, "0", "1")));
      int form = rnd.nextInt(5);
      if (form >= 1) {
        a.add(index(rnd));
      }
      if (form >= 2) {
        a.add(index(rnd));
      }
      if (form >= 3) {
        a.add(unit(rnd));
      }
      if (form == 4 && rnd.nextInt(3) == 0) {
        a.add("extra");
      }
    } else if (kind < 62) {
      a.addAll(List.of("bitop", rnd.nextInt(12) == 0 ? pick(rnd, "nand", "an", "and\0x")
          : pick(rnd, "AND", "or", "Xor", "NOT", "not"), key(rnd)));
      int n = rnd.nextInt(4) == 0 ? 2 : 1;
      if (rnd.nextInt(3) == 0) {
        n = 1 + rnd.nextInt(4);
      }
      for (int i = 0; i < n; i++) {
        a.add(rnd.nextInt(6) == 0 ? "missing" : key(rnd));
      }
    } else if (kind < 80) {
      a.addAll(List.of(rnd.nextInt(5) == 0 ? "bitfield_ro" : "bitfield", key(rnd)));
      addBitfieldOps(rnd, a);
    } else if (kind < 84) {
      a.addAll(List.of("get", key(rnd)));
    } else if (kind < 87) {
      a.addAll(List.of("object", "encoding", key(rnd)));
    } else if (kind < 89) {
      a.addAll(List.of(pick(rnd, "strlen", "type", "exists"), key(rnd)));
    } else if (kind < 91) {
      a.addAll(List.of("expire", key(rnd), "1000"));
    } else if (kind < 93) {
      a.addAll(List.of("ttl", key(rnd)));
    } else if (kind < 96) {
      a.addAll(List.of("del", key(rnd)));
    } else if (kind < 98) {
      a.addAll(List.of("hset", key(rnd), "f", "v"));
    } else {
      a.addAll(List.of("lpush", key(rnd), "x"));
    }
    return cmd(a);
  }

  private static void addBitfieldOps(Random rnd, List<String> a) {
    int ops = rnd.nextInt(5);
    for (int i = 0; i < ops; i++) {
      int op = rnd.nextInt(20);
      if (op < 6) {
        a.addAll(List.of(pick(rnd, "GET", "get"), type(rnd), fieldOffset(rnd)));
      } else if (op < 11) {
        a.addAll(List.of(pick(rnd, "SET", "set"), type(rnd), fieldOffset(rnd), fieldValue(rnd)));
      } else if (op < 16) {
        a.addAll(List.of(pick(rnd, "INCRBY", "incrby"), type(rnd), fieldOffset(rnd),
            fieldValue(rnd)));
      } else if (op < 19) {
        a.addAll(List.of("OVERFLOW", rnd.nextInt(10) == 0 ? "saturate"
            : pick(rnd, "WRAP", "sat", "FAIL", "fail")));
      } else {
        // Truncated or unknown subcommands: syntax errors.
        a.add(pick(rnd, "GET", "SET", "OVERFLOW", "nope"));
        if (rnd.nextBoolean()) {
          a.add(type(rnd));
        }
        return;
      }
    }
  }

  private static String type(Random rnd) {
    if (rnd.nextInt(15) == 0) {
      return pick(rnd, "u64", "i65", "x8", "u0", "i", "u", "i-1", "I8", "u08", "");
    }
    boolean signed = rnd.nextBoolean();
    int bits = switch (rnd.nextInt(4)) {
      case 0 -> signed ? 64 : 63;
      case 1 -> 1 + rnd.nextInt(8);
      case 2 -> 8 * (1 + rnd.nextInt(4));
      default -> 1 + rnd.nextInt(signed ? 64 : 63);
    };
    return (signed ? "i" : "u") + bits;
  }

  private static String fieldOffset(Random rnd) {
    return switch (rnd.nextInt(12)) {
      case 0 -> "#" + rnd.nextInt(6);
      case 1 -> "#" + pick(rnd, "-1", "x", "", "9223372036854775807");
      case 2 -> pick(rnd, "-1", "x", "4294967296");
      default -> Integer.toString(rnd.nextInt(70));
    };
  }

  private static String fieldValue(Random rnd) {
    return switch (rnd.nextInt(10)) {
      case 0 -> pick(rnd, "9223372036854775807", "-9223372036854775808", "9223372036854775806",
          "-9223372036854775807");
      case 1 -> pick(rnd, "x", "1.5", "", "9223372036854775808");
      case 2 -> Long.toString(rnd.nextLong());
      case 3 -> Long.toString(1L << rnd.nextInt(63));
      case 4 -> Long.toString(-(1L << rnd.nextInt(63)));
      default -> Integer.toString(rnd.nextInt(600) - 300);
    };
  }
}
