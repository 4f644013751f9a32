package io.kvorum.storage.stream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Random stream commands for the oracle: three stream keys (one with a hash tag), a string and a
 * hash key for WRONGTYPE, a few groups and consumers, IDs near the ones in use plus odd and invalid
 * forms, every option of every command, bursts of XADD so streams grow past several listpack
 * nodes, and generic commands (TYPE, DEL, COPY, RENAME, EXPIRE) on the same keys. IDs are never
 * {@code *}, and idle thresholds are 0 or an hour, so replies do not depend on the clock.
 */
final class StreamCommandGenerator {
  private static final String[] KEYS = {"s1", "s2", "{t}s3", "s1", "s2", "str", "h", "none"};
  private static final String[] GROUPS = {"g1", "g2", "g1", "g2", "gx"};
  private static final String[] CONSUMERS = {"alice", "bob", "carol", "alice"};
  private static final String[] FIELDS = {"a", "b", "c", "a", "f1", "12"};
  private static final String[] IDLE = {"0", "0", "3600000", "-1", "x"};
  private final Random rnd;
  /** Milliseconds part around which IDs are drawn; grows as entries are added. */
  private long clock = 1;
  private int burst;
  /** IDs this generator added lately: XCLAIM, XACK and XDEL mostly name real entries. */
  private final List<String> added = new ArrayList<>();
  /** {key, group, id} of entries Redis delivered to XREADGROUP lately. */
  private final List<String[]> delivered = new ArrayList<>();
  /** Whether {@link #streams} builds an XREADGROUP (its keys should hold the groups). */
  private boolean group;
  private String burstKey;

  StreamCommandGenerator(Random rnd) {
    this.rnd = rnd;
  }

  private String pick(String[] values) {
    return values[rnd.nextInt(values.length)];
  }

  private String streamKey() {
    return pick(new String[] {"s1", "s2", "{t}s3"});
  }

  private String key() {
    return pick(KEYS);
  }

  /** Mostly a stream key: the commands that need a group should usually find one. */
  private String groupKey() {
    return rnd.nextInt(10) == 0 ? key() : streamKey();
  }

  /** An ID somewhere in the range in use, sometimes with odd syntax. */
  private String id() {
    int r = rnd.nextInt(40);
    return switch (r) {
      case 0 -> "0";
      case 1 -> "0-0";
      case 2 -> "x";
      case 3 -> "18446744073709551615-" + rnd.nextInt(2);
      case 4 -> Long.toString(clock + 5);
      case 5 -> "-";
      case 6 -> "+";
      default -> {
        long ms = rnd.nextBoolean() ? clock - rnd.nextInt(40) : (long) (rnd.nextDouble() * clock);
        yield Math.max(0, ms) + (rnd.nextBoolean() ? "" : "-" + rnd.nextInt(3));
      }
    };
  }

  /** An ID that was added or delivered lately (it may be gone since), else any ID. */
  private String knownId() {
    if (!delivered.isEmpty() && rnd.nextBoolean()) {
      return recentDelivery(60)[2];
    }
    if (added.isEmpty() || rnd.nextInt(4) == 0) {
      return id();
    }
    return added.get(added.size() - 1 - rnd.nextInt(Math.min(added.size(), 60)));
  }

  private String[] recentDelivery(int window) {
    return delivered.get(delivered.size() - 1 - rnd.nextInt(Math.min(delivered.size(), window)));
  }

  /** Up to three IDs delivered lately for this key and group (some may be acked or gone). */
  private void deliveredIds(List<byte[]> a, String key, String group) {
    int n = 0;
    for (int i = delivered.size() - 1; i >= 0 && n < 3; i--) {
      String[] d = delivered.get(i);
      if (d[0].equals(key) && d[1].equals(group) && rnd.nextInt(3) > 0) {
        add(a, d[2]);
        n++;
      }
    }
    if (n == 0) {
      add(a, knownId());
    }
  }

  private static final Pattern REPLY_ID = Pattern.compile("\\$\\d+\\r\\n(\\d+-\\d+)\\r\\n");

