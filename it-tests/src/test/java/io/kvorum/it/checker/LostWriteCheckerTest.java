package io.kvorum.it.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.history.Op;
import io.kvorum.it.history.Op.Kind;
import io.kvorum.it.history.Op.Outcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LostWriteCheckerTest {
  private final LostWriteChecker checker = new LostWriteChecker();

  static Op add(Kind kind, String element, Outcome outcome, long from, long to) {
    return new Op(1, kind, "s", element, outcome == Outcome.OK ? "1" : null, from, to, outcome,
        outcome == Outcome.OK ? null : "x");
  }

  private LostWriteChecker.Report report(List<Op> ops, List<String> content) {
    List<LostWriteChecker.Report> r = checker.check(ops, Map.of("s", content));
    assertThat(r).hasSize(1);
    return r.get(0);
  }

  @Test
  void everyAcknowledgedElementPresentIsFineWhateverBecameOfTheUnknownOnes() {
    LostWriteChecker.Report r = report(List.of(
        add(Kind.SADD, "a", Outcome.OK, 0, 1),
        add(Kind.SADD, "b", Outcome.UNKNOWN, 2, Long.MAX_VALUE),
        add(Kind.SADD, "c", Outcome.UNKNOWN, 3, Long.MAX_VALUE),
        add(Kind.SADD, "d", Outcome.FAIL, 4, 5)), List.of("c", "a"));
    assertThat(r.problems()).isEmpty();
    assertThat(r.acknowledged()).isEqualTo(1);
    assertThat(r.unknown()).isEqualTo(2);
    assertThat(r.failed()).isEqualTo(1);
  }

  @Test
  void aMissingAcknowledgedElementIsALostWrite() {
    LostWriteChecker.Report r = report(List.of(
        add(Kind.SADD, "a", Outcome.OK, 0, 1),
        add(Kind.SADD, "b", Outcome.OK, 2, 3)), List.of("a"));
    assertThat(r.problems()).singleElement().asString().startsWith("lost acknowledged write")
        .contains(" b ");
  }

  @Test
  void aRefusedWriteThatWasAppliedAndAnElementNobodyWroteAreReported() {
    LostWriteChecker.Report r = report(List.of(
        add(Kind.SADD, "a", Outcome.FAIL, 0, 1)), List.of("a", "zzz"));
    assertThat(r.problems()).containsExactlyInAnyOrder(
        "refused write was applied: " + add(Kind.SADD, "a", Outcome.FAIL, 0, 1).describe(),
        "element nobody wrote: zzz");
  }

  @Test
  void aMissingFinalReadIsAProblemNotASuccess() {
    List<LostWriteChecker.Report> r = checker.check(
        List.of(add(Kind.SADD, "a", Outcome.OK, 0, 1)), Map.of());
    assertThat(r.get(0).ok()).isFalse();
  }

  @Test
  void listsMayNotDuplicateOrReorderAcknowledgedAppends() {
    List<Op> ops = List.of(
        add(Kind.RPUSH, "a", Outcome.OK, 0, 1),
        add(Kind.RPUSH, "b", Outcome.OK, 2, 3),
        add(Kind.RPUSH, "c", Outcome.OK, 2, 5));
    assertThat(report(ops, List.of("a", "c", "b")).problems()).isEmpty(); // b, c concurrent
    assertThat(report(ops, List.of("b", "a", "c")).problems())
        .singleElement().asString().startsWith("append reordered");
    assertThat(report(ops, List.of("a", "b", "c", "b")).problems())
        .containsExactly("element appears more than once: b");
  }
}
