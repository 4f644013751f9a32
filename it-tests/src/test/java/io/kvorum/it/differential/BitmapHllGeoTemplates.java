package io.kvorum.it.differential;

import io.kvorum.it.differential.CommandGenerator.Family;
import io.kvorum.it.differential.CommandGenerator.Template;
import java.util.ArrayList;
import java.util.List;

/**
 * Every Redis 7.0 bitmap, HyperLogLog and geo command with every option, for the differential
 * test. Bitmaps and HyperLogLogs are strings (GET shows their bytes, so Kvorum's HLL registers and
 * cached cardinality must be Redis's byte for byte); geo sets are sorted sets.
 */
final class BitmapHllGeoTemplates {

  private BitmapHllGeoTemplates() {
  }

  static void addTo(List<Template> t) {
    bitmaps(t);
    hyperLogLog(t);
    geo(t);
  }

  // --- bitmaps ----------------------------------------------------------------------------------

  private static final String[][] BITMAP_ARITY = {
      {"SETBIT", "k", "1"}, {"SETBIT", "k", "1", "1", "x"}, {"GETBIT", "k"}, {"BITCOUNT"},
      {"BITCOUNT", "k", "0"}, {"BITPOS", "k"}, {"BITOP", "AND", "k"}, {"BITOP", "NOT"}, {"BITFIELD"},
      {"BITFIELD_RO"},
  };

  private static void bitmaps(List<Template> t) {
    Family b = Family.BITMAPS;
    t.add(new Template(b, 5, g -> g.cmd("SETBIT", g.key(), bitOffset(g, true),
        g.chance(0.95) ? g.pick("0", "1", "1") : g.pick("2", "-1", "abc", ""))));
    t.add(new Template(b, 3, g -> g.cmd("GETBIT", g.key(), bitOffset(g, false))));
    t.add(new Template(b, 3, BitmapHllGeoTemplates::bitcount));
    t.add(new Template(b, 3, BitmapHllGeoTemplates::bitpos));
    t.add(new Template(b, 2, BitmapHllGeoTemplates::bitop));
    t.add(new Template(b, 3, g -> bitfield(g, false)));
    t.add(new Template(b, 1.5, g -> bitfield(g, true)));
    t.add(new Template(b, 1, g -> g.cmd("SET", g.key(), g.pick("a", "", "\u00ff\u00f0", "hello", "\0\0\u0001"))));
    t.add(new Template(b, 1.5, g -> g.cmd("GET", g.key())));
    t.add(new Template(b, 0.5, g -> g.wrongArity(BITMAP_ARITY)));
  }

  /** Offsets up to a few hundred bits; writes never near 2^32 (Redis would allocate 512 MB). */
  private static String bitOffset(CommandGenerator g, boolean write) {
    if (g.chance(0.9)) {
      return String.valueOf(g.random.nextInt(g.chance(0.8) ? 64 : 400));
    }
    return write ? g.pick("-1", "4294967296", "abc", "", "1.5", "0x10")
        : g.pick("-1", "4294967295", "4294967296", "abc", "9223372036854775807");
  }

  private static String byteIndex(CommandGenerator g) {
    return g.chance(0.9) ? String.valueOf(g.random.nextInt(21) - 10) : g.pick("abc", "9223372036854775807", "-9223372036854775808", "");
  }

  private static GeneratedCommand bitcount(CommandGenerator g) {
    List<String> args = new ArrayList<>(List.of(g.key()));
    if (g.chance(0.6)) {
      args.add(byteIndex(g));
      args.add(byteIndex(g));
      if (g.chance(0.4)) {
        args.add(g.chance(0.95) ? g.name(g.pick("BYTE", "BIT")) : "WORD");
      }
    }
    if (g.chance(0.03)) {
      args.add("x");
    }
    return g.cmd("BITCOUNT", args);
  }

  private static GeneratedCommand bitpos(CommandGenerator g) {
    List<String> args = new ArrayList<>(List.of(g.key(), g.chance(0.95) ? g.pick("0", "1") : g.pick("2", "abc")));
    if (g.chance(0.6)) {
      args.add(byteIndex(g));
      if (g.chance(0.6)) {
        args.add(byteIndex(g));
        if (g.chance(0.4)) {
          args.add(g.chance(0.95) ? g.name(g.pick("BYTE", "BIT")) : "WORD");
        }
      }
    }
    return g.cmd("BITPOS", args);
  }

