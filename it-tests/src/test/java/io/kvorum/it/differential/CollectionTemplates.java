package io.kvorum.it.differential;

import io.kvorum.it.differential.CommandGenerator.Family;
import io.kvorum.it.differential.CommandGenerator.Template;
import java.util.ArrayList;
import java.util.List;

/**
 * Every Redis 7.0 hash, list, set and sorted-set command (blocking ones aside) with every option,
 * for the differential test. Keys come from the generator's shared pool, so these commands meet
 * strings and each other's types (WRONGTYPE) and multi-key forms sometimes straddle slots.
 */
final class CollectionTemplates {

  private CollectionTemplates() {
  }

  static void addTo(List<Template> t) {
    hashes(t);
    lists(t);
    sets(t);
    zsets(t);
  }

  /**
   * Key commands every data-type family carries too, so that a sequence focused on one type (see
   * CommandGenerator) still checks its encoding name and copies, renames and deletes it.
   */
  static void keyCommands(List<Template> t, Family family) {
    t.add(new Template(family, 1, g -> g.cmd("OBJECT", g.name("ENCODING"), g.key())));
    t.add(new Template(family, 0.5, g -> g.cmd("TYPE", g.key())));
    t.add(new Template(family, 0.5, g -> g.chance(0.5) ? g.cmd("COPY", g.keys(2))
        : g.cmd("COPY", g.keys(1).get(0), List.of(g.keys(1).get(0), g.name("REPLACE")))));
    t.add(new Template(family, 0.3, g -> g.cmd("RENAME", g.keys(2))));
    t.add(new Template(family, 0.4, g -> g.cmd("DEL", g.key())));
  }

  // --- hashes -----------------------------------------------------------------------------------

  private static final String[][] HASH_ARITY = {
      {"HSET", "k"}, {"HSET", "k", "m"}, {"HSETNX", "k", "m"}, {"HGET", "k"}, {"HMGET", "k"},
      {"HMSET", "k", "m"}, {"HDEL", "k"}, {"HEXISTS", "k"}, {"HLEN"}, {"HLEN", "k", "x"},
      {"HSTRLEN", "k"}, {"HKEYS"}, {"HVALS", "k", "x"}, {"HGETALL"}, {"HINCRBY", "k", "m"},
      {"HINCRBYFLOAT", "k", "m"}, {"HRANDFIELD"}, {"HSCAN", "k"},
  };

  private static void hashes(List<Template> t) {
    Family h = Family.HASHES;
    t.add(new Template(h, 5, g -> fieldValues(g, "HSET", 1 + g.random.nextInt(3))));
    t.add(new Template(h, 1.5, g -> g.cmd("HSETNX", g.key(), g.member(), g.value())));
    t.add(new Template(h, 3, g -> g.cmd("HGET", g.key(), g.member())));
    t.add(new Template(h, 2, g -> g.cmd("HMGET", g.key(), g.members(1 + g.random.nextInt(3)))));
    t.add(new Template(h, 1, g -> fieldValues(g, "HMSET", 1 + g.random.nextInt(2))));
    t.add(new Template(h, 2, g -> g.cmd("HDEL", g.key(), g.members(1 + g.random.nextInt(3)))));
    t.add(new Template(h, 1.5, g -> g.cmd("HEXISTS", g.key(), g.member())));
    t.add(new Template(h, 1.5, g -> g.cmd("HLEN", g.key())));
    t.add(new Template(h, 1, g -> g.cmd("HSTRLEN", g.key(), g.member())));
    t.add(new Template(h, 1, g -> g.with(Check.UNORDERED, "HKEYS", g.key())));
    t.add(new Template(h, 1, g -> g.with(Check.UNORDERED, "HVALS", g.key())));
    t.add(new Template(h, 2, g -> g.with(Check.UNORDERED_PAIRS, "HGETALL", g.key())));
    t.add(new Template(h, 2, g -> g.cmd("HINCRBY", g.key(), numericField(g), g.integer())));
    t.add(new Template(h, 2, g -> g.cmd("HINCRBYFLOAT", g.key(), numericField(g), g.decimal())));
    t.add(new Template(h, 2, g -> randomMembers(g, "HRANDFIELD", "WITHVALUES")));
    t.add(new Template(h, 1.5, g -> memberScan(g, "HSCAN")));
    t.add(new Template(h, 0.15, g -> bulk(g, "HSET", 120 + g.random.nextInt(20), true)));
    t.add(new Template(h, 0.5, g -> g.wrongArity(HASH_ARITY)));
  }

