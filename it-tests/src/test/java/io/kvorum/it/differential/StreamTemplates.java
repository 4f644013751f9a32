package io.kvorum.it.differential;

import io.kvorum.it.differential.CommandGenerator.Family;
import io.kvorum.it.differential.CommandGenerator.Template;
import java.util.ArrayList;
import java.util.List;

/**
 * Every Redis 7.0 stream command with every option, for the differential test (XREAD and
 * XREADGROUP with BLOCK are in {@link BlockingTemplates}).
 *
 * <p>Replies must not depend on the clock, so entry IDs are mostly explicit ({@code ms-seq},
 * {@code ms} or {@code ms-*}), idle thresholds are 0 or an hour, and XCLAIM's IDLE/TIME move
 * delivery times by far more than a run lasts. What stays clock-bound is compared with care: an
 * XADD with {@code *} ({@link Check#STREAM_AUTO_ID}) and the idle, seen and delivery times of
 * XPENDING, XINFO CONSUMERS and XINFO STREAM FULL ({@link Check#STREAM_TIMES}). Some streams get
 * IDs far in the future (year 2255), where {@code *} continues from the top entry and so is
 * deterministic too.
 */
final class StreamTemplates {

  private StreamTemplates() {
  }

  static final String[] GROUPS = {"g1", "g2", "g1", "g1", "gx"};
  static final String[] CONSUMERS = {"alice", "bob", "alice", "carol"};
  private static final String[] FIELDS = {"f", "g", "name", "1", "f"};
  /** Far-future milliseconds: {@code *} after such an entry takes the next sequence number. */
  private static final long FUTURE_MS = 9_000_000_000_000L;
  private static final String[] MIN_IDLE = {"0", "0", "0", "3600000", "-1", "abc"};

  private static final String[][] STREAM_ARITY = {
      {"XADD", "k", "1-1"}, {"XADD", "k", "1-1", "f"}, {"XADD", "k"}, {"XRANGE", "k", "-"},
      {"XREVRANGE", "k", "+"}, {"XLEN"}, {"XLEN", "k", "x"}, {"XDEL", "k"}, {"XTRIM", "k"},
      {"XTRIM", "k", "MAXLEN"}, {"XREAD", "STREAMS"}, {"XREAD", "STREAMS", "k"}, {"XGROUP"},
      {"XGROUP", "CREATE", "k", "g1"}, {"XGROUP", "DESTROY", "k"}, {"XGROUP", "CREATECONSUMER", "k", "g1"},
      {"XGROUP", "SETID", "k", "g1"}, {"XREADGROUP", "GROUP", "g1", "alice", "STREAMS", "k"},
      {"XACK", "k", "g1"}, {"XPENDING", "k"}, {"XCLAIM", "k", "g1", "alice", "0"},
      {"XAUTOCLAIM", "k", "g1", "alice", "0"}, {"XINFO"}, {"XINFO", "STREAM"}, {"XINFO", "CONSUMERS", "k"},
      {"XSETID", "k"}, {"XINFO", "FOO", "k"}, {"XGROUP", "FOO", "k"},
  };

