package io.kvorum.it.differential;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * Random command sequences for the differential test, fully determined by the seed.
 *
 * <p>The key space is tiny on purpose: a handful of keys under two hash tags plus a few untagged
 * ones, so commands keep landing on keys that exist, have a TTL, hold a number or (with the
 * collections family) another type, and multi-key commands sometimes straddle slots
 * ({@code CROSSSLOT}). Arguments are drawn from pools full of edge cases: non-numbers, overflow,
 * negative and zero expiries, conflicting options, wrong arities, unknown commands.
 *
 * <p>Expiry is tested without races: relative TTLs are long (over 1000 s, so nothing expires
 * during a run; TTL replies are compared with a tolerance), absolute deadlines are either far in
 * the future (year 2100+) or in the past (the key goes away at once, on both servers).
 *
 * <p>Adding commands: add a {@link Template} to the family's list in {@link #templates}.
 */
final class CommandGenerator {

  /** Groups of commands, selectable with -Dkvorum.diff.families. */
  enum Family {
    STRINGS, KEYS, CONNECTION, MALFORMED,
    HASHES, LISTS, SETS, ZSETS, BITMAPS, HYPERLOGLOG, GEO,
    STREAMS, SORT, DUMP, BLOCKING, SCRIPTING;

    /** Everything: the types share the key space, so every command also meets every other type (WRONGTYPE). */
    static final Set<Family> DEFAULT = EnumSet.allOf(Family.class);

    static Set<Family> parse(String spec) {
      if (spec == null || spec.isBlank()) {
        return DEFAULT;
      }
      if (spec.equalsIgnoreCase("all")) {
        return EnumSet.allOf(Family.class);
      }
      Set<Family> families = EnumSet.noneOf(Family.class);
      for (String name : spec.split(",")) {
        families.add(Family.valueOf(name.trim().toUpperCase(Locale.ROOT)));
      }
      return families;
    }
  }

  /** A weighted way to make one command. */
  record Template(Family family, double weight, Function<CommandGenerator, GeneratedCommand> make) {
  }

  // --- the key space -----------------------------------------------------------------------
  static final List<String> TAG_T = List.of("{t}a", "{t}b", "{t}c", "{t}n");
  static final List<String> TAG_U = List.of("{u}a", "{u}b");
  static final List<String> UNTAGGED = List.of("a", "b", "n", "k*x");
  static final List<String> ALL_KEYS;

  static {
    List<String> all = new ArrayList<>(TAG_T);
    all.addAll(TAG_U);
    all.addAll(UNTAGGED);
    ALL_KEYS = List.copyOf(all);
  }

  private static final String[] VALUES = {
      "", "a", "hello", "world", "12", "-7", "0", "10000", "9999", "3.5", "1e3",
      "9223372036854775807", "-9223372036854775808", "9223372036854775808", " 12", "12 ",
      "0x10", "+5", "007", "1.0", "10.50", "inf", "-inf", "nan", "line1\r\nline2", "nul\0byte",
      "\u00fcber", "-0", "5.0e3", "17179869184",
  };
  static final String[] MEMBERS = {
      "a", "b", "c", "d", "e", "hello", "world", "1", "2", "3", "10", "-1", "0", "", "x y", "1.5",
      "9223372036854775807", "9223372036854775808", "\u00fcber", "nul\0byte",
  };
  private static final String[] INTEGER_EDGES = {
      "0", "1", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775806",
      "abc", "1.5", "", " 1", "+1", "99999999999999999999", "0x1", "1e3", "-0",
  };
  private static final String[] FLOAT_EDGES = {
      "inf", "-inf", "+inf", "nan", "abc", "", "1.7976931348623157e308", "-1.7976931348623157e308",
      "-0", "0x10", " 1", "1.0.0", "5e-324", "1e400", "0.1", "3", "-1.5", "1e3",
  };
  private static final String[] EXPIRY_EDGES = {
      "0", "-1", "-100", "abc", "", "1.5", "9223372036854775807", "9223372036854775",
      "-9223372036854775808", "100000000000000000",
  };
  private static final String[] KEY_PATTERNS = {
      "*", "{t}*", "?", "[ab]", "*a*", "{t}[a-c]", "k\\*x", "k*", "n", "", "[^a]*", "*\\", "[",
      "{u}?", "*}*", "{t}n", "*x",
  };

