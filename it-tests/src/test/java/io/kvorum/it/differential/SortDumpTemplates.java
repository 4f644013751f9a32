package io.kvorum.it.differential;

import io.kvorum.it.differential.CommandGenerator.Family;
import io.kvorum.it.differential.CommandGenerator.Template;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * SORT / SORT_RO and DUMP / RESTORE for the differential test, each family with the writes that
 * give it something to work on and the reads that show what it did.
 *
 * <p>SORT's BY and GET patterns name keys under the sorted key's hash tag ({@code {t}w_E} string
 * weights, {@code {t}h_E} hash weights with fields f and g, for elements E of {@link #ELEMENTS}),
 * which Kvorum accepts and Redis 7.0 in cluster mode refuses: {@link Check#SORT} evaluates those
 * on a standalone redis-server holding a copy of the tag's keys. A few commands use a pattern
 * outside the slot, which both refuse.
 *
 * <p>RESTORE's payload comes from a DUMP at run time ({@link Check#RESTORE_OWN}: each server's
 * own, {@link Check#RESTORE_ORACLE}: Redis's payload sent to both, {@link Check#RESTORE_CORRUPT}:
 * Redis's payload damaged); argument 3 of those commands names the dumped key.
 */
final class SortDumpTemplates {

  private SortDumpTemplates() {
  }

  /** Elements of SORT's sources, each of which may have weights. */
  static final String[] ELEMENTS = {
      "a", "b", "c", "B", "ab", "x y", "1", "2", "3", "10", "-5", "1.5", "007", "-0", "0", "inf",
      "nan", "", "hello", "\u00fcber", "7", "12", "-1",
  };
  private static final String[] WEIGHTS = {
      "1", "2", "3", "-1", "0", "1.5", "10", "2", "a", "b", "", "inf", "x", "-0", "1e3", "3", "B",
  };
  /** The hash tags of the generator's tagged keys, which weight keys share. */
  static final List<String> TAGS = List.of("t", "u");

  static void addTo(List<Template> t) {
    sort(t);
    dump(t);
  }

  // --- SORT -------------------------------------------------------------------------------------

  private static final String[][] SORT_ARITY = {{"SORT"}, {"SORT_RO"}};

  private static void sort(List<Template> t) {
    Family s = Family.SORT;
    t.add(new Template(s, 3, g -> g.cmd(g.pick("RPUSH", "LPUSH"), sortKey(g), elements(g, 1 + g.random.nextInt(5)))));
    t.add(new Template(s, 1.5, g -> {
      List<String> ints = new ArrayList<>();
      int count = 1 + g.random.nextInt(5);
      for (int i = 0; i < count; i++) {
        ints.add(String.valueOf(g.random.nextInt(30) - 10));
      }
      return g.cmd("SADD", sortKey(g), ints); // an intset
    }));
    t.add(new Template(s, 1.5, g -> g.cmd("SADD", sortKey(g), elements(g, 1 + g.random.nextInt(4)))));
    t.add(new Template(s, 1.5, g -> {
      List<String> args = new ArrayList<>(List.of(sortKey(g)));
      int count = 1 + g.random.nextInt(4);
      for (int i = 0; i < count; i++) {
        args.add(String.valueOf(g.random.nextInt(5)));
        args.add(g.pick(ELEMENTS));
      }
      return g.cmd("ZADD", args);
    }));
    t.add(new Template(s, 4, g -> g.cmd("SET", weightKey(g, "w_"), g.pick(WEIGHTS))));
    t.add(new Template(s, 3, g -> g.cmd("HSET", weightKey(g, "h_"), g.pick("f", "g"), g.pick(WEIGHTS))));
    t.add(new Template(s, 1, g -> g.cmd("DEL", weightKey(g, g.pick("w_", "h_")))));
    t.add(new Template(s, 10, g -> sortCommand(g, g.chance(0.75) ? "SORT" : "SORT_RO")));
    t.add(new Template(s, 1.5, g -> g.cmd("LRANGE", sortKey(g), "0", "-1")));
    t.add(new Template(s, 0.3, g -> g.wrongArity(SORT_ARITY)));
  }

  /** Mostly a tagged key: only those can use patterns. */
  private static String sortKey(CommandGenerator g) {
    return g.chance(0.85) ? g.pick(g.chance(0.7) ? CommandGenerator.TAG_T : CommandGenerator.TAG_U) : g.key();
  }

  private static List<String> elements(CommandGenerator g, int count) {
    List<String> elements = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      elements.add(g.chance(0.85) ? g.pick(ELEMENTS) : g.member());
    }
    return elements;
  }

  private static String weightKey(CommandGenerator g, String prefix) {
    return "{" + g.pick(g.chance(0.75) ? "t" : "u") + "}" + prefix + g.pick(ELEMENTS);
  }

  /** The hash tag of a key as Redis Cluster finds it, or null. */
  static String tag(String key) {
    int open = key.indexOf('{');
    int close = open < 0 ? -1 : key.indexOf('}', open + 1);
    return close > open + 1 ? key.substring(open + 1, close) : null;
  }

  private static GeneratedCommand sortCommand(CommandGenerator g, String command) {
    String key = sortKey(g);
    String tag = tag(key);
    String prefix = tag == null ? "" : "{" + tag + "}";
    List<List<String>> options = new ArrayList<>();
    if (g.chance(0.35)) {
      options.add(List.of(g.name("ALPHA")));
    }
    if (g.chance(0.33)) {
      options.add(List.of(g.name(g.pick("ASC", "DESC"))));
    }
    if (g.chance(0.3)) {
      String[] limits = {"0", "1", "2", "3", "-1", "5", "100", "0", "1", "x"};
      options.add(List.of(g.name("LIMIT"), g.pick(limits), g.pick(limits)));
    }
    boolean crossSlot = g.chance(0.05);
    if (crossSlot) {
      // One pattern whose keys are in other slots, and no other pattern: Redis Cluster and Kvorum
      // both refuse it (at the same option).
      options.add(g.chance(0.5) ? List.of(g.name("BY"), g.pick("w_*", "{x}w_*", "*{t}", "{}*"))
          : List.of(g.name("GET"), g.pick("w_*", "{x}h_*->f")));
    } else {
      if (g.chance(0.5)) {
        options.add(List.of(g.name("BY"), g.pick(prefix + "w_*", prefix + "h_*->f", prefix + "h_*->g",
            prefix + "w_*->", "nosort", prefix + "nosort", prefix + "w_*", prefix + "h_*->f")));
      }
      int gets = g.chance(0.25) ? 1 + g.random.nextInt(3) : 0;
      for (int i = 0; i < gets; i++) {
        options.add(List.of(g.name("GET"), g.pick("#", prefix + "w_*", prefix + "h_*->f", prefix + "h_*->g",
            prefix + "const", "#")));
      }
    }
    if (command.equals("SORT") && g.chance(0.2) || g.chance(0.01)) {
      String destination = tag == null || g.chance(0.1) ? g.key() : g.pick(tag.equals("t") ? CommandGenerator.TAG_T : CommandGenerator.TAG_U);
      options.add(List.of(g.name("STORE"), destination));
    }
    Collections.shuffle(options, g.random);
    if (g.chance(0.03)) {
      options.add(List.of(g.pick("bogus", "LIMIT", "BY", "GET", "STORE")));
    }
    List<String> args = new ArrayList<>(List.of(key));
    options.forEach(args::addAll);
    return new GeneratedCommand(g.cmd(command, args).args(), Check.SORT);
  }

  // --- DUMP / RESTORE ---------------------------------------------------------------------------

  private static final String[][] DUMP_ARITY = {
      {"DUMP"}, {"DUMP", "k", "x"}, {"RESTORE", "k", "0"}, {"RESTORE", "k"},
  };

  private static void dump(List<Template> t) {
    Family d = Family.DUMP;
    // Values of every type and encoding to dump.
    t.add(new Template(d, 2, g -> g.cmd("SET", g.key(), g.value())));
    t.add(new Template(d, 2, g -> g.cmd("RPUSH", g.key(), g.members(1 + g.random.nextInt(4)))));
    t.add(new Template(d, 1, g -> g.cmd("LPUSH", g.key(), g.members(1 + g.random.nextInt(3)))));
    t.add(new Template(d, 1.5, g -> {
      List<String> ints = new ArrayList<>();
      int count = 1 + g.random.nextInt(5);
      for (int i = 0; i < count; i++) {
        ints.add(String.valueOf(g.chance(0.9) ? g.random.nextInt(200) - 100 : g.random.nextLong()));
      }
      return g.cmd("SADD", g.key(), ints);
    }));
    t.add(new Template(d, 1.5, g -> g.cmd("SADD", g.key(), g.members(1 + g.random.nextInt(4)))));
    t.add(new Template(d, 2, g -> {
      List<String> args = new ArrayList<>(List.of(g.key()));
      int pairs = 1 + g.random.nextInt(3);
      for (int i = 0; i < pairs; i++) {
        args.add(g.member());
        args.add(g.value());
      }
      return g.cmd("HSET", args);
    }));
    t.add(new Template(d, 2, g -> {
      List<String> args = new ArrayList<>(List.of(g.key()));
      int pairs = 1 + g.random.nextInt(3);
      for (int i = 0; i < pairs; i++) {
        args.add(CollectionTemplates.score(g));
        args.add(g.member());
      }
      return g.cmd("ZADD", args);
    }));
    t.add(new Template(d, 0.4, g -> {
      // Past the listpack limits (128 entries): hashtable hashes and skiplist sorted sets.
      List<String> args = new ArrayList<>(List.of(g.key()));
      boolean hash = g.chance(0.5);
      int count = 130 + g.random.nextInt(10);
      for (int i = 0; i < count; i++) {
        args.add(hash ? "f" + i : String.valueOf(g.random.nextInt(40) / 4.0));
        args.add(hash ? String.valueOf(i) : "m" + i);
      }
      return g.cmd(hash ? "HSET" : "ZADD", args);
    }));
    t.add(new Template(d, 0.3, g -> {
      // Past a quicklist node's 8 kB: a list of several nodes.
      List<String> args = new ArrayList<>(List.of(g.key()));
      int count = 100 + g.random.nextInt(80);
      for (int i = 0; i < count; i++) {
        args.add(g.randomText(60 + g.random.nextInt(20), "ab") + i);
      }
      return g.cmd(g.pick("RPUSH", "RPUSH", "LPUSH"), args);
    }));
    t.add(new Template(d, 0.8, g -> g.cmd("XADD", g.key(), (1 + g.random.nextInt(9)) + "-" + g.random.nextInt(3),
        "f", g.value())));
    t.add(new Template(d, 0.8, g -> g.cmd(g.pick("EXPIRE", "PEXPIRE"), g.key(), String.valueOf(100_000 + g.random.nextInt(1_000_000)))));

    t.add(new Template(d, 5, g -> new GeneratedCommand(g.cmd("DUMP", g.key()).args(), Check.DUMP)));
    t.add(new Template(d, 3, g -> restore(g, Check.RESTORE_OWN)));
    t.add(new Template(d, 3, g -> restore(g, Check.RESTORE_ORACLE)));
    t.add(new Template(d, 1, g -> restore(g, Check.RESTORE_CORRUPT)));
    t.add(new Template(d, 0.5, g -> g.cmd("RESTORE", g.key(), "0", g.pick("", "x", "\u0000\n\u0000\u0000\u0000", "not a payload"))));

    // How the restored keys look.
    t.add(new Template(d, 1.5, g -> g.cmd("TYPE", g.key())));
    t.add(new Template(d, 1.5, g -> new GeneratedCommand(List.of(g.name("PTTL"), g.key()), Check.TTL_MILLIS)));
    t.add(new Template(d, 1, g -> g.cmd("GET", g.key())));
    t.add(new Template(d, 1, g -> g.cmd("LRANGE", g.key(), "0", "-1")));
    t.add(new Template(d, 1, g -> g.with(Check.UNORDERED, "SMEMBERS", g.key())));
    t.add(new Template(d, 1, g -> g.with(Check.UNORDERED_PAIRS, "HGETALL", g.key())));
    t.add(new Template(d, 1, g -> g.cmd("ZRANGE", g.key(), "0", "-1", "WITHSCORES")));
    t.add(new Template(d, 0.5, g -> g.cmd("XRANGE", g.key(), "-", "+")));
    t.add(new Template(d, 0.3, g -> g.wrongArity(DUMP_ARITY)));
  }

  /** RESTORE key ttl &lt;payload of a DUMP of argument 3&gt; [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]. */
  private static GeneratedCommand restore(CommandGenerator g, Check check) {
    List<String> args = new ArrayList<>(List.of(g.name("RESTORE"), g.key()));
    List<List<String>> options = new ArrayList<>();
    double r = g.random.nextDouble();
    if (r < 0.5) {
      args.add("0");
    } else if (r < 0.7) {
      args.add(String.valueOf(100_000_000L + g.random.nextInt(1_000_000_000)));
    } else if (r < 0.8) {
      args.add(String.valueOf(4_102_444_800_000L + g.random.nextInt(1_000_000_000)));
      options.add(List.of(g.name("ABSTTL")));
    } else if (r < 0.9) {
      args.add(g.pick("1", "1000", "1600000000000"));
      options.add(List.of(g.name("ABSTTL"))); // already expired: OK, and no key
    } else {
      args.add(g.pick("-1", "abc", "", "9223372036854775807"));
    }
    args.add(g.key()); // replaced by the payload of DUMP of this key
    if (g.chance(0.5)) {
      options.add(List.of(g.name("REPLACE")));
    }
    boolean idle = g.chance(0.15);
    boolean freq = g.chance(idle ? 0.2 : 0.15);
    if (idle) {
      options.add(List.of(g.name("IDLETIME"), g.pick("0", "100", "-1", "abc")));
    }
    if (freq) {
      options.add(List.of(g.name("FREQ"), g.pick("0", "5", "255", "256", "-1")));
    }
    if (g.chance(0.02)) {
      options.add(List.of(g.pick("FOO", "IDLETIME", "FREQ")));
    }
    Collections.shuffle(options, g.random);
    options.forEach(args::addAll);
    return new GeneratedCommand(args, check);
  }
}
