package io.kvorum.storage.engine;

/**
 * Ordered key-value access to one slot group's RocksDB, either a consistent read snapshot or a
 * write batch that sees its own writes. Command code works against this and never sees RocksDB.
 */
public interface DataView {

  byte[] get(Column column, byte[] key);

  /**
   * An iterator over keys in {@code [from, to)} ascending, or descending from just below {@code to}
   * when {@code reverse}; {@code to} may be null for "no upper bound".
   */
  Cursor scan(Column column, byte[] from, byte[] to, boolean reverse);

  /** Whether writes are allowed (a Raft log entry being applied). */
  boolean writable();

  void put(Column column, byte[] key, byte[] value);

  void delete(Column column, byte[] key);

  /**
   * Deletes every key in {@code [from, to)}, {@code to} null meaning "no upper bound": O(1),
   * RocksDB drops them at compaction.
   */
  void deleteRange(Column column, byte[] from, byte[] to);

  /** A forward or backward iterator; close it when done. */
  interface Cursor extends AutoCloseable {
    boolean valid();

    byte[] key();

    byte[] value();

    void next();

    @Override
    void close();
  }
}