  /** Learns the IDs Redis delivered to XREADGROUP, so claims and acks name pending entries. */
  void observe(byte[][] args, byte[] redisReply) {
    if (!new String(args[0], StandardCharsets.UTF_8).equalsIgnoreCase("xreadgroup")
        || redisReply[0] == '-') {
      return;
    }
    String group = null;
    String key = null;
    for (int i = 0; i < args.length; i++) {
      String a = new String(args[i], StandardCharsets.UTF_8);
      if (a.equalsIgnoreCase("GROUP")) {
        group = new String(args[i + 1], StandardCharsets.UTF_8);
      } else if (a.equalsIgnoreCase("STREAMS")) {
        key = new String(args[i + 1], StandardCharsets.UTF_8);
        break;
      }
    }
    Matcher m = REPLY_ID.matcher(new String(redisReply, StandardCharsets.ISO_8859_1));
    while (m.find()) {
      delivered.add(new String[] {key, group, m.group(1)});
    }
    if (delivered.size() > 500) {
      delivered.subList(0, 250).clear();
    }
  }

  /** An interval bound: an ID, {@code -}, {@code +} or an exclusive {@code (id}. */
  private String bound(boolean start) {
    return switch (rnd.nextInt(6)) {
      case 0 -> start ? "-" : "+";
      case 1 -> "(" + id();
      default -> id();
    };
  }

  private byte[] value() {
    return switch (rnd.nextInt(14)) {
      case 0 -> new byte[0];
      case 1 -> b(Long.toString(rnd.nextLong()));
      case 2 -> b("v".repeat(60 + rnd.nextInt(10)));
      case 3 -> b("w".repeat(300 + rnd.nextInt(300)));
      case 4 -> {
        byte[] v = new byte[1 + rnd.nextInt(4)];
        rnd.nextBytes(v);
        yield v;
      }
      case 5 -> b("0" + rnd.nextInt(9));
      case 6 -> b(Integer.toString(rnd.nextInt(100000) - 50000));
      default -> b(Integer.toString(rnd.nextInt(10)));
    };
  }

