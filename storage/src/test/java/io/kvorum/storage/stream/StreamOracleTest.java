package io.kvorum.storage.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.command.CommandFlag;
import io.kvorum.storage.command.CommandSpec;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.RedisServer;
import io.kvorum.storage.testing.RespClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream commands against a real redis-server 7.0, reply bytes compared in RESP2 and RESP3
 * ({@link OracleSession}): a script that walks every command, option and error path; scenarios
 * around Redis's listpack node boundaries (approximate trimming and XINFO's radix tree figures
 * depend on them); and seeded random command sequences. Entry IDs are explicit (or {@code
 * <ms>-*}) and idle thresholds are far from the test's duration, so nothing depends on the clock
 * beyond the time fields the session compares with a tolerance.
 *
 * <p>A random sequence that fails names its seed; replay it with {@code
 * -Dkvorum.stream.oracle.seed=N -Dkvorum.stream.oracle.resp3=true|false}; {@code
 * -Dkvorum.stream.oracle.sequences=N} adds N random seeds per protocol (default 1).
 */
class StreamOracleTest {
  @TempDir static Path tmp;
  static RedisServer redis;
  static int sessions;

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

  static OracleSession session(boolean resp3, String label) throws IOException {
    return new OracleSession(redis.port(), tmp.resolve("store-" + sessions++), resp3, label);
  }

