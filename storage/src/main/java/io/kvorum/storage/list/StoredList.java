package io.kvorum.storage.list;

import io.kvorum.storage.engine.Bytes;
import io.kvorum.storage.engine.Column;
import io.kvorum.storage.engine.DataView;
import io.kvorum.storage.keyspace.KeyCodec;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One list key as stored. Element {@code i} lives at sequence number {@code head + i}: sub-key
 * {@code subKeyPrefix(key, version) + (sequence ^ 2^63)(8, big-endian)} in the DATA column (the
 * sign bit is flipped so negative sequences sort first), value the element. The metadata tail is
 * {@code head(8) tail(8)}, the list occupying {@code [head, tail)}; a new list starts at 0, LPUSH
 * takes {@code head - 1} and RPUSH {@code tail}.
 *
 * <p>The sequences are always dense, so pushes and pops at either end, LINDEX and LSET are one
 * RocksDB point operation each, and a range read is one seek. LINSERT and LREM keep the list dense
 * by renumbering the shorter side of the change: O(min(i, n - i)) moved elements, after the O(i)
 * scan that finds the position (both O(n) in Redis too).
 *
 * <p>Reads never step past the last element they need: RocksDB iterators have no upper bound here,
 * and the keys beyond either end of a long-lived queue are tombstones of popped elements.
 */
public final class StoredList {
  /** Up to this many elements are deleted one by one; more with one range deletion. */
  private static final long POINT_DELETE_LIMIT = 64;
  private static final int TAIL_BYTES = 16;

  private final Keyspace keyspace;
  private final byte[] key;
  /** What {@link Keyspace#lookup} returned, null for a list this command creates. */
  private final KeyMeta loaded;
  private final long version;
  private final byte[] prefix;
  /** The key's deadline, kept by {@link #save()} (0: none). */
  private final long expireAt;
  private long head;
  private long tail;

  private StoredList(Keyspace keyspace, byte[] key, KeyMeta loaded, long version, long head,
      long tail, long expireAt) {
    this.keyspace = keyspace;
    this.key = key;
    this.loaded = loaded;
    this.version = version;
    this.prefix = KeyCodec.subKeyPrefix(key, version);
    this.head = head;
    this.tail = tail;
    this.expireAt = expireAt;
  }

  /** The list at {@code key}, null when the key does not exist; WRONGTYPE for another type. */
  public static StoredList find(Keyspace keyspace, byte[] key) {
    KeyMeta meta = keyspace.lookup(key, RedisType.LIST);
    if (meta == null) {
      return null;
    }
    return of(keyspace, key, meta);
  }

  /** Wraps a key already looked up as a list. */
  public static StoredList of(Keyspace keyspace, byte[] key, KeyMeta meta) {
    byte[] t = meta.tail();
    return new StoredList(keyspace, key, meta, meta.version(), Bytes.getLong(t, 0),
        Bytes.getLong(t, 8), meta.expireAt());
  }

  /** The list at {@code key}, or a new empty one that {@link #save()} will create. */
  static StoredList findOrCreate(Keyspace keyspace, byte[] key) {
    StoredList list = find(keyspace, key);
    return list != null ? list : create(keyspace, key, 0);
  }

  /**
   * A new empty list at {@code key} with deadline {@code expireAt} (0: none), which {@link
   * #save()} stores; the key must not exist (the caller removed what it held).
   */
  public static StoredList create(Keyspace keyspace, byte[] key, long expireAt) {
    return new StoredList(keyspace, key, null, keyspace.newVersion(), 0, 0, expireAt);
  }

  byte[] key() {
    return key;
  }

  public long size() {
    return tail - head;
  }

  private byte[] subKey(long sequence) {
    byte[] k = Arrays.copyOf(prefix, prefix.length + 8);
    Bytes.putLong(k, prefix.length, sequence ^ Long.MIN_VALUE);
    return k;
  }

  /** Redis's index rule: negative counts from the tail; -1 when out of range. */
  private long normalize(long index) {
    long size = size();
    long i = index < 0 ? size + index : index;
    return i < 0 || i >= size ? -1 : i;
  }

  /** The element at {@code index} (negative from the tail), null when out of range. */
  byte[] get(long index) {
    long i = normalize(index);
    return i < 0 ? null : keyspace.data().get(Column.DATA, subKey(head + i));
  }

  /** Replaces the element at {@code index}; false when out of range. */
  boolean set(long index, byte[] value) {
    long i = normalize(index);
    if (i < 0) {
      return false;
    }
    keyspace.data().put(Column.DATA, subKey(head + i), value);
    return true;
  }

  /** Adds an element at the tail (RPUSH). */
  public void append(byte[] value) {
    push(ListEnd.RIGHT, value);
  }

  void push(ListEnd end, byte[] value) {
    if (end == ListEnd.LEFT) {
      head--;
      keyspace.data().put(Column.DATA, subKey(head), value);
    } else {
      keyspace.data().put(Column.DATA, subKey(tail), value);
      tail++;
    }
  }

  /** Removes up to {@code count} elements from one end and returns them in pop order. */
  List<byte[]> pop(ListEnd end, long count) {
    long n = Math.min(count, size());
    List<byte[]> values = new ArrayList<>((int) Math.min(n, 1 << 16));
    if (n == 1) {
      // The common single pop is a point read, not an iterator.
      values.add(get(end == ListEnd.LEFT ? 0 : -1));
    } else if (end == ListEnd.LEFT) {
      forEach(0, n, false, (i, v) -> values.add(v));
    } else {
      forEach(size() - 1, n, true, (i, v) -> values.add(v));
    }
    if (end == ListEnd.LEFT) {
      delete(head, head + n);
      head += n;
    } else {
      delete(tail - n, tail);
      tail -= n;
    }
    return values;
  }