  private static GeneratedCommand bitop(CommandGenerator g) {
    String op = g.chance(0.95) ? g.pick("AND", "OR", "XOR", "NOT") : g.pick("NAND", "");
    int sources = op.equals("NOT") && g.chance(0.9) ? 1 : 1 + g.random.nextInt(3);
    List<String> args = new ArrayList<>();
    args.add(g.name(op));
    args.addAll(g.keys(1 + sources));
    return g.cmd("BITOP", args);
  }

  private static final String[] BITFIELD_TYPES = {
      "u1", "u4", "u8", "i8", "i5", "u16", "i16", "i32", "u63", "i64", "u32", "i1",
  };

  private static GeneratedCommand bitfield(CommandGenerator g, boolean readOnly) {
    List<String> args = new ArrayList<>(List.of(g.key()));
    int operations = 1 + g.random.nextInt(3);
    for (int i = 0; i < operations; i++) {
      double r = g.random.nextDouble();
      if (readOnly ? r < 0.92 : r < 0.35) {
        args.addAll(List.of(g.name("GET"), bitfieldType(g), bitfieldOffset(g)));
      } else if (readOnly || r < 0.6) {
        args.addAll(List.of(g.name("SET"), bitfieldType(g), bitfieldOffset(g), bitfieldValue(g)));
      } else if (r < 0.85) {
        args.addAll(List.of(g.name("INCRBY"), bitfieldType(g), bitfieldOffset(g), bitfieldValue(g)));
      } else {
        args.addAll(List.of(g.name("OVERFLOW"), g.chance(0.95) ? g.name(g.pick("WRAP", "SAT", "FAIL")) : "FOO"));
      }
    }
    if (g.chance(0.03)) {
      args.add(g.pick("FOO", "GET"));
    }
    return g.cmd(readOnly ? "BITFIELD_RO" : "BITFIELD", args);
  }

  private static String bitfieldType(CommandGenerator g) {
    return g.chance(0.93) ? g.pick(BITFIELD_TYPES) : g.pick("u64", "i65", "i0", "x8", "u", "I8");
  }

  private static String bitfieldOffset(CommandGenerator g) {
    double r = g.random.nextDouble();
    if (r < 0.6) {
      return String.valueOf(g.random.nextInt(100));
    }
    if (r < 0.9) {
      return "#" + g.random.nextInt(8);
    }
    return g.pick("-1", "#-1", "abc", "#", "4294967296");
  }

  private static String bitfieldValue(CommandGenerator g) {
    return g.chance(0.6) ? String.valueOf(g.random.nextInt(601) - 300) : g.pick("0", "1", "-1", "127", "128", "255", "256",
        "9223372036854775807", "-9223372036854775808", "abc", "1.5");
  }

  // --- HyperLogLog ------------------------------------------------------------------------------

  private static final String[][] HLL_ARITY = {{"PFADD"}, {"PFCOUNT"}, {"PFMERGE"}};

  private static void hyperLogLog(List<Template> t) {
    Family p = Family.HYPERLOGLOG;
    t.add(new Template(p, 5, g -> {
      List<String> args = new ArrayList<>(List.of(g.key()));
      int count = g.random.nextInt(5);
      for (int i = 0; i < count; i++) {
        args.add(g.chance(0.5) ? g.member() : String.valueOf(g.random.nextInt(100_000)));
      }
      return g.cmd("PFADD", args);
    }));
    t.add(new Template(p, 0.4, g -> {
      // Enough distinct elements to make the sparse representation go dense (past 3000 bytes).
      List<String> args = new ArrayList<>(List.of(g.key()));
      int count = g.chance(0.5) ? 100 + g.random.nextInt(300) : 1500 + g.random.nextInt(1500);
      int base = g.random.nextInt(1_000_000);
      for (int i = 0; i < count; i++) {
        args.add("e" + (base + i));
      }
      return g.cmd("PFADD", args);
    }));
    t.add(new Template(p, 3, g -> g.cmd("PFCOUNT", g.keys(1 + (g.chance(0.6) ? 0 : g.random.nextInt(3))))));
    t.add(new Template(p, 2, g -> g.cmd("PFMERGE", g.keys(1 + g.random.nextInt(3)))));
    t.add(new Template(p, 2, g -> g.cmd("GET", g.key())));
    t.add(new Template(p, 0.5, g -> g.cmd("SET", g.key(), g.pick("HYLL", "HYLLxxxxxxxxxxxxxxxxxx", "hello", ""))));
    t.add(new Template(p, 0.3, g -> g.cmd("APPEND", g.key(), g.pick("x", "\0\0", "\u00ff"))));
    t.add(new Template(p, 0.3, g -> g.wrongArity(HLL_ARITY)));
  }

