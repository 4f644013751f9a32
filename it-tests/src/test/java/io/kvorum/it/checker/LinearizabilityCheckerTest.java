package io.kvorum.it.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.checker.LinearizabilityChecker.Verdict;
import io.kvorum.it.history.Op;
import io.kvorum.it.history.Op.Kind;
import io.kvorum.it.history.Op.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {
  private final LinearizabilityChecker checker = new LinearizabilityChecker(Duration.ofSeconds(5));

  /** An operation on key k from {@code from} to {@code to} ms (to &lt; 0: unknown outcome). */
  static Op op(int process, Kind kind, String value, String result, long from, long to) {
    return new Op(process, kind, "k", value, result, from * 1_000_000, to * 1_000_000,
        Outcome.OK, null);
  }

  static Op unknown(int process, Kind kind, String value, long from) {
    return new Op(process, kind, "k", value, null, from * 1_000_000, Long.MAX_VALUE,
        Outcome.UNKNOWN, "timeout");
  }

  static Op failed(int process, Kind kind, String value, long from, long to) {
    return new Op(process, kind, "k", value, null, from * 1_000_000, to * 1_000_000,
        Outcome.FAIL, "TRYAGAIN");
  }

  private Verdict verdict(Op... ops) {
    List<Verdict> v = checker.check(List.of(ops));
    assertThat(v).hasSize(1);
    return v.get(0);
  }

  @Test
  void aSequentialHistoryWhereEveryReadSeesTheLastWriteIsLinearizable() {
    assertThat(verdict(
        op(1, Kind.GET, null, null, 0, 1),
        op(1, Kind.SET, "a", "OK", 2, 3),
        op(2, Kind.GET, null, "a", 4, 5),
        op(2, Kind.SET, "b", "OK", 6, 7),
        op(1, Kind.GET, null, "b", 8, 9)))
        .isInstanceOf(Verdict.Linearizable.class);
  }

  @Test
  void aStaleReadAfterANewerWriteCompletedIsAViolation() {
    Verdict v = verdict(
        op(1, Kind.SET, "a", "OK", 0, 1),
        op(1, Kind.SET, "b", "OK", 2, 3),
        op(2, Kind.GET, null, "a", 4, 5));
    assertThat(v).isInstanceOf(Verdict.Violation.class);
    Verdict.Violation violation = (Verdict.Violation) v;
    assertThat(violation.stuckAt().kind()).isEqualTo(Kind.GET);
    assertThat(violation.stateThen()).isEqualTo("b");
  }

  @Test
  void aReadConcurrentWithAWriteMaySeeEitherValue() {
    assertThat(verdict(
        op(1, Kind.SET, "a", "OK", 0, 1),
        op(1, Kind.SET, "b", "OK", 2, 10),
        op(2, Kind.GET, null, "a", 3, 4),
        op(3, Kind.GET, null, "b", 5, 6)))
        .isInstanceOf(Verdict.Linearizable.class);
    // ...but once one read saw the new value, a later read may not go back.
    assertThat(verdict(
        op(1, Kind.SET, "a", "OK", 0, 1),
        op(1, Kind.SET, "b", "OK", 2, 10),
        op(2, Kind.GET, null, "b", 3, 4),
        op(3, Kind.GET, null, "a", 5, 6)))
        .isInstanceOf(Verdict.Violation.class);
  }

  @Test
  void aWriteOfUnknownOutcomeMayTakeEffectLateOrNever() {
    assertThat(verdict(
        op(1, Kind.SET, "a", "OK", 0, 1),
        unknown(2, Kind.SET, "x", 2),
        op(1, Kind.GET, null, "a", 50, 51),
        op(1, Kind.GET, null, "x", 100, 101)))
        .isInstanceOf(Verdict.Linearizable.class);
    assertThat(verdict(
        op(1, Kind.SET, "a", "OK", 0, 1),
        unknown(2, Kind.SET, "x", 2),
        op(1, Kind.GET, null, "a", 100, 101)))
        .isInstanceOf(Verdict.Linearizable.class);
    // It takes effect at most once: seen, then gone again without another write, is impossible.
    assertThat(verdict(
        op(1, Kind.SET, "a", "OK", 0, 1),
        unknown(2, Kind.SET, "x", 2),
        op(1, Kind.GET, null, "x", 50, 51),
        op(1, Kind.GET, null, "a", 100, 101)))
        .isInstanceOf(Verdict.Violation.class);
  }

  @Test
  void aReadCannotSeeAValueBeforeItsWriteWasSent() {
    assertThat(verdict(
        op(2, Kind.GET, null, "a", 0, 1),
        op(1, Kind.SET, "a", "OK", 5, 6)))
        .isInstanceOf(Verdict.Violation.class);
  }

  @Test
  void aRefusedWriteThatShowsUpIsAViolation() {
    assertThat(verdict(
        op(1, Kind.SET, "a", "OK", 0, 1),
        failed(2, Kind.SET, "x", 2, 3),
        op(1, Kind.GET, null, "x", 10, 11)))
        .isInstanceOf(Verdict.Violation.class);
  }

  @Test
  void setNxAndXxAreCompareAndSetOnExistence() {
    // Two concurrent SET NX on a missing key: exactly one may win.
    assertThat(verdict(
        op(1, Kind.SET_NX, "a", "OK", 0, 10),
        op(2, Kind.SET_NX, "b", null, 1, 9),
        op(1, Kind.GET, null, "a", 11, 12)))
        .isInstanceOf(Verdict.Linearizable.class);
    assertThat(verdict(
        op(1, Kind.SET_NX, "a", "OK", 0, 10),
        op(2, Kind.SET_NX, "b", "OK", 1, 9)))
        .isInstanceOf(Verdict.Violation.class);
    // SET XX on a missing key does nothing; on an existing key it writes.
    assertThat(verdict(
        op(1, Kind.SET_XX, "a", null, 0, 1),
        op(1, Kind.GET, null, null, 2, 3),
        op(1, Kind.SET, "b", "OK", 4, 5),
        op(1, Kind.SET_XX, "c", "OK", 6, 7),
        op(1, Kind.GET, null, "c", 8, 9)))
        .isInstanceOf(Verdict.Linearizable.class);
    assertThat(verdict(
        op(1, Kind.SET_XX, "a", "OK", 0, 1)))
        .isInstanceOf(Verdict.Violation.class);
  }

  @Test
  void delRepliesWhetherTheKeyExisted() {
    assertThat(verdict(
        op(1, Kind.SET, "a", "OK", 0, 1),
        op(1, Kind.DEL, null, "1", 2, 3),
        op(1, Kind.DEL, null, "0", 4, 5),
        op(1, Kind.GET, null, null, 6, 7)))
        .isInstanceOf(Verdict.Linearizable.class);
    assertThat(verdict(
        op(1, Kind.SET, "a", "OK", 0, 1),
        op(1, Kind.DEL, null, "1", 2, 3),
        op(1, Kind.DEL, null, "1", 4, 5)))
        .isInstanceOf(Verdict.Violation.class);
  }

  @Test
  void keysAreCheckedIndependently() {
    List<Op> ops = new ArrayList<>();
    ops.add(new Op(1, Kind.SET, "good", "a", "OK", 0, 1, Outcome.OK, null));
    ops.add(new Op(1, Kind.GET, "good", null, "a", 2, 3, Outcome.OK, null));
    ops.add(new Op(1, Kind.SET, "bad", "a", "OK", 0, 1, Outcome.OK, null));
    ops.add(new Op(1, Kind.GET, "bad", null, "z", 2, 3, Outcome.OK, null));
    List<Verdict> v = checker.check(ops);
    assertThat(v).extracting(Verdict::key).containsExactly("good", "bad");
    assertThat(v.get(0)).isInstanceOf(Verdict.Linearizable.class);
    assertThat(v.get(1)).isInstanceOf(Verdict.Violation.class);
  }

  @Test
  void aSearchThatExceedsItsBudgetIsInconclusiveNotLinearizable() {
    // 40 writes of unknown outcome and a read nobody wrote: every subset is tried until time is up.
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ops.add(unknown(i, Kind.SET, "v" + i, i));
      ops.add(op(100 + i, Kind.GET, null, "v" + i, 1000 + i, 1000 + i));
    }
    ops.add(op(99, Kind.GET, null, "nobody", 2000, 2001));
    List<Verdict> v = new LinearizabilityChecker(Duration.ofMillis(200)).check(ops);
    assertThat(v.get(0)).isInstanceOf(Verdict.Inconclusive.class);
  }
}