  /** Elements {@code from..from+count-1} (valid indexes), head to tail. */
  public List<byte[]> range(long from, long count) {
    List<byte[]> values = new ArrayList<>((int) Math.min(count, 1 << 16));
    forEach(from, count, false, (i, v) -> values.add(v));
    return values;
  }

  /** Receives elements during a walk; returns false to stop the walk. */
  @FunctionalInterface
  interface ElementVisitor {
    boolean visit(long index, byte[] value);
  }

  /** Receives every element of a walk that cannot stop early. */
  @FunctionalInterface
  interface ElementSink {
    void accept(long index, byte[] value);
  }

  private void forEach(long from, long limit, boolean reverse, ElementSink sink) {
    walk(from, limit, reverse, (i, v) -> {
      sink.accept(i, v);
      return true;
    });
  }

  /**
   * Visits up to {@code limit} elements starting at index {@code from} (valid) toward the tail, or
   * toward the head when {@code reverse}. Do not write to the list during the walk: on the write
   * path the cursor reads the batch's own overlay.
   */
  void walk(long from, long limit, boolean reverse, ElementVisitor visitor) {
    long n = Math.min(limit, reverse ? from + 1 : size() - from);
    if (n <= 0) {
      return;
    }
    long first = reverse ? head + from - n + 1 : head + from;
    try (DataView.Cursor c =
        keyspace.data().scan(Column.DATA, subKey(first), subKey(first + n), reverse)) {
      for (long k = 0; k < n; k++) {
        if (!c.valid()) {
          throw new IllegalStateException("list " + Arrays.toString(key) + " has a hole");
        }
        long index = reverse ? from - k : from + k;
        if (!visitor.visit(index, c.value())) {
          return;
        }
        if (k + 1 < n) {
          c.next();
        }
      }
    }
  }

  /** Keeps the elements {@code [keepFrom, keepFrom + keepCount)}, deleting the rest. */
  void trim(long keepFrom, long keepCount) {
    long newHead = head + keepFrom;
    long newTail = newHead + keepCount;
    delete(head, newHead);
    delete(newTail, tail);
    head = newHead;
    tail = newTail;
  }

  /** Inserts {@code value} so that {@code before} elements precede it, moving the shorter side. */
  void insert(long before, byte[] value) {
    long after = size() - before;
    if (before <= after) {
      List<byte[]> moved = range(0, before);
      head--;
      for (int i = 0; i < moved.size(); i++) {
        keyspace.data().put(Column.DATA, subKey(head + i), moved.get(i));
      }
      keyspace.data().put(Column.DATA, subKey(head + before), value);
    } else {
      List<byte[]> moved = range(before, after);
      for (int i = 0; i < moved.size(); i++) {
        keyspace.data().put(Column.DATA, subKey(head + before + 1 + i), moved.get(i));
      }
      keyspace.data().put(Column.DATA, subKey(head + before), value);
      tail++;
    }
  }

  /**
   * Removes the elements at {@code indexes} (ascending, distinct, valid), closing the gaps by
   * moving whichever side of the removed span has fewer elements to keep.
   */
  void removeAll(long[] indexes) {
    int k = indexes.length;
    if (k == 0) {
      return;
    }
    if (k == size()) {
      delete(head, tail);
      tail = head;
      return;
    }
    long first = indexes[0];
    long last = indexes[k - 1];
    long keptBefore = last + 1 - k;
    long keptAfter = size() - first - k;
    if (keptAfter <= keptBefore) {
      List<byte[]> region = range(first, size() - first);
      long write = head + first;
      int r = 0;
      for (int i = 0; i < region.size(); i++) {
        if (r < k && indexes[r] == first + i) {
          r++;
        } else {
          keyspace.data().put(Column.DATA, subKey(write++), region.get(i));
        }
      }
      delete(tail - k, tail);
      tail -= k;
    } else {
      List<byte[]> region = range(0, last + 1);
      long write = head + last;
      int r = k - 1;
      for (int i = region.size() - 1; i >= 0; i--) {
        if (r >= 0 && indexes[r] == i) {
          r--;
        } else {
          keyspace.data().put(Column.DATA, subKey(write--), region.get(i));
        }
      }
      delete(head, head + k);
      head += k;
    }
  }

  /** Deletes the elements at sequences {@code [from, to)}. */
  private void delete(long from, long to) {
    if (to - from > POINT_DELETE_LIMIT) {
      keyspace.data().deleteRange(Column.DATA, subKey(from), subKey(to));
    } else {
      for (long s = from; s < to; s++) {
        keyspace.data().delete(Column.DATA, subKey(s));
      }
    }
  }

  /**
   * Writes the metadata (fresh write stamp, expiry kept), or removes the key when the list is now
   * empty, as Redis deletes empty lists. Call once per command, after the last change.
   */
  public void save() {
    if (size() == 0) {
      if (loaded != null) {
        // Every element was deleted above; scanning the prefix again would only walk tombstones.
        keyspace.removeEmptied(key, loaded);
      }
      return;
    }
    byte[] t = new byte[TAIL_BYTES];
    Bytes.putLong(t, 0, head);
    Bytes.putLong(t, 8, tail);
    keyspace.put(key, loaded, KeyMeta.collection(RedisType.LIST, KeyMeta.Encoding.QUICKLIST,
        expireAt, version, size(), t));
  }
}
