package io.kvorum.it.differential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.kvorum.it.differential.CommandGenerator.Family;
import io.kvorum.it.differential.DifferentialRunner.Mismatch;
import io.kvorum.it.differential.DifferentialRunner.Protocol;
import io.kvorum.it.fixture.ItEnvironment;
import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.RedisOracle;
import io.kvorum.it.fixture.RespEndpoint;
import io.kvorum.it.fixture.RespReply;
import io.kvorum.it.fixture.TargetServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kvorum's replies are Redis's replies: thousands of seeded random command sequences run against
 * a real redis-server (cluster mode, all slots) and a Kvorum node, in RESP2 and in RESP3, and
 * every reply must be the same bytes (KEYS/SCAN order, TTLs, RANDOMKEY, clock-bound stream
 * replies, DUMP payloads and SORT's same-slot patterns are compared as {@link Check} explains; a
 * standalone redis-server answers what Redis Cluster refuses and Kvorum accepts).
 *
 * <p>A failure prints the seed of the failing sequence, the sequence up to the mismatch with the
 * oracle's replies, both replies, and the command that replays just that sequence. Knobs:
 * {@code -Dkvorum.seed=N|random}, {@code -Dkvorum.diff.sequences}, {@code -Dkvorum.diff.maxSeconds},
 * {@code -Dkvorum.diff.maxLength}, {@code -Dkvorum.diff.families}, {@code -Dkvorum.diff.pipeline},
 * {@code -Dkvorum.diff.streamPayloads} (see {@link DumpRestoreCheck}), {@code -Dkvorum.target}
 * (see {@link TargetServer}).
 */
class DifferentialTest {

