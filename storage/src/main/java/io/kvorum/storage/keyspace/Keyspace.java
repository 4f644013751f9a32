package io.kvorum.storage.keyspace;

import io.kvorum.storage.engine.Bytes;
import io.kvorum.storage.engine.Column;
import io.kvorum.storage.engine.DataView;
import io.kvorum.storage.reply.RedisError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The logical keyspace of one slot group as command code sees it: look up a key (an expired key is
 * absent; on the write path it is also deleted), write or remove a key's metadata, with the expiry
 * index, the key count and write stamps kept right. One instance serves one log entry or one read.
 */
public final class Keyspace {
  /** Collections up to this many members are deleted member by member; bigger ones by range. */
  private static final long SMALL_COLLECTION = 64;

  private final DataView view;
  private final long nowMs;
  private final Counters counters;
  /** Keys whose metadata this instance wrote, in write order (repeats included). */
  private final List<byte[]> written = new ArrayList<>();
  /** Keyspace notifications so far; null while nobody listens (the common case). */
  private List<KeyspaceEvent> events;
  /** Keys written or removed, in order, while events are collected: what rules look at. */
  private List<Touch> touched;

  /**
   * A key a command wrote ({@code removed} false; {@code created} when it did not exist) or
   * deleted, for keyspace notifications.
   */
  public record Touch(byte[] key, boolean removed, boolean created) {}
  /** Keys written that count as modified for WATCH (Redis exempts a few writes). */
  private final List<byte[]> modified = new ArrayList<>();
  /** Keys this instance removed (deleted, expired, emptied), for WATCH. */
  private final List<byte[]> removed = new ArrayList<>();
  /** True once {@link #flushAll} ran. */
  private boolean flushed;

  /**
   * @param nowMs    the leader's clock from the log entry (write path) or this node's clock (read)
   * @param counters the store's counters; mutated only on the write path
   */
  public Keyspace(DataView view, long nowMs, Counters counters) {
    this.view = view;
    this.nowMs = nowMs;
    this.counters = counters;
  }

  /** Starts collecting keyspace notifications (the node publishes them). */
  public void collectEvents() {
    if (events == null) {
      events = new ArrayList<>();
      touched = new ArrayList<>();
    }
  }

  /** Whether {@link #collectEvents} was called. */
  public boolean collectsEvents() {
    return events != null;
  }

  /** Records a keyspace notification (ignored unless collecting). */
  public void notify(char type, String event, byte[] key) {
    if (events != null) {
      events.add(new KeyspaceEvent(type, event, key));
    }
  }

  /**
   * Sends Redis's {@code new} for {@code key} (dbAdd sends it before the command's own event) if
   * a write of this entry created it and it was not sent yet.
   */
  public void notifyCreated(byte[] key) {
    if (touched == null) {
      return;
    }
    for (int i = 0; i < touched.size(); i++) {
      Touch t = touched.get(i);
      if (t.created() && Arrays.equals(t.key(), key) && newSent.add(i)) {
        notify(KeyspaceEvent.NEW, "new", key);
      }
    }
  }

  private final java.util.Set<Integer> newSent = new java.util.HashSet<>();

  /** The notifications collected so far, in order. */
  public List<KeyspaceEvent> events() {
    return events == null ? List.of() : events;
  }

  /** How many keys were written or removed so far (a mark for {@link #touchedSince}). */
  public int touchCount() {
    return touched == null ? 0 : touched.size();
  }

  /** Keys written or removed after {@code mark}, in order (repeats included). */
  public List<Touch> touchedSince(int mark) {
    return touched == null ? List.of() : touched.subList(mark, touched.size());
  }

  /** The time expiry is judged by: the entry's leader clock when applying, else the local clock. */
  public long now() {
    return nowMs;
  }

  public boolean writable() {
    return view.writable();
  }

  /** Direct access to the columns, for data types that keep sub-keys. */
  public DataView data() {
    return view;
  }

  /** The key's metadata, or null when it does not exist or has expired. */
  public KeyMeta lookup(byte[] key) {
    byte[] mk = KeyCodec.metaKey(key);
    byte[] raw = view.get(Column.META, mk);
    if (raw == null) {
      return null;
    }
    KeyMeta meta = KeyMeta.decode(raw);
    if (meta.isExpiredAt(nowMs)) {
      if (view.writable()) {
        removeEncoded(mk, key, meta);
        // Expired, not deleted by the command: Redis's lazy expiry notifies "expired".
        untouchLast();
        notify(KeyspaceEvent.EXPIRED, "expired", key);
      }
      return null;
    }
    return meta;
  }

  /** Like {@link #lookup(byte[])}, but answers WRONGTYPE when the key holds another type. */
  public KeyMeta lookup(byte[] key, RedisType expected) {
    KeyMeta meta = lookup(key);
    if (meta != null && meta.type() != expected) {
      throw RedisError.wrongType();
    }
    return meta;
  }

