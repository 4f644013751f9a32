package io.kvorum.storage.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyChangesTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void nothingIsRecordedWhileNobodyWatches() {
    KeyChanges c = new KeyChanges();
    c.applied(1, List.of(b("k")), List.of(), false);
    c.retain();
    assertThat(c.changed(new WatchedKey(b("k"), 1, true))).isFalse();
    c.applied(2, List.of(b("k")), List.of(), false);
    assertThat(c.changed(new WatchedKey(b("k"), 1, true))).isTrue();
    assertThat(c.changed(new WatchedKey(b("k"), 2, true))).as("watched after the write").isFalse();
    c.release();
    assertThat(c.active()).isFalse();
    c.retain();
    assertThat(c.changed(new WatchedKey(b("k"), 2, true))).as("forgotten once unwatched")
        .isFalse();
  }

  @Test
  void removalsAndFlushesChangeOnlyKeysThatExistedAtWatch() {
    KeyChanges c = new KeyChanges();
    c.retain();
    c.applied(5, List.of(), List.of(b("gone")), false);
    assertThat(c.changed(new WatchedKey(b("gone"), 4, true))).isTrue();
    assertThat(c.changed(new WatchedKey(b("gone"), 4, false))).isFalse();
    c.applied(6, List.of(), List.of(), true);
    assertThat(c.changed(new WatchedKey(b("other"), 5, true))).isTrue();
    assertThat(c.changed(new WatchedKey(b("other"), 5, false))).isFalse();
    assertThat(c.changed(new WatchedKey(b("other"), 6, true))).isFalse();
  }

  @Test
  void overflowAndSnapshotsMakeOlderWatchesChanged() {
    KeyChanges c = new KeyChanges(2);
    c.retain();
    c.applied(1, List.of(b("a"), b("b")), List.of(), false);
    assertThat(c.changed(new WatchedKey(b("z"), 0, true))).isFalse();
    c.applied(2, List.of(b("c")), List.of(), false);
    assertThat(c.changed(new WatchedKey(b("z"), 1, true))).isTrue();
    assertThat(c.changed(new WatchedKey(b("z"), 2, true))).isFalse();
    c.replaced(10);
    assertThat(c.changed(new WatchedKey(b("z"), 9, false))).isTrue();
    assertThat(c.changed(new WatchedKey(b("z"), 10, false))).isFalse();
  }

  @Test
  void consumerGroupBookkeepingIsNotATouch() {
    assertThat(KeyChanges.touchesWatchedKeys(b("XACK"))).isFalse();
    assertThat(KeyChanges.touchesWatchedKeys(b("xgroup"))).isFalse();
    assertThat(KeyChanges.touchesWatchedKeys(b("XADD"))).isTrue();
    assertThat(KeyChanges.touchesWatchedKeys(b("set"))).isTrue();
  }
}
