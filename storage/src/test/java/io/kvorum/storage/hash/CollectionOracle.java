package io.kvorum.storage.hash;

import static io.kvorum.storage.hash.OracleReplies.children;
import static io.kvorum.storage.hash.OracleReplies.render;
import static io.kvorum.storage.hash.OracleReplies.same;
import static io.kvorum.storage.hash.OracleReplies.show;
import static org.assertj.core.api.Assertions.fail;

import io.kvorum.storage.command.CommandFlag;
import io.kvorum.storage.command.CommandSpec;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.reply.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

/**
 * A seeded random command stream run against a real redis-server and an {@link OracleStore}, each
 * command in RESP2 or RESP3 at random, replies compared structurally; subclasses generate the
 * commands and decide how replies with unspecified order or random content are compared. A
 * mismatch fails with the seed ({@code -Dkvorum.oracle.seed=N} replays it), the command and the
 * commands before it; {@code -Dkvorum.oracle.streams=N} adds N random seeds to the fixed ones.
 */
public abstract class CollectionOracle {
  protected Random rnd;
  protected Resp3Client redis2;
  protected Resp3Client redis3;
  protected OracleStore ours;
  private final Deque<String> recent = new ArrayDeque<>();
  private final Map<String, Integer> outcomes = new TreeMap<>();

  /** The next command of the stream, drawn from {@link #rnd}. */
  protected abstract byte[][] next();

  /**
   * Null when our reply ({@code actual}, as a client of that protocol parses it) is acceptable for
   * Redis's ({@code expected}); else what is wrong. Exact equality unless overridden.
   */
  protected String check(byte[][] args, boolean resp3, Reply expected, Reply actual)
      throws IOException {
    return same(expected, actual) ? null : "different replies";
  }

  /** Runs before a command goes to either side (to read state a random command changes). */
  protected void before(byte[][] args) throws IOException {}

  /** Runs after a command was compared (to bring both sides back in step after SPOP). */
  protected void after(byte[][] args, boolean resp3, Reply expected, Reply actual)
      throws IOException {}

  /** The fixed seeds plus {@code kvorum.oracle.streams} random ones, or the one to replay. */
  protected static List<Long> seeds() {
    String fixed = System.getProperty("kvorum.oracle.seed");
    if (fixed != null) {
      return List.of(Long.parseLong(fixed));
    }
    List<Long> seeds = new ArrayList<>(List.of(1L, 42L));
    for (int n = Integer.getInteger("kvorum.oracle.streams", 1); n > 0; n--) {
      seeds.add(new Random().nextLong());
    }
    return seeds;
  }

  protected void runStream(long seed, int commands, Path dir, int port) throws IOException {
    rnd = new Random(seed);
    String replay = "seed " + seed + " (replay with -Dkvorum.oracle.seed=" + seed + ")";
    run(dir, port, seed, () -> {
      for (int step = 0; step < commands; step++) {
        step(next(), rnd.nextBoolean(), replay + ", step " + step);
      }
    });
    System.out.println(getClass().getSimpleName() + " seed " + seed + ": " + outcomes);
  }

  /**
   * Runs fixed commands (arguments separated by single spaces, {@code \0} for a NUL byte) in
   * both protocols, each time from an empty database.
   */
  protected void runScript(Path dir, int port, List<String> lines) throws IOException {
    for (boolean resp3 : new boolean[] {false, true}) {
      rnd = new Random(7);
      run(dir.resolve(resp3 ? "resp3" : "resp2"), port, 7, () -> {
        for (int i = 0; i < lines.size(); i++) {
          String[] parts = lines.get(i).split(" ", -1);
          byte[][] args = new byte[parts.length][];
          for (int j = 0; j < parts.length; j++) {
            args[j] = b(parts[j].replace("\\0", "\0"));
          }
          step(args, resp3, "script line " + (i + 1));
        }
      });
    }
  }

  private interface Steps {
    void run() throws IOException;
  }