  static void addTo(List<Template> t) {
    Family x = Family.STREAMS;
    t.add(new Template(x, 12, StreamTemplates::xadd));
    t.add(new Template(x, 3, g -> range(g, "XRANGE")));
    t.add(new Template(x, 2, g -> range(g, "XREVRANGE")));
    t.add(new Template(x, 1.5, g -> g.cmd("XLEN", streamKey(g))));
    t.add(new Template(x, 1.5, g -> g.cmd("XDEL", streamKey(g), ids(g, 1 + g.random.nextInt(3)))));
    t.add(new Template(x, 1.5, g -> {
      List<String> args = new ArrayList<>(List.of(streamKey(g)));
      args.addAll(trim(g, g.chance(0.95)));
      return g.cmd("XTRIM", args);
    }));
    t.add(new Template(x, 2, g -> xread(g, false, streamKey(g))));
    t.add(new Template(x, 4, StreamTemplates::xgroupCreate));
    t.add(new Template(x, 1, g -> withEntriesRead(g, "SETID", List.of(streamKey(g), g.pick(GROUPS), groupStart(g)))));
    t.add(new Template(x, 0.7, g -> g.cmd("XGROUP", g.name("DESTROY"), streamKey(g), g.pick(GROUPS))));
    t.add(new Template(x, 1, g -> g.cmd("XGROUP", g.name("CREATECONSUMER"), streamKey(g), g.pick(GROUPS), g.pick(CONSUMERS))));
    t.add(new Template(x, 0.7, g -> g.cmd("XGROUP", g.name("DELCONSUMER"), streamKey(g), g.pick(GROUPS), g.pick(CONSUMERS))));
    t.add(new Template(x, 4, g -> xreadgroup(g, false, streamKey(g))));
    t.add(new Template(x, 2, g -> {
      List<String> args = new ArrayList<>(List.of(streamKey(g), g.pick(GROUPS)));
      args.addAll(ids(g, 1 + g.random.nextInt(3)));
      return g.cmd("XACK", args);
    }));
    t.add(new Template(x, 2.5, StreamTemplates::xpending));
    t.add(new Template(x, 2, StreamTemplates::xclaim));
    t.add(new Template(x, 2, StreamTemplates::xautoclaim));
    t.add(new Template(x, 2.5, StreamTemplates::xinfo));
    t.add(new Template(x, 0.8, StreamTemplates::xsetid));
    t.add(new Template(x, 0.5, g -> g.wrongArity(STREAM_ARITY)));
  }

  /**
   * Mostly one of two keys: with eleven keys to spread over, most group commands would meet a key
   * without a stream (NOGROUP) instead of a stream with groups, consumers and pending entries.
   */
  static String streamKey(CommandGenerator g) {
    return g.chance(0.75) ? g.pick("{t}a", "{t}b", "{t}a") : g.key();
  }

  // --- IDs --------------------------------------------------------------------------------------

  /**
   * Milliseconds of an ID: around the sequence's stream clock mostly (so XADD usually succeeds and
   * reads usually hit entries), far-future ones now and then.
   */
  private static long millis(CommandGenerator g) {
    if (g.chance(0.02)) {
      return FUTURE_MS + g.random.nextInt(4);
    }
    return Math.max(1, g.streamClock + g.random.nextInt(7) - 4);
  }

  /** An explicit ID, in one of the forms Redis accepts, or now and then an invalid one. */
  static String id(CommandGenerator g) {
    return id(g, true);
  }

  /**
   * An ID for XADD or XSETID, which can make it the stream's last ID: never one whose sequence is
   * 2^64-1 below the last possible milliseconds, since after it Redis 7.0 answers XADD ms-* from
   * a stale errno (streamAppendItem fails without setting it): "equal or smaller" or "too large"
   * depending on what failed before, in any client.
   */
  static String lastId(CommandGenerator g) {
    return id(g, false);
  }

  private static String id(CommandGenerator g, boolean maxSequence) {
    double r = g.random.nextDouble();
    if (r < 0.75) {
      return millis(g) + "-" + g.random.nextInt(4);
    }
    if (r < 0.9) {
      return String.valueOf(millis(g));
    }
    return g.chance(0.9) ? g.pick("0-0", "0", "abc", "-1", "1-", "18446744073709551616", "", "1-x", "0-1")
        : maxSequence ? g.pick("18446744073709551615-18446744073709551615", "1-18446744073709551615")
        : "18446744073709551615-18446744073709551615";
  }

