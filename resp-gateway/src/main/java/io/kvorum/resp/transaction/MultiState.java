package io.kvorum.resp.transaction;

import io.kvorum.resp.command.CommandEntry;
import io.kvorum.storage.transaction.WatchedKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection's MULTI/WATCH state: whether MULTI is open, the commands queued so far (with the
 * slot of their keys), whether a queue-time error doomed the transaction, and the watched keys
 * with the slot groups they retain. Used on the connection's event loop only.
 */
public final class MultiState {
  /** Most commands one transaction may queue. */
  public static final int MAX_COMMANDS = 100_000;

  /** A queued command; {@code slot} is -1 when it has no keys. */
  public record Queued(CommandEntry entry, byte[][] args, int slot) {}

  /** What an EXEC runs, captured when it was read ({@code resp3}: its protocol then). */
  public record Captured(List<Queued> queued, boolean dirty, boolean resp3) {}

  /** EXECs read but not yet run (a pipeline may hold several). */
  private final ArrayDeque<Captured> captured = new ArrayDeque<>();

  private final int maxCommands;
  private boolean active;
  private boolean dirty;
  private final List<Queued> queued = new ArrayList<>();
  private long queuedBytes;
  private final List<WatchedKey> watched = new ArrayList<>();
  private int watchedSlot = -1;
  /** Successful WATCH calls per slot group: each is released once by {@link #takeWatches}. */
  private final Map<Integer, Integer> watchesByGroup = new HashMap<>();

  public MultiState() {
    this(MAX_COMMANDS);
  }

  /** @param maxCommands most commands one transaction may queue (tests use small values) */
  MultiState(int maxCommands) {
    this.maxCommands = maxCommands;
  }

  public boolean active() {
    return active;
  }

  /** MULTI. */
  public void begin() {
    active = true;
    dirty = false;
    queued.clear();
    queuedBytes = 0;
  }

  /** A queue-time error: EXEC will answer EXECABORT. */
  public void flag() {
    if (active) {
      dirty = true;
    }
  }

  public boolean dirty() {
    return dirty;
  }

  /**
   * Queues a command, or returns false when the transaction would exceed its limits (at most
   * {@link #MAX_COMMANDS} commands and {@code maxBytes} of arguments: it travels in one log entry).
   */
  public boolean queue(CommandEntry entry, byte[][] args, int slot, long maxBytes) {
    long bytes = 0;
    for (byte[] a : args) {
      bytes += a.length;
    }
    if (queued.size() >= maxCommands || queuedBytes + bytes > maxBytes) {
      return false;
    }
    queued.add(new Queued(entry, args, slot));
    queuedBytes += bytes;
    return true;
  }

  public List<Queued> queued() {
    return queued;
  }

  /** EXEC read: captures the queue for {@link #takeCaptured}. */
  public void capture(boolean resp3) {
    captured.add(new Captured(List.copyOf(queued), dirty, resp3));
  }

  /** The oldest captured EXEC. */
  public Captured takeCaptured() {
    return captured.poll();
  }

  /** Ends MULTI (EXEC, DISCARD, RESET), dropping the queue; watches are taken separately. */
  public void end() {
    active = false;
    dirty = false;
    queued.clear();
    queuedBytes = 0;
  }

  /** Records a successful WATCH on {@code group}. */
  public void watched(int group, int slot, List<WatchedKey> keys) {
    watched.addAll(keys);
    if (watchedSlot < 0) {
      watchedSlot = slot;
    } else if (watchedSlot != slot) {
      watchedSlot = -2;
    }
    watchesByGroup.merge(group, 1, Integer::sum);
  }

  public List<WatchedKey> watchedKeys() {
    return watched;
  }

  /** The slot of every watched key; -1 when nothing is watched, -2 when they differ. */
  public int watchedSlot() {
    return watchedSlot;
  }

  /**
   * Forgets every watched key and returns how many WATCH calls each slot group must release.
   */
  public Map<Integer, Integer> takeWatches() {
    Map<Integer, Integer> out = new HashMap<>(watchesByGroup);
    watchesByGroup.clear();
    watched.clear();
    watchedSlot = -1;
    return out;
  }
}