  private void run(Path dir, int port, long seed, Steps steps) throws IOException {
    recent.clear();
    outcomes.clear();
    try (OracleStore store = new OracleStore(dir);
        Resp3Client c2 = new Resp3Client(port);
        Resp3Client c3 = new Resp3Client(port).hello3()) {
      ours = store;
      redis2 = c2;
      redis3 = c3;
      ours.seed = seed;
      c2.call("FLUSHALL");
      steps.run();
    }
  }

  /** Runs one command on both sides and fails, with the recent history, on a mismatch. */
  private void step(byte[][] args, boolean resp3, String where) throws IOException {
    before(args);
    Reply expected;
    try {
      expected = (resp3 ? redis3 : redis2).call(args);
    } catch (IOException e) {
      throw new IOException(where + ": " + show(args), e);
    }
    ours.now = System.currentTimeMillis();
    Reply actual = OracleReplies.wire(ours.call(resp3, args), resp3);
    remember((resp3 ? "[3] " : "[2] ") + show(args) + "  -> " + render(expected));
    String why = check(args, resp3, expected, actual);
    if (why != null) {
      fail(where + ", RESP" + (resp3 ? 3 : 2) + ": " + show(args) + "\n  " + why
          + "\n  redis: " + render(expected) + "\n  ours:  " + render(actual)
          + "\n  recent commands:\n    " + String.join("\n    ", recent));
    }
    after(args, resp3, expected, actual);
    String name = new String(args[0], StandardCharsets.UTF_8).toLowerCase();
    String outcome = expected instanceof Reply.Error e
        ? e.text().split(" ", 3)[0] + " " + e.text().split(" ", 3)[1]
        : name.equals("object") ? render(expected) : expected.getClass().getSimpleName();
    outcomes.merge(name + " -> " + outcome, 1, Integer::sum);
  }

  private void remember(String line) {
    recent.addLast(line.length() > 500 ? line.substring(0, 500) + "…" : line);
    if (recent.size() > Integer.getInteger("kvorum.oracle.history", 30)) {
      recent.removeFirst();
    }
  }

  /** Runs a command on both sides (RESP2) and fails unless the replies are the same. */
  protected Reply both(byte[]... args) throws IOException {
    Reply expected = redis2.call(args);
    ours.now = System.currentTimeMillis();
    Reply actual = OracleReplies.wire(ours.call(false, args), false);
    remember("[sync] " + show(args) + "  -> " + render(expected));
    if (!same(expected, actual)) {
      fail("resynchronising " + show(args) + ": redis " + render(expected) + ", ours "
          + render(actual));
    }
    return expected;
  }

  /** Redis's current encoding of a key ("none" when absent). */
  protected String redisEncoding(byte[] key) throws IOException {
    Reply r = redis2.call(b("OBJECT"), b("ENCODING"), key);
    return r instanceof Reply.Bulk bulk ? bulk.utf8() : "none";
  }

  /**
   * Checks a random sample (HRANDFIELD, SRANDMEMBER, SPOP with a count): the same shape and size
   * as Redis's answer, every unit one of {@code valid} (units are single elements, or {@code
   * group} consecutive elements, or nested arrays), and no unit twice when {@code distinct}.
   */
  protected static String checkSample(Reply expected, Reply actual, Set<String> valid, int group,
      boolean distinct) {
    if (expected.getClass() != actual.getClass()) {
      return "different reply types";
    }
    List<Reply> e = children(expected);
    List<Reply> a = children(actual);
    if (e == null) {
      if (expected instanceof Reply.Bulk) {
        return valid.contains(render(actual)) ? null : "not a member";
      }
      return same(expected, actual) ? null : "different replies";
    }
    if (e.size() != a.size()) {
      return "different sizes";
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i + group <= a.size(); i += group) {
      if (a.get(i).getClass() != e.get(i).getClass()) {
        return "different element types";
      }
      StringBuilder unit = new StringBuilder();
      for (int j = 0; j < group; j++) {
        unit.append(render(a.get(i + j))).append(j + 1 < group ? " " : "");
      }
      if (!valid.contains(unit.toString())) {
        return "not a member: " + unit;
      }
      if (!seen.add(unit.toString()) && distinct) {
        return "repeated: " + unit;
      }
    }
    return null;
  }

