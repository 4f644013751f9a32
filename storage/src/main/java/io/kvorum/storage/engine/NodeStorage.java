package io.kvorum.storage.engine;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * RocksDB resources shared by every slot-group store of one node: one block cache and one write
 * buffer manager, so memory stays bounded however many groups the node hosts.
 */
public final class NodeStorage implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private final Cache blockCache;
  private final WriteBufferManager writeBuffers;
  private final BloomFilter bloom = new BloomFilter(10, false);

  /**
   * @param blockCacheBytes  shared block cache for all groups
   * @param writeBufferBytes cap on memtable memory across all groups
   */
  public NodeStorage(long blockCacheBytes, long writeBufferBytes) {
    this.blockCache = new LRUCache(blockCacheBytes);
    this.writeBuffers = new WriteBufferManager(writeBufferBytes, blockCache);
  }

  /** Defaults sized for a small server: 256 MiB cache, 128 MiB of memtables. */
  public static NodeStorage withDefaults() {
    return new NodeStorage(256L << 20, 128L << 20);
  }

  DBOptions dbOptions() {
    return new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        // The Raft log is the write-ahead log. Without RocksDB's WAL, column families must flush
        // together, or a crash could leave data and the applied index from different points.
        .setAtomicFlush(true)
        .setAvoidFlushDuringShutdown(false)
        .setMaxBackgroundJobs(2)
        .setWriteBufferManager(writeBuffers)
        .setMaxOpenFiles(256)
        .setKeepLogFileNum(2);
  }

  ColumnFamilyOptions columnOptions() {
    BlockBasedTableConfig table =
        new BlockBasedTableConfig()
            .setBlockCache(blockCache)
            .setFilterPolicy(bloom)
            .setCacheIndexAndFilterBlocks(true)
            .setPinL0FilterAndIndexBlocksInCache(true);
    return new ColumnFamilyOptions()
        .setTableFormatConfig(table)
        .setWriteBufferSize(16L << 20)
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setLevelCompactionDynamicLevelBytes(true);
  }

  @Override
  public void close() {
    writeBuffers.close();
    blockCache.close();
    bloom.close();
  }
}