  private static GeneratedCommand fieldValues(CommandGenerator g, String command, int pairs) {
    List<String> args = new ArrayList<>();
    args.add(g.key());
    for (int i = 0; i < pairs; i++) {
      args.add(g.member());
      args.add(g.chance(0.3) ? g.integer() : g.value());
    }
    if (g.chance(0.04)) {
      args.remove(args.size() - 1); // a field without its value
    }
    return g.cmd(command, args);
  }

  /** Mostly fields that hold numbers after a few HINCRBYs. */
  private static String numericField(CommandGenerator g) {
    return g.chance(0.6) ? g.pick("1", "2", "n") : g.member();
  }

  // --- lists ------------------------------------------------------------------------------------

  private static final String[][] LIST_ARITY = {
      {"LPUSH", "k"}, {"RPUSH"}, {"LPUSHX", "k"}, {"RPUSHX", "k"}, {"LPOP"}, {"RPOP", "k", "1", "x"},
      {"LLEN"}, {"LRANGE", "k", "0"}, {"LINDEX", "k"}, {"LSET", "k", "0"}, {"LINSERT", "k", "BEFORE", "m"},
      {"LREM", "k", "0"}, {"LTRIM", "k", "0"}, {"LPOS", "k"}, {"LMOVE", "k", "k", "LEFT"},
      {"RPOPLPUSH", "k"}, {"LMPOP", "1"}, {"LMPOP", "1", "k"},
  };

  private static void lists(List<Template> t) {
    Family l = Family.LISTS;
    t.add(new Template(l, 3, g -> g.cmd("LPUSH", g.key(), g.members(1 + g.random.nextInt(3)))));
    t.add(new Template(l, 3, g -> g.cmd("RPUSH", g.key(), g.members(1 + g.random.nextInt(3)))));
    t.add(new Template(l, 1, g -> g.cmd("LPUSHX", g.key(), g.members(1 + g.random.nextInt(2)))));
    t.add(new Template(l, 1, g -> g.cmd("RPUSHX", g.key(), g.members(1 + g.random.nextInt(2)))));
    t.add(new Template(l, 2, g -> pop(g, "LPOP")));
    t.add(new Template(l, 2, g -> pop(g, "RPOP")));
    t.add(new Template(l, 1.5, g -> g.cmd("LLEN", g.key())));
    t.add(new Template(l, 3, g -> g.cmd("LRANGE", g.key(), listIndex(g), listIndex(g))));
    t.add(new Template(l, 1.5, g -> g.cmd("LINDEX", g.key(), listIndex(g))));
    t.add(new Template(l, 1.5, g -> g.cmd("LSET", g.key(), listIndex(g), g.member())));
    t.add(new Template(l, 1.5, g -> g.cmd("LINSERT", g.key(),
        g.chance(0.95) ? g.name(g.pick("BEFORE", "AFTER")) : "MIDDLE", g.member(), g.member())));
    t.add(new Template(l, 1.5, g -> g.cmd("LREM", g.key(),
        g.chance(0.9) ? String.valueOf(g.random.nextInt(7) - 3) : g.pick("abc", "9223372036854775807"), g.member())));
    t.add(new Template(l, 1, g -> g.cmd("LTRIM", g.key(), listIndex(g), listIndex(g))));
    t.add(new Template(l, 2, CollectionTemplates::lpos));
    t.add(new Template(l, 2, g -> {
      List<String> args = new ArrayList<>(g.keys(2));
      args.add(end(g, "LEFT", "RIGHT"));
      args.add(end(g, "LEFT", "RIGHT"));
      return g.cmd("LMOVE", args);
    }));
    t.add(new Template(l, 1, g -> g.cmd("RPOPLPUSH", g.keys(2))));
    t.add(new Template(l, 2, g -> multiPop(g, "LMPOP", "LEFT", "RIGHT")));
    t.add(new Template(l, 0.15, g -> bulk(g, "RPUSH", 120 + g.random.nextInt(20), false)));
    t.add(new Template(l, 0.5, g -> g.wrongArity(LIST_ARITY)));
  }

