package io.kvorum.it.container;

import io.kvorum.it.checker.LinearizabilityChecker.Verdict;
import io.kvorum.it.checker.LostWriteChecker;
import io.kvorum.it.history.History;
import io.kvorum.it.history.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;

/** What one fault scenario did and what the checkers found. */
record ScenarioReport(
    String name,
    double seconds,
    int ops,
    long ok,
    long refused,
    long unknown,
    int unexpectedErrors,
    int registerKeys,
    int violations,
    int inconclusive,
    int acknowledgedAdds,
    int lostWriteProblems,
    int elections,
    int leaderChanges,
    List<String> faults,
    List<Double> serveAgainSeconds,
    List<String> details) {

  static ScenarioReport of(String name, double seconds, History history, int unexpectedErrors,
      List<Verdict> verdicts, List<LostWriteChecker.Report> lost, int elections, int leaderChanges,
      List<String> faults, List<Double> serveAgain) {
    List<String> details = new ArrayList<>();
    int violations = 0;
    int inconclusive = 0;
    for (Verdict v : verdicts) {
      if (v instanceof Verdict.Violation x) {
        violations++;
        StringBuilder b = new StringBuilder("not linearizable: key " + x.key() + " (" + x.ops()
            + " ops): cannot place " + x.stuckAt().describe() + "; register was "
            + (x.stateThen() == null ? "nil" : x.stateThen()) + ". Operations around it:");
        x.around().forEach(o -> b.append("\n    ").append(o.describe()));
        details.add(b.toString());
      } else if (v instanceof Verdict.Inconclusive x) {
        inconclusive++;
        details.add("linearizability of " + x.key() + " (" + x.ops() + " ops) not decided within"
            + " the time budget");
      }
    }
    int acked = 0;
    int problems = 0;
    for (LostWriteChecker.Report r : lost) {
      acked += r.acknowledged();
      problems += r.problems().size();
      r.problems().forEach(p -> details.add(r.key() + ": " + p));
    }
    return new ScenarioReport(name, seconds, history.size(), history.count(Op.Outcome.OK),
        history.count(Op.Outcome.FAIL), history.count(Op.Outcome.UNKNOWN), unexpectedErrors,
        verdicts.size(), violations, inconclusive, acked, problems, elections, leaderChanges,
        List.copyOf(faults), List.copyOf(serveAgain), details);
  }

  /** The header of {@link #row()}. */
  static String header() {
    return "| scenario | s | ops | ok | refused | unknown | errors | violations | lost writes "
        + "| fault events | elections / leader changes | serving again after each fault (s) |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|---|";
  }

  /** One Markdown table row. */
  String row() {
    StringBuilder serve = new StringBuilder();
    for (double s : serveAgainSeconds) {
      if (serve.length() > 0) {
        serve.append(", ");
      }
      serve.append(Double.isInfinite(s) ? "not in time" : String.format(Locale.ROOT, "%.1f", s));
    }
    return String.format(Locale.ROOT,
        "| %s | %.0f | %d | %d | %d | %d | %d | %d%s | %d of %d | %d | %d / %d | %s |", name,
        seconds, ops, ok, refused, unknown, unexpectedErrors, violations,
        inconclusive > 0 ? " (+" + inconclusive + " undecided)" : "", lostWriteProblems,
        acknowledgedAdds, faults.size() - 1, elections, leaderChanges, serve);
  }

  void log(Logger log) {
    log.warn("{}\n{}", header(), row());
    for (String d : details) {
      log.warn("{}: {}", name, d);
    }
  }
}
