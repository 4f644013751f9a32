package io.kvorum.resp.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.transaction.WatchedKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MultiStateTest {
  private static byte[][] args(String... a) {
    byte[][] out = new byte[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  @Test
  void theQueueRefusesCommandsBeyondItsCountAndByteLimits() {
    MultiState m = new MultiState(2);
    m.begin();
    assertThat(m.queue(null, args("set", "a", "1"), 1, 100)).isTrue();
    assertThat(m.queue(null, args("set", "b", "1"), 1, 100)).isTrue();
    assertThat(m.queue(null, args("set", "c", "1"), 1, 100)).isFalse();
    assertThat(m.queued()).hasSize(2);

    MultiState bytes = new MultiState(10);
    bytes.begin();
    assertThat(bytes.queue(null, args("set", "a", "12345"), 1, 16)).isTrue();
    assertThat(bytes.queue(null, args("set", "b", "12345"), 1, 16)).isFalse();
    bytes.end();
    bytes.begin();
    assertThat(bytes.queue(null, args("set", "b", "12345"), 1, 16)).isTrue();
  }

  @Test
  void execCapturesTheQueueAndFlagOnlyCountsInsideMulti() {
    MultiState m = new MultiState();
    m.flag();
    m.begin();
    assertThat(m.dirty()).isFalse();
    m.queue(null, args("get", "a"), 5, 100);
    m.flag();
    m.capture(true);
    m.end();
    m.begin();
    m.queue(null, args("get", "b"), 5, 100);
    m.capture(false);
    m.end();
    MultiState.Captured first = m.takeCaptured();
    assertThat(first.dirty()).isTrue();
    assertThat(first.resp3()).isTrue();
    assertThat(first.queued()).hasSize(1);
    MultiState.Captured second = m.takeCaptured();
    assertThat(second.dirty()).isFalse();
    assertThat(new String(second.queued().get(0).args()[1], StandardCharsets.UTF_8)).isEqualTo("b");
  }

  @Test
  void watchesAreCountedPerGroupAndSlotsCompared() {
    MultiState m = new MultiState();
    assertThat(m.watchedSlot()).isEqualTo(-1);
    m.watched(3, 7, List.of(new WatchedKey(new byte[] {'a'}, 10, true)));
    m.watched(3, 7, List.of(new WatchedKey(new byte[] {'b'}, 11, false)));
    assertThat(m.watchedSlot()).isEqualTo(7);
    m.watched(4, 9, List.of(new WatchedKey(new byte[] {'c'}, 12, true)));
    assertThat(m.watchedSlot()).isEqualTo(-2);
    assertThat(m.takeWatches()).isEqualTo(Map.of(3, 2, 4, 1));
    assertThat(m.watchedKeys()).isEmpty();
    assertThat(m.watchedSlot()).isEqualTo(-1);
    assertThat(m.takeWatches()).isEmpty();
  }
}