  private static String listIndex(CommandGenerator g) {
    return g.chance(0.85) ? String.valueOf(g.random.nextInt(15) - 7) : g.rangeIndex();
  }

  private static GeneratedCommand pop(CommandGenerator g, String command) {
    return g.chance(0.5) ? g.cmd(command, g.key()) : g.cmd(command, g.key(), g.count());
  }

  private static String end(CommandGenerator g, String one, String other) {
    return g.chance(0.97) ? g.name(g.pick(one, other)) : g.pick("UP", "");
  }

  private static GeneratedCommand lpos(CommandGenerator g) {
    List<List<String>> options = new ArrayList<>();
    if (g.chance(0.4)) {
      options.add(List.of(g.name("RANK"), g.chance(0.8) ? g.pick("1", "2", "-1", "-2", "3")
          : g.pick("0", "abc", "-9223372036854775808", "9223372036854775807")));
    }
    if (g.chance(0.4)) {
      options.add(List.of(g.name("COUNT"), g.chance(0.85) ? g.pick("0", "1", "2", "5") : g.pick("-1", "abc")));
    }
    if (g.chance(0.3)) {
      options.add(List.of(g.name("MAXLEN"), g.chance(0.85) ? g.pick("0", "1", "2", "4") : g.pick("-1", "abc")));
    }
    if (g.chance(0.03)) {
      options.add(List.of(g.pick("FOO", "RANK")));
    }
    return g.withOptions(Check.EXACT, "LPOS", List.of(g.key(), g.member()), options);
  }

  /** LMPOP / ZMPOP numkeys key... end [COUNT n], with numkeys sometimes not matching the keys. */
  private static GeneratedCommand multiPop(CommandGenerator g, String command, String one, String other) {
    int keyCount = 1 + g.random.nextInt(3);
    List<String> args = new ArrayList<>();
    args.add(g.chance(0.93) ? String.valueOf(keyCount) : g.pick("0", "-1", "abc", "5", String.valueOf(keyCount + 1)));
    args.addAll(g.keys(keyCount));
    args.add(end(g, one, other));
    if (g.chance(0.5)) {
      args.add(g.name("COUNT"));
      args.add(g.chance(0.85) ? String.valueOf(1 + g.random.nextInt(4)) : g.pick("0", "-1", "abc"));
    }
    if (g.chance(0.03)) {
      args.add(g.pick("FOO", "COUNT"));
    }
    return g.cmd(command, args);
  }

  // --- sets -------------------------------------------------------------------------------------

  private static final String[][] SET_ARITY = {
      {"SADD", "k"}, {"SREM", "k"}, {"SISMEMBER", "k"}, {"SISMEMBER", "k", "m", "m"}, {"SMISMEMBER", "k"},
      {"SMEMBERS"}, {"SCARD"}, {"SCARD", "k", "x"}, {"SPOP"}, {"SPOP", "k", "1", "x"}, {"SRANDMEMBER"},
      {"SMOVE", "k", "k"}, {"SINTER"}, {"SUNION"}, {"SDIFF"}, {"SINTERCARD", "1"}, {"SINTERSTORE", "k"},
      {"SUNIONSTORE", "k"}, {"SDIFFSTORE", "k"}, {"SSCAN", "k"},
  };

