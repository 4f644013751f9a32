package io.kvorum.raft.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EntrySlotsTest {
  private final AtomicLong now = new AtomicLong();
  private final List<String> ran = new ArrayList<>();
  private final List<EntrySlots.Slot> taken = new ArrayList<>();

  private void acquire(EntrySlots slots, String who) {
    slots.acquire(slot -> {
      ran.add(who);
      taken.add(slot);
    });
  }

  @Test
  void pastTheBoundGroupsWaitAndGetFreedSlotsInArrivalOrder() {
    EntrySlots slots = new EntrySlots(2, Long.MAX_VALUE, now::get);
    acquire(slots, "a");
    acquire(slots, "b");
    acquire(slots, "c");
    acquire(slots, "d");
    assertThat(ran).containsExactly("a", "b");
    assertThat(slots.waiting()).isEqualTo(2);
    slots.release(taken.get(1));
    assertThat(ran).containsExactly("a", "b", "c");
    slots.release(taken.get(0));
    assertThat(ran).containsExactly("a", "b", "c", "d");
    assertThat(slots.waiting()).isZero();
  }

  @Test
  void aSlotReleasedTwiceFreesOnlyOnce() {
    EntrySlots slots = new EntrySlots(1, Long.MAX_VALUE, now::get);
    acquire(slots, "a");
    slots.release(taken.get(0));
    slots.release(taken.get(0));
    acquire(slots, "b");
    acquire(slots, "c");
    assertThat(ran).containsExactly("a", "b");
    assertThat(slots.waiting()).isEqualTo(1);
  }

  @Test
  void theSweepFreesASlotHeldPastTheLimitAndItsLateReleaseChangesNothing() {
    EntrySlots slots = new EntrySlots(1, 100, now::get);
    acquire(slots, "stuck");
    acquire(slots, "next");
    now.set(100);
    slots.sweep();
    assertThat(ran).containsExactly("stuck");
    now.set(101);
    slots.sweep();
    assertThat(ran).containsExactly("stuck", "next");
    // The stuck entry finally completes: its slot was already given away.
    slots.release(taken.get(0));
    acquire(slots, "third");
    assertThat(ran).containsExactly("stuck", "next");
    slots.release(taken.get(1));
    assertThat(ran).containsExactly("stuck", "next", "third");
  }

  @Test
  void withoutABoundEveryCallerGoesAtOnce() {
    EntrySlots slots = EntrySlots.unbounded();
    for (int i = 0; i < 100; i++) {
      acquire(slots, "g" + i);
    }
    assertThat(ran).hasSize(100);
    assertThat(taken).containsOnlyNulls();
    slots.sweep();
    assertThat(slots.waiting()).isZero();
  }

  @Test
  void aNegativeBoundIsRefused() {
    assertThatThrownBy(() -> new EntrySlots(-1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("slots must be >= 0, got -1");
  }
}