  /**
   * Scans a key to the end on both sides with the options of {@code args} (cursor replaced) and
   * compares what was seen; every element must be seen, and our side must not repeat any (nothing
   * changes during the scan).
   */
  protected String compareFullScans(byte[][] args, int group) throws IOException {
    Set<String> theirs = fullScan(args, group, true, false);
    Set<String> mine = fullScan(args, group, false, true);
    if (mine == null) {
      return "our scan repeated an element or did not end";
    }
    return theirs.equals(mine) ? null : "full scans differ: redis " + theirs + " ours " + mine;
  }

  private Set<String> fullScan(byte[][] args, int group, boolean redis, boolean unique)
      throws IOException {
    byte[][] call = args.clone();
    call[2] = b("0");
    Set<String> seen = new HashSet<>();
    for (int round = 0; round < 100_000; round++) {
      Reply r = redis ? redis2.call(call) : OracleReplies.wire(ours.call(false, call), false);
      List<Reply> parts = children(r);
      byte[] next = ((Reply.Bulk) parts.get(0)).value();
      List<Reply> items = children(parts.get(1));
      for (int i = 0; i + group <= items.size(); i += group) {
        StringBuilder unit = new StringBuilder();
        for (int j = 0; j < group; j++) {
          unit.append(render(items.get(i + j))).append(' ');
        }
        if (!seen.add(unit.toString()) && unique) {
          return null;
        }
      }
      if (Arrays.equals(next, b("0"))) {
        return seen;
      }
      call[2] = next;
    }
    return unique ? null : seen;
  }

  /**
   * Differences between our command specs and what the server's {@code COMMAND INFO} reports:
   * arity, flags, key positions, ACL categories and tips.
   */
  protected static List<String> specProblems(int port, List<KeyspaceCommand> commands)
      throws IOException {
    List<String> problems = new ArrayList<>();
    try (Resp3Client c = new Resp3Client(port)) {
      for (KeyspaceCommand cmd : commands) {
        CommandSpec spec = cmd.spec();
        Reply info = children(c.call("COMMAND", "INFO", spec.name())).get(0);
        List<Reply> f = children(info);
        if (f == null) {
          problems.add(spec.name() + ": unknown to Redis");
          continue;
        }
        Set<String> flags = new TreeSet<>();
        for (CommandFlag flag : spec.flags()) {
          flags.add(flag.redisName());
        }
        expect(problems, spec.name() + " arity", ((Reply.Int) f.get(1)).value(), spec.arity());
        expect(problems, spec.name() + " flags", words(f.get(2)), flags);
        expect(problems, spec.name() + " first", ((Reply.Int) f.get(3)).value(), spec.firstKey());
        expect(problems, spec.name() + " last", ((Reply.Int) f.get(4)).value(), spec.lastKey());
        expect(problems, spec.name() + " step", ((Reply.Int) f.get(5)).value(), spec.keyStep());
        expect(problems, spec.name() + " acl", words(f.get(6)),
            new TreeSet<>(spec.aclCategories()));
        expect(problems, spec.name() + " tips", words(f.get(7)), new TreeSet<>(spec.tips()));
      }
    }
    return problems;
  }

  private static void expect(List<String> problems, String what, Object redis, Object ours) {
    if (!String.valueOf(redis).equals(String.valueOf(ours))) {
      problems.add(what + ": redis " + redis + ", ours " + ours);
    }
  }

  private static Set<String> words(Reply r) {
    Set<String> s = new TreeSet<>();
    for (Reply item : children(r)) {
      s.add(item instanceof Reply.Status st ? st.text() : ((Reply.Bulk) item).utf8());
    }
    return s;
  }

  protected static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  protected String pick(String... values) {
    return values[rnd.nextInt(values.length)];
  }

  /** Turns the strings into arguments. */
  protected static byte[][] args(List<String> parts) {
    byte[][] out = new byte[parts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = b(parts.get(i));
    }
    return out;
  }
}
