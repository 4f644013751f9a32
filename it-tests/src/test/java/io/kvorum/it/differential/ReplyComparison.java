package io.kvorum.it.differential;

import io.kvorum.it.fixture.RespReply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Decides whether the target's reply to a command is the oracle's reply. */
final class ReplyComparison {

  static final long TTL_TOLERANCE_SECONDS = 2;
  static final long TTL_TOLERANCE_MILLIS = 2000;

  private ReplyComparison() {
  }

  /**
   * Compares two replies under a non-interactive check.
   *
   * @return null when they agree, else why not
   */
  static String compare(Check check, RespReply oracle, RespReply target) {
    if (oracle.sameBytes(target)) {
      return null;
    }
    return switch (check) {
      case EXACT -> "reply bytes differ";
      case UNORDERED -> sameElementsInAnyOrder(oracle, target) ? null : "different elements (order ignored)";
      case UNORDERED_PAIRS -> samePairsInAnyOrder(oracle, target) ? null : "different pairs (order ignored)";
      case TTL_SECONDS -> withinTolerance(oracle, target, TTL_TOLERANCE_SECONDS) ? null
          : "TTL differs by more than " + TTL_TOLERANCE_SECONDS + " s (or only one of them is -1/-2)";
      case TTL_MILLIS -> withinTolerance(oracle, target, TTL_TOLERANCE_MILLIS) ? null
          : "TTL differs by more than " + TTL_TOLERANCE_MILLIS + " ms (or only one of them is -1/-2)";
      case STREAM_TIMES -> sameExceptTimes(oracle, target);
      default -> throw new IllegalArgumentException(check + " is compared by the runner");
    };
  }

  static final long STREAM_TIME_TOLERANCE_MILLIS = 2000;

  /**
   * XPENDING key group [IDLE n] start end count, XINFO CONSUMERS, XINFO STREAM FULL: equal once
   * every clock reading is replaced by a marker, and each pair of readings close enough.
   */
  static String sameExceptTimes(RespReply oracle, RespReply target) {
    return sameExceptTimes(oracle, target, false);
  }

  /**
   * Two XINFO STREAM FULL replies for the same entries, groups and consumers: as {@link
   * #sameExceptTimes}, and also whatever the radix tree's figures (they count listpack nodes,
   * whose ends depend on the stream's history).
   */
  static String sameStreamContent(RespReply oracle, RespReply target) {
    return sameExceptTimes(oracle, target, true);
  }

  private static String sameExceptTimes(RespReply oracle, RespReply target, boolean anyNodes) {
    List<Long> expectedTimes = new ArrayList<>();
    List<Long> actualTimes = new ArrayList<>();
    String expected = masked(oracle, expectedTimes, anyNodes);
    String actual = masked(target, actualTimes, anyNodes);
    if (!expected.equals(actual) || expectedTimes.size() != actualTimes.size()) {
      return "reply bytes differ (clock readings aside)";
    }
    for (int i = 0; i < expectedTimes.size(); i++) {
      if (Math.abs(expectedTimes.get(i) - actualTimes.get(i)) > STREAM_TIME_TOLERANCE_MILLIS) {
        return "clock reading " + (i + 1) + " differs by more than " + STREAM_TIME_TOLERANCE_MILLIS + " ms";
      }
    }
    return null;
  }

  /** The reply's bytes with the clock readings of a stream reply (see {@link #sameExceptTimes}) taken out. */
  private static String masked(RespReply reply, List<Long> times, boolean anyNodes) {
    if (!reply.isAggregate() || reply.isNull()) {
      return bytes(reply);
    }
    if (value(reply, "groups") != null) { // XINFO STREAM FULL
      return pairs(reply, (key, value) -> anyNodes && key.startsWith("radix-tree-") ? ":N"
          : key.equals("groups") ? each(value, group -> pairs(group, (k, v) -> switch (k) {
        case "pending" -> each(v, entry -> at(entry, 2, times)); // id, consumer, delivery-time, count
        case "consumers" -> each(v, consumer -> pairs(consumer, (ck, cv) -> switch (ck) {
          case "seen-time" -> time(cv, times);
          case "pending" -> each(cv, entry -> at(entry, 1, times)); // id, delivery-time, count
          default -> bytes(cv);
        }));
        default -> bytes(v);
      })) : bytes(value));
    }
    return each(reply, item -> value(item, "idle") != null
        ? pairs(item, (k, v) -> k.equals("idle") ? time(v, times) : bytes(v)) // XINFO CONSUMERS
        : at(item, 2, times)); // XPENDING: id, consumer, idle, count
  }

