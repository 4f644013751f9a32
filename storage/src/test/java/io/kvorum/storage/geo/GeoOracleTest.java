package io.kvorum.storage.geo;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.testing.RedisServer;
import io.kvorum.storage.zset.OracleRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GEO commands against a real redis-server 7.0: seeded random streams (points clustered around a
 * few centers, some exactly on top of each other so distances tie, the poles' and the antimeridian's
 * limits, invalid input, plain ZADDs of arbitrary scores on geo keys) in RESP2 and RESP3, every
 * reply compared to the last digit, except that numbers may differ by 2 ulps: about 0.2% of
 * distances (STOREDIST scores) differ from glibc's in the last bit (see {@link Trig}).
 * {@code -Dkvorum.geo.oracle.seed=N} replays one seed.
 */
class GeoOracleTest {
  static final List<String> COMMANDS = List.of("geoadd", "geodist", "geohash", "geopos",
      "geosearch", "geosearchstore", "georadius", "georadiusbymember", "georadius_ro",
      "georadiusbymember_ro");

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
    int commands = Integer.getInteger("kvorum.geo.oracle.commands", 2000);
    int n = 0;
    for (long seed : OracleRun.seeds("kvorum.geo.oracle.seed", 3, 11)) {
      for (boolean resp3 : new boolean[] {false, true}) {
        OracleRun run = new OracleRun(seed, resp3, redis.port(), tmp.resolve("g" + n++))
            .withLastBitTolerance();
        try {
          Generator gen = new Generator(new Random(seed));
          for (int i = 0; i < commands; i++) {
            run.check(gen.next());
          }
          System.out.println("geo seed " + seed + (resp3 ? " RESP3: " : " RESP2: ")
              + run.outcomes());
        } finally {
          run.close();
        }
      }
    }
  }

  /** Random GEO commands over a few keys. */
  static final class Generator {
    private static final String[] KEYS = {"g1", "g2", "g3"};
    private static final double[][] CENTERS = {{13.361389, 38.115556}, {-122.4194, 37.7749},
        {0, 0}, {179.9, -84.9}, {-179.99, 85.0}, {151.2093, -33.8688}, {2.3522, 48.8566},
        {0.0001, -0.0001}};
    private static final String[] MEMBERS = {"a", "b", "c", "d", "e", "f", "g", "h", "p1", "p2"};
    private static final String[] UNITS = {"m", "km", "ft", "mi", "KM", "M", "yd"};
    private final Random rnd;

    Generator(Random rnd) {
      this.rnd = rnd;
    }

    private String pick(String[] values) {
      return values[rnd.nextInt(values.length)];
    }

    private String key() {
      return rnd.nextInt(30) == 0 ? "str" : pick(KEYS);
    }

    private String number(double v) {
      return switch (rnd.nextInt(4)) {
        case 0 -> Double.toString(v);
        case 1 -> String.format(Locale.ROOT, "%.6f", v);
        case 2 -> String.format(Locale.ROOT, "%.3f", v);
        default -> new java.math.BigDecimal(v).toPlainString();
      };
    }

    /** A longitude and latitude: near a center, or special, or invalid. */
    private String[] lonLat() {
      int r = rnd.nextInt(40);
      if (r == 0) {
        return new String[] {pick(new String[] {"180", "-180", "181", "0", "x", "nan"}),
            pick(new String[] {"85.05112878", "-85.05112878", "85.06", "0", "-90", ""})};
      }
      if (r == 1) {
        return new String[] {number(rnd.nextDouble() * 360 - 180),
            number(rnd.nextDouble() * 170.1 - 85.05)};
      }
      double[] c = CENTERS[rnd.nextInt(CENTERS.length)];
      double spread = Math.pow(10, -rnd.nextInt(5));
      double lon = Math.max(-180, Math.min(180, c[0] + (rnd.nextDouble() - 0.5) * spread));
      double lat = Math.max(-85.05, Math.min(85.05, c[1] + (rnd.nextDouble() - 0.5) * spread));
      return new String[] {number(lon), number(lat)};
    }

    private String radius() {
      return pick(new String[] {"0", "1", "10", "100", "500", "1000", "5000", "20000", "100000",
          "0.5", "-1", "x", "1e7", "3000"});
    }

    byte[][] next() {
      List<String> a = new ArrayList<>();
      int kind = rnd.nextInt(100);
      if (kind < 25) {
        a.addAll(List.of("geoadd", key()));
        for (int i = rnd.nextInt(3); i > 0; i--) {
          a.add(pick(new String[] {"NX", "XX", "CH", "ch"}));
        }
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
          String[] p = lonLat();
          a.add(p[0]);
          a.add(p[1]);
          a.add(pick(MEMBERS));
        }
        if (rnd.nextInt(30) == 0) {
          a.remove(a.size() - 1);
        }
      } else if (kind < 33) {
        a.addAll(List.of("geopos", key(), pick(MEMBERS), pick(MEMBERS)));
      } else if (kind < 38) {
        a.addAll(List.of("geohash", key(), pick(MEMBERS), pick(MEMBERS)));
      } else if (kind < 46) {
        a.addAll(List.of("geodist", key(), pick(MEMBERS), pick(MEMBERS)));
        if (rnd.nextBoolean()) {
          a.add(pick(UNITS));
        }
        if (rnd.nextInt(30) == 0) {
          a.add("km");
        }
      } else if (kind < 70) {
        geosearch(a);
      } else if (kind < 88) {
        georadius(a);
      } else if (kind < 92) {
        // Arbitrary scores on geo keys: every geo command must decode them as Redis does.
        a.addAll(List.of("zadd", key(), pick(new String[] {"0", "1.5", "-1", "1e20", "inf",
            "-inf", "4503599627370496", "4503599627370495.5", "-9223372036854775808",
            "18446744073709551616", "3471579339700058"}), pick(MEMBERS)));
      } else if (kind < 95) {
        a.addAll(List.of("zrange", key(), "0", "-1", "WITHSCORES"));
      } else if (kind < 97) {
        a.addAll(List.of(pick(new String[] {"del", "type", "object"}), key()));
        if (a.get(0).equals("object")) {
          a.add(1, "encoding");
        }
      } else {
        a.addAll(List.of("set", "str", "v"));
      }
      byte[][] out = new byte[a.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = a.get(i).getBytes(StandardCharsets.UTF_8);
      }
      return out;
    }

    private void geosearch(List<String> a) {
      boolean store = rnd.nextInt(4) == 0;
      a.add(store ? "geosearchstore" : "geosearch");
      if (store) {
        a.add(key());
      }
      a.add(key());
      List<List<String>> parts = new ArrayList<>();
      int from = rnd.nextInt(10);
      if (from < 5) {
        parts.add(List.of("FROMMEMBER", pick(MEMBERS)));
      } else if (from < 9) {
        String[] p = lonLat();
        parts.add(List.of("FROMLONLAT", p[0], p[1]));
      }
      int by = rnd.nextInt(10);
      if (by < 5) {
        parts.add(List.of("BYRADIUS", radius(), pick(UNITS)));
      } else if (by < 9) {
        parts.add(List.of("BYBOX", radius(), radius(), pick(UNITS)));
      }
      addOptions(parts, store, true);
      java.util.Collections.shuffle(parts, rnd);
      for (List<String> p : parts) {
        a.addAll(p);
      }
    }

    private void georadius(List<String> a) {
      boolean byMember = rnd.nextBoolean();
      boolean ro = rnd.nextInt(3) == 0;
      a.add((byMember ? "georadiusbymember" : "georadius") + (ro ? "_ro" : ""));
      a.add(key());
      if (byMember) {
        a.add(pick(MEMBERS));
      } else {
        String[] p = lonLat();
        a.add(p[0]);
        a.add(p[1]);
      }
      a.add(radius());
      a.add(pick(UNITS));
      List<List<String>> parts = new ArrayList<>();
      addOptions(parts, false, false);
      if (rnd.nextInt(4) == 0) {
        parts.add(List.of(rnd.nextBoolean() ? "STORE" : "STOREDIST", key()));
      }
      java.util.Collections.shuffle(parts, rnd);
      for (List<String> p : parts) {
        a.addAll(p);
      }
    }

    private void addOptions(List<List<String>> parts, boolean store, boolean search) {
      if (rnd.nextInt(3) == 0) {
        parts.add(List.of(pick(new String[] {"ASC", "DESC", "asc"})));
      }
      if (rnd.nextInt(3) == 0) {
        parts.add(List.of("COUNT", pick(new String[] {"1", "2", "3", "5", "0", "-1", "x",
            "100"})));
        if (rnd.nextInt(3) == 0) {
          parts.add(List.of("ANY"));
        }
      } else if (rnd.nextInt(20) == 0) {
        parts.add(List.of("ANY"));
      }
      if (!store || rnd.nextInt(10) == 0) {
        for (String w : new String[] {"WITHDIST", "WITHHASH", "WITHCOORD"}) {
          if (rnd.nextInt(3) == 0) {
            parts.add(List.of(w));
          }
        }
      }
      if (store && rnd.nextBoolean()) {
        parts.add(List.of("STOREDIST"));
      }
      if (rnd.nextInt(25) == 0) {
        parts.add(List.of(pick(new String[] {"foo", "STORE", search ? "STORE" : "FROMMEMBER"})));
      }
    }
  }
}