  private static void sets(List<Template> t) {
    Family s = Family.SETS;
    t.add(new Template(s, 5, g -> g.cmd("SADD", g.key(), g.members(1 + g.random.nextInt(4)))));
    t.add(new Template(s, 2, g -> g.cmd("SREM", g.key(), g.members(1 + g.random.nextInt(3)))));
    t.add(new Template(s, 2, g -> g.cmd("SISMEMBER", g.key(), g.member())));
    t.add(new Template(s, 1.5, g -> g.cmd("SMISMEMBER", g.key(), g.members(1 + g.random.nextInt(3)))));
    t.add(new Template(s, 2, g -> g.with(Check.UNORDERED, "SMEMBERS", g.key())));
    t.add(new Template(s, 2, g -> g.cmd("SCARD", g.key())));
    t.add(new Template(s, 1.5, g -> randomMembers(g, "SPOP", null)));
    t.add(new Template(s, 1.5, g -> randomMembers(g, "SRANDMEMBER", null)));
    t.add(new Template(s, 1.5, g -> {
      List<String> args = new ArrayList<>(g.keys(2));
      args.add(g.member());
      return g.cmd("SMOVE", args);
    }));
    for (String command : List.of("SINTER", "SUNION", "SDIFF")) {
      t.add(new Template(s, 1.5, g -> new GeneratedCommand(
          g.cmd(command, g.keys(1 + g.random.nextInt(3))).args(), Check.UNORDERED)));
    }
    t.add(new Template(s, 1.5, g -> numKeysCommand(g, "SINTERCARD", List.of())));
    for (String command : List.of("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE")) {
      t.add(new Template(s, 1, g -> g.cmd(command, g.keys(2 + g.random.nextInt(3)))));
    }
    t.add(new Template(s, 1.5, g -> memberScan(g, "SSCAN")));
    t.add(new Template(s, 0.15, g -> {
      // Past 512 integers Redis turns an intset into a hashtable (OBJECT ENCODING shows it).
      List<String> args = new ArrayList<>();
      args.add(g.key());
      int count = 500 + g.random.nextInt(30);
      for (int i = 0; i < count; i++) {
        args.add(String.valueOf(i - 20));
      }
      return g.cmd("SADD", args);
    }));
    t.add(new Template(s, 0.5, g -> g.wrongArity(SET_ARITY)));
  }

  /**
   * SINTERCARD / ZINTERCARD / ZUNION... style: numkeys, the keys, then options. numkeys is now
   * and then wrong (0, negative, more than the arguments), which Redis answers with its own errors.
   */
  private static GeneratedCommand numKeysCommand(CommandGenerator g, String command, List<List<String>> extraOptions) {
    int keyCount = 1 + g.random.nextInt(3);
    List<String> fixed = new ArrayList<>();
    fixed.add(g.chance(0.93) ? String.valueOf(keyCount) : g.pick("0", "-1", "abc", "9", String.valueOf(keyCount + 1)));
    fixed.addAll(g.keys(keyCount));
    List<List<String>> options = new ArrayList<>(extraOptions);
    if (g.chance(0.4) && (command.endsWith("CARD"))) {
      options.add(List.of(g.name("LIMIT"), g.chance(0.85) ? String.valueOf(g.random.nextInt(4)) : g.pick("-1", "abc")));
    }
    if (g.chance(0.03)) {
      options.add(List.of(g.pick("FOO", "LIMIT")));
    }
    return g.withOptions(Check.EXACT, command, fixed, options);
  }

  // --- sorted sets ------------------------------------------------------------------------------

