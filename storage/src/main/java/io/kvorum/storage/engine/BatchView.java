package io.kvorum.storage.engine;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The view a log entry is applied through: writes go to one RocksDB {@link WriteBatch} and to an
 * in-memory overlay so later commands of the same entry read them. RocksDB's own
 * WriteBatchWithIndex cannot do this because it refuses range deletions, which big-key deletes need.
 * Only the apply thread uses it, so the database underneath does not change while it is open.
 */
final class BatchView implements DataView, AutoCloseable {
  private static final byte[] TOMBSTONE = new byte[0];

  private final RocksDB db;
  private final Map<Column, ColumnFamilyHandle> handles;
  private final ReadOptions readOptions;
  private final WriteBatch batch = new WriteBatch();
  private final Map<Column, NavigableMap<byte[], byte[]>> overlay = new EnumMap<>(Column.class);
  private final Map<Column, List<byte[][]>> deletedRanges = new EnumMap<>(Column.class);

  BatchView(RocksDB db, Map<Column, ColumnFamilyHandle> handles, ReadOptions readOptions) {
    this.db = db;
    this.handles = handles;
    this.readOptions = readOptions;
  }

  WriteBatch batch() {
    return batch;
  }

  @Override
  public boolean writable() {
    return true;
  }

  private NavigableMap<byte[], byte[]> overlay(Column c) {
    return overlay.computeIfAbsent(c, k -> new TreeMap<>(Bytes::compare));
  }