  public boolean exists(byte[] key) {
    return lookup(key) != null;
  }

  /** A string's value, null when absent; WRONGTYPE for other types. */
  public byte[] getString(byte[] key) {
    KeyMeta meta = lookup(key, RedisType.STRING);
    return meta == null ? null : meta.value();
  }

  /**
   * Writes {@code meta} for {@code key}. {@code old} is what {@link #lookup} returned (null when
   * the key did not exist). A different incarnation's members are dropped, the expiry index
   * follows the new deadline, and the key gets a fresh write stamp.
   */
  public void put(byte[] key, KeyMeta old, KeyMeta meta) {
    byte[] mk = KeyCodec.metaKey(key);
    if (old == null) {
      counters.keys++;
    } else if (old.type() != RedisType.STRING
        && (meta.type() != old.type() || meta.version() != old.version())) {
      dropMembers(key, old);
    }
    if (old != null && old.hasExpire() && old.expireAt() != meta.expireAt()) {
      view.delete(Column.EXPIRE, KeyCodec.expireKey(old.expireAt(), mk));
    }
    if (meta.hasExpire() && (old == null || old.expireAt() != meta.expireAt())) {
      view.put(Column.EXPIRE, KeyCodec.expireKey(meta.expireAt(), mk), Bytes.longBytes(0));
    }
    view.put(Column.META, mk, meta.withStamp(counters.nextStamp()).encode());
    written.add(key);
    if (touched != null) {
      touched.add(new Touch(key, false, old == null));
    }
    modified.add(key);
  }

  private void untouchLast() {
    if (touched != null && !touched.isEmpty()) {
      touched.remove(touched.size() - 1);
    }
  }

  /**
   * Keys created or changed through {@link #put} so far, in write order, repeats included: what
   * a client blocked on a key waits for (deletions are not listed: they never serve one).
   */
  public List<byte[]> writtenKeys() {
    return written;
  }

  /** Keys written so far that a WATCH of them notices (see {@link #unmodifyAfter}). */
  public List<byte[]> modifiedKeys() {
    return modified;
  }

  /** Number of entries in {@link #modifiedKeys}: the mark for {@link #unmodifyAfter}. */
  public int modifiedCount() {
    return modified.size();
  }

  /**
   * Writes after the first {@code count} touched keys do not count as modifications for WATCH:
   * Redis does not signal them (SETBIT that changes no bit, consumer-group bookkeeping).
   */
  public void unmodifyAfter(int count) {
    modified.subList(count, modified.size()).clear();
  }

  /** Keys removed so far (deleted, expired, popped empty), repeats included: WATCH sees them. */
  public List<byte[]> removedKeys() {
    return removed;
  }

  /** True when the keyspace was flushed (FLUSHDB/FLUSHALL) by this instance. */
  public boolean flushed() {
    return flushed;
  }

  /**
   * True when the key exists but its deadline has passed at {@link #now()}. Unlike {@link
   * #lookup}, it never deletes the key: an aborted transaction must not write.
   */
  public boolean isExpired(byte[] key) {
    byte[] raw = view.get(Column.META, KeyCodec.metaKey(key));
    return raw != null && KeyMeta.decode(raw).isExpiredAt(nowMs);
  }

  /** Forgets the keys written after the first {@code count} (a write that must wake nobody). */
  public void forgetWrittenKeysAfter(int count) {
    written.subList(count, written.size()).clear();
  }

  /** Stores a string value, replacing whatever the key held; {@code expireAt} 0 means none. */
  public void putString(byte[] key, KeyMeta old, byte[] value, int encoding, long expireAt) {
    put(key, old, KeyMeta.string(value, encoding, expireAt));
  }

  /** Deletes the key if it exists; true when it did. */
  public boolean delete(byte[] key) {
    KeyMeta meta = lookup(key);
    if (meta == null) {
      return false;
    }
    remove(key, meta);
    return true;
  }

  /** Deletes the key if its deadline has passed (active expiry); true when it did. */
  public boolean expireIfDue(byte[] key) {
    byte[] mk = KeyCodec.metaKey(key);
    byte[] raw = view.get(Column.META, mk);
    if (raw == null || !KeyMeta.decode(raw).isExpiredAt(nowMs)) {
      return false;
    }
    removeEncoded(mk, key, KeyMeta.decode(raw));
    untouchLast();
    notify(KeyspaceEvent.EXPIRED, "expired", key);
    return true;
  }

  /** Removes a key that {@link #lookup} found: metadata, members and expiry index entry. */
  public void remove(byte[] key, KeyMeta meta) {
    removeEncoded(KeyCodec.metaKey(key), key, meta);
  }