  private static final String[][] ZSET_ARITY = {
      {"ZADD", "k"}, {"ZADD", "k", "1"}, {"ZADD", "k", "NX", "1"}, {"ZINCRBY", "k", "1"}, {"ZREM", "k"},
      {"ZCARD"}, {"ZCOUNT", "k", "0"}, {"ZLEXCOUNT", "k", "-"}, {"ZSCORE", "k"}, {"ZMSCORE", "k"},
      {"ZRANK", "k"}, {"ZREVRANK", "k", "m", "x"}, {"ZRANGE", "k", "0"}, {"ZRANGESTORE", "k", "k", "0"},
      {"ZRANGEBYSCORE", "k", "0"}, {"ZREVRANGEBYSCORE", "k"}, {"ZRANGEBYLEX", "k", "-"},
      {"ZREVRANGEBYLEX", "k"}, {"ZREVRANGE", "k", "0"}, {"ZREMRANGEBYRANK", "k", "0"},
      {"ZREMRANGEBYSCORE", "k"}, {"ZREMRANGEBYLEX", "k", "-"}, {"ZPOPMIN"}, {"ZPOPMAX", "k", "1", "x"},
      {"ZMPOP", "1", "k"}, {"ZRANDMEMBER"}, {"ZUNION", "1"}, {"ZINTER"}, {"ZDIFF", "1"},
      {"ZUNIONSTORE", "k", "1"}, {"ZINTERSTORE", "k"}, {"ZDIFFSTORE", "k", "1"}, {"ZINTERCARD", "1"},
      {"ZSCAN", "k"},
  };

  private static void zsets(List<Template> t) {
    Family z = Family.ZSETS;
    t.add(new Template(z, 6, CollectionTemplates::zadd));
    t.add(new Template(z, 2, g -> g.cmd("ZINCRBY", g.key(), score(g), g.member())));
    t.add(new Template(z, 2, g -> g.cmd("ZREM", g.key(), g.members(1 + g.random.nextInt(3)))));
    t.add(new Template(z, 1, g -> g.cmd("ZCARD", g.key())));
    t.add(new Template(z, 1.5, g -> g.cmd("ZCOUNT", g.key(), scoreBound(g), scoreBound(g))));
    t.add(new Template(z, 1, g -> g.cmd("ZLEXCOUNT", g.key(), lexBound(g), lexBound(g))));
    t.add(new Template(z, 1.5, g -> g.cmd("ZSCORE", g.key(), g.member())));
    t.add(new Template(z, 1, g -> g.cmd("ZMSCORE", g.key(), g.members(1 + g.random.nextInt(3)))));
    t.add(new Template(z, 1, g -> g.cmd("ZRANK", g.key(), g.member())));
    t.add(new Template(z, 1, g -> g.cmd("ZREVRANK", g.key(), g.member())));
    t.add(new Template(z, 4, g -> zrange(g, "ZRANGE", List.of(g.key()))));
    t.add(new Template(z, 1.5, g -> zrange(g, "ZRANGESTORE", g.keys(2))));
    t.add(new Template(z, 1.5, g -> byScore(g, "ZRANGEBYSCORE")));
    t.add(new Template(z, 1.5, g -> byScore(g, "ZREVRANGEBYSCORE")));
    t.add(new Template(z, 1, g -> byLex(g, "ZRANGEBYLEX")));
    t.add(new Template(z, 1, g -> byLex(g, "ZREVRANGEBYLEX")));
    t.add(new Template(z, 1, g -> g.chance(0.5) ? g.cmd("ZREVRANGE", g.key(), listIndex(g), listIndex(g))
        : g.cmd("ZREVRANGE", g.key(), listIndex(g), listIndex(g), g.chance(0.95) ? g.name("WITHSCORES") : "FOO")));
    t.add(new Template(z, 1, g -> g.cmd("ZREMRANGEBYRANK", g.key(), listIndex(g), listIndex(g))));
    t.add(new Template(z, 1, g -> g.cmd("ZREMRANGEBYSCORE", g.key(), scoreBound(g), scoreBound(g))));
    t.add(new Template(z, 1, g -> g.cmd("ZREMRANGEBYLEX", g.key(), lexBound(g), lexBound(g))));
    t.add(new Template(z, 1.5, g -> pop(g, "ZPOPMIN")));
    t.add(new Template(z, 1.5, g -> pop(g, "ZPOPMAX")));
    t.add(new Template(z, 1.5, g -> multiPop(g, "ZMPOP", "MIN", "MAX")));
    t.add(new Template(z, 1.5, g -> randomMembers(g, "ZRANDMEMBER", "WITHSCORES")));
    t.add(new Template(z, 1.5, g -> setOperation(g, "ZUNION", false)));
    t.add(new Template(z, 1.5, g -> setOperation(g, "ZINTER", false)));
    t.add(new Template(z, 1.5, g -> setOperation(g, "ZDIFF", false)));
    t.add(new Template(z, 1, g -> setOperation(g, "ZUNIONSTORE", true)));
    t.add(new Template(z, 1, g -> setOperation(g, "ZINTERSTORE", true)));
    t.add(new Template(z, 1, g -> setOperation(g, "ZDIFFSTORE", true)));
    t.add(new Template(z, 1, g -> numKeysCommand(g, "ZINTERCARD", List.of())));
    t.add(new Template(z, 1.5, g -> memberScan(g, "ZSCAN")));
    t.add(new Template(z, 0.15, g -> {
      // Past 128 members Redis turns a listpack into a skiplist.
      List<String> args = new ArrayList<>();
      args.add(g.key());
      int count = 120 + g.random.nextInt(20);
      for (int i = 0; i < count; i++) {
        args.add(String.valueOf(g.random.nextInt(50)));
        args.add("m" + i);
      }
      return g.cmd("ZADD", args);
    }));
    t.add(new Template(z, 0.5, g -> g.wrongArity(ZSET_ARITY)));
  }

