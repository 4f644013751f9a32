package io.kvorum.it.differential;

import io.kvorum.it.differential.DifferentialRunner.Mismatch;
import io.kvorum.it.differential.DifferentialRunner.Step;
import io.kvorum.it.fixture.RespReply;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * XADD with the ID {@code *} ({@link Check#STREAM_AUTO_ID}). After an entry with a later ID than
 * the clock, {@code *} continues its sequence and both servers answer the same bytes. Otherwise the
 * ID comes from each server's clock: then both must answer an ID of the form ms-seq, its
 * milliseconds close to the test's clock and to each other, and the key is deleted on both, since
 * every later read of it would show the two IDs.
 */
final class StreamAutoIdCheck {

  private StreamAutoIdCheck() {
  }

  private static final Pattern ID = Pattern.compile("([0-9]+)-([0-9]+)");
  /** How far the two servers' IDs, and each from the test's clock, may be apart. */
  static final long CLOCK_TOLERANCE_MILLIS = 10_000;

  static Optional<Mismatch> run(Step step) {
    RespReply expected = step.onOracle(step.command.bytes());
    step.record(expected);
    RespReply actual;
    try {
      actual = step.onTarget(step.command.bytes());
    } catch (IOException e) {
      return step.targetFailed(e, expected);
    }
    if (expected.sameBytes(actual)) {
      return step.agreed(expected.render());
    }
    long now = System.currentTimeMillis();
    Long expectedMillis = clockMillis(expected, now);
    Long actualMillis = clockMillis(actual, now);
    if (expectedMillis == null || actualMillis == null
        || Math.abs(expectedMillis - actualMillis) > CLOCK_TOLERANCE_MILLIS) {
      return step.mismatch("reply bytes differ (and they are not both IDs from the clock, "
          + CLOCK_TOLERANCE_MILLIS + " ms apart at most)", expected, actual);
    }
    String key = step.command.args().get(1);
    RespReply deleted = step.onOracle("DEL", key);
    RespReply targetDeleted;
    try {
      targetDeleted = step.onTarget("DEL", key);
    } catch (IOException e) {
      return step.targetFailed(e, deleted);
    }
    if (!deleted.sameBytes(targetDeleted)) {
      return step.mismatch("after an ID from the clock, DEL " + key + " differs", deleted, targetDeleted);
    }
    return step.agreed(expected.render() + "   (ID from the clock: target's " + actual.render()
        + " accepted; key deleted on both)");
  }

  /** The milliseconds of an ID reply taken from a clock near {@code now}, else null. */
  static Long clockMillis(RespReply reply, long now) {
    if (reply.kind() != RespReply.Kind.BULK_STRING || reply.isNull()) {
      return null;
    }
    Matcher id = ID.matcher(reply.text());
    if (!id.matches() || id.group(1).length() > 15) {
      return null;
    }
    long millis = Long.parseLong(id.group(1));
    return Math.abs(millis - now) <= CLOCK_TOLERANCE_MILLIS ? millis : null;
  }
}