  /** Fixed so that `make test` checks the same sequences every run; -Dkvorum.seed=random explores. */
  private static final long DEFAULT_SEED = 20_261_123L;

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void everyReplyIsTheSameBytesRedisSends() throws Exception {
    long baseSeed = ItEnvironment.seed(DEFAULT_SEED);
    int sequences = ItEnvironment.intProperty("kvorum.diff.sequences", 3000);
    int maxSeconds = ItEnvironment.intProperty("kvorum.diff.maxSeconds", 150);
    int maxLength = ItEnvironment.intProperty("kvorum.diff.maxLength", 40);
    int maxMismatches = ItEnvironment.intProperty("kvorum.diff.maxMismatches", 20);
    boolean pipeline = ItEnvironment.booleanProperty("kvorum.diff.pipeline", true);
    String familySpec = ItEnvironment.property("kvorum.diff.families", null);
    Set<Family> families = Family.parse(familySpec);

    try (RedisOracle oracle = RedisOracle.startCluster();
         RedisOracle standalone = RedisOracle.startStandalone();
         TargetServer target = TargetServer.start("differential");
         DifferentialRunner runner = new DifferentialRunner(oracle, target, standalone, pipeline)) {
      try (RawResp connection = oracle.connect()) {
        // Blocked clients time out on the server's cron, every 1000/hz ms: at hz 500 a blocking
        // command's 10 ms timeout costs about 12 ms instead of 100.
        assertThat(connection.call("CONFIG", "SET", "hz", "500").text()).isEqualTo("OK");
        // Kvorum decodes every entry of a RESTORE payload, so it refuses what Redis's deep check
        // refuses; Redis's default shallow check would restore a damaged intset or listpack.
        assertThat(connection.call("CONFIG", "SET", "sanitize-dump-payload", "yes").text()).isEqualTo("OK");
      }
      System.out.printf("differential: base seed %d, %d sequences (≤ %d commands each, RESP2 + RESP3), "
              + "families %s, pipeline %s, budget %d s%n  oracle: %s%n  target: %s%n",
          baseSeed, sequences, maxLength, families, pipeline, maxSeconds, oracle.describe(), target.describe());
      awaitAcceptsWrites(target);
      if ("redis-oracle".equals(System.getProperty(TargetServer.PROPERTY))) {
        // Checking the framework against a second redis-server: configured like the oracle, and
        // without compression its DUMP is the payload Kvorum promises. (SORT's same-slot
        // patterns, which Kvorum accepts and Redis Cluster refuses, still differ.)
        try (RawResp connection = target.connect()) {
          for (String[] setting : new String[][] {{"hz", "500"}, {"sanitize-dump-payload", "yes"}, {"rdbcompression", "no"}}) {
            assertThat(connection.call("CONFIG", "SET", setting[0], setting[1]).text()).isEqualTo("OK");
          }
        }
      }

      List<Mismatch> mismatches = new ArrayList<>();
      long started = System.nanoTime();
      long deadline = started + TimeUnit.SECONDS.toNanos(maxSeconds);
      long nextProgress = started + TimeUnit.SECONDS.toNanos(10);
      int completed = 0;
      for (int i = 0; i < sequences && mismatches.size() < maxMismatches; i++) {
        if (System.nanoTime() > deadline) {
          System.out.printf("differential: time budget of %d s used up after %d of %d sequences%n",
              maxSeconds, completed, sequences);
          break;
        }
        long seed = baseSeed + i;
        List<GeneratedCommand> sequence = new CommandGenerator(new Random(seed), families).sequence(maxLength);
        for (Protocol protocol : Protocol.values()) {
          Optional<Mismatch> mismatch = runner.run(seed, protocol, sequence);
          if (mismatch.isPresent()) {
            mismatches.add(mismatch.get());
            System.out.println(mismatch.get().report(reproduce(seed, familySpec, maxLength)));
            break; // the other protocol would most likely trip over the same thing
          }
        }
        completed++;
        if (System.nanoTime() > nextProgress) {
          System.out.printf("differential: %d sequences, %d commands, %d mismatches%n",
              completed, runner.coverage.total, mismatches.size());
          nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      String coverage = coverageReport(runner.coverage);
      System.out.printf("differential: %d sequences, %d commands in %.1f s, %d mismatches%n%s%n",
          completed, runner.coverage.total, seconds, mismatches.size(), coverage);
      Path report = writeReport(baseSeed, completed, mismatches, coverage, familySpec, maxLength);

      if (!mismatches.isEmpty()) {
        StringBuilder message = new StringBuilder();
        message.append(mismatches.size()).append(mismatches.size() >= maxMismatches ? "+" : "")
            .append(" sequences where ").append(target.describe()).append(" did not reply like ")
            .append(oracle.describe()).append(". By command: ").append(countByCommand(mismatches))
            .append("\nAll details: ").append(report).append("\n\n");
        mismatches.stream().limit(5).forEach(m -> message.append(m.report(reproduce(m.seed(), familySpec, maxLength))).append('\n'));
        fail(message.toString());
      }
      assertThat(completed)
          .as("sequences run within the %d s budget (the target is too slow to be tested meaningfully)", maxSeconds)
          .isGreaterThanOrEqualTo(Math.min(sequences, 50));
      if (families.containsAll(Family.DEFAULT) && completed >= 500) {
        // The generator's own check: these edge cases must keep being reached, or the test
        // silently stops testing them.
        for (String error : List.of("CROSSSLOT", "ERR wrong number of arguments", "ERR syntax error",
            "ERR unknown command", "ERR value is not an integer", "ERR invalid expire time", "WRONGTYPE")) {
          assertThat(runner.coverage.errorsStartingWith(error))
              .as("oracle replies starting with '%s' (the generator must keep reaching this case)", error)
              .isPositive();
        }
        assertThat(runner.coverage.commands.keySet())
            .as("every data-type and scripting command is generated")
            .containsAll(DATA_TYPE_COMMANDS);
      }
    }
  }

  /** The data-type and scripting commands the families must reach. */
  private static final List<String> DATA_TYPE_COMMANDS = List.of(
      "HSET", "HSETNX", "HGET", "HMGET", "HMSET", "HDEL", "HEXISTS", "HLEN", "HSTRLEN", "HKEYS", "HVALS",
      "HGETALL", "HINCRBY", "HINCRBYFLOAT", "HRANDFIELD", "HSCAN",
      "LPUSH", "RPUSH", "LPUSHX", "RPUSHX", "LPOP", "RPOP", "LLEN", "LRANGE", "LINDEX", "LSET", "LINSERT",
      "LREM", "LTRIM", "LPOS", "LMOVE", "RPOPLPUSH", "LMPOP",
      "SADD", "SREM", "SISMEMBER", "SMISMEMBER", "SMEMBERS", "SCARD", "SPOP", "SRANDMEMBER", "SMOVE",
      "SINTER", "SINTERCARD", "SUNION", "SDIFF", "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE", "SSCAN",
      "ZADD", "ZINCRBY", "ZREM", "ZCARD", "ZCOUNT", "ZLEXCOUNT", "ZSCORE", "ZMSCORE", "ZRANK", "ZREVRANK",
      "ZRANGE", "ZRANGESTORE", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGEBYLEX",
      "ZREVRANGE", "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX", "ZPOPMIN", "ZPOPMAX", "ZMPOP",
      "ZRANDMEMBER", "ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZINTERCARD",
      "ZSCAN",
      "SETBIT", "GETBIT", "BITCOUNT", "BITPOS", "BITOP", "BITFIELD", "BITFIELD_RO",
      "PFADD", "PFCOUNT", "PFMERGE",
      "GEOADD", "GEODIST", "GEOHASH", "GEOPOS", "GEOSEARCH", "GEOSEARCHSTORE", "GEORADIUS",
      "GEORADIUSBYMEMBER", "GEORADIUS_RO", "GEORADIUSBYMEMBER_RO",
      "XADD", "XRANGE", "XREVRANGE", "XLEN", "XDEL", "XTRIM", "XREAD", "XGROUP CREATE", "XGROUP SETID",
      "XGROUP DESTROY", "XGROUP CREATECONSUMER", "XGROUP DELCONSUMER", "XREADGROUP", "XACK", "XPENDING",
      "XCLAIM", "XAUTOCLAIM", "XINFO STREAM", "XINFO GROUPS", "XINFO CONSUMERS", "XSETID",
      "SORT", "SORT_RO", "DUMP", "RESTORE",
      "BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP",
      "EVAL", "EVAL_RO", "EVALSHA", "EVALSHA_RO", "SCRIPT LOAD", "SCRIPT EXISTS", "SCRIPT FLUSH",
      "FCALL", "FCALL_RO", "FUNCTION LOAD", "FUNCTION DELETE", "FUNCTION FLUSH", "FUNCTION STATS");

  /** A fresh node may refuse writes until its Raft groups have leaders. */
  private static void awaitAcceptsWrites(RespEndpoint target) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (System.nanoTime() < deadline) {
      try (RawResp connection = target.connect()) {
        RespReply reply = connection.call("FLUSHALL");
        if ("OK".equals(reply.text()) && reply.kind() == RespReply.Kind.SIMPLE_STRING) {
          return;
        }
        last = reply.render();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    fail(target.describe() + " did not accept FLUSHALL within 60 s; last answer: " + last);
  }

  private static String reproduce(long seed, String familySpec, int maxLength) {
    StringBuilder command = new StringBuilder("mvn -o -pl it-tests test -Dtest=DifferentialTest -Dkvorum.seed=")
        .append(seed).append(" -Dkvorum.diff.sequences=1");
    if (familySpec != null) {
      command.append(" -Dkvorum.diff.families=").append(familySpec);
    }
    if (maxLength != 40) {
      command.append(" -Dkvorum.diff.maxLength=").append(maxLength);
    }
    String target = System.getProperty(TargetServer.PROPERTY);
    if (target != null) {
      command.append(" -D").append(TargetServer.PROPERTY).append('=').append(target);
    }
    return command + "   (after `make build`)";
  }

  private static Map<String, Integer> countByCommand(List<Mismatch> mismatches) {
    Map<String, Integer> counts = new TreeMap<>();
    mismatches.forEach(m -> counts.merge(m.commandName(), 1, Integer::sum));
    return counts;
  }

  private static String coverageReport(DifferentialRunner.Coverage coverage) {
    StringBuilder out = new StringBuilder("commands sent: ").append(coverage.commands).append('\n');
    out.append("oracle error replies:\n");
    coverage.oracleErrors.forEach((error, count) -> out.append(String.format("  %6d  %s%n", count, error)));
    return out.toString();
  }

  private static Path writeReport(long baseSeed, int completed, List<Mismatch> mismatches, String coverage,
      String familySpec, int maxLength) throws IOException {
    Path report = ItEnvironment.workDir().resolve("differential-report.txt");
    StringBuilder out = new StringBuilder();
    out.append("base seed ").append(baseSeed).append(", ").append(completed).append(" sequences, ")
        .append(mismatches.size()).append(" mismatches\n\n");
    for (Mismatch mismatch : mismatches) {
      out.append(mismatch.report(reproduce(mismatch.seed(), familySpec, maxLength))).append('\n');
    }
    out.append(coverage);
    Files.writeString(report, out);
    return report;
  }
}