  /**
   * Removes a collection key whose members the caller has already deleted (popped or trimmed to
   * nothing): metadata and expiry index only. {@link #remove} would scan the member range again,
   * and after many pops that range is a long run of tombstones.
   */
  public void removeEmptied(byte[] key, KeyMeta meta) {
    byte[] mk = KeyCodec.metaKey(key);
    view.delete(Column.META, mk);
    if (meta.hasExpire()) {
      view.delete(Column.EXPIRE, KeyCodec.expireKey(meta.expireAt(), mk));
    }
    counters.keys--;
    if (touched != null) {
      touched.add(new Touch(key, true, false));
    }
    removed.add(key);
  }

  private void removeEncoded(byte[] mk, byte[] key, KeyMeta meta) {
    if (touched != null) {
      touched.add(new Touch(key, true, false));
    }
    view.delete(Column.META, mk);
    if (meta.hasExpire()) {
      view.delete(Column.EXPIRE, KeyCodec.expireKey(meta.expireAt(), mk));
    }
    if (meta.type() != RedisType.STRING) {
      dropMembers(key, meta);
    }
    counters.keys--;
    removed.add(key);
  }

  private void dropMembers(byte[] key, KeyMeta meta) {
    byte[] prefix = KeyCodec.subKeyPrefix(key, meta.version());
    byte[] end = Bytes.prefixEnd(prefix);
    for (Column column : new Column[] {Column.DATA, Column.SCORE}) {
      if (meta.size() <= SMALL_COLLECTION) {
        try (DataView.Cursor c = view.scan(column, prefix, end, false)) {
          while (c.valid()) {
            view.delete(column, c.key());
            c.next();
          }
        }
      } else {
        // Range deletion keeps DEL of a multi-million-member key O(1); compaction reclaims space.
        view.deleteRange(column, prefix, end);
      }
    }
  }

  /**
   * Writes a copy of {@code src} (the value of {@code srcKey}, members included) under
   * {@code dstKey}, replacing {@code dstOld} (what {@link #lookup} returned for it, or null). The
   * copy has its own deadline and encoding hint; a collection's members are copied to a fresh
   * version, so this is O(members), as Redis's COPY and (for us) RENAME are.
   */
  public void copy(
      byte[] srcKey, KeyMeta src, byte[] dstKey, KeyMeta dstOld, long expireAt, int encoding) {
    if (src.type() == RedisType.STRING) {
      put(dstKey, dstOld, KeyMeta.string(src.value(), encoding, expireAt));
      return;
    }
    long version = newVersion();
    byte[] from = KeyCodec.subKeyPrefix(srcKey, src.version());
    byte[] end = Bytes.prefixEnd(from);
    byte[] to = KeyCodec.subKeyPrefix(dstKey, version);
    for (Column column : new Column[] {Column.DATA, Column.SCORE}) {
      // Collect first: the cursor walks the batch's overlay, which must not change under it.
      List<byte[][]> entries = new ArrayList<>();
      try (DataView.Cursor c = view.scan(column, from, end, false)) {
        while (c.valid()) {
          entries.add(new byte[][] {c.key(), c.value()});
          c.next();
        }
      }
      for (byte[][] e : entries) {
        byte[] member = Arrays.copyOfRange(e[0], from.length, e[0].length);
        view.put(column, KeyCodec.subKey(to, member), e[1]);
      }
    }
    put(dstKey, dstOld,
        KeyMeta.collection(src.type(), encoding, expireAt, version, src.size(), src.tail()));
  }

  /** Number of keys in this slot group, expired ones not yet deleted included (DBSIZE). */
  public long keyCount() {
    return counters.keys;
  }

  /**
   * Deletes every key of the slot group (FLUSHDB, FLUSHALL): one range deletion per column, so the
   * cost does not depend on the number of keys. Write stamps keep counting, so versions of keys
   * created later never collide with leftovers RocksDB has not compacted away yet.
   */
  public void flushAll() {
    byte[] start = new byte[0];
    for (Column column : new Column[] {Column.META, Column.DATA, Column.SCORE, Column.EXPIRE}) {
      view.deleteRange(column, start, null);
    }
    counters.keys = 0;
    flushed = true;
  }

  /** A fresh version for a new collection incarnation (deterministic: every replica counts alike). */
  public long newVersion() {
    return counters.nextStamp();
  }

  /** Mutable per-store counters; the store persists them with each applied entry. */
  public static final class Counters {
    /** Number of keys in the store, including ones that expired but were not yet deleted. */
    public long keys;
    /** Last stamp handed out; stamps and versions come from this one sequence. */
    public long stamp;

    public Counters(long keys, long stamp) {
      this.keys = keys;
      this.stamp = stamp;
    }

    long nextStamp() {
      return ++stamp;
    }

    public Counters copy() {
      return new Counters(keys, stamp);
    }
  }
}