  byte[][] next() {
    List<byte[]> a = new ArrayList<>();
    if (burst > 0) {
      burst--;
      xadd(a, burstKey, false);
      return a.toArray(new byte[0][]);
    }
    int kind = rnd.nextInt(100);
    if (kind < 26) {
      if (rnd.nextInt(30) == 0) {
        burst = 50 + rnd.nextInt(150);
        burstKey = streamKey();
      }
      xadd(a, rnd.nextInt(10) == 0 ? key() : streamKey(), true);
    } else if (kind < 33) {
      add(a, rnd.nextBoolean() ? "xrange" : "xrevrange", key());
      boolean rev = new String(a.get(0), StandardCharsets.UTF_8).equals("xrevrange");
      add(a, bound(!rev), bound(rev));
      switch (rnd.nextInt(5)) {
        case 0 -> add(a, "COUNT", pick(new String[] {"0", "1", "3", "-1", "x", "1000"}));
        case 1 -> add(a, "count");
        default -> { }
      }
    } else if (kind < 35) {
      add(a, "xlen", key());
    } else if (kind < 40) {
      add(a, "xdel", key());
      for (int i = rnd.nextInt(3); i >= 0; i--) {
        add(a, knownId());
      }
    } else if (kind < 44) {
      if (rnd.nextInt(3) == 0) {
        add(a, "xgroup", "CREATE", streamKey(), pick(GROUPS), "0", "MKSTREAM");
        return a.toArray(new byte[0][]);
      }
      add(a, "xtrim", key());
      trim(a, true);
    } else if (kind < 49) {
      add(a, "xread");
      if (rnd.nextInt(3) == 0) {
        add(a, "COUNT", pick(new String[] {"1", "2", "0", "-1", "x"}));
      }
      if (rnd.nextInt(3) == 0) {
        add(a, "BLOCK", pick(new String[] {"0", "10", "-1", "x"}));
      }
      if (rnd.nextInt(20) == 0) {
        add(a, "NOACK");
      }
      add(a, "STREAMS");
      streams(a, new String[] {"$", "0", "0", "+", ">"});
    } else if (kind < 58) {
      xgroup(a);
    } else if (kind < 67) {
      add(a, "xreadgroup", "GROUP", pick(GROUPS), pick(CONSUMERS));
      group = true;
      if (rnd.nextInt(3) == 0) {
        add(a, "COUNT", pick(new String[] {"1", "2", "0", "-1", "x", "5"}));
      }
      if (rnd.nextInt(4) == 0) {
        add(a, "NOACK");
      }
      if (rnd.nextInt(5) == 0) {
        add(a, "BLOCK", pick(new String[] {"0", "10", "-1"}));
      }
      add(a, "STREAMS");
      streams(a, new String[] {">", ">", ">", "0", "$"});
      group = false;
    } else if (kind < 72) {
      if (!delivered.isEmpty() && rnd.nextBoolean()) {
        String[] d = recentDelivery(20);
        add(a, "xack", d[0], d[1]);
        deliveredIds(a, d[0], d[1]);
      } else {
        add(a, "xack", groupKey(), pick(GROUPS));
        for (int i = rnd.nextInt(3); i >= 0; i--) {
          add(a, knownId());
        }
      }
    } else if (kind < 78) {
      add(a, "xpending", groupKey(), pick(GROUPS));
      if (rnd.nextInt(4) > 0) {
        if (rnd.nextInt(3) == 0) {
          add(a, "IDLE", pick(IDLE));
        }
        add(a, bound(true), bound(false), pick(new String[] {"10", "1", "0", "-1", "x", "100"}));
        if (rnd.nextInt(3) == 0) {
          add(a, pick(CONSUMERS));
        }
      }
    } else if (kind < 83) {
      if (!delivered.isEmpty() && rnd.nextInt(4) > 0) {
        String[] d = recentDelivery(10);
        add(a, "xclaim", d[0], d[1], pick(CONSUMERS), pick(IDLE));
        deliveredIds(a, d[0], d[1]);
      } else {
        add(a, "xclaim", groupKey(), pick(GROUPS), pick(CONSUMERS), pick(IDLE));
        for (int i = rnd.nextInt(3); i >= 0; i--) {
          add(a, knownId());
        }
      }
      for (int i = rnd.nextInt(3); i > 0; i--) {
        switch (rnd.nextInt(7)) {
          case 0 -> add(a, "FORCE");
          case 1 -> add(a, "JUSTID");
          case 2 -> add(a, "IDLE", pick(new String[] {"0", "7200000", "x", "-5"}));
          case 3 -> add(a, "TIME", pick(new String[] {"1", "99999999999999", "x", "-5"}));
          case 4 -> add(a, "RETRYCOUNT", pick(new String[] {"0", "5", "-1", "x"}));
          case 5 -> add(a, "LASTID", id());
          default -> add(a, "bogus");
        }
      }
    } else if (kind < 87) {
      add(a, "xautoclaim", groupKey(), pick(GROUPS), pick(CONSUMERS), pick(IDLE), bound(true));
      if (rnd.nextInt(2) == 0) {
        add(a, "COUNT", pick(new String[] {"1", "2", "5", "0", "x", "100"}));
      }
      if (rnd.nextInt(3) == 0) {
        add(a, "JUSTID");
      }
    } else if (kind < 91) {
      switch (rnd.nextInt(6)) {
        case 0 -> add(a, "xinfo", "stream", key());
        case 1 -> add(a, "xinfo", "stream", key(), "full");
        case 2 -> add(a, "xinfo", "stream", key(), "full", "count",
            pick(new String[] {"0", "1", "3", "-1", "x"}));
        case 3 -> add(a, "xinfo", "groups", key());
        case 4 -> add(a, "xinfo", "consumers", groupKey(), pick(GROUPS));
        default -> add(a, "xinfo", pick(new String[] {"help", "bogus", "stream"}));
      }
    } else if (kind < 93) {
      add(a, "xsetid", key(), id());
      if (rnd.nextInt(3) == 0) {
        add(a, "ENTRIESADDED", pick(new String[] {"0", "5", "1000", "-1"}));
      }
      if (rnd.nextInt(3) == 0) {
        add(a, "MAXDELETEDID", id());
      }
    } else {
      generic(a);
    }
    return a.toArray(new byte[0][]);
  }

