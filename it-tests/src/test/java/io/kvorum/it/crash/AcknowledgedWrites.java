package io.kvorum.it.crash;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The client's side of the story: which writes the server acknowledged, and how many increments
 * were attempted. A write whose reply never arrived (timeout, connection reset by the crash, an
 * error reply) is "unknown": it may or may not have been applied, so it never counts as
 * acknowledged, and an increment counts only towards the upper bound.
 */
final class AcknowledgedWrites {

  /** SET key → value, for every SET answered OK. Keys are unique and written once. */
  final Map<String, String> sets = new ConcurrentHashMap<>();
  final AtomicLongArray incrementsAttempted;
  final AtomicLongArray incrementsAcknowledged;
  /** The largest value an INCR reply reported per counter: the counter was at least that. */
  final AtomicLongArray largestReplySeen;
  final AtomicLong unknownOutcomes = new AtomicLong();

  AcknowledgedWrites(int counters) {
    incrementsAttempted = new AtomicLongArray(counters);
    incrementsAcknowledged = new AtomicLongArray(counters);
    largestReplySeen = new AtomicLongArray(counters);
  }

  int counters() {
    return incrementsAttempted.length();
  }

  static String counterKey(int counter) {
    return "crash:counter:" + counter;
  }

  void incrementAttempted(int counter) {
    incrementsAttempted.incrementAndGet(counter);
  }

  void incrementAcknowledged(int counter, long replyValue) {
    incrementsAcknowledged.incrementAndGet(counter);
    largestReplySeen.accumulateAndGet(counter, replyValue, Math::max);
  }

  long acknowledgedTotal() {
    long total = sets.size();
    for (int i = 0; i < counters(); i++) {
      total += incrementsAcknowledged.get(i);
    }
    return total;
  }
}