  /** A map, or a RESP2 array of alternating names and values: the value after {@code name}, or null. */
  private static RespReply value(RespReply reply, String name) {
    List<RespReply> elements = reply.elements();
    if (!reply.isAggregate() || elements.size() % 2 != 0) {
      return null;
    }
    for (int i = 0; i + 1 < elements.size(); i += 2) {
      if (elements.get(i).kind() == RespReply.Kind.BULK_STRING && name.equals(elements.get(i).text())) {
        return elements.get(i + 1);
      }
    }
    return null;
  }

  private static String header(RespReply reply) {
    return reply.kind().marker + String.valueOf(reply.elements().size()) + "[";
  }

  private static String pairs(RespReply reply, java.util.function.BiFunction<String, RespReply, String> values) {
    if (!reply.isAggregate() || reply.isNull() || reply.elements().size() % 2 != 0) {
      return bytes(reply);
    }
    StringBuilder out = new StringBuilder(header(reply));
    List<RespReply> elements = reply.elements();
    for (int i = 0; i + 1 < elements.size(); i += 2) {
      String name = elements.get(i).text();
      out.append(bytes(elements.get(i))).append(values.apply(name == null ? "" : name, elements.get(i + 1)));
    }
    return out.append(']').toString();
  }

  private static String each(RespReply reply, java.util.function.Function<RespReply, String> item) {
    if (!reply.isAggregate() || reply.isNull()) {
      return bytes(reply);
    }
    StringBuilder out = new StringBuilder(header(reply));
    for (RespReply element : reply.elements()) {
      out.append(item.apply(element));
    }
    return out.append(']').toString();
  }

  /** The aggregate with its element {@code index} taken out as a clock reading, if it is an integer. */
  private static String at(RespReply reply, int index, List<Long> times) {
    if (!reply.isAggregate() || reply.isNull() || reply.elements().size() <= index) {
      return bytes(reply);
    }
    StringBuilder out = new StringBuilder(header(reply));
    for (int i = 0; i < reply.elements().size(); i++) {
      RespReply element = reply.elements().get(i);
      out.append(i == index ? time(element, times) : bytes(element));
    }
    return out.append(']').toString();
  }

  private static String time(RespReply reply, List<Long> times) {
    if (reply.kind() != RespReply.Kind.INTEGER) {
      return bytes(reply);
    }
    times.add(reply.asLong());
    return ":T";
  }

  private static String bytes(RespReply reply) {
    return new String(reply.raw(), StandardCharsets.ISO_8859_1);
  }

  /** Same aggregate type and count, and the same multiset of element bytes. */
  static boolean sameElementsInAnyOrder(RespReply oracle, RespReply target) {
    if (oracle.kind() != target.kind() || !oracle.isAggregate() || oracle.isNull() || target.isNull()) {
      return false;
    }
    return sortedElementBytes(oracle).equals(sortedElementBytes(target));
  }

  /** Same aggregate type and count, and the same multiset of (element 2i, element 2i+1) pairs. */
  static boolean samePairsInAnyOrder(RespReply oracle, RespReply target) {
    if (oracle.kind() != target.kind() || !oracle.isAggregate() || oracle.isNull() || target.isNull()
        || oracle.elements().size() % 2 != 0 || target.elements().size() % 2 != 0) {
      return false;
    }
    return sortedItems(oracle, true).equals(sortedItems(target, true));
  }

  /**
   * The elements as byte strings, sorted; with {@code pairs}, consecutive elements joined two by
   * two (a flat RESP2 field/value list), unless the elements are themselves pairs (RESP3).
   */
  static List<String> sortedItems(RespReply reply, boolean pairs) {
    List<RespReply> elements = reply.elements();
    boolean flat = pairs && !elements.isEmpty() && !elements.get(0).isAggregate();
    List<String> items = new ArrayList<>();
    for (int i = 0; i < elements.size(); i += flat ? 2 : 1) {
      String item = new String(elements.get(i).raw(), StandardCharsets.ISO_8859_1);
      if (flat) {
        item += i + 1 < elements.size() ? new String(elements.get(i + 1).raw(), StandardCharsets.ISO_8859_1) : "";
      }
      items.add(item);
    }
    Collections.sort(items);
    return items;
  }

  private static List<String> sortedElementBytes(RespReply reply) {
    List<String> elements = new ArrayList<>(reply.elements().size());
    for (RespReply element : reply.elements()) {
      elements.add(new String(element.raw(), StandardCharsets.ISO_8859_1));
    }
    Collections.sort(elements);
    return elements;
  }

  /** Both integers; equal, or both non-negative (a real TTL/deadline) and close. */
  static boolean withinTolerance(RespReply oracle, RespReply target, long tolerance) {
    if (oracle.kind() != RespReply.Kind.INTEGER || target.kind() != RespReply.Kind.INTEGER) {
      return false;
    }
    long expected = oracle.asLong();
    long actual = target.asLong();
    if (expected < 0 || actual < 0) {
      return expected == actual;
    }
    return Math.abs(expected - actual) <= tolerance;
  }
}