  final Random random;
  /** Milliseconds around which stream IDs are drawn; XADD moves it on (see {@link StreamTemplates}). */
  long streamClock = 1;
  /** Commands that must come right after the one just made (see {@link #set()}). */
  private final java.util.ArrayDeque<GeneratedCommand> followUps = new java.util.ArrayDeque<>();
  private final List<Template> templates;
  private final double[] weights;
  private final double totalWeight;

  CommandGenerator(Random random, Set<Family> families) {
    this.random = random;
    List<Template> chosen = new ArrayList<>();
    for (Template template : templates()) {
      if (families.contains(template.family())) {
        chosen.add(template);
      }
    }
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("no commands in families " + families);
    }
    // Each sequence favours one family: with all eleven sharing eleven keys, an even mix turns
    // most commands into WRONGTYPE before a collection grows deep enough to be interesting.
    List<Family> present = chosen.stream().map(Template::family).distinct().toList();
    Family focus = present.size() > 1 ? present.get(random.nextInt(present.size())) : null;
    this.templates = chosen;
    this.weights = new double[chosen.size()];
    double total = 0;
    for (int i = 0; i < chosen.size(); i++) {
      weights[i] = chosen.get(i).weight() * (chosen.get(i).family() == focus ? FOCUS_BOOST : 1);
      total += weights[i];
    }
    this.totalWeight = total;
  }

  /** How much more often the sequence's focus family is drawn than the others. */
  private static final double FOCUS_BOOST = 6;

  /** A sequence of 1 to {@code maxLength} commands. */
  List<GeneratedCommand> sequence(int maxLength) {
    // Skewed towards longer sequences: state (and so interesting replies) builds up over time.
    int length = 1 + Math.max(random.nextInt(maxLength), random.nextInt(maxLength));
    List<GeneratedCommand> commands = new ArrayList<>(length);
    for (int i = 0; i < length; i++) {
      commands.add(next());
    }
    return commands;
  }

  /** Makes {@code command} the next one drawn, after any already queued. */
  void followUp(GeneratedCommand command) {
    followUps.add(command);
  }

  GeneratedCommand next() {
    if (!followUps.isEmpty()) {
      return followUps.poll();
    }
    double point = random.nextDouble() * totalWeight;
    for (int i = 0; i < templates.size(); i++) {
      point -= weights[i];
      if (point < 0) {
        return templates.get(i).make().apply(this);
      }
    }
    return templates.get(templates.size() - 1).make().apply(this);
  }

  // --- templates -----------------------------------------------------------------------------

  private static List<Template> templates() {
    List<Template> t = new ArrayList<>();
    Family s = Family.STRINGS;
    t.add(new Template(s, 8, g -> g.cmd("GET", g.key())));
    t.add(new Template(s, 10, CommandGenerator::set));
    t.add(new Template(s, 2, g -> g.cmd("SETNX", g.key(), g.value())));
    t.add(new Template(s, 2, g -> g.cmd("SETEX", g.key(), g.relativeSeconds(), g.value())));
    t.add(new Template(s, 2, g -> g.cmd("PSETEX", g.key(), g.relativeMillis(), g.value())));
    t.add(new Template(s, 2, g -> g.cmd("GETSET", g.key(), g.value())));
    t.add(new Template(s, 2, g -> g.cmd("GETDEL", g.key())));
    t.add(new Template(s, 3, CommandGenerator::getex));
    t.add(new Template(s, 3, g -> g.cmd("MGET", g.keys(1 + g.random.nextInt(4)))));
    t.add(new Template(s, 3, g -> g.keyValuePairs("MSET")));
    t.add(new Template(s, 2, g -> g.keyValuePairs("MSETNX")));
    t.add(new Template(s, 4, g -> g.cmd("APPEND", g.key(), g.value())));
    t.add(new Template(s, 2, g -> g.cmd("STRLEN", g.key())));
    t.add(new Template(s, 3, g -> g.cmd("INCR", g.numericKey())));
    t.add(new Template(s, 3, g -> g.cmd("DECR", g.numericKey())));
    t.add(new Template(s, 2, g -> g.cmd("INCRBY", g.numericKey(), g.integer())));
    t.add(new Template(s, 2, g -> g.cmd("DECRBY", g.numericKey(), g.integer())));
    t.add(new Template(s, 3, g -> g.cmd("INCRBYFLOAT", g.numericKey(), g.decimal())));
    t.add(new Template(s, 2, g -> g.cmd("GETRANGE", g.key(), g.rangeIndex(), g.rangeIndex())));
    t.add(new Template(s, 1, g -> g.cmd("SUBSTR", g.key(), g.rangeIndex(), g.rangeIndex())));
    t.add(new Template(s, 3, g -> g.cmd("SETRANGE", g.key(), g.setRangeOffset(), g.value())));
    t.add(new Template(s, 2, CommandGenerator::lcs));

    Family k = Family.KEYS;
    t.add(new Template(k, 3, g -> g.cmd("DEL", g.keys(1 + g.random.nextInt(4)))));
    t.add(new Template(k, 1, g -> g.cmd("UNLINK", g.keys(1 + g.random.nextInt(4)))));
    t.add(new Template(k, 3, g -> g.cmd("EXISTS", g.keys(1 + g.random.nextInt(4)))));
    t.add(new Template(k, 3, g -> g.cmd("TYPE", g.key())));
    t.add(new Template(k, 1, g -> g.cmd("TOUCH", g.keys(1 + g.random.nextInt(3)))));
    t.add(new Template(k, 2, g -> g.cmd("RENAME", g.keys(2))));
    t.add(new Template(k, 1, g -> g.cmd("RENAMENX", g.keys(2))));
    t.add(new Template(k, 2, CommandGenerator::copy));
    t.add(new Template(k, 2, g -> new GeneratedCommand(List.of(g.name("KEYS"), g.pick(KEY_PATTERNS)), Check.UNORDERED)));
    t.add(new Template(k, 2, CommandGenerator::scan));
    t.add(new Template(k, 1, g -> new GeneratedCommand(List.of(g.name("RANDOMKEY")), Check.RANDOM_KEY)));
    t.add(new Template(k, 2, g -> g.cmd("DBSIZE")));
    t.add(new Template(k, 0.3, g -> g.flush("FLUSHDB")));
    t.add(new Template(k, 0.3, g -> g.flush("FLUSHALL")));
    t.add(new Template(k, 2, g -> g.expire("EXPIRE", g.relativeSeconds())));
    t.add(new Template(k, 2, g -> g.expire("PEXPIRE", g.relativeMillis())));
    t.add(new Template(k, 2, g -> g.expire("EXPIREAT", g.absoluteSeconds())));
    t.add(new Template(k, 2, g -> g.expire("PEXPIREAT", g.absoluteMillis())));
    t.add(new Template(k, 1.5, g -> new GeneratedCommand(List.of(g.name("TTL"), g.key()), Check.TTL_SECONDS)));
    t.add(new Template(k, 1.5, g -> new GeneratedCommand(List.of(g.name("PTTL"), g.key()), Check.TTL_MILLIS)));
    t.add(new Template(k, 1.5, g -> new GeneratedCommand(List.of(g.name("EXPIRETIME"), g.key()), Check.TTL_SECONDS)));
    t.add(new Template(k, 1.5, g -> new GeneratedCommand(List.of(g.name("PEXPIRETIME"), g.key()), Check.TTL_MILLIS)));
    t.add(new Template(k, 2, g -> g.cmd("PERSIST", g.key())));
    t.add(new Template(k, 2, g -> g.cmd("OBJECT", g.name("ENCODING"), g.key())));
    t.add(new Template(k, 0.5, g -> g.cmd("OBJECT", g.name("FREQ"), g.key())));
    t.add(new Template(k, 1, g -> g.cmd("OBJECT", g.name("REFCOUNT"), g.key())));

    Family c = Family.CONNECTION;
    t.add(new Template(c, 1, g -> g.random.nextBoolean() ? g.cmd("PING") : g.cmd("PING", g.value())));
    t.add(new Template(c, 1, g -> g.cmd("ECHO", g.value())));
    t.add(new Template(c, 1, g -> g.cmd("SELECT", g.chance(0.7) ? "0" : g.pick("1", "abc", "-1", "16"))));
    t.add(new Template(c, 1, g -> g.cmd("CLUSTER", g.name("KEYSLOT"), g.chance(0.9) ? g.key() : g.value())));
    t.add(new Template(c, 1, g -> g.cmd("CLUSTER", g.name("COUNTKEYSINSLOT"), g.slot())));

    Family m = Family.MALFORMED;
    t.add(new Template(m, 3, CommandGenerator::wrongArity));
    t.add(new Template(m, 1.5, CommandGenerator::unknownCommand));
    t.add(new Template(m, 0.5, g -> g.cmd(g.pick("OBJECT", "CLUSTER"), g.pick("FOO", "encodingx", "", "\u00e9ncoding"), g.key())));

    CollectionTemplates.addTo(t);
    BitmapHllGeoTemplates.addTo(t);
    StreamTemplates.addTo(t);
    SortDumpTemplates.addTo(t);
    BlockingTemplates.addTo(t);
    ScriptingTemplates.addTo(t);
    for (Family dataType : List.of(Family.HASHES, Family.LISTS, Family.SETS, Family.ZSETS, Family.BITMAPS,
        Family.HYPERLOGLOG, Family.GEO, Family.STREAMS, Family.SORT, Family.DUMP)) {
      CollectionTemplates.keyCommands(t, dataType);
    }
    return t;
  }

  private GeneratedCommand set() {
    List<List<String>> options = new ArrayList<>();
    if (chance(0.25)) {
      options.add(List.of(name(pick("NX", "XX"))));
    }
    if (chance(0.03)) {
      options.add(List.of(name(pick("NX", "XX"))));
    }
    if (chance(0.25)) {
      options.add(List.of(name("GET")));
    }
    int expiries = chance(0.5) ? (chance(0.06) ? 2 : 1) : 0;
    for (int i = 0; i < expiries; i++) {
      options.add(expiryOption(true));
    }
    if (chance(0.02)) {
      options.add(List.of(pick("FOO", "EXX", "PERSIST")));
    }
    Collections.shuffle(options, random);
    if (chance(0.02)) {
      options.add(List.of(name(pick("EX", "PX", "EXAT", "PXAT")))); // option missing its value
    }
    String key = key();
    List<String> args = new ArrayList<>(List.of(name("SET"), key, value()));
    options.forEach(args::addAll);
    if (options.stream().anyMatch(CommandGenerator::isPastDeadline)) {
      // Redis 7.0 stores a key SET with a deadline in the past and leaves it to expiry to remove:
      // until the next access or its background expiry cycle happens to sample it, it still
      // counts in DBSIZE and shows in SCAN ... TYPE none. Touching it at once makes Redis delete
      // it now, so the oracle's state no longer depends on timing.
      followUps.add(new GeneratedCommand(List.of("EXISTS", key), Check.EXACT));
    }
    return new GeneratedCommand(args, Check.EXACT);
  }

  /** EXAT/PXAT with a positive deadline before 2100 (our future deadlines are all later). */
  private static boolean isPastDeadline(List<String> option) {
    if (option.size() != 2) {
      return false;
    }
    String name = option.get(0).toUpperCase(Locale.ROOT);
    long limit = name.equals("EXAT") ? 4_102_444_800L : name.equals("PXAT") ? 4_102_444_800_000L : 0;
    try {
      long deadline = Long.parseLong(option.get(1));
      return deadline > 0 && deadline < limit;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private GeneratedCommand getex() {
    List<String> args = new ArrayList<>(List.of(name("GETEX"), key()));
    int options = chance(0.7) ? 1 : (chance(0.2) ? 2 : 0);
    for (int i = 0; i < options; i++) {
      if (chance(0.2)) {
        args.add(name("PERSIST"));
      } else {
        args.addAll(expiryOption(false));
      }
    }
    if (chance(0.02)) {
      args.add("FOO");
    }
    return new GeneratedCommand(args, Check.EXACT);
  }

  /** EX/PX/EXAT/PXAT with a value, or (for SET) KEEPTTL. */
  private List<String> expiryOption(boolean keepTtlAllowed) {
    int choice = random.nextInt(keepTtlAllowed ? 5 : 4);
    return switch (choice) {
      case 0 -> List.of(name("EX"), relativeSeconds());
      case 1 -> List.of(name("PX"), relativeMillis());
      case 2 -> List.of(name("EXAT"), absoluteSeconds());
      case 3 -> List.of(name("PXAT"), absoluteMillis());
      default -> List.of(name("KEEPTTL"));
    };
  }

  private GeneratedCommand lcs() {
    List<List<String>> options = new ArrayList<>();
    if (chance(0.3)) {
      options.add(List.of(name("LEN")));
    }
    if (chance(0.3)) {
      options.add(List.of(name("IDX")));
    }
    if (chance(0.3)) {
      options.add(List.of(name("MINMATCHLEN"), chance(0.8) ? String.valueOf(random.nextInt(6)) : pick("-1", "abc", "")));
    }
    if (chance(0.3)) {
      options.add(List.of(name("WITHMATCHLEN")));
    }
    if (chance(0.02)) {
      options.add(List.of("FOO"));
    }
    Collections.shuffle(options, random);
    List<String> args = new ArrayList<>(List.of(name("LCS")));
    args.addAll(keys(2));
    options.forEach(args::addAll);
    return new GeneratedCommand(args, Check.EXACT);
  }

  private GeneratedCommand copy() {
    List<List<String>> options = new ArrayList<>();
    if (chance(0.4)) {
      options.add(List.of(name("REPLACE")));
    }
    if (chance(0.15)) {
      options.add(List.of(name("DB"), pick("0", "0", "1", "abc")));
    }
    if (chance(0.02)) {
      options.add(List.of("FOO"));
    }
    Collections.shuffle(options, random);
    List<String> args = new ArrayList<>(List.of(name("COPY")));
    args.addAll(keys(2));
    options.forEach(args::addAll);
    return new GeneratedCommand(args, Check.EXACT);
  }

  private GeneratedCommand scan() {
    List<List<String>> options = new ArrayList<>();
    if (chance(0.4)) {
      options.add(List.of(name("MATCH"), pick(KEY_PATTERNS)));
    }
    if (chance(0.5)) {
      options.add(List.of(name("COUNT"), chance(0.9) ? String.valueOf(1 + random.nextInt(20)) : pick("0", "-1", "abc")));
    }
    if (chance(0.3)) {
      options.add(List.of(name("TYPE"), pick("string", "list", "none", "hash", "STRING", "foo")));
    }
    if (chance(0.02)) {
      options.add(List.of("FOO"));
    }
    Collections.shuffle(options, random);
    // Cursor "" means 0 to Redis; "abc" and "1.5" are errors (compared exactly, as all errors).
    String cursor = chance(0.94) ? "0" : pick("abc", "", "1.5", "00");
    List<String> args = new ArrayList<>(List.of(name("SCAN"), cursor));
    options.forEach(args::addAll);
    return new GeneratedCommand(args, Check.FULL_SCAN);
  }

  private GeneratedCommand flush(String command) {
    return chance(0.3) ? cmd(command, name(pick("ASYNC", "SYNC", "FOO"))) : cmd(command);
  }

  private GeneratedCommand expire(String command, String time) {
    List<String> args = new ArrayList<>(List.of(name(command), key(), time));
    if (chance(0.4)) {
      args.add(name(pick("NX", "XX", "GT", "LT")));
    }
    if (chance(0.05)) {
      args.add(name(pick("NX", "XX", "GT", "LT", "FOO")));
    }
    return new GeneratedCommand(args, Check.EXACT);
  }

  private GeneratedCommand keyValuePairs(String command) {
    int pairs = 1 + random.nextInt(3);
    List<String> keys = keys(pairs);
    List<String> args = new ArrayList<>(List.of(name(command)));
    for (String key : keys) {
      args.add(key);
      args.add(value());
    }
    if (chance(0.05)) {
      args.remove(args.size() - 1); // odd number of arguments
    }
    return new GeneratedCommand(args, Check.EXACT);
  }

  /** Commands of the set with one argument too few or too many for their arity. */
  private static final String[][] WRONG_ARITY = {
      {"GET"}, {"GET", "k", "x"}, {"SET", "k"}, {"SETNX", "k"}, {"SETEX", "k", "10"},
      {"PSETEX", "k", "10", "v", "x"}, {"GETSET", "k"}, {"GETDEL"}, {"GETDEL", "k", "x"}, {"GETEX"},
      {"MGET"}, {"MSET"}, {"MSET", "k"}, {"MSETNX", "k"}, {"APPEND", "k"}, {"STRLEN"},
      {"STRLEN", "k", "x"}, {"INCR"}, {"INCR", "k", "x"}, {"DECR", "k", "x"}, {"INCRBY", "k"},
      {"INCRBY", "k", "1", "x"}, {"DECRBY", "k"}, {"INCRBYFLOAT", "k"}, {"GETRANGE", "k", "0"},
      {"SETRANGE", "k", "0"}, {"SUBSTR", "k", "0", "1", "x"}, {"LCS", "k"}, {"DEL"}, {"UNLINK"},
      {"EXISTS"}, {"TYPE"}, {"TYPE", "k", "x"}, {"TOUCH"}, {"RENAME", "k"}, {"RENAME", "k", "k", "x"},
      {"RENAMENX", "k"}, {"COPY", "k"}, {"KEYS"}, {"KEYS", "*", "x"}, {"SCAN"}, {"RANDOMKEY", "x"},
      {"DBSIZE", "x"}, {"EXPIRE", "k"}, {"PEXPIRE", "k"}, {"EXPIREAT", "k"}, {"PEXPIREAT", "k"},
      {"EXPIRETIME"}, {"PEXPIRETIME", "k", "x"}, {"TTL"}, {"TTL", "k", "x"}, {"PTTL"}, {"PERSIST"},
      {"PERSIST", "k", "x"}, {"PING", "x", "y"}, {"ECHO"}, {"ECHO", "x", "y"}, {"SELECT"},
      {"SELECT", "0", "x"}, {"OBJECT"}, {"OBJECT", "ENCODING"}, {"OBJECT", "ENCODING", "k", "x"},
      {"OBJECT", "REFCOUNT"}, {"CLUSTER"}, {"CLUSTER", "KEYSLOT"}, {"CLUSTER", "COUNTKEYSINSLOT"},
      {"FLUSHALL", "ASYNC", "x"}, {"FLUSHDB", "SYNC", "x"},
  };

  private GeneratedCommand wrongArity() {
    return wrongArity(WRONG_ARITY);
  }

  /** One of {@code shapes}: "k" becomes a key, "x" a value, "m" a member, anything else stays. */
  GeneratedCommand wrongArity(String[][] shapes) {
    String[] shape = shapes[random.nextInt(shapes.length)];
    List<String> args = new ArrayList<>();
    args.add(name(shape[0]));
    for (int i = 1; i < shape.length; i++) {
      args.add(switch (shape[i]) {
        case "k" -> key();
        case "x" -> value();
        case "m" -> member();
        default -> shape[i];
      });
    }
    return new GeneratedCommand(args, Check.EXACT);
  }

  private GeneratedCommand unknownCommand() {
    List<String> args = new ArrayList<>();
    args.add(pick("FOO", "GETT", "sett", "KVORUM", "CLUSTERX", "GET.", "x", "\u00fcnknown", "a b"));
    int extra = random.nextInt(4);
    for (int i = 0; i < extra; i++) {
      args.add(chance(0.1) ? "y".repeat(60 + random.nextInt(100)) : value()); // Redis cuts the echoed args at 128 bytes
    }
    return new GeneratedCommand(args, Check.EXACT);
  }

  // --- arguments -----------------------------------------------------------------------------

  /**
   * NAME, the fixed arguments, then the options in random order (Redis accepts options in any
   * order, so Kvorum must too).
   */
  GeneratedCommand withOptions(Check check, String name, List<String> fixed, List<List<String>> options) {
    List<List<String>> shuffled = new ArrayList<>(options);
    Collections.shuffle(shuffled, random);
    List<String> args = new ArrayList<>();
    args.add(name(name));
    args.addAll(fixed);
    shuffled.forEach(args::addAll);
    return new GeneratedCommand(args, check);
  }

  GeneratedCommand with(Check check, String name, String... args) {
    GeneratedCommand command = cmd(name, args);
    return new GeneratedCommand(command.args(), check);
  }

  /**
   * Members, fields and list elements: mostly a small pool, so that adds collide, removes hit and
   * intersections are not empty; small integers (intset), a few values long enough to push a
   * collection past Redis's 64-byte listpack limit, and now and then anything.
   */
  String member() {
    double r = random.nextDouble();
    if (r < 0.75) {
      return pick(MEMBERS);
    }
    if (r < 0.85) {
      return String.valueOf(random.nextInt(41) - 20);
    }
    if (r < 0.88) {
      return randomText(60 + random.nextInt(10), "xyz");
    }
    return value();
  }

  List<String> members(int count) {
    List<String> members = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      members.add(member());
    }
    return members;
  }

  /** A small non-negative count, or a bad one. */
  String count() {
    return chance(0.85) ? String.valueOf(random.nextInt(6)) : pick("-1", "0", "abc", "", "1.5", "-9223372036854775808", "9223372036854775807");
  }

  GeneratedCommand cmd(String name, String... args) {
    List<String> all = new ArrayList<>(args.length + 1);
    all.add(name(name));
    all.addAll(Arrays.asList(args));
    return new GeneratedCommand(all, Check.EXACT);
  }

  GeneratedCommand cmd(String name, String first, List<String> rest) {
    List<String> all = new ArrayList<>(rest.size() + 1);
    all.add(first);
    all.addAll(rest);
    return cmd(name, all);
  }

  GeneratedCommand cmd(String name, List<String> args) {
    List<String> all = new ArrayList<>(args.size() + 1);
    all.add(name(name));
    all.addAll(args);
    return new GeneratedCommand(all, Check.EXACT);
  }

  /** A command or option name in upper, lower or mixed case: Redis does not care, Kvorum must not either. */
  String name(String name) {
    double r = random.nextDouble();
    if (r < 0.6) {
      return name;
    }
    if (r < 0.9) {
      return name.toLowerCase(Locale.ROOT);
    }
    StringBuilder mixed = new StringBuilder(name.length());
    for (char ch : name.toCharArray()) {
      mixed.append(random.nextBoolean() ? Character.toLowerCase(ch) : Character.toUpperCase(ch));
    }
    return mixed.toString();
  }

  /** The empty key is a valid key; it is part of the pool ({@link DifferentialRunner#RESET} deletes it too). */
  String key() {
    double r = random.nextDouble();
    if (r < 0.01) {
      return "";
    }
    if (r < 0.5) {
      return pick(TAG_T);
    }
    if (r < 0.7) {
      return pick(TAG_U);
    }
    return pick(UNTAGGED);
  }

  /** Mostly the keys that hold numbers, so INCR and friends succeed often enough to matter. */
  private String numericKey() {
    return chance(0.6) ? pick("{t}n", "n", "{t}n") : key();
  }

  /**
   * Keys for a multi-key command: usually all under one hash tag (same slot), sometimes drawn from
   * everything (CROSSSLOT unless they happen to share a slot). Repeats are allowed on purpose.
   */
  List<String> keys(int count) {
    List<String> pool = chance(0.15) ? ALL_KEYS : chance(0.7) ? TAG_T : TAG_U;
    List<String> keys = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      keys.add(pick(pool));
    }
    return keys;
  }

  String value() {
    double r = random.nextDouble();
    if (r < 0.55) {
      return pick(VALUES);
    }
    if (r < 0.65) {
      return String.valueOf(random.nextInt(20001) - 10000);
    }
    if (r < 0.7) {
      return randomText(44 + random.nextInt(2), "abcdefghij"); // around the embstr/raw boundary (44 bytes)
    }
    return randomText(random.nextInt(25), chance(0.5) ? "ab" : "abcdefghijklmnop");
  }

  String randomText(int length, String alphabet) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return text.toString();
  }

  String integer() {
    return chance(0.6) ? String.valueOf(random.nextInt(201) - 100) : pick(INTEGER_EDGES);
  }

  String decimal() {
    if (chance(0.6)) {
      return switch (random.nextInt(3)) {
        case 0 -> String.valueOf(random.nextInt(201) - 100);
        case 1 -> (random.nextInt(2001) - 1000) / 10.0 + "";
        default -> (1 + random.nextInt(9)) + "e" + (random.nextInt(7) - 3);
      };
    }
    return pick(FLOAT_EDGES);
  }

  /** A relative TTL in seconds: long enough never to expire during a run, or an edge case. */
  private String relativeSeconds() {
    return chance(0.75) ? String.valueOf(1000 + random.nextInt(1_000_000)) : pick(EXPIRY_EDGES);
  }

  private String relativeMillis() {
    return chance(0.75) ? String.valueOf(1_000_000L + random.nextInt(1_000_000_000)) : pick(EXPIRY_EDGES);
  }

  /** Unix time in seconds: after 2100 (never reached in a run), in the past, or an edge case. */
  private String absoluteSeconds() {
    double r = random.nextDouble();
    if (r < 0.6) {
      return String.valueOf(4_102_444_800L + random.nextInt(1_000_000));
    }
    if (r < 0.85) {
      return pick("1", "1000000000", "1600000000");
    }
    return pick(EXPIRY_EDGES);
  }

  private String absoluteMillis() {
    double r = random.nextDouble();
    if (r < 0.6) {
      return String.valueOf(4_102_444_800_000L + random.nextInt(1_000_000_000));
    }
    if (r < 0.85) {
      return pick("1", "1000000000000", "1600000000000");
    }
    return pick(EXPIRY_EDGES);
  }

  String rangeIndex() {
    return chance(0.8) ? String.valueOf(random.nextInt(141) - 70)
        : pick("0", "-1", "9223372036854775807", "-9223372036854775808", "abc", "");
  }

  /** Small offsets, or ones Redis must refuse; never one that makes Redis allocate 512 MB. */
  private String setRangeOffset() {
    return chance(0.85) ? String.valueOf(random.nextInt(71)) : pick("-1", "536870912", "abc", "", "1.5");
  }

  private String slot() {
    if (chance(0.8)) {
      return String.valueOf(io.kvorum.it.fixture.HashSlot.of(pick(ALL_KEYS)));
    }
    return pick("0", "16383", "16384", "-1", "abc", String.valueOf(random.nextInt(16384)));
  }

  boolean chance(double probability) {
    return random.nextDouble() < probability;
  }

  String pick(String... choices) {
    return choices[random.nextInt(choices.length)];
  }

  String pick(List<String> choices) {
    return choices.get(random.nextInt(choices.size()));
  }
}
