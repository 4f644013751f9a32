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
}
