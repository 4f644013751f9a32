package io.kvorum.storage.engine;

import java.util.Map;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/** A read-only view pinned to one RocksDB snapshot, so a multi-key read sees one state. */
final class SnapshotView implements DataView, AutoCloseable {
  private final RocksDB db;
  private final Map<Column, ColumnFamilyHandle> handles;
  private final Snapshot snapshot;
  private final ReadOptions readOptions;

  SnapshotView(RocksDB db, Map<Column, ColumnFamilyHandle> handles) {
    this.db = db;
    this.handles = handles;
    this.snapshot = db.getSnapshot();
    this.readOptions = new ReadOptions().setSnapshot(snapshot);
  }

  @Override
  public byte[] get(Column column, byte[] key) {
    try {
      return db.get(handles.get(column), readOptions, key);
    } catch (RocksDBException e) {
      throw new StorageException("read failed", e);
    }
  }

  @Override
  public Cursor scan(Column column, byte[] from, byte[] to, boolean reverse) {
    RocksIterator it = db.newIterator(handles.get(column), readOptions);
    return new BoundedCursor(it, from, to, reverse);
  }

  @Override
  public boolean writable() {
    return false;
  }

  @Override
  public void put(Column column, byte[] key, byte[] value) {
    throw new IllegalStateException("write in a read-only view");
  }

  @Override
  public void delete(Column column, byte[] key) {
    throw new IllegalStateException("write in a read-only view");
  }

  @Override
  public void deleteRange(Column column, byte[] from, byte[] to) {
    throw new IllegalStateException("write in a read-only view");
  }

  @Override
  public void close() {
    readOptions.close();
    db.releaseSnapshot(snapshot);
  }

  /** A RocksDB iterator restricted to {@code [from, to)}. */
  static final class BoundedCursor implements Cursor {
    private final RocksIterator it;
    private final byte[] from;
    private final byte[] to;
    private final boolean reverse;

    BoundedCursor(RocksIterator it, byte[] from, byte[] to, boolean reverse) {
      this.it = it;
      this.from = from;
      this.to = to;
      this.reverse = reverse;
      if (reverse) {
        if (to == null) {
          it.seekToLast();
        } else {
          it.seekForPrev(to);
          if (it.isValid() && Bytes.compare(it.key(), to) >= 0) {
            it.prev();
          }
        }
      } else {
        it.seek(from);
      }
    }

    @Override
    public boolean valid() {
      if (!it.isValid()) {
        return false;
      }
      return reverse
          ? Bytes.compare(it.key(), from) >= 0
          : to == null || Bytes.compare(it.key(), to) < 0;
    }

    @Override
    public byte[] key() {
      return it.key();
    }

    @Override
    public byte[] value() {
      return it.value();
    }

    @Override
    public void next() {
      if (reverse) {
        it.prev();
      } else {
        it.next();
      }
    }

    @Override
    public void close() {
      it.close();
    }
  }
}