  // --- geo --------------------------------------------------------------------------------------

  private static final String[][] GEO_ARITY = {
      {"GEOADD", "k", "13", "38"}, {"GEOADD", "k"}, {"GEODIST", "k", "m"}, {"GEOHASH"}, {"GEOPOS"},
      {"GEOSEARCH", "k"}, {"GEOSEARCHSTORE", "k", "k"}, {"GEORADIUS", "k", "13", "38", "10"},
      {"GEORADIUSBYMEMBER", "k", "m", "10"}, {"GEORADIUS_RO", "k"}, {"GEORADIUSBYMEMBER_RO", "k", "m"},
  };

  private static void geo(List<Template> t) {
    Family o = Family.GEO;
    t.add(new Template(o, 6, BitmapHllGeoTemplates::geoadd));
    t.add(new Template(o, 2, g -> {
      List<String> args = new ArrayList<>(List.of(g.key(), g.member(), g.member()));
      if (g.chance(0.5)) {
        args.add(unit(g));
      }
      return g.cmd("GEODIST", args);
    }));
    t.add(new Template(o, 1.5, g -> g.cmd("GEOHASH", g.key(), g.members(g.random.nextInt(4)))));
    t.add(new Template(o, 1.5, g -> g.cmd("GEOPOS", g.key(), g.members(g.random.nextInt(4)))));
    t.add(new Template(o, 3, g -> geosearch(g, false)));
    t.add(new Template(o, 1.5, g -> geosearch(g, true)));
    t.add(new Template(o, 2, g -> georadius(g, "GEORADIUS", true)));
    t.add(new Template(o, 1.5, g -> georadius(g, "GEORADIUSBYMEMBER", true)));
    t.add(new Template(o, 1, g -> georadius(g, "GEORADIUS_RO", false)));
    t.add(new Template(o, 1, g -> georadius(g, "GEORADIUSBYMEMBER_RO", false)));
    t.add(new Template(o, 1, g -> g.cmd("ZRANGE", g.key(), "0", "-1", "WITHSCORES")));
    t.add(new Template(o, 0.5, g -> g.cmd("ZREM", g.key(), g.member())));
    t.add(new Template(o, 0.3, g -> g.wrongArity(GEO_ARITY)));
  }

  /** Around one point (Palermo), so radius searches find something; edges now and then. */
  private static String longitude(CommandGenerator g) {
    if (g.chance(0.92)) {
      return String.format(java.util.Locale.ROOT, "%.6f", 13.0 + g.random.nextDouble() * 0.6);
    }
    return g.pick("180", "-180", "180.1", "-181", "0", "abc", "", "inf", "nan", "13");
  }

  private static String latitude(CommandGenerator g) {
    if (g.chance(0.92)) {
      return String.format(java.util.Locale.ROOT, "%.6f", 38.0 + g.random.nextDouble() * 0.4);
    }
    return g.pick("85.05112878", "-85.05112878", "85.06", "-90", "0", "abc", "", "38");
  }

  private static String unit(CommandGenerator g) {
    return g.chance(0.95) ? g.name(g.pick("m", "km", "mi", "ft")) : g.pick("yd", "", "KMS");
  }

  private static String radius(CommandGenerator g) {
    return g.chance(0.9) ? String.valueOf(1 + g.random.nextInt(60)) : g.pick("0", "-1", "abc", "0.5", "100000");
  }

