package io.kvorum.server.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.proto.admin.NodeTransfer;
import io.kvorum.proto.admin.StatusReply;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private static StatusReply sent(Object... nodeAndBytes) {
    StatusReply.Builder b = StatusReply.newBuilder();
    for (int i = 0; i < nodeAndBytes.length; i += 2) {
      b.addTransfers(NodeTransfer.newBuilder().setNodeId((String) nodeAndBytes[i])
          .setSnapshotBytesSent((Long) nodeAndBytes[i + 1]));
    }
    return b.build();
  }

  @Test
  void countsWhatEachNodeSentSinceTheStartOnly() {
    Progress p = new Progress(sent("a", 1000L, "b", 5000L));
    assertThat(p.copiedBytes(sent("a", 1000L, "b", 5000L))).isZero();
    assertThat(p.copiedBytes(sent("a", 3000L, "b", 6000L))).isEqualTo(3000);
    // A node missing from one status (it did not answer) keeps what it had counted.
    assertThat(p.copiedBytes(sent("a", 4000L))).isEqualTo(4000);
  }

  @Test
  void aNodeFirstSeenLaterCountsFromThenAndARestartedOneKeepsItsBytes() {
    Progress p = new Progress(sent("a", 100L));
    assertThat(p.copiedBytes(sent("a", 100L, "late", 7000L))).isZero();
    assertThat(p.copiedBytes(sent("a", 600L, "late", 7500L))).isEqualTo(1000);
    // "a" restarted: its counter fell to 200; the 500 counted before stay.
    assertThat(p.copiedBytes(sent("a", 200L, "late", 7500L))).isEqualTo(1200);
  }

  @Test
  void bytesAreShownInBinaryUnits() {
    assertThat(Progress.bytes(0)).isEqualTo("0 B");
    assertThat(Progress.bytes(1023)).isEqualTo("1023 B");
    assertThat(Progress.bytes(1536)).isEqualTo("1.5 KiB");
    assertThat(Progress.bytes(13_107_200)).isEqualTo("12.5 MiB");
    assertThat(Progress.bytes(3L << 30)).isEqualTo("3.0 GiB");
    assertThat(new Progress(sent("a", 0L)).copied(sent("a", 13_107_200L)))
        .isEqualTo(", 12.5 MiB copied");
  }
}
