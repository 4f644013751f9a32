package io.kvorum.storage.engine;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.IndexType;
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
    // Index and filter blocks go to a high-priority pool, so a scan or a burst of writes evicts
    // data blocks before the metadata every point lookup needs.
    this.blockCache = new LRUCache(blockCacheBytes, -1, false, 0.5);
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
            .setCacheIndexAndFilterBlocksWithHighPriority(true)
            .setPinL0FilterAndIndexBlocksInCache(true)
            // Partitioned index and filters: a lookup in a large SST (a 1M-member hash compacts
            // into files with megabytes of filter) loads one 4 KiB partition, not the whole
            // filter. With whole filters, once the cache was under pressure every HGET re-read
            // megabytes of filter from the file: a 1M-field hash served 5k HGET/s, not 60k.
            .setIndexType(IndexType.kTwoLevelIndexSearch)
            .setPartitionFilters(true)
            .setMetadataBlockSize(4096)
            .setPinTopLevelIndexAndFilter(true);
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
