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
      case RANDOM_KEY, FULL_SCAN, RANDOM_MEMBERS -> throw new IllegalArgumentException(check + " is compared by the runner");
    };
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