  private static GeneratedCommand geoadd(CommandGenerator g) {
    List<String> args = new ArrayList<>();
    args.add(g.key());
    if (g.chance(0.15)) {
      args.add(g.name(g.pick("NX", "XX")));
    }
    if (g.chance(0.15)) {
      args.add(g.name("CH"));
    }
    if (g.chance(0.02)) {
      args.add(g.name(g.pick("NX", "XX", "GT")));
    }
    int count = 1 + g.random.nextInt(3);
    for (int i = 0; i < count; i++) {
      args.add(longitude(g));
      args.add(latitude(g));
      args.add(g.member());
    }
    if (g.chance(0.03)) {
      args.remove(args.size() - 1);
    }
    return g.cmd("GEOADD", args);
  }

  /** The options every search form shares: WITH*, COUNT [ANY], ASC/DESC. */
  private static List<List<String>> searchOptions(CommandGenerator g, boolean withOptions) {
    List<List<String>> options = new ArrayList<>();
    if (withOptions) {
      for (String with : List.of("WITHCOORD", "WITHDIST", "WITHHASH")) {
        if (g.chance(0.3)) {
          options.add(List.of(g.name(with)));
        }
      }
    }
    if (g.chance(0.35)) {
      List<String> count = new ArrayList<>(List.of(g.name("COUNT"),
          g.chance(0.9) ? String.valueOf(1 + g.random.nextInt(4)) : g.pick("0", "-1", "abc")));
      if (g.chance(0.3)) {
        count.add(g.name("ANY"));
      }
      options.add(count);
    } else if (g.chance(0.02)) {
      options.add(List.of(g.name("ANY")));
    }
    if (g.chance(0.4)) {
      options.add(List.of(g.name(g.pick("ASC", "DESC"))));
    }
    return options;
  }

  private static GeneratedCommand geosearch(CommandGenerator g, boolean store) {
    List<String> fixed = new ArrayList<>(store ? g.keys(2) : List.of(g.key()));
    List<List<String>> options = searchOptions(g, !store || g.chance(0.03));
    boolean fromMember = g.chance(0.5);
    if (g.chance(0.97)) {
      options.add(fromMember ? List.of(g.name("FROMMEMBER"), g.member())
          : List.of(g.name("FROMLONLAT"), longitude(g), latitude(g)));
    }
    if (g.chance(0.02)) {
      options.add(List.of(g.name("FROMMEMBER"), g.member()));
    }
    if (g.chance(0.97)) {
      options.add(g.chance(0.5) ? List.of(g.name("BYRADIUS"), radius(g), unit(g))
          : List.of(g.name("BYBOX"), radius(g), radius(g), unit(g)));
    }
    if (g.chance(0.02)) {
      options.add(List.of(g.name("BYRADIUS"), radius(g), unit(g)));
    }
    if (store && g.chance(0.4)) {
      options.add(List.of(g.name("STOREDIST")));
    }
    if (g.chance(0.02)) {
      options.add(List.of(g.pick("FOO", "STORE", "STOREDIST")));
    }
    return g.withOptions(Check.EXACT, store ? "GEOSEARCHSTORE" : "GEOSEARCH", fixed, options);
  }

  private static GeneratedCommand georadius(CommandGenerator g, String command, boolean storeAllowed) {
    List<String> fixed = new ArrayList<>();
    List<String> keys = g.keys(2);
    fixed.add(keys.get(0));
    if (command.startsWith("GEORADIUSBYMEMBER")) {
      fixed.add(g.member());
    } else {
      fixed.add(longitude(g));
      fixed.add(latitude(g));
    }
    fixed.add(radius(g));
    fixed.add(unit(g));
    List<List<String>> options = searchOptions(g, true);
    if (storeAllowed ? g.chance(0.3) : g.chance(0.03)) {
      options.add(List.of(g.name(g.pick("STORE", "STOREDIST")), keys.get(1)));
    }
    if (g.chance(0.02)) {
      options.add(List.of(g.pick("FOO", "STORE")));
    }
    return g.withOptions(Check.EXACT, command, fixed, options);
  }
}