  /** Scores: mostly small integers and halves (ties, so members order by bytes), plus edge cases. */
  static String score(CommandGenerator g) {
    double r = g.random.nextDouble();
    if (r < 0.5) {
      return String.valueOf(g.random.nextInt(11) - 5);
    }
    if (r < 0.65) {
      return (g.random.nextInt(21) - 10) / 2.0 + "";
    }
    return g.decimal();
  }

  private static String scoreBound(CommandGenerator g) {
    double r = g.random.nextDouble();
    if (r < 0.5) {
      return (g.chance(0.3) ? "(" : "") + (g.random.nextInt(13) - 6);
    }
    if (r < 0.85) {
      return g.pick("-inf", "+inf", "inf", "(-inf", "(+inf", "-INF", "(1.5", "2.5", "1e1");
    }
    return g.pick("abc", "(abc", "(", "", "nan", "( 1", "1 ", "[1");
  }

  private static String lexBound(CommandGenerator g) {
    if (g.chance(0.9)) {
      return g.pick("-", "+", "[a", "(a", "[b", "(c", "[hello", "(1", "[", "(", "[10", "[\u00fcber");
    }
    return g.pick("a", "", "+a", "-a", "{a");
  }

  private static GeneratedCommand zadd(CommandGenerator g) {
    List<List<String>> options = new ArrayList<>();
    if (g.chance(0.2)) {
      options.add(List.of(g.name(g.pick("NX", "XX"))));
    }
    if (g.chance(0.2)) {
      options.add(List.of(g.name(g.pick("GT", "LT"))));
    }
    if (g.chance(0.25)) {
      options.add(List.of(g.name("CH")));
    }
    boolean incr = g.chance(0.15);
    if (incr) {
      options.add(List.of(g.name("INCR")));
    }
    if (g.chance(0.03)) {
      options.add(List.of(g.name(g.pick("NX", "XX", "GT", "LT", "INCR"))));
    }
    // Redis only takes options before the first score; shuffling keeps them there, in any order.
    List<String> fixed = new ArrayList<>();
    fixed.add(g.key());
    List<String> pairs = new ArrayList<>();
    int count = incr && g.chance(0.9) ? 1 : 1 + g.random.nextInt(3);
    for (int i = 0; i < count; i++) {
      pairs.add(score(g));
      pairs.add(g.member());
    }
    if (g.chance(0.03)) {
      pairs.remove(pairs.size() - 1);
    }
    GeneratedCommand head = g.withOptions(Check.EXACT, "ZADD", fixed, options);
    List<String> args = new ArrayList<>(head.args());
    args.addAll(pairs);
    return new GeneratedCommand(args, Check.EXACT);
  }

