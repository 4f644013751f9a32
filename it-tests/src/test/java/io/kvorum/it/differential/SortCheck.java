package io.kvorum.it.differential;

import io.kvorum.it.differential.DifferentialRunner.Mismatch;
import io.kvorum.it.differential.DifferentialRunner.Step;
import io.kvorum.it.fixture.HashSlot;
import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.RespReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * SORT and SORT_RO ({@link Check#SORT}).
 *
 * <p>Redis 7.0 in cluster mode refuses every BY pattern with a '*' and every GET; Kvorum accepts
 * those whose keys share the sorted key's slot (a hash tag before the '*', or GET #). For those the
 * expected reply comes from a standalone redis-server loaded with a copy of every key under the
 * sorted key's hash tag (the only keys such patterns can name); a STORE result is then copied back
 * to the cluster oracle so both servers stay in step.
 *
 * <p>Where Redis takes the order of equal elements from a hash table (a hashtable set or a sorted
 * set under ALPHA BY, under ALPHA with elements that compare equal up to a NUL byte, or a
 * hashtable set under BY nosort without STORE), no other server can reproduce it: the reply must
 * have Redis's shape, and without LIMIT the same elements; a STORE result is copied from the
 * oracle to the target.
 */
final class SortCheck {

  private SortCheck() {
  }

  /**
   * The options that matter here, scanned as Redis's sortCommandGeneric scans them.
   *
   * @param clusterRefusedAccepted positions (of the BY/GET keyword) of the patterns Redis Cluster
   *     refuses and Kvorum accepts
   * @param kvorumRefuses whether Kvorum refuses a pattern too (one naming keys outside the slot)
   */
  record Plan(boolean alpha, boolean limit, boolean dontSort, boolean byPattern, String store,
      List<Integer> clusterRefusedAccepted, boolean kvorumRefuses, int gets) {

    static Plan of(List<String> args) {
      boolean readOnly = args.get(0).equalsIgnoreCase("SORT_RO");
      int slot = HashSlot.of(args.get(1));
      boolean alpha = false;
      boolean limit = false;
      boolean dontSort = false;
      boolean byPattern = false;
      boolean kvorumRefuses = false;
      List<Integer> accepted = new ArrayList<>();
      int gets = 0;
      String store = null;
      for (int j = 2; j < args.size() && !kvorumRefuses; j++) {
        String option = args.get(j).toLowerCase(Locale.ROOT);
        int left = args.size() - j - 1;
        if (option.equals("asc") || option.equals("desc")) {
          continue;
        } else if (option.equals("alpha")) {
          alpha = true;
        } else if (option.equals("limit") && left >= 2) {
          limit = true;
          j += 2;
        } else if (option.equals("store") && !readOnly && left >= 1) {
          store = args.get(++j);
        } else if (option.equals("by") && left >= 1) {
          String pattern = args.get(++j);
          if (pattern.indexOf('*') < 0) {
            dontSort = true;
          } else if (patternSlot(pattern) == slot) {
            byPattern = true;
            accepted.add(j - 1);
          } else {
            kvorumRefuses = true;
          }
        } else if (option.equals("get") && left >= 1) {
          String pattern = args.get(++j);
          gets++;
          if (pattern.equals("#") || patternSlot(pattern) == slot) {
            accepted.add(j - 1);
          } else {
            kvorumRefuses = true;
          }
        } else {
          break; // a syntax error: Redis stops here, and so does every check after it
        }
      }
      return new Plan(alpha, limit, dontSort, byPattern, store, accepted, kvorumRefuses, gets);
    }

    /** Evaluated on the standalone server: Redis Cluster refuses it, Kvorum does not. */
    boolean standalone(String key) {
      return !clusterRefusedAccepted.isEmpty() && !kvorumRefuses
          && (store == null || HashSlot.of(store) == HashSlot.of(key));
    }

    /**
     * What to ask Redis Cluster when Kvorum refuses a pattern: the command without the patterns
     * before it that Kvorum accepts, so that Redis stops at the same option with the same error.
     */
    List<String> withoutAccepted(List<String> args) {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < args.size(); i++) {
        if (clusterRefusedAccepted.contains(i)) {
          i++; // the keyword and its pattern
        } else {
          out.add(args.get(i));
        }
      }
      return out;
    }
  }

  /**
   * The slot every key a pattern names is in, or -1 when that depends on the element (Kvorum's
   * rule: a complete hash tag before the '*'; a pattern without '*' names itself).
   */
  static int patternSlot(String pattern) {
    int star = pattern.indexOf('*');
    if (star < 0) {
      return HashSlot.of(pattern);
    }
    int open = pattern.indexOf('{');
    if (open < 0 || open > star) {
      return -1;
    }
    int close = pattern.indexOf('}', open + 1);
    if (close < 0 || close > star || close == open + 1) {
      return -1;
    }
    return HashSlot.of(pattern.substring(open, close + 1));
  }

  static Optional<Mismatch> run(Step step) {
    List<String> args = step.command.args();
    String key = args.get(1);
    Plan plan = Plan.of(args);
    boolean hashOrder = hashOrder(step, key, plan);
    boolean standalone = plan.standalone(key);

    clearErrno(step);
    RespReply expected;
    if (standalone) {
      expected = onStandalone(step, key, plan);
    } else if (plan.kvorumRefuses() && !plan.clusterRefusedAccepted().isEmpty()) {
      expected = step.onOracle(RawResp.utf8(plan.withoutAccepted(args).toArray(String[]::new)));
    } else {
      expected = step.onOracle(step.command.bytes());
    }
    step.record(expected);
    RespReply actual;
    try {
      actual = step.onTarget(step.command.bytes());
    } catch (IOException e) {
      return step.targetFailed(e, expected);
    }
    String where = standalone ? "   (patterns in the slot: expected reply from the standalone redis-server)"
        : plan.kvorumRefuses() && !plan.clusterRefusedAccepted().isEmpty()
        ? "   (expected: Redis Cluster's reply without the patterns Kvorum accepts before the one it refuses)" : "";
    boolean stored = plan.store() != null && expected.kind() == RespReply.Kind.INTEGER;
    if (!hashOrder || !expected.isAggregate() || expected.isNull()) {
      if (!expected.sameBytes(actual)) {
        return step.mismatch("reply bytes differ" + where, expected, actual);
      }
      if (hashOrder && stored) {
        // The count matches; the stored list holds ties in Redis's hash-table order.
        Optional<String> problem = copyToTarget(step, plan.store());
        if (problem.isPresent()) {
          return step.mismatch("copying the STORE result to the target failed: " + problem.get(), expected, actual);
        }
        return step.agreed(expected.render() + "   (ties in Redis's hash-table order: " + plan.store()
            + " copied from the oracle)" + where);
      }
      return step.agreed(expected.render() + where);
    }
    // Ties in hash-table order: Redis's shape, and without LIMIT the same elements.
    if (actual.kind() != expected.kind() || actual.elements().size() != expected.elements().size()) {
      return step.mismatch("another shape (ties are in Redis's hash-table order, so only the shape is compared)" + where,
          expected, actual);
    }
    if (!plan.limit() && !groups(expected, plan).equals(groups(actual, plan))) {
      return step.mismatch("other elements (ties are in Redis's hash-table order, so order is ignored)" + where,
          expected, actual);
    }
    return step.agreed(expected.render() + "   (ties in Redis's hash-table order: "
        + (plan.limit() ? "shape" : "elements") + " compared)" + where);
  }

  /**
   * Redis 7.0's SORT tests {@code errno == ERANGE} after strtod without clearing errno first, so
   * an out-of-range number parsed by any earlier command (of any client) makes a numeric sort
   * fail with "One or more scores can't be converted into double". Kvorum judges each sort by its
   * own weights. INCRBYFLOAT clears errno before it parses (and refuses "abc" without writing).
   */
  private static final List<byte[]> CLEAR_ERRNO = RawResp.utf8("INCRBYFLOAT", "{sort-check}errno", "abc");

  private static void clearErrno(Step step) {
    RespReply cleared = step.onOracle(CLEAR_ERRNO);
    if (!cleared.isError()) {
      throw new IllegalStateException("INCRBYFLOAT key abc did not fail on the oracle: " + cleared.render());
    }
  }

  /** Whether Redis would order some equal elements by its hash table (see the class comment). */
  private static boolean hashOrder(Step step, String key, Plan plan) {
    List<RespReply> info = step.pipelineOnOracle(List.of(RawResp.utf8("TYPE", key), RawResp.utf8("OBJECT", "ENCODING", key)));
    String type = info.get(0).text();
    boolean hashSet = "set".equals(type) && "hashtable".equals(info.get(1).text());
    if (!hashSet && !"zset".equals(type)) {
      return false;
    }
    if (plan.dontSort() && hashSet && plan.store() == null) {
      return true;
    }
    if (!plan.alpha() || plan.dontSort()) {
      return false;
    }
    if (plan.byPattern()) {
      return true;
    }
    if (plan.store() != null) {
      return false; // compared as binary strings: distinct elements never tie
    }
    RespReply members = step.onOracle(hashSet ? RawResp.utf8("SMEMBERS", key) : RawResp.utf8("ZRANGE", key, "0", "-1"));
    for (RespReply member : members.elements()) {
      byte[] bytes = member.payload();
      for (byte b : bytes == null ? new byte[0] : bytes) {
        if (b == 0) {
          return true; // compared as C strings: "a\0b" and "a\0c" tie
        }
      }
    }
    return false;
  }

  /** The reply cut into one group per element (the element or its GET values), sorted. */
  private static List<String> groups(RespReply reply, Plan plan) {
    int size = Math.max(1, plan.gets());
    List<String> groups = new ArrayList<>();
    List<RespReply> elements = reply.elements();
    for (int i = 0; i < elements.size(); i += size) {
      StringBuilder group = new StringBuilder();
      for (int j = i; j < Math.min(i + size, elements.size()); j++) {
        group.append(new String(elements.get(j).raw(), StandardCharsets.ISO_8859_1));
      }
      groups.add(group.toString());
    }
    groups.sort(null);
    return groups;
  }

  /**
   * Loads the standalone server with the oracle's keys under the sorted key's hash tag (values
   * and deadlines), runs the SORT there, and copies a STORE result back to the oracle.
   */
  private static RespReply onStandalone(Step step, String key, Plan plan) {
    // Patterns can only name keys under the key's hash tag; without a tag, only GET # is
    // accepted, which reads nothing but the key.
    String tag = SortDumpTemplates.tag(key);
    RespReply keys = tag != null ? step.onOracle("KEYS", "{" + tag + "}*") : step.onOracle("KEYS", globEscaped(key));
    List<List<byte[]>> reads = new ArrayList<>();
    for (RespReply name : keys.elements()) {
      reads.add(List.of(bytes("DUMP"), name.payload()));
      reads.add(List.of(bytes("PEXPIRETIME"), name.payload()));
    }
    List<RespReply> values = step.pipelineOnOracle(reads);
    List<List<byte[]>> load = new ArrayList<>();
    load.add(RawResp.utf8("FLUSHALL"));
    for (int i = 0; i < keys.elements().size(); i++) {
      RespReply payload = values.get(2 * i);
      long deadline = values.get(2 * i + 1).asLong();
      if (payload.isNull() || deadline == -2) {
        continue; // expired in between
      }
      // The absolute deadline: a relative TTL near 2^63 would overflow when Redis adds its clock.
      load.add(List.of(bytes("RESTORE"), keys.elements().get(i).payload(), bytes(String.valueOf(Math.max(deadline, 0))),
          payload.payload(), bytes("ABSTTL")));
    }
    load.add(CLEAR_ERRNO);
    List<RespReply> loaded = step.pipelineOnStandalone(load);
    for (int i = 1; i < loaded.size() - 1; i++) { // FLUSHALL, the RESTOREs, then the errno reset
      if (loaded.get(i).isError()) {
        throw new IllegalStateException("the standalone redis-server refused a copy of the oracle's key: " + loaded.get(i).render());
      }
    }
    RespReply reply = step.onStandalone(step.command.bytes());
    RespReply encoding = step.onStandalone(RawResp.utf8("OBJECT", "ENCODING", key));
    if ("skiplist".equals(encoding.text()) && "listpack".equals(step.onOracle("OBJECT", "ENCODING", key).text())) {
      // Sorting converted the sorted set to a skiplist there: so it must on the oracle (a SORT
      // without patterns converts it and returns nothing).
      step.onOracle("SORT_RO", key, "LIMIT", "0", "0");
    }
    if (plan.store() != null && reply.kind() == RespReply.Kind.INTEGER) {
      RespReply stored = step.onStandalone(RawResp.utf8("DUMP", plan.store()));
      RespReply copied = stored.isNull() ? step.onOracle("DEL", plan.store())
          : step.onOracle(List.of(bytes("RESTORE"), bytes(plan.store()), bytes("0"), stored.payload(), bytes("REPLACE")));
      if (copied.isError()) {
        throw new IllegalStateException("the oracle refused the STORE result of the standalone server: " + copied.render());
      }
    }
    return reply;
  }

  /** Makes the target's {@code destination} the oracle's (DUMP there, RESTORE REPLACE here). */
  private static Optional<String> copyToTarget(Step step, String destination) {
    RespReply payload = step.onOracle("DUMP", destination);
    try {
      RespReply reply = payload.isNull() ? step.onTarget("DEL", destination)
          : step.onTarget(List.of(bytes("RESTORE"), bytes(destination), bytes("0"), payload.payload(), bytes("REPLACE")));
      return reply.isError() ? Optional.of(reply.render()) : Optional.empty();
    } catch (IOException e) {
      return Optional.of(e.toString());
    }
  }

  /** A KEYS pattern matching exactly {@code key}. */
  private static String globEscaped(String key) {
    StringBuilder out = new StringBuilder();
    for (char c : key.toCharArray()) {
      if ("*?[]\\".indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
