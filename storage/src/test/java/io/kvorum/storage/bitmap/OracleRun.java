package io.kvorum.storage.bitmap;

import static org.assertj.core.api.Assertions.fail;

import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.RedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Runs one seeded random command stream against a real redis-server and a fresh store, in RESP2
 * or RESP3, and fails with the seed, the command, both replies (as wire bytes) and the recent
 * history at the first difference. Replies are compared byte for byte as they would go on the
 * wire; TTL replies with a tolerance of two seconds.
 */
public final class OracleRun {
  /** {@code -Dkvorum.oracle.deep=true}: compare the stored values after every step. */
  private static final boolean DEEP = Boolean.getBoolean("kvorum.oracle.deep");

  private final List<String> alsoInLog;
  private final List<String> keys;

  /**
   * @param alsoInLog commands sent to our store inside a log entry as well as on the read path
   * @param keys      the generator's keys, whose values (GET) are compared every 25 steps, so a
   *                  silent difference is caught near the step that caused it
   */
  public OracleRun(List<String> alsoInLog, List<String> keys) {
    this.alsoInLog = alsoInLog;
    this.keys = keys;
  }

  /** The seeds to run: two fixed ones plus one random, or only {@code -D<property>=N}. */
  public static List<Long> seeds(String property) {
    String fixed = System.getProperty(property);
    if (fixed != null) {
      return List.of(Long.parseLong(fixed));
    }
    return List.of(1L, 42L, new Random().nextLong());
  }

  public void run(RedisServer redis, Path dir, long seed, boolean resp3, int commands,
      Function<Random, byte[][]> generator, String replayProperty) throws IOException {
    Random rnd = new Random(seed);
    Deque<String> recent = new ArrayDeque<>();
    Map<String, Integer> outcomes = new TreeMap<>();
    try (ProtocolStore store = new ProtocolStore(dir);
        RawRespClient redisClient = new RawRespClient(redis.port())) {
      redisClient.call("FLUSHALL");
      if (resp3) {
        redisClient.call("HELLO", "3");
      }
      for (int step = 0; step < commands; step++) {
        byte[][] args = generator.apply(rnd);
        recent.addLast(WireFormat.show(args));
        if (recent.size() > 30) {
          recent.removeFirst();
        }
        byte[] expected = redisClient.call(args);
        store.fixture().now = System.currentTimeMillis();
        Reply actual = store.call(resp3, args);
        String name = new String(args[0], StandardCharsets.UTF_8).toLowerCase();
        String how = "";
        Reply ours = actual;
        if (same(args, expected, actual, resp3) && alsoInLog.contains(name)) {
          how = " (run inside a log entry)";
          ours = store.callInLog(resp3, args);
        }
        if (!same(args, expected, ours, resp3)) {
          fail("seed " + seed + (resp3 ? " (RESP3)" : " (RESP2)") + ", step " + step + how
              + " (replay with -D" + replayProperty + "=" + seed + "): " + WireFormat.show(args)
              + "\n  redis: " + WireFormat.show(expected)
              + "\n  ours:  " + WireFormat.show(WireFormat.encode(ours, resp3))
              + "\n  values of the arguments as keys (redis / ours):"
              + valuesOf(args, redisClient, store, resp3)
              + "\n  recent commands:\n    " + String.join("\n    ", new ArrayList<>(recent)));
        }
        if (step % 25 == 24 || DEEP) {
          compareValues(keys, step, args, redisClient, store, resp3, recent);
        }
        String outcome = expected[0] == '-'
            ? new String(expected, 1, Math.min(expected.length - 3, 40), StandardCharsets.UTF_8)
            : String.valueOf((char) expected[0]);
        outcomes.merge(name + " -> " + outcome, 1, Integer::sum);
      }
    }
    System.out.println("seed " + seed + (resp3 ? " resp3" : " resp2") + ": " + outcomes);
  }

  private static void compareValues(List<String> keys, int step, byte[][] args,
      RawRespClient redisClient, ProtocolStore store, boolean resp3, Deque<String> recent)
      throws IOException {
    for (String k : keys) {
      byte[][] get = {"get".getBytes(StandardCharsets.UTF_8), k.getBytes(StandardCharsets.UTF_8)};
      byte[] expected = redisClient.call(get);
      Reply ours = store.call(resp3, get);
      if (!same(get, expected, ours, resp3)) {
        fail("after step " + step + " " + WireFormat.show(args) + " the value of " + k
            + " differs:\n  redis: " + WireFormat.show(expected)
            + "\n  ours:  " + WireFormat.show(WireFormat.encode(ours, resp3))
            + "\n  recent commands:\n    " + String.join("\n    ", new ArrayList<>(recent)));
      }
    }
  }

  private static boolean same(byte[][] args, byte[] expected, Reply actual, boolean resp3) {
    byte[] ours = WireFormat.encode(actual, resp3);
    return java.util.Arrays.equals(expected, ours) || withinTtlTolerance(args, expected, ours);
  }

  /** GET of every argument on both sides, to show the state a mismatch started from. */
  private static String valuesOf(byte[][] args, RawRespClient redisClient, ProtocolStore store,
      boolean resp3) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int i = 1; i < args.length && i < 6; i++) {
      byte[][] get = {"get".getBytes(StandardCharsets.UTF_8), args[i]};
      s.append("\n    ").append(WireFormat.show(new byte[][] {args[i]})).append(": ")
          .append(WireFormat.show(redisClient.call(get))).append("\n      ")
          .append(WireFormat.show(WireFormat.encode(store.call(resp3, get), resp3)));
    }
    return s.toString();
  }

  private static boolean withinTtlTolerance(byte[][] args, byte[] expected, byte[] ours) {
    String name = new String(args[0], StandardCharsets.UTF_8).toLowerCase();
    if (!name.equals("ttl") || expected[0] != ':' || ours[0] != ':') {
      return false;
    }
    long e = Long.parseLong(new String(expected, 1, expected.length - 3, StandardCharsets.UTF_8));
    long o = Long.parseLong(new String(ours, 1, ours.length - 3, StandardCharsets.UTF_8));
    return e >= 0 && o >= 0 && Math.abs(e - o) <= 2;
  }
}