  @Test
  void specsMatchCommandInfo() throws IOException {
    List<String> problems = new ArrayList<>();
    try (RespClient c = redis.client()) {
      for (KeyspaceCommand cmd : StreamCommands.table()) {
        CommandSpec spec = cmd.spec();
        String[] name = spec.name().split("\\|");
        Reply.Array all = (Reply.Array) c.call("COMMAND", "INFO", name[0]);
        List<Reply> f = ((Reply.Array) all.items().get(0)).items();
        if (name.length == 2) {
          f = null;
          for (Reply sub : ((Reply.Array) ((Reply.Array) all.items().get(0)).items().get(9))
              .items()) {
            List<Reply> sf = ((Reply.Array) sub).items();
            if (((Reply.Bulk) sf.get(0)).utf8().equals(spec.name())) {
              f = sf;
            }
          }
          assertThat(f).as(spec.name()).isNotNull();
        }
        Set<String> flags = new TreeSet<>();
        for (CommandFlag flag : spec.flags()) {
          flags.add(flag.redisName());
        }
        check(problems, spec.name() + " arity", ((Reply.Int) f.get(1)).value(), spec.arity());
        check(problems, spec.name() + " flags", texts(f.get(2)), flags);
        check(problems, spec.name() + " first", ((Reply.Int) f.get(3)).value(), spec.firstKey());
        check(problems, spec.name() + " last", ((Reply.Int) f.get(4)).value(), spec.lastKey());
        check(problems, spec.name() + " step", ((Reply.Int) f.get(5)).value(), spec.keyStep());
        check(problems, spec.name() + " acl", texts(f.get(6)),
            new TreeSet<>(spec.aclCategories()));
        check(problems, spec.name() + " tips", texts(f.get(7)), new TreeSet<>(spec.tips()));
      }
    }
    assertThat(StreamCommands.table()).hasSize(25);
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
  void scriptResp2() throws IOException {
    runScript(false);
  }

  @Test
  void scriptResp3() throws IOException {
    runScript(true);
  }

  private void runScript(boolean resp3) throws IOException {
    try (OracleSession s = session(resp3, "script")) {
      for (String line : StreamScript.LINES) {
        s.check(line);
        s.checkInvariants("s", "s2", "s3", "r", "t", "max", "seqmax", "m1", "m2", "m3");
      }
    }
  }

  @Test
  void nodeBoundariesResp2() throws IOException {
    runNodeScenarios(false);
  }

  @Test
  void nodeBoundariesResp3() throws IOException {
    runNodeScenarios(true);
  }

  /**
   * Streams that span many listpack nodes: entries of growing sizes (nodes end by bytes), of
   * numbers and repeated fields (which listpacks store smaller), deletions that empty nodes, and
   * every kind of trimming, each step followed by XINFO STREAM.
   */
  private void runNodeScenarios(boolean resp3) throws IOException {
    try (OracleSession s = session(resp3, "nodes")) {
      Random rnd = new Random(resp3 ? 11 : 7);
      for (int round = 0; round < 6; round++) {
        String key = "n" + round;
        int entries = 150 + rnd.nextInt(250);
        for (int i = 1; i <= entries; i++) {
          List<byte[]> a = new ArrayList<>();
          a.add(b("xadd"));
          a.add(b(key));
          a.add(b(i + "-" + rnd.nextInt(3)));
          int pairs = 1 + rnd.nextInt(3);
          boolean sameFields = rnd.nextInt(3) > 0;
          for (int p = 0; p < pairs; p++) {
            a.add(b(sameFields ? "f" + p : "f" + rnd.nextInt(6)));
            a.add(value(rnd, round));
          }
          s.check(a.toArray(new byte[0][]));
          if (rnd.nextInt(25) == 0) {
            s.check("xinfo stream " + key);
          }
        }
        s.check("xinfo stream " + key);
        for (int i = 0; i < 40; i++) {
          s.check("xdel " + key + " " + (1 + rnd.nextInt(entries)) + "-" + rnd.nextInt(3));
        }
        s.check("xinfo stream " + key);
        String[] trims = {"maxlen ~ " + rnd.nextInt(entries), "minid ~ " + rnd.nextInt(entries),
            "maxlen ~ " + rnd.nextInt(entries) + " limit " + rnd.nextInt(300),
            "minid = " + rnd.nextInt(entries / 2), "maxlen " + (entries - rnd.nextInt(50)),
            "minid ~ " + rnd.nextInt(entries) + " limit 0"};
        for (String t : trims) {
          s.check("xtrim " + key + " " + t);
          s.check("xinfo stream " + key);
          s.check("xrange " + key + " - + count 3");
          s.checkInvariants(key);
        }
        s.check("xadd " + key + " maxlen ~ 20 " + (entries + 1) + "-0 x y");
        s.check("xinfo stream " + key + " full count 2");
        s.check("xlen " + key);
      }
    }
  }

  @Test
  void randomSequencesResp2() throws IOException {
    runRandom(false, List.of(1L, 2L));
  }

  @Test
  void randomSequencesResp3() throws IOException {
    runRandom(true, List.of(3L, 4L));
  }

  private void runRandom(boolean resp3, List<Long> fixedSeeds) throws IOException {
    String replay = System.getProperty("kvorum.stream.oracle.seed");
    List<Long> seeds = new ArrayList<>(fixedSeeds);
    for (int n = Integer.getInteger("kvorum.stream.oracle.sequences", 1); n > 0; n--) {
      seeds.add(new Random().nextLong());
    }
    if (replay != null) {
      if (Boolean.parseBoolean(System.getProperty("kvorum.stream.oracle.resp3", "false"))
          != resp3) {
        return;
      }
      seeds = List.of(Long.parseLong(replay));
    }
    for (long seed : seeds) {
      String label = "seed " + seed + " (replay with -Dkvorum.stream.oracle.seed=" + seed
          + " -Dkvorum.stream.oracle.resp3=" + resp3 + ")";
      try (OracleSession s = session(resp3, label)) {
        StreamCommandGenerator gen = new StreamCommandGenerator(new Random(seed));
        for (int step = 0; step < 3000; step++) {
          byte[][] args = gen.next();
          gen.observe(args, s.check(args));
          if (step % 50 == 49) {
            s.checkInvariants("s1", "s2", "{t}s3");
          }
        }
        System.out.println("stream oracle " + label + ": " + s.outcomes());
      }
    }
  }

  /** Values whose listpack sizes differ: integers, short and long strings, big ones. */
  private static byte[] value(Random rnd, int round) {
    return switch (rnd.nextInt(10)) {
      case 0 -> b(Long.toString(rnd.nextLong()));
      case 1 -> b(Integer.toString(rnd.nextInt(200) - 100));
      case 2 -> b("x".repeat(50 + rnd.nextInt(30)));
      case 3 -> b("y".repeat(round * 150 + rnd.nextInt(200)));
      case 4 -> b("0" + rnd.nextInt(100));
      case 5 -> b("");
      case 6 -> b(Integer.toString(rnd.nextInt(40000)));
      case 7 -> b("z".repeat(4000 + rnd.nextInt(200)));
      default -> b("v" + rnd.nextInt(10));
    };
  }

  static byte[] b(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