  private void xadd(List<byte[]> a, String key, boolean options) {
    add(a, "xadd", key);
    if (options) {
      if (rnd.nextInt(15) == 0) {
        add(a, "NOMKSTREAM");
      }
      if (rnd.nextInt(8) == 0) {
        trim(a, false);
      }
    }
    int r = rnd.nextInt(30);
    if (r == 0) {
      add(a, id());
    } else if (r == 1) {
      add(a, clock + "-*");
    } else {
      clock += 1 + rnd.nextInt(2);
      String id = clock + "-" + rnd.nextInt(4);
      added.add(id);
      if (added.size() > 500) {
        added.subList(0, 250).clear();
      }
      add(a, id);
    }
    int pairs = rnd.nextInt(25) == 0 ? 0 : 1 + rnd.nextInt(3);
    for (int i = 0; i < pairs; i++) {
      add(a, pick(FIELDS));
      a.add(value());
    }
    if (rnd.nextInt(40) == 0) {
      add(a, "odd");
    }
  }

  private void trim(List<byte[]> a, boolean xtrim) {
    boolean maxlen = rnd.nextBoolean();
    add(a, maxlen ? "MAXLEN" : "MINID");
    switch (rnd.nextInt(4)) {
      case 0 -> add(a, "~");
      case 1 -> add(a, "=");
      default -> { }
    }
    if (maxlen) {
      add(a, pick(new String[] {"0", "5", "50", "120", "120", "250", "250", "400", "400", "-1",
          "x"}));
    } else {
      add(a, Long.toString(Math.max(0, clock - 100 - rnd.nextInt(400))));
    }
    if (rnd.nextInt(4) == 0) {
      add(a, "LIMIT", pick(new String[] {"0", "1", "50", "100", "250", "-1"}));
    }
    if (xtrim && rnd.nextInt(20) == 0) {
      add(a, "bogus");
    }
  }

  private void streams(List<byte[]> a, String[] special) {
    int n = 1 + rnd.nextInt(2);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add(rnd.nextInt(group ? 12 : 8) == 0 ? key() : streamKey());
    }
    for (String k : keys) {
      add(a, k);
    }
    for (int i = 0; i < n; i++) {
      add(a, rnd.nextInt(3) == 0 ? id() : pick(special));
    }
    if (rnd.nextInt(30) == 0) {
      add(a, "0");
    }
  }

  private void xgroup(List<byte[]> a) {
    switch (rnd.nextInt(10)) {
      case 0, 1, 2, 8 -> {
        add(a, "xgroup", "CREATE", groupKey(), pick(GROUPS),
            pick(new String[] {"$", "0", "$", id()}));
        if (rnd.nextInt(3) == 0) {
          add(a, "MKSTREAM");
        }
        if (rnd.nextInt(4) == 0) {
          add(a, "ENTRIESREAD", pick(new String[] {"0", "3", "-1", "-2", "x"}));
        }
      }
      case 3 -> {
        add(a, "xgroup", "SETID", groupKey(), pick(GROUPS), pick(new String[] {"$", "0", id()}));
        if (rnd.nextInt(3) == 0) {
          add(a, "ENTRIESREAD", pick(new String[] {"0", "3", "-1", "-2", "x"}));
        }
      }
      case 4 -> add(a, "xgroup", "DESTROY", key(), pick(GROUPS));
      case 5, 6 -> add(a, "xgroup", "CREATECONSUMER", groupKey(), pick(GROUPS),
          pick(CONSUMERS));
      case 7 -> add(a, "xgroup", "DELCONSUMER", groupKey(), pick(GROUPS), pick(CONSUMERS));
      default -> add(a, "xgroup", pick(new String[] {"help", "bogus", "create"}));
    }
  }

  private void generic(List<byte[]> a) {
    switch (rnd.nextInt(rnd.nextInt(4) == 0 ? 10 : 2)) {
      case 0 -> add(a, "type", key());
      case 1 -> add(a, "object", "encoding", key());
      case 2 -> add(a, "del", key());
      case 3 -> add(a, "copy", streamKey(), streamKey(), "REPLACE");
      case 4 -> add(a, "rename", streamKey(), streamKey());
      case 5 -> add(a, "expire", key(), "1000");
      case 6 -> add(a, "set", "str", "v");
      case 7 -> add(a, "hset", "h", "f", "v");
      case 8 -> add(a, "exists", key());
      default -> add(a, "unlink", key());
    }
  }

  private static void add(List<byte[]> a, String... parts) {
    for (String p : parts) {
      a.add(b(p));
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
