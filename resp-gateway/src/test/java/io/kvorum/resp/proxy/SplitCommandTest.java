package io.kvorum.resp.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.resp.protocol.RespEncoder;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SplitCommandTest {

  /** Keys named "<group>:<anything>": the test's slot is the group number, one slot per group. */
  private static int slotOf(byte[] key) {
    String k = new String(key, StandardCharsets.UTF_8);
    return Integer.parseInt(k.substring(0, k.indexOf(':')));
  }

  private static byte[][] args(String... a) {
    byte[][] out = new byte[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  private static List<String> text(byte[][] args) {
    List<String> out = new ArrayList<>();
    for (byte[] a : args) {
      out.add(new String(a, StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void onlyTheFiveReadAndDeleteCommandsAreSplit() {
    for (String name : List.of("mget", "exists", "del", "unlink", "touch")) {
      assertThat(SplitCommand.splittable(name)).as(name).isTrue();
    }
    for (String name : List.of("mset", "msetnx", "rename", "sunionstore", "sinter", "blpop",
        "zunionstore", "lmove", "copy", "smove", "sdiff")) {
      assertThat(SplitCommand.splittable(name)).as(name).isFalse();
    }
  }

  @Test
  void splitsPerGroupKeepingArgumentOrderAndDuplicates() {
    // Slots 1 and 2 share group 0; slot 7 is group 1; slot 9 group 2.
    List<SplitCommand.Part> parts = SplitCommand.split(
        args("MGET", "7:a", "1:b", "9:c", "2:d", "7:a", "1:e"), SplitCommandTest::slotOf,
        slot -> slot < 5 ? 0 : slot < 8 ? 1 : 2);
    assertThat(parts).hasSize(3);
    assertThat(parts.get(0).group()).isEqualTo(1);
    assertThat(parts.get(0).slot()).isEqualTo(7);
    assertThat(text(parts.get(0).args())).containsExactly("MGET", "7:a", "7:a");
    assertThat(parts.get(0).positions()).containsExactly(0, 4);
    assertThat(parts.get(1).group()).isEqualTo(0);
    assertThat(parts.get(1).slot()).isEqualTo(1);
    assertThat(text(parts.get(1).args())).containsExactly("MGET", "1:b", "2:d", "1:e");
    assertThat(parts.get(1).positions()).containsExactly(1, 3, 5);
    assertThat(parts.get(2).group()).isEqualTo(2);
    assertThat(text(parts.get(2).args())).containsExactly("MGET", "9:c");
    assertThat(parts.get(2).positions()).containsExactly(2);
  }

  @Test
  void mgetValuesGoBackToTheirArgumentPositions() {
    List<SplitCommand.Part> parts = SplitCommand.split(args("MGET", "1:x", "2:y", "1:z"),
        SplitCommandTest::slotOf, slot -> slot);
    Reply merged = SplitCommand.merge("mget", 3, parts, List.of(
        Reply.array(Reply.bulk("X"), Reply.NULL),
        Reply.array(Reply.bulk("Y"))));
    assertThat(RespEncoder.toBytes(merged, false)).isEqualTo(RespEncoder.toBytes(
        Reply.array(Reply.bulk("X"), Reply.bulk("Y"), Reply.NULL), false));
  }

  @Test
  void countsAreSummed() {
    List<SplitCommand.Part> parts = SplitCommand.split(args("EXISTS", "1:x", "2:y", "1:x"),
        SplitCommandTest::slotOf, slot -> slot);
    assertThat(SplitCommand.merge("exists", 3, parts, List.of(Reply.integer(2), Reply.ZERO)))
        .isEqualTo(Reply.integer(2));
    assertThat(SplitCommand.merge("del", 3, parts, List.of(Reply.integer(1), Reply.integer(1))))
        .isEqualTo(Reply.integer(2));
  }

  @Test
  void aFailedPartFailsTheWholeReplyWithItsError() {
    List<SplitCommand.Part> parts = SplitCommand.split(args("DEL", "1:x", "2:y", "3:z"),
        SplitCommandTest::slotOf, slot -> slot);
    Reply.Error down = new Reply.Error("CLUSTERDOWN The cluster is down");
    Reply.Error again = new Reply.Error("TRYAGAIN later");
    assertThat(SplitCommand.merge("del", 3, parts, List.of(Reply.ONE, down, again)))
        .isEqualTo(down);
  }

  @Test
  void aMalformedPartReplyIsAnErrorNotAWrongAnswer() {
    List<SplitCommand.Part> parts = SplitCommand.split(args("MGET", "1:x", "2:y"),
        SplitCommandTest::slotOf, slot -> slot);
    Reply merged = SplitCommand.merge("mget", 2, parts,
        List.of(Reply.array(Reply.bulk("a"), Reply.bulk("b")), Reply.array(Reply.bulk("c"))));
    assertThat(merged).isInstanceOf(Reply.Error.class);
    assertThat(SplitCommand.merge("touch", 2, parts, List.of(Reply.ONE, Reply.bulk("1"))))
        .isInstanceOf(Reply.Error.class);
  }
}