  private static List<String> ids(CommandGenerator g, int count) {
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(id(g));
    }
    return ids;
  }

  /** XADD's ID: explicit mostly, {@code ms-*} (the next sequence), or {@code *} (the clock). */
  private static String newEntryId(CommandGenerator g) {
    double r = g.random.nextDouble();
    if (r < 0.1) {
      return "*";
    }
    if (r < 0.2) {
      return millis(g) + "-*";
    }
    return lastId(g);
  }

  /** A range bound: an ID, inclusive or exclusive, or one of the special ones. */
  private static String bound(CommandGenerator g, String open) {
    double r = g.random.nextDouble();
    if (r < 0.3) {
      return open;
    }
    if (r < 0.45) {
      return "(" + millis(g) + "-" + g.random.nextInt(4);
    }
    if (r < 0.5) {
      return g.pick("-", "+", "(-", "(+", "(", "((1");
    }
    return id(g);
  }

  /** Where a group starts reading: the beginning, the end ($) or an ID. */
  private static String groupStart(CommandGenerator g) {
    double r = g.random.nextDouble();
    return r < 0.35 ? "0" : r < 0.6 ? "$" : id(g);
  }

  // --- commands ---------------------------------------------------------------------------------

  /** MAXLEN|MINID [=|~] threshold [LIMIT n]: sometimes LIMIT without ~, which Redis refuses. */
  private static List<String> trim(CommandGenerator g, boolean valid) {
    List<String> args = new ArrayList<>();
    boolean maxlen = g.chance(0.6);
    args.add(g.name(maxlen ? "MAXLEN" : "MINID"));
    String how = g.pick("", "=", "~", "~");
    if (!how.isEmpty()) {
      args.add(how);
    }
    if (maxlen) {
      args.add(g.chance(0.9) ? String.valueOf(g.random.nextInt(6)) : g.pick("-1", "abc", "9223372036854775807"));
    } else {
      args.add(g.chance(0.8) ? millis(g) + "-" + g.random.nextInt(3) : id(g));
    }
    if (how.equals("~") && g.chance(0.4) || !valid && g.chance(0.5)) {
      args.add(g.name("LIMIT"));
      args.add(g.chance(0.85) ? g.pick("0", "1", "10", "100") : g.pick("-1", "abc"));
    }
    return args;
  }

  private static GeneratedCommand xadd(CommandGenerator g) {
    List<String> args = new ArrayList<>(List.of(g.name("XADD"), streamKey(g)));
    if (g.chance(0.1)) {
      args.add(g.name("NOMKSTREAM"));
    }
    if (g.chance(0.25)) {
      args.addAll(trim(g, g.chance(0.97)));
    }
    String id = newEntryId(g);
    args.add(id);
    g.streamClock += g.chance(0.6) ? 1 : 0;
    int pairs = 1 + g.random.nextInt(3);
    for (int i = 0; i < pairs; i++) {
      args.add(g.chance(0.8) ? g.pick(FIELDS) : g.member());
      args.add(g.value());
    }
    if (g.chance(0.03)) {
      args.remove(args.size() - 1);
    }
    return new GeneratedCommand(args, id.equals("*") ? Check.STREAM_AUTO_ID : Check.EXACT);
  }

  private static GeneratedCommand range(CommandGenerator g, String command) {
    boolean reverse = command.equals("XREVRANGE");
    List<String> args = new ArrayList<>(List.of(streamKey(g), bound(g, reverse ? "+" : "-"), bound(g, reverse ? "-" : "+")));
    if (g.chance(0.35)) {
      args.add(g.name("COUNT"));
      args.add(g.chance(0.85) ? String.valueOf(g.random.nextInt(5)) : g.pick("-1", "abc", "9223372036854775807"));
    }
    if (g.chance(0.02)) {
      args.add("FOO");
    }
    return g.cmd(command, args);
  }

  /** XREAD [COUNT n] [BLOCK ms] STREAMS key… id…: {@code key} alone, or keys usually in one slot. */
  static GeneratedCommand xread(CommandGenerator g, boolean block, String key) {
    List<List<String>> options = new ArrayList<>();
    if (g.chance(0.4)) {
      options.add(List.of(g.name("COUNT"), g.chance(0.9) ? String.valueOf(1 + g.random.nextInt(4)) : g.pick("0", "-1", "abc")));
    }
    if (block) {
      options.add(List.of(g.name("BLOCK"), BlockingTemplates.blockMillis(g)));
    }
    List<String> fixed = new ArrayList<>();
    java.util.Collections.shuffle(options, g.random);
    options.forEach(fixed::addAll);
    fixed.add(g.name("STREAMS"));
    int keys = 1 + g.random.nextInt(2);
    fixed.addAll(keys == 1 ? List.of(key) : g.keys(keys));
    int idCount = g.chance(0.95) ? keys : keys + 1;
    for (int i = 0; i < idCount; i++) {
      double r = g.random.nextDouble();
      // With BLOCK, $ (only entries added later, which this connection cannot add) always times out.
      fixed.add(r < 0.4 ? "0" : r < (block ? 0.45 : 0.6) ? "$" : r < 0.95 ? id(g) : g.pick(">", "+", "-"));
    }
    return g.cmd("XREAD", fixed);
  }

  /** XREADGROUP GROUP g c [COUNT n] [BLOCK ms] [NOACK] STREAMS key… id… (mostly >, else history); {@code key} alone mostly. */
  static GeneratedCommand xreadgroup(CommandGenerator g, boolean block, String key) {
    List<List<String>> options = new ArrayList<>();
    if (g.chance(0.4)) {
      options.add(List.of(g.name("COUNT"), g.chance(0.9) ? String.valueOf(1 + g.random.nextInt(4)) : g.pick("0", "-1", "abc")));
    }
    if (g.chance(0.2)) {
      options.add(List.of(g.name("NOACK")));
    }
    if (block) {
      options.add(List.of(g.name("BLOCK"), BlockingTemplates.blockMillis(g)));
    }
    java.util.Collections.shuffle(options, g.random);
    List<String> fixed = new ArrayList<>(List.of(g.name("GROUP"), g.pick(GROUPS), g.pick(CONSUMERS)));
    options.forEach(fixed::addAll);
    fixed.add(g.name("STREAMS"));
    int keys = g.chance(0.85) ? 1 : 2;
    fixed.addAll(keys == 1 ? List.of(key) : g.keys(keys));
    int idCount = g.chance(0.95) ? keys : keys + 1;
    for (int i = 0; i < idCount; i++) {
      double r = g.random.nextDouble();
      fixed.add(r < 0.65 ? ">" : r < 0.85 ? "0" : r < 0.97 ? id(g) : "$");
    }
    return g.cmd("XREADGROUP", fixed);
  }

  private static GeneratedCommand xgroupCreate(CommandGenerator g) {
    List<String> fixed = new ArrayList<>(List.of(streamKey(g), g.pick(GROUPS), groupStart(g)));
    if (g.chance(0.85)) {
      fixed.add(g.name("MKSTREAM"));
    }
    return withEntriesRead(g, "CREATE", fixed);
  }

  /** XGROUP CREATE/SETID … [ENTRIESREAD n]. */
  private static GeneratedCommand withEntriesRead(CommandGenerator g, String sub, List<String> fixed) {
    List<String> args = new ArrayList<>(List.of(g.name(sub)));
    args.addAll(fixed);
    if (g.chance(0.3)) {
      args.add(g.name("ENTRIESREAD"));
      args.add(g.chance(0.85) ? String.valueOf(g.random.nextInt(6)) : g.pick("-1", "-2", "abc"));
    }
    if (g.chance(0.02)) {
      args.add("FOO");
    }
    return g.cmd("XGROUP", args);
  }

  private static GeneratedCommand xpending(CommandGenerator g) {
    List<String> args = new ArrayList<>(List.of(streamKey(g), g.pick(GROUPS)));
    if (g.chance(0.35)) {
      return g.cmd("XPENDING", args); // the summary: counts and IDs only
    }
    if (g.chance(0.3)) {
      args.add(g.name("IDLE"));
      args.add(g.pick(MIN_IDLE));
    }
    args.add(bound(g, "-"));
    args.add(bound(g, "+"));
    args.add(g.chance(0.9) ? String.valueOf(g.random.nextInt(6)) : g.pick("-1", "abc"));
    if (g.chance(0.4)) {
      args.add(g.pick(CONSUMERS));
    }
    return new GeneratedCommand(g.cmd("XPENDING", args).args(), Check.STREAM_TIMES);
  }

  private static GeneratedCommand xclaim(CommandGenerator g) {
    List<String> fixed = new ArrayList<>(List.of(streamKey(g), g.pick(GROUPS), g.pick(CONSUMERS), g.pick(MIN_IDLE)));
    fixed.addAll(ids(g, 1 + g.random.nextInt(3)));
    List<List<String>> options = new ArrayList<>();
    if (g.chance(0.25)) {
      options.add(List.of(g.name("IDLE"), g.pick("0", "5000000", "5000000", "-5", "abc")));
    }
    if (g.chance(0.15)) {
      options.add(List.of(g.name("TIME"), g.pick("1000000000000", "99999999999999", "-1", "abc")));
    }
    if (g.chance(0.25)) {
      options.add(List.of(g.name("RETRYCOUNT"), g.pick("0", "3", "7", "-1", "abc")));
    }
    if (g.chance(0.25)) {
      options.add(List.of(g.name("FORCE")));
    }
    if (g.chance(0.3)) {
      options.add(List.of(g.name("JUSTID")));
    }
    if (g.chance(0.15)) {
      options.add(List.of(g.name("LASTID"), id(g)));
    }
    if (g.chance(0.02)) {
      options.add(List.of("FOO"));
    }
    return g.withOptions(Check.EXACT, "XCLAIM", fixed, options);
  }

  private static GeneratedCommand xautoclaim(CommandGenerator g) {
    List<String> fixed = new ArrayList<>(List.of(streamKey(g), g.pick(GROUPS), g.pick(CONSUMERS), g.pick(MIN_IDLE),
        g.chance(0.6) ? g.pick("0", "0-0", "-") : id(g)));
    List<List<String>> options = new ArrayList<>();
    if (g.chance(0.4)) {
      options.add(List.of(g.name("COUNT"), g.chance(0.85) ? String.valueOf(1 + g.random.nextInt(4)) : g.pick("0", "-1", "abc")));
    }
    if (g.chance(0.3)) {
      options.add(List.of(g.name("JUSTID")));
    }
    if (g.chance(0.02)) {
      options.add(List.of("FOO"));
    }
    return g.withOptions(Check.EXACT, "XAUTOCLAIM", fixed, options);
  }

  private static GeneratedCommand xinfo(CommandGenerator g) {
    double r = g.random.nextDouble();
    if (r < 0.35) {
      return g.cmd("XINFO", g.name("STREAM"), streamKey(g));
    }
    if (r < 0.55) {
      List<String> args = new ArrayList<>(List.of(g.name("STREAM"), streamKey(g), g.name("FULL")));
      if (g.chance(0.4)) {
        args.add(g.name("COUNT"));
        args.add(g.chance(0.9) ? String.valueOf(g.random.nextInt(4)) : g.pick("-1", "abc"));
      }
      return new GeneratedCommand(g.cmd("XINFO", args).args(), Check.STREAM_TIMES);
    }
    if (r < 0.75) {
      return g.cmd("XINFO", g.name("GROUPS"), streamKey(g));
    }
    return new GeneratedCommand(g.cmd("XINFO", g.name("CONSUMERS"), streamKey(g), g.pick(GROUPS)).args(), Check.STREAM_TIMES);
  }

  private static GeneratedCommand xsetid(CommandGenerator g) {
    List<String> fixed = new ArrayList<>(List.of(streamKey(g), lastId(g)));
    List<List<String>> options = new ArrayList<>();
    if (g.chance(0.3)) {
      options.add(List.of(g.name("ENTRIESADDED"), g.chance(0.85) ? String.valueOf(g.random.nextInt(12)) : g.pick("-1", "abc")));
    }
    if (g.chance(0.3)) {
      options.add(List.of(g.name("MAXDELETEDID"), id(g)));
    }
    return g.withOptions(Check.EXACT, "XSETID", fixed, options);
  }
}
