package io.kvorum.it.differential;

import io.kvorum.it.differential.CommandGenerator.Family;
import io.kvorum.it.differential.CommandGenerator.Template;
import java.util.ArrayList;
import java.util.List;

/**
 * The blocking commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP, XREAD and
 * XREADGROUP with BLOCK) for the differential test, next to the pushes and adds that give them
 * something to take. One connection cannot wake itself, so a blocking command either finds data
 * at once or times out: timeouts are short (10–20 ms) and never 0, which would wait forever, and
 * "nil after the timeout" is the reply both servers must give.
 */
final class BlockingTemplates {

  private BlockingTemplates() {
  }

  private static final String[][] BLOCKING_ARITY = {
      {"BLPOP", "k"}, {"BRPOP"}, {"BLMOVE", "k", "k", "LEFT", "LEFT"}, {"BRPOPLPUSH", "k", "k"},
      {"BLMPOP", "0.01", "1"}, {"BZPOPMIN", "k"}, {"BZPOPMAX"}, {"BZMPOP", "0.01", "1", "k"},
      {"XREAD", "BLOCK", "10", "STREAMS", "k"},
  };

  /** Keys of each type: lists, sorted sets and streams each have two keys in one slot. */
  private static final List<String> LIST_KEYS = List.of("{t}a", "{t}b");
  private static final List<String> ZSET_KEYS = List.of("{t}c", "{t}n");
  private static final List<String> STREAM_KEYS = List.of("{u}a", "{u}b");

  /**
   * Mostly one of the type's two keys, which the feeders fill and the pops empty: spread over
   * eleven keys and three types, most pops would find nothing or another type.
   */
  private static String key(CommandGenerator g, List<String> ofType) {
    return g.chance(0.85) ? g.pick(ofType) : g.key();
  }

  private static List<String> keys(CommandGenerator g, int count, List<String> ofType) {
    if (g.chance(0.1)) {
      return g.keys(count); // now and then other types and slots: WRONGTYPE, CROSSSLOT
    }
    List<String> keys = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      keys.add(g.pick(ofType));
    }
    return keys;
  }

  static void addTo(List<Template> t) {
    Family b = Family.BLOCKING;
    // Feeders: most blocking commands should find data, the rest time out.
    t.add(new Template(b, 7, g -> g.cmd(g.pick("LPUSH", "RPUSH"), key(g, LIST_KEYS), g.members(1 + g.random.nextInt(3)))));
    t.add(new Template(b, 5, g -> {
      List<String> args = new ArrayList<>(List.of(key(g, ZSET_KEYS)));
      int pairs = 1 + g.random.nextInt(3);
      for (int i = 0; i < pairs; i++) {
        args.add(CollectionTemplates.score(g));
        args.add(g.member());
      }
      return g.cmd("ZADD", args);
    }));
    t.add(new Template(b, 4, g -> g.cmd("XADD", key(g, STREAM_KEYS), (g.streamClock += 1) + "-" + g.random.nextInt(3),
        g.pick("f", "g"), g.value())));
    t.add(new Template(b, 1.5, g -> g.cmd("XGROUP", g.name("CREATE"), key(g, STREAM_KEYS), g.pick(StreamTemplates.GROUPS),
        g.pick("0", "$"), g.name("MKSTREAM"))));

    t.add(new Template(b, 2, g -> {
      List<String> args = new ArrayList<>(keys(g, 1 + g.random.nextInt(3), LIST_KEYS));
      args.add(timeout(g));
      return g.cmd(g.pick("BLPOP", "BRPOP"), args);
    }));
    t.add(new Template(b, 1.5, g -> {
      List<String> args = new ArrayList<>(keys(g, 2, LIST_KEYS));
      args.add(g.name(g.pick("LEFT", "RIGHT")));
      args.add(g.chance(0.97) ? g.name(g.pick("LEFT", "RIGHT")) : "UP");
      args.add(timeout(g));
      return g.cmd("BLMOVE", args);
    }));
    t.add(new Template(b, 1, g -> {
      List<String> args = new ArrayList<>(keys(g, 2, LIST_KEYS));
      args.add(timeout(g));
      return g.cmd("BRPOPLPUSH", args);
    }));
    t.add(new Template(b, 1.5, g -> multiPop(g, "BLMPOP", "LEFT", "RIGHT", LIST_KEYS)));
    t.add(new Template(b, 2, g -> {
      List<String> args = new ArrayList<>(keys(g, 1 + g.random.nextInt(3), ZSET_KEYS));
      args.add(timeout(g));
      return g.cmd(g.pick("BZPOPMIN", "BZPOPMAX"), args);
    }));
    t.add(new Template(b, 1.5, g -> multiPop(g, "BZMPOP", "MIN", "MAX", ZSET_KEYS)));
    t.add(new Template(b, 1.5, g -> StreamTemplates.xread(g, true, key(g, STREAM_KEYS))));
    t.add(new Template(b, 1.5, g -> StreamTemplates.xreadgroup(g, true, key(g, STREAM_KEYS))));

    // What the pops left behind.
    t.add(new Template(b, 1.5, g -> g.cmd("LRANGE", key(g, LIST_KEYS), "0", "-1")));
    t.add(new Template(b, 1, g -> g.cmd("ZRANGE", key(g, ZSET_KEYS), "0", "-1", "WITHSCORES")));
    t.add(new Template(b, 1, g -> g.cmd("XRANGE", key(g, STREAM_KEYS), "-", "+")));
    t.add(new Template(b, 0.7, g -> g.cmd("XPENDING", key(g, STREAM_KEYS), g.pick(StreamTemplates.GROUPS))));
    t.add(new Template(b, 0.4, g -> g.wrongArity(BLOCKING_ARITY)));
  }

  /**
   * A timeout in seconds: short, or one Redis refuses. Never 0 or below a millisecond (both wait
   * forever), nor huge (Redis converts it to milliseconds with an overflowing cast).
   */
  static String timeout(CommandGenerator g) {
    return g.chance(0.93) ? g.pick("0.01", "0.01", "0.02", "0.015") : g.pick("-1", "abc", "-0.5", "");
  }

  /** BLOCK's milliseconds for XREAD/XREADGROUP, same rules as {@link #timeout}. */
  static String blockMillis(CommandGenerator g) {
    return g.chance(0.93) ? g.pick("10", "10", "20", "15") : g.pick("-1", "abc", "1.5", "");
  }

  /** BLMPOP / BZMPOP timeout numkeys key… end [COUNT n]. */
  private static GeneratedCommand multiPop(CommandGenerator g, String command, String one, String other,
      List<String> ofType) {
    int keyCount = 1 + g.random.nextInt(3);
    List<String> args = new ArrayList<>();
    args.add(timeout(g));
    args.add(g.chance(0.93) ? String.valueOf(keyCount) : g.pick("0", "-1", "abc", String.valueOf(keyCount + 1)));
    args.addAll(keys(g, keyCount, ofType));
    args.add(g.chance(0.97) ? g.name(g.pick(one, other)) : "UP");
    if (g.chance(0.4)) {
      args.add(g.name("COUNT"));
      args.add(g.chance(0.85) ? String.valueOf(1 + g.random.nextInt(4)) : g.pick("0", "-1", "abc"));
    }
    return g.cmd(command, args);
  }
}