  private boolean rangeDeleted(Column c, byte[] key) {
    List<byte[][]> ranges = deletedRanges.get(c);
    if (ranges == null) {
      return false;
    }
    for (byte[][] r : ranges) {
      if (Bytes.compare(key, r[0]) >= 0 && (r[1] == null || Bytes.compare(key, r[1]) < 0)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public byte[] get(Column column, byte[] key) {
    NavigableMap<byte[], byte[]> o = overlay.get(column);
    if (o != null) {
      byte[] v = o.get(key);
      if (v != null) {
        return v == TOMBSTONE ? null : v;
      }
    }
    if (rangeDeleted(column, key)) {
      return null;
    }
    try {
      return db.get(handles.get(column), readOptions, key);
    } catch (RocksDBException e) {
      throw new StorageException("read failed", e);
    }
  }

  @Override
  public void put(Column column, byte[] key, byte[] value) {
    try {
      batch.put(handles.get(column), key, value);
    } catch (RocksDBException e) {
      throw new StorageException("batch put failed", e);
    }
    overlay(column).put(key, value);
  }

  @Override
  public void delete(Column column, byte[] key) {
    try {
      batch.delete(handles.get(column), key);
    } catch (RocksDBException e) {
      throw new StorageException("batch delete failed", e);
    }
    overlay(column).put(key, TOMBSTONE);
  }

  @Override
  public void deleteRange(Column column, byte[] from, byte[] to) {
    NavigableMap<byte[], byte[]> o = overlay(column);
    try {
      if (to != null) {
        batch.deleteRange(handles.get(column), from, to);
      } else {
        // RocksDB's range deletion needs an end key: cover up to the last key that exists (in
        // the database or earlier in this batch) and delete that one on its own.
        byte[] last = lastKey(column, o);
        if (last != null && Bytes.compare(last, from) >= 0) {
          batch.deleteRange(handles.get(column), from, last);
          batch.delete(handles.get(column), last);
        }
      }
    } catch (RocksDBException e) {
      throw new StorageException("batch deleteRange failed", e);
    }
    (to == null ? o.tailMap(from, true) : o.subMap(from, true, to, false)).clear();
    deletedRanges.computeIfAbsent(column, k -> new ArrayList<>()).add(new byte[][] {from, to});
  }

  /** The greatest key of the column in the database or the overlay, or null when both are empty. */
  private byte[] lastKey(Column column, NavigableMap<byte[], byte[]> o) {
    byte[] last = o.isEmpty() ? null : o.lastKey();
    try (RocksIterator it = db.newIterator(handles.get(column), readOptions)) {
      it.seekToLast();
      if (it.isValid() && (last == null || Bytes.compare(it.key(), last) > 0)) {
        last = it.key();
      }
    }
    return last;
  }

  /**
   * A cursor over the view as it is now. Like the database iterator under it, it does not see
   * writes made while it is open: callers delete or rewrite members as they walk them (dropping a
   * replaced collection, trimming, popping), and a live iterator over the overlay would throw
   * ConcurrentModificationException on the first such write that adds an overlay entry, failing
   * the whole log entry. So the overlay's part of the range is copied (entries and values both:
   * TreeMap entries are live, a later put on the same key would show through).
   */
  @Override
  public Cursor scan(Column column, byte[] from, byte[] to, boolean reverse) {
    NavigableMap<byte[], byte[]> o = overlay.get(column);
    List<Map.Entry<byte[], byte[]>> snapshot = new ArrayList<>();
    if (o != null) {
      NavigableMap<byte[], byte[]> range =
          to == null ? o.tailMap(from, true) : o.subMap(from, true, to, false);
      if (reverse) {
        range = range.descendingMap();
      }
      for (Map.Entry<byte[], byte[]> e : range.entrySet()) {
        snapshot.add(Map.entry(e.getKey(), e.getValue()));
      }
    }
    RocksIterator base = db.newIterator(handles.get(column), readOptions);
    return new MergedCursor(column, base, snapshot.iterator(), from, to, reverse);
  }

  @Override
  public void close() {
    batch.close();
  }

  /** Merges the database iterator with the overlay, hiding overlay tombstones and deleted ranges. */
  private final class MergedCursor implements Cursor {
    private final Column column;
    private final RocksIterator base;
    private final Iterator<Map.Entry<byte[], byte[]>> overlayIt;
    private final byte[] from;
    private final byte[] to;
    private final boolean reverse;
    private Map.Entry<byte[], byte[]> overlayHead;
    private byte[] key;
    private byte[] value;

    MergedCursor(
        Column column,
        RocksIterator base,
        Iterator<Map.Entry<byte[], byte[]>> overlayIt,
        byte[] from,
        byte[] to,
        boolean reverse) {
      this.column = column;
      this.base = base;
      this.overlayIt = overlayIt;
      this.from = from;
      this.to = to;
      this.reverse = reverse;
      if (reverse) {
        if (to == null) {
          base.seekToLast();
        } else {
          base.seekForPrev(to);
          if (base.isValid() && Bytes.compare(base.key(), to) >= 0) {
            base.prev();
          }
        }
      } else {
        base.seek(from);
      }
      overlayHead = overlayIt.hasNext() ? overlayIt.next() : null;
      advance();
    }

    private boolean baseInRange() {
      if (!base.isValid()) {
        return false;
      }
      byte[] k = base.key();
      return reverse
          ? Bytes.compare(k, from) >= 0
          : to == null || Bytes.compare(k, to) < 0;
    }

    /** Positions on the next visible entry, consuming from whichever source is first in order. */
    private void advance() {
      while (true) {
        boolean hasBase = baseInRange();
        if (!hasBase && overlayHead == null) {
          key = null;
          value = null;
          return;
        }
        byte[] bk = hasBase ? base.key() : null;
        int order;
        if (!hasBase) {
          order = 1;
        } else if (overlayHead == null) {
          order = -1;
        } else {
          order = Bytes.compare(bk, overlayHead.getKey());
          if (reverse) {
            order = -order;
          }
        }
        if (order < 0) {
          byte[] bv = base.value();
          step(base);
          if (!rangeDeleted(column, bk)) {
            key = bk;
            value = bv;
            return;
          }
        } else {
          if (order == 0) {
            step(base);
          }
          Map.Entry<byte[], byte[]> e = overlayHead;
          overlayHead = overlayIt.hasNext() ? overlayIt.next() : null;
          if (e.getValue() != TOMBSTONE) {
            key = e.getKey();
            value = e.getValue();
            return;
          }
        }
      }
    }

    private void step(RocksIterator it) {
      if (reverse) {
        it.prev();
      } else {
        it.next();
      }
    }

    @Override
    public boolean valid() {
      return key != null;
    }

    @Override
    public byte[] key() {
      return key;
    }

    @Override
    public byte[] value() {
      return value;
    }

    @Override
    public void next() {
      advance();
    }

    @Override
    public void close() {
      base.close();
    }
  }
}
