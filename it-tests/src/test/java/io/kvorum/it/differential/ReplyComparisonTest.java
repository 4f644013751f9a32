package io.kvorum.it.differential;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.fixture.RespReader;
import io.kvorum.it.fixture.RespReply;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the differential test lets through, and what it must not. */
class ReplyComparisonTest {

  private static RespReply reply(String wire) throws IOException {
    return new RespReader(new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1))).read();
  }

  @Test
  void exactMeansByteForByte() throws IOException {
    assertThat(ReplyComparison.compare(Check.EXACT, reply("$-1\r\n"), reply("$-1\r\n"))).isNull();
    assertThat(ReplyComparison.compare(Check.EXACT, reply("$-1\r\n"), reply("_\r\n"))).isNotNull();
    assertThat(ReplyComparison.compare(Check.EXACT, reply("-ERR syntax error\r\n"), reply("-ERR Syntax error\r\n"))).isNotNull();
    assertThat(ReplyComparison.compare(Check.EXACT, reply(":1\r\n"), reply("+1\r\n"))).isNotNull();
  }

  @Test
  void unorderedAcceptsAnotherOrderButNotOtherElements() throws IOException {
    RespReply keys = reply("*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    assertThat(ReplyComparison.compare(Check.UNORDERED, keys, reply("*2\r\n$1\r\nb\r\n$1\r\na\r\n"))).isNull();
    assertThat(ReplyComparison.compare(Check.UNORDERED, keys, reply("*2\r\n$1\r\na\r\n$1\r\na\r\n"))).isNotNull();
    assertThat(ReplyComparison.compare(Check.UNORDERED, keys, reply("*1\r\n$1\r\na\r\n"))).isNotNull();
    assertThat(ReplyComparison.compare(Check.UNORDERED, keys, reply("~2\r\n$1\r\nb\r\n$1\r\na\r\n"))).isNotNull();
  }

  @Test
  void ttlsMayDifferByTheToleranceButNotInKind() throws IOException {
    assertThat(ReplyComparison.compare(Check.TTL_SECONDS, reply(":100\r\n"), reply(":99\r\n"))).isNull();
    assertThat(ReplyComparison.compare(Check.TTL_SECONDS, reply(":100\r\n"), reply(":90\r\n"))).isNotNull();
    assertThat(ReplyComparison.compare(Check.TTL_SECONDS, reply(":-1\r\n"), reply(":0\r\n"))).isNotNull();
    assertThat(ReplyComparison.compare(Check.TTL_SECONDS, reply(":-2\r\n"), reply(":-1\r\n"))).isNotNull();
    assertThat(ReplyComparison.compare(Check.TTL_MILLIS, reply(":100000\r\n"), reply(":99500\r\n"))).isNull();
    assertThat(ReplyComparison.compare(Check.TTL_MILLIS, reply(":100000\r\n"), reply(":-1\r\n"))).isNotNull();
    assertThat(ReplyComparison.compare(Check.TTL_MILLIS, reply("-ERR x\r\n"), reply(":5\r\n"))).isNotNull();
  }

  @Test
  void theSameSeedGivesTheSameSequence() {
    var families = CommandGenerator.Family.DEFAULT;
    var first = new CommandGenerator(new java.util.Random(42), families).sequence(40);
    var again = new CommandGenerator(new java.util.Random(42), families).sequence(40);
    var other = new CommandGenerator(new java.util.Random(43), families).sequence(40);
    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void streamTimesMayDifferByTheToleranceButNothingElseMay() throws IOException {
    String pending = "*1\r\n*4\r\n$3\r\n1-1\r\n$5\r\nalice\r\n:%d\r\n:%d\r\n";
    RespReply expected = reply(String.format(pending, 5000, 1));
    assertThat(ReplyComparison.compare(Check.STREAM_TIMES, expected, reply(String.format(pending, 5600, 1)))).isNull();
    assertThat(ReplyComparison.compare(Check.STREAM_TIMES, expected, reply(String.format(pending, 9000, 1))))
        .as("idle 4 s off").isNotNull();
    assertThat(ReplyComparison.compare(Check.STREAM_TIMES, expected, reply(String.format(pending, 5000, 2))))
        .as("delivery count").isNotNull();

    String consumers = "*1\r\n%%3\r\n$4\r\nname\r\n$3\r\nbob\r\n$7\r\npending\r\n:%d\r\n$4\r\nidle\r\n:%d\r\n";
    expected = reply(String.format(consumers, 2, 10));
    assertThat(ReplyComparison.compare(Check.STREAM_TIMES, expected, reply(String.format(consumers, 2, 900)))).isNull();
    assertThat(ReplyComparison.compare(Check.STREAM_TIMES, expected, reply(String.format(consumers, 3, 10))))
        .as("pending count").isNotNull();

    // XINFO STREAM FULL (RESP2): a group's PEL delivery time, a consumer's seen-time and its PEL.
    String full = "*4\r\n$6\r\nlength\r\n:1\r\n$6\r\ngroups\r\n*1\r\n*4\r\n"
        + "$7\r\npending\r\n*1\r\n*4\r\n$3\r\n1-1\r\n$3\r\nbob\r\n:%d\r\n:1\r\n"
        + "$9\r\nconsumers\r\n*1\r\n*4\r\n$9\r\nseen-time\r\n:%d\r\n"
        + "$7\r\npending\r\n*1\r\n*3\r\n$3\r\n1-1\r\n:%d\r\n:%d\r\n";
    expected = reply(String.format(full, 1_700_000_000_000L, 1_700_000_000_100L, 1_700_000_000_000L, 1));
    assertThat(ReplyComparison.compare(Check.STREAM_TIMES, expected,
        reply(String.format(full, 1_700_000_000_900L, 1_700_000_001_000L, 1_700_000_000_900L, 1)))).isNull();
    assertThat(ReplyComparison.compare(Check.STREAM_TIMES, expected,
        reply(String.format(full, 1_700_000_000_000L, 1_700_000_009_000L, 1_700_000_000_000L, 1))))
        .as("seen-time 9 s off").isNotNull();
    assertThat(ReplyComparison.compare(Check.STREAM_TIMES, expected,
        reply(String.format(full, 1_700_000_000_000L, 1_700_000_000_100L, 1_700_000_000_000L, 2))))
        .as("consumer's delivery count").isNotNull();
  }

  @Test
  void streamContentIgnoresTheRadixTreeButNotTheEntries() throws IOException {
    String full = "*6\r\n$15\r\nradix-tree-keys\r\n:%d\r\n$7\r\nentries\r\n*1\r\n$3\r\n%s\r\n"
        + "$6\r\ngroups\r\n*0\r\n";
    RespReply expected = reply(String.format(full, 1, "1-1"));
    assertThat(ReplyComparison.sameStreamContent(expected, reply(String.format(full, 2, "1-1")))).isNull();
    assertThat(ReplyComparison.sameStreamContent(expected, reply(String.format(full, 1, "1-2")))).isNotNull();
    assertThat(ReplyComparison.compare(Check.STREAM_TIMES, expected, reply(String.format(full, 2, "1-1"))))
        .as("XINFO STREAM FULL itself must show Redis's radix tree").isNotNull();
  }
}
