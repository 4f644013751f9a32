package io.kvorum.raft.route;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Node-wide bound on the write entries this node's slot groups have in flight at once. Each entry
 * costs a log append, an fsync and an apply whatever it carries, so when every group submits the
 * moment its last entry is done, a busy node spends its CPU on many small entries. A group that
 * finds no free slot waits its turn (first come, first served), and the writes that reach it
 * meanwhile join its next entry.
 *
 * <p>The bound only shapes batching, never correctness: a slot held longer than the hold limit (an
 * entry stuck on a lost leadership or a stalled disk) is given back by {@link #sweep}, so one
 * stuck group cannot hold up the others.
 */
final class EntrySlots {
  /** No bound: every group submits as soon as its own queue lets it. */
  static final int UNBOUNDED = 0;

  /** One taken slot, given back once: by its entry, or by the sweep. */
  static final class Slot {
    private final long takenAt;
    private boolean released;

    private Slot(long takenAt) {
      this.takenAt = takenAt;
    }
  }

  private final int slots;
  private final long maxHoldNanos;
  private final LongSupplier nanoClock;
  private final ArrayDeque<Consumer<Slot>> waiters = new ArrayDeque<>();
  private final List<Slot> held = new ArrayList<>();
  private int free;

  /**
   * @param slots        entries in flight at once across the node; {@link #UNBOUNDED} for none
   * @param maxHoldNanos how long an entry may keep its slot before {@link #sweep} frees it
   */
  EntrySlots(int slots, long maxHoldNanos) {
    this(slots, maxHoldNanos, System::nanoTime);
  }

  EntrySlots(int slots, long maxHoldNanos, LongSupplier nanoClock) {
    if (slots < 0) {
      throw new IllegalArgumentException("slots must be >= 0, got " + slots);
    }
    this.slots = slots;
    this.maxHoldNanos = maxHoldNanos;
    this.nanoClock = nanoClock;
    this.free = slots;
  }

  /** No bound at all. */
  static EntrySlots unbounded() {
    return new EntrySlots(UNBOUNDED, Long.MAX_VALUE);
  }

  boolean bounded() {
    return slots != UNBOUNDED;
  }

  /**
   * Runs {@code onSlot} with a slot: now if one is free, else on the thread that frees one. It
   * gets null when there is no bound.
   */
  void acquire(Consumer<Slot> onSlot) {
    if (!bounded()) {
      onSlot.accept(null);
      return;
    }
    Slot slot;
    synchronized (this) {
      if (free == 0) {
        waiters.add(onSlot);
        return;
      }
      free--;
      slot = take();
    }
    onSlot.accept(slot);
  }

  /** Gives {@code slot} back (a second release, or null, does nothing) to the longest waiter. */
  void release(Slot slot) {
    if (slot == null) {
      return;
    }
    Consumer<Slot> next;
    Slot handed;
    synchronized (this) {
      if (slot.released) {
        return;
      }
      slot.released = true;
      held.remove(slot);
      next = waiters.poll();
      if (next == null) {
        free++;
        return;
      }
      handed = take();
    }
    next.accept(handed);
  }

  /** Frees the slots held longer than the hold limit; run periodically on a bounded node. */
  void sweep() {
    List<Slot> stale = new ArrayList<>();
    synchronized (this) {
      long now = nanoClock.getAsLong();
      for (Slot s : held) {
        if (now - s.takenAt > maxHoldNanos) {
          stale.add(s);
        }
      }
    }
    stale.forEach(this::release);
  }

  /** Groups waiting for a slot. */
  synchronized int waiting() {
    return waiters.size();
  }

  private Slot take() {
    Slot s = new Slot(nanoClock.getAsLong());
    held.add(s);
    return s;
  }
}