  /** ZRANGE / ZRANGESTORE: by rank, BYSCORE or BYLEX, REV, LIMIT, WITHSCORES (not for STORE). */
  private static GeneratedCommand zrange(CommandGenerator g, String command, List<String> keys) {
    String by = g.chance(0.6) ? "" : g.pick("BYSCORE", "BYLEX");
    List<String> fixed = new ArrayList<>(keys);
    switch (by) {
      case "BYSCORE" -> {
        fixed.add(scoreBound(g));
        fixed.add(scoreBound(g));
      }
      case "BYLEX" -> {
        fixed.add(lexBound(g));
        fixed.add(lexBound(g));
      }
      default -> {
        fixed.add(listIndex(g));
        fixed.add(listIndex(g));
      }
    }
    List<List<String>> options = new ArrayList<>();
    if (!by.isEmpty()) {
      options.add(List.of(g.name(by)));
    }
    if (g.chance(0.03)) {
      options.add(List.of(g.name(g.pick("BYSCORE", "BYLEX"))));
    }
    if (g.chance(0.35)) {
      options.add(List.of(g.name("REV")));
    }
    if (g.chance(by.isEmpty() ? 0.05 : 0.35)) {
      options.add(limit(g));
    }
    if (g.chance(command.equals("ZRANGE") ? 0.4 : 0.04)) {
      options.add(List.of(g.name("WITHSCORES")));
    }
    if (g.chance(0.02)) {
      options.add(List.of(g.pick("FOO", "LIMIT")));
    }
    return g.withOptions(Check.EXACT, command, fixed, options);
  }

  private static List<String> limit(CommandGenerator g) {
    return List.of(g.name("LIMIT"),
        g.chance(0.9) ? String.valueOf(g.random.nextInt(4)) : g.pick("-1", "abc"),
        g.chance(0.9) ? String.valueOf(g.random.nextInt(5) - 1) : g.pick("-5", "abc", "9223372036854775807"));
  }

  private static GeneratedCommand byScore(CommandGenerator g, String command) {
    List<List<String>> options = new ArrayList<>();
    if (g.chance(0.4)) {
      options.add(List.of(g.name("WITHSCORES")));
    }
    if (g.chance(0.35)) {
      options.add(limit(g));
    }
    if (g.chance(0.02)) {
      options.add(List.of(g.pick("FOO", "LIMIT")));
    }
    return g.withOptions(Check.EXACT, command, List.of(g.key(), scoreBound(g), scoreBound(g)), options);
  }

  private static GeneratedCommand byLex(CommandGenerator g, String command) {
    List<List<String>> options = new ArrayList<>();
    if (g.chance(0.35)) {
      options.add(limit(g));
    }
    if (g.chance(0.03)) {
      options.add(List.of(g.pick("FOO", "WITHSCORES")));
    }
    return g.withOptions(Check.EXACT, command, List.of(g.key(), lexBound(g), lexBound(g)), options);
  }

