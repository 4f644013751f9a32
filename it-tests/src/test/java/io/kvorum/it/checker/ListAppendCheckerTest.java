package io.kvorum.it.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.checker.ListAppendChecker.Append;
import io.kvorum.it.checker.ListAppendChecker.MicroOp;
import io.kvorum.it.checker.ListAppendChecker.Read;
import io.kvorum.it.checker.ListAppendChecker.Report;
import io.kvorum.it.checker.ListAppendChecker.Txn;
import io.kvorum.it.history.Op.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ListAppendCheckerTest {
  private static final long NEVER = Long.MAX_VALUE;

  /** MULTI; RPUSH k1 v; RPUSH k2 v; LRANGE k1 0 -1; EXEC, as the workload sends it. */
  private static Txn tx(int p, String v, long from, long to, Outcome outcome, String... read) {
    List<MicroOp> ops = new ArrayList<>();
    ops.add(new Append("{t}k1", v));
    ops.add(new Append("{t}k2", v));
    ops.add(new Read("{t}k1", outcome == Outcome.OK ? List.of(read) : null));
    return new Txn(p, ops, from, to, outcome, outcome == Outcome.OK ? null : "test");
  }

  private static Report check(List<String> k1, List<String> k2, Txn... txns) {
    return new ListAppendChecker().check(List.of(txns), Map.of("{t}k1", k1, "{t}k2", k2));
  }

  @Test
  void aValidHistoryWithFailedAndUnknownTransactionsPasses() {
    Report r = check(List.of("a", "b", "u", "c"), List.of("a", "b", "u", "c"),
        tx(0, "a", 0, 10, Outcome.OK, "a"),
        tx(1, "b", 5, 20, Outcome.OK, "a", "b"),
        tx(2, "x", 21, 25, Outcome.FAIL),
        tx(3, "u", 22, NEVER, Outcome.UNKNOWN),
        tx(4, "z", 23, NEVER, Outcome.UNKNOWN),
        tx(0, "c", 30, 40, Outcome.OK, "a", "b", "u", "c"));
    assertThat(r.problems()).isEmpty();
    assertThat(r.transactions()).isEqualTo(6);
    assertThat(r.acknowledged()).isEqualTo(3);
    assertThat(r.acknowledgedAppends()).isEqualTo(6);
    assertThat(r.reads()).isEqualTo(3);
  }

  @Test
  void concurrentTransactionsMayCommitInEitherOrder() {
    // b was invoked before a completed, so it may come first.
    Report r = check(List.of("b", "a"), List.of("b", "a"),
        tx(0, "a", 0, 10, Outcome.OK, "b", "a"),
        tx(1, "b", 5, 20, Outcome.OK, "b"));
    assertThat(r.problems()).isEmpty();
  }

  @Test
  void aReadThatIsNotAPrefixOfTheOrderIsReordering() {
    Report r = check(List.of("a", "b"), List.of("a", "b"),
        tx(0, "a", 0, 10, Outcome.OK, "a"),
        tx(1, "b", 5, 20, Outcome.OK, "b"));
    assertThat(r.problems()).singleElement().asString().startsWith("reordered:");
  }

  @Test
  void aDuplicatedAppendIsReported() {
    Report r = check(List.of("a", "a"), List.of("a"), tx(0, "a", 0, 10, Outcome.OK, "a"));
    assertThat(r.problems()).anyMatch(p -> p.startsWith("duplicate: {t}k1 holds a twice"));
  }

  @Test
  void aValueNobodyWroteIsReported() {
    Report r = check(List.of("a", "ghost"), List.of("a"), tx(0, "a", 0, 10, Outcome.OK, "a"));
    assertThat(r.problems()).singleElement().asString()
        .startsWith("nobody appended ghost to {t}k1");
  }

  @Test
  void anUnknownTransactionVisibleInOnlyOneKeyIsNotAtomic() {
    Report r = check(List.of("a", "u"), List.of("a"),
        tx(0, "a", 0, 10, Outcome.OK, "a"),
        tx(1, "u", 12, NEVER, Outcome.UNKNOWN));
    assertThat(r.problems()).singleElement().asString().startsWith("not atomic: 1 of 2");
  }

  @Test
  void aFailedTransactionThatTookEffectIsReported() {
    Report r = check(List.of("a", "f"), List.of("a", "f"),
        tx(0, "a", 0, 10, Outcome.OK, "a"),
        tx(1, "f", 12, 15, Outcome.FAIL));
    assertThat(r.problems()).hasSize(2)
        .allMatch(p -> p.startsWith("failed transaction applied: {t}k"));
  }

  @Test
  void aFailedTransactionSeenOnlyByAReadIsReported() {
    // Final reads never show f (as if it were later undone), yet an ok read saw it.
    Report r = check(List.of("a"), List.of("a"),
        tx(1, "f", 0, 5, Outcome.FAIL),
        tx(0, "a", 0, 10, Outcome.OK, "f", "a"));
    assertThat(r.problems()).anyMatch(p -> p.startsWith("failed transaction applied: {t}k1"));
  }

  @Test
  void aLostAcknowledgedAppendIsReported() {
    Report r = check(List.of("a", "b"), List.of("a"),
        tx(0, "a", 0, 10, Outcome.OK, "a"),
        tx(1, "b", 12, 20, Outcome.OK, "a", "b"));
    assertThat(r.problems()).anyMatch(p -> p.startsWith("lost append: {t}k2 lacks b"));
  }

  @Test
  void aMissingFinalReadCountsAsLost() {
    Report r = new ListAppendChecker().check(List.of(tx(0, "a", 0, 10, Outcome.OK, "a")),
        Map.of("{t}k1", List.of("a")));
    assertThat(r.problems()).singleElement().asString().startsWith("no final read of {t}k2");
  }

  @Test
  void aReadThatMissesItsOwnAppendIsReported() {
    // b's own read of k1 shows only a: it did not see its own RPUSH.
    Report r = check(List.of("a", "b"), List.of("a", "b"),
        tx(0, "a", 0, 10, Outcome.OK, "a"),
        tx(1, "b", 12, 20, Outcome.OK, "a"));
    assertThat(r.problems()).singleElement().asString()
        .startsWith("read does not end with its own appends [b]");
  }

  @Test
  void aReadMissingAnEarlierAcknowledgedTransactionIsStale() {
    // c began after b was acknowledged, yet read k1 as if b had not happened; b's value then
    // sits after c's own, a reordering against real time as well.
    Report r = check(List.of("a", "c", "b"), List.of("a", "c", "b"),
        tx(0, "a", 0, 10, Outcome.OK, "a"),
        tx(1, "b", 12, 20, Outcome.OK, "a", "c", "b"),
        tx(2, "c", 25, 30, Outcome.OK, "a", "c"));
    assertThat(r.problems()).anyMatch(p -> p.startsWith("stale read:") && p.contains("without b"));
    assertThat(r.problems()).anyMatch(p -> p.startsWith("reordered in real time: {t}k1"));
  }

  @Test
  void appendsOrderedAgainstRealTimeAreReportedEvenWithoutAStaleRead() {
    // b was acknowledged before c began, but k2 holds c before b (k2 is never read inside).
    Report r = check(List.of("a", "b", "c"), List.of("a", "c", "b"),
        tx(0, "a", 0, 10, Outcome.OK, "a"),
        tx(1, "b", 12, 20, Outcome.OK, "a", "b"),
        tx(2, "c", 25, 30, Outcome.OK, "a", "b", "c"));
    assertThat(r.problems()).singleElement().asString()
        .startsWith("reordered in real time: {t}k2 has c before b");
  }
}
