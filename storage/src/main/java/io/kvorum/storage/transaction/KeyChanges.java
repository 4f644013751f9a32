package io.kvorum.storage.transaction;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which keys of one slot group the applied log entries changed, and at which index, kept only
 * while some connection WATCHes a key of the group: what EXEC checks its watched keys against.
 * It lives in memory on each replica, fed by every applied entry in log order; the leader alone
 * decides from it and carries the decision in the log entry, so replicas never consult their own
 * copy. The store calls it under its apply lock, so indexes and state agree; it is also
 * synchronized because a store replaced by a snapshot hands it to the next one.
 */
public final class KeyChanges {
  /**
   * Commands whose writes Redis 7.0 does not signal as modifications (consumer-group bookkeeping
   * and XSETID): they never disturb a WATCH.
   */
  private static final Set<String> UNSIGNALLED =
      Set.of("xsetid", "xgroup", "xack", "xclaim", "xautoclaim");

  /** Most keys remembered; beyond it every current watch is treated as changed. */
  public static final int MAX_KEYS = 100_000;

  private final int maxKeys;
  /** Last index that wrote (created or changed) the key. */
  private final Map<ByteBuffer, Long> puts = new HashMap<>();
  /** Last index that removed the key. */
  private final Map<ByteBuffer, Long> removals = new HashMap<>();
  private long flushIndex = -1;
  /** Watches older than this index cannot be judged (memory bound, snapshot install): changed. */
  private long floor = -1;
  private long lastIndex = -1;
  private int watchers;

  public KeyChanges() {
    this(MAX_KEYS);
  }

  /** @param maxKeys most keys remembered (tests use small values) */
  public KeyChanges(int maxKeys) {
    this.maxKeys = maxKeys;
  }

  /** False for a command (by name, args[0]) whose writes Redis does not signal to WATCH. */
  public static boolean touchesWatchedKeys(byte[] name) {
    return name.length > 10
        || !UNSIGNALLED.contains(new String(name, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
  }

  /** True while a connection watches a key of the group: only then are writes recorded. */
  public synchronized boolean active() {
    return watchers > 0;
  }

  /** A connection starts watching keys of this group. */
  public synchronized void retain() {
    watchers++;
  }

  /** A connection stops watching this group; the last one lets the record go. */
  public synchronized void release() {
    if (watchers > 0 && --watchers == 0) {
      puts.clear();
      removals.clear();
      flushIndex = -1;
      floor = lastIndex;
    }
  }

  /** Number of connections watching keys of this group. */
  public synchronized int watchers() {
    return watchers;
  }

  /** The entry at {@code index} was applied: it wrote {@code written}, removed {@code removed}. */
  public synchronized void applied(long index, List<byte[]> written, List<byte[]> removed, boolean flushed) {
    lastIndex = index;
    if (watchers == 0) {
      return;
    }
    if (flushed) {
      flushIndex = index;
    }
    for (byte[] k : written) {
      puts.put(ByteBuffer.wrap(k), index);
    }
    for (byte[] k : removed) {
      removals.put(ByteBuffer.wrap(k), index);
    }
    if (puts.size() + removals.size() > maxKeys) {
      puts.clear();
      removals.clear();
      floor = index;
    }
  }

  /** An entry without keyspace effects was applied (leader no-op, configuration). */
  public synchronized void advanced(long index) {
    lastIndex = Math.max(lastIndex, index);
  }

  /** The state was replaced by a snapshot at {@code index}: earlier watches cannot be judged. */
  public synchronized void replaced(long index) {
    puts.clear();
    removals.clear();
    lastIndex = index;
    floor = index;
  }

  /**
   * True when the key changed since it was watched, as Redis 7 counts it: a key that existed is
   * changed by any write, removal or flush; a key that did not exist (or had expired) only by
   * being written (so an expired key that is then deleted stays unchanged).
   */
  public synchronized boolean changed(WatchedKey w) {
    if (w.sinceIndex() < floor) {
      return true;
    }
    ByteBuffer k = ByteBuffer.wrap(w.key());
    Long put = puts.get(k);
    if (put != null && put > w.sinceIndex()) {
      return true;
    }
    if (!w.live()) {
      return false;
    }
    Long removal = removals.get(k);
    return (removal != null && removal > w.sinceIndex()) || flushIndex > w.sinceIndex();
  }
}