  /** ZUNION/ZINTER/ZDIFF[STORE]: numkeys, keys (sets count as score-1 zsets), WEIGHTS, AGGREGATE, WITHSCORES. */
  private static GeneratedCommand setOperation(CommandGenerator g, String command, boolean store) {
    boolean diff = command.startsWith("ZDIFF");
    int keyCount = 1 + g.random.nextInt(3);
    List<String> fixed = new ArrayList<>();
    if (store) {
      fixed.add(g.keys(1).get(0));
    }
    fixed.add(g.chance(0.93) ? String.valueOf(keyCount) : g.pick("0", "-1", "abc", "9", String.valueOf(keyCount + 1)));
    fixed.addAll(g.keys(keyCount));
    List<List<String>> options = new ArrayList<>();
    if (g.chance(diff ? 0.04 : 0.35)) {
      List<String> weights = new ArrayList<>();
      weights.add(g.name("WEIGHTS"));
      int count = g.chance(0.9) ? keyCount : keyCount + (g.chance(0.5) ? 1 : -1);
      for (int i = 0; i < count; i++) {
        weights.add(g.chance(0.85) ? g.pick("1", "2", "0", "-1", "0.5", "3") : g.pick("inf", "-inf", "abc", "nan"));
      }
      options.add(weights);
    }
    if (g.chance(diff ? 0.04 : 0.35)) {
      options.add(List.of(g.name("AGGREGATE"), g.chance(0.95) ? g.name(g.pick("SUM", "MIN", "MAX")) : "AVG"));
    }
    if (!store && g.chance(0.5) || store && g.chance(0.03)) {
      options.add(List.of(g.name("WITHSCORES")));
    }
    if (g.chance(0.02)) {
      options.add(List.of(g.pick("FOO", "WEIGHTS", "AGGREGATE")));
    }
    return g.withOptions(Check.EXACT, command, fixed, options);
  }

  // --- shared -----------------------------------------------------------------------------------

  /**
   * SPOP/SRANDMEMBER/HRANDFIELD/ZRANDMEMBER key [count [WITH…]]: counts small enough for Redis to
   * answer quickly (a huge negative count would make it build a reply of that many elements).
   */
  private static GeneratedCommand randomMembers(CommandGenerator g, String command, String withOption) {
    List<String> args = new ArrayList<>(List.of(g.key()));
    if (g.chance(0.7)) {
      args.add(g.chance(0.85) ? String.valueOf(g.random.nextInt(13) - 6)
          : g.pick("abc", "", "-9223372036854775808", "9223372036854775807", "1.5"));
      if (withOption != null && g.chance(0.4)) {
        args.add(g.chance(0.95) ? g.name(withOption) : "FOO");
      }
    }
    if (g.chance(0.02)) {
      args.add("x");
    }
    return new GeneratedCommand(g.cmd(command, args).args(), Check.RANDOM_MEMBERS);
  }

  /** HSCAN/SSCAN/ZSCAN key 0 [MATCH] [COUNT]: iterated to the end, compared as a set of elements. */
  private static GeneratedCommand memberScan(CommandGenerator g, String command) {
    List<List<String>> options = new ArrayList<>();
    if (g.chance(0.4)) {
      options.add(List.of(g.name("MATCH"), g.pick("*", "a*", "?", "[ab]", "*1*", "", "\\*", "h*o")));
    }
    if (g.chance(0.4)) {
      options.add(List.of(g.name("COUNT"), g.chance(0.9) ? String.valueOf(1 + g.random.nextInt(10)) : g.pick("0", "-1", "abc")));
    }
    if (g.chance(0.02)) {
      options.add(List.of(g.pick("FOO", "TYPE")));
    }
    // "" and "00" are cursor 0 to Redis; "abc", " 1", "1.5" are errors. A real non-zero cursor
    // (even "-1", which strtoul takes) starts mid-table, where Redis's order depends on its
    // per-process hash seed: nothing to compare.
    String cursor = g.chance(0.95) ? "0" : g.pick("abc", "", "00", " 1", "1.5");
    return g.withOptions(Check.FULL_SCAN, command, List.of(g.key(), cursor), options);
  }

  /** One command with many elements: crosses Redis's listpack size limits. */
  private static GeneratedCommand bulk(CommandGenerator g, String command, int count, boolean pairs) {
    List<String> args = new ArrayList<>();
    args.add(g.key());
    for (int i = 0; i < count; i++) {
      args.add("f" + i);
      if (pairs) {
        args.add(String.valueOf(i));
      }
    }
    return g.cmd(command, args);
  }
}
