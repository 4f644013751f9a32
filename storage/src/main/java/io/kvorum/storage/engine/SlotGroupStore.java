package io.kvorum.storage.engine;

import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.proto.slotgroup.Transaction;
import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.keyspace.KeyCodec;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.KeyspaceEvent;
import io.kvorum.storage.notify.KeyspaceEventRules;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.transaction.KeyChanges;
import io.kvorum.storage.transaction.WatchedKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One slot group's RocksDB: applies log entries atomically (data, applied index and counters in one
 * WriteBatch, RocksDB's WAL off because the Raft log is the WAL), serves reads from a snapshot, and
 * makes checkpoints that a replica can open as its database.
 */
public final class SlotGroupStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SlotGroupStore.class);
  private static final byte[] APPLIED = "applied".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] COUNTERS = "counters".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CHANGED = "changed".getBytes(StandardCharsets.US_ASCII);

  /**
   * What a guarded call (a write script the leader ran first) answers when the group's data
   * changed since its dry run: it did nothing, and the leader runs the script again. Compared by
   * identity: replies reach the proposing leader as objects, and no script can return this one.
   */
  public static final Reply GUARD_MOVED =
      new Reply.Error("TRYAGAIN the slot group changed before the script was applied");

  /** Term and index of the last log entry whose effects are in the database. */
  public record Applied(long term, long index) {
    public static final Applied NONE = new Applied(0, -1);
  }

  private final Path dir;
  private final RocksDB db;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions columnOptions;
  private final List<ColumnFamilyHandle> handleList;
  private final Map<Column, ColumnFamilyHandle> handles = new EnumMap<>(Column.class);
  private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
  private final ReadOptions applyReadOptions = new ReadOptions();
  private final KeyspaceCommandTable table;
  /** Serialises apply with checkpoints; reads never take it. */
  private final ReentrantLock applyLock = new ReentrantLock();
  /** Reads hold the read side so close() waits for them. */
  private final ReentrantReadWriteLock openLock = new ReentrantReadWriteLock();
  private volatile Applied applied;
  private volatile Keyspace.Counters counters;
  /**
   * Index of the last applied entry that changed data (a configuration change or a leader no-op
   * does not): what a guarded call is checked against. Persisted with the data, so it is a
   * function of the log, the same on every replica.
   */
  private volatile long lastDataChange;
  /** Keyspace notifications are collected while applying (this node publishes them). */
  private volatile boolean notifying;
  /** Keys changed since the oldest WATCH of this group; guarded by applyLock. */
  private KeyChanges changes = new KeyChanges();
  private boolean closed;

  private SlotGroupStore(Path dir, NodeStorage node, KeyspaceCommandTable table) {
    this.dir = dir;
    this.table = table;
    this.dbOptions = node.dbOptions();
    this.columnOptions = node.columnOptions();
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (Column c : Column.values()) {
      descriptors.add(new ColumnFamilyDescriptor(c.familyName(), columnOptions));
    }
    this.handleList = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handleList);
    } catch (RocksDBException | IOException e) {
      throw new StorageException("cannot open RocksDB at " + dir, e);
    }
    for (Column c : Column.values()) {
      handles.put(c, handleList.get(c.ordinal()));
    }
    this.applied = readApplied();
    this.counters = readCounters();
    this.lastDataChange = readLastDataChange();
    this.changes.advanced(applied.index());
    LOG.debug("opened {} at applied {}", dir, applied);
  }

  /** Opens (creating if needed) the store in {@code dir}. */
  public static SlotGroupStore open(Path dir, NodeStorage node) {
    return new SlotGroupStore(dir, node, KeyspaceCommandTable.standard());
  }

  /** Opens a store with a custom command table (tests). */
  public static SlotGroupStore open(Path dir, NodeStorage node, KeyspaceCommandTable table) {
    return new SlotGroupStore(dir, node, table);
  }

  /**
   * Replaces the database in {@code dir} with a copy of {@code checkpoint} and opens it. SST files
   * are hard-linked (they are immutable); the files RocksDB rewrites are copied.
   */
  public static SlotGroupStore openFromCheckpoint(Path checkpoint, Path dir, NodeStorage node) {
    try {
      deleteRecursively(dir);
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(checkpoint)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Path target = dir.resolve(f.getFileName());
          if (f.getFileName().toString().endsWith(".sst")) {
            try {
              Files.createLink(target, f);
            } catch (UnsupportedOperationException | IOException e) {
              Files.copy(f, target);
            }
          } else {
            Files.copy(f, target);
          }
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot restore " + dir + " from " + checkpoint, e);
    }
    return open(dir, node);
  }

  public Path dir() {
    return dir;
  }

  public Applied applied() {
    return applied;
  }

  /** Index of the last applied entry that changed data (see {@link #dryRun}). */
  public long lastDataChange() {
    return lastDataChange;
  }

  /** Number of keys (expired keys not yet deleted count, as in Redis's DBSIZE). */
  public long keyCount() {
    return counters.keys;
  }

  /**
   * The outcome of applying one log entry: the replies, the keys written (for blocked clients)
   * and the keyspace notifications (empty unless {@link #notifying(boolean)} is on).
   */
  public record AppliedEntry(List<Reply> replies, List<byte[]> writtenKeys,
      List<KeyspaceEvent> events) {
    static final AppliedEntry SKIPPED = new AppliedEntry(List.of(), List.of(), List.of());
  }

  /** Collects keyspace notifications while applying from now on (or stops). */
  public void notifying(boolean on) {
    notifying = on;
  }

  /**
   * Applies one log entry: runs its commands in order against a batch that sees its own writes,
   * records the applied index in the same batch, and commits. An index at or below the applied
   * index is a replay after restart and is skipped: its effects are already in the database.
   *
   * @return one reply per command (empty when skipped)
   */
  public List<Reply> apply(long term, long index, SlotGroupEntry entry) {
    return applyTracked(term, index, entry).replies();
  }

  /**
   * {@link #apply}, also reporting the keys the entry created or changed (in write order, repeats
   * included), so clients blocked on them can be served. The attempt of a blocking command that
   * found nothing ({@link Reply#NULL_ARRAY}) reports nothing: two blocked clients retrying would
   * otherwise wake each other forever.
   */
  public AppliedEntry applyTracked(long term, long index, SlotGroupEntry entry) {
    applyLock.lock();
    try {
      if (index <= applied.index()) {
        return AppliedEntry.SKIPPED;
      }
      BatchView view = new BatchView(db, handles, applyReadOptions);
      try {
        Keyspace.Counters next = counters.copy();
        Keyspace ks = new Keyspace(view, entry.getTimeMs(), next);
        if (notifying) {
          ks.collectEvents();
        }
        SplittableRandom random = new SplittableRandom(entry.getRandomSeed() ^ (index * 0x9E3779B97F4A7C15L));
        List<Reply> replies = new ArrayList<>(entry.getCallsCount());
        for (CommandCall call : entry.getCallsList()) {
          if (call.hasTransaction()) {
            replies.add(runTransaction(call.getTransaction(), ks, random));
            continue;
          }
          if (call.getGuarded()) {
            replies.add(runGuarded(call, entry.getRandomSeed(), ks, view, next));
            continue;
          }
          byte[][] args = toArgs(call);
          int written = ks.writtenKeys().size();
          Reply reply = execute(args, call.getResp3(), ks, random);
          if (reply instanceof Reply.NullArray && ks.writtenKeys().size() > written
              && table.isBlocking(args)) {
            ks.forgetWrittenKeysAfter(written);
          }
          replies.add(reply);
        }
        long changed = changedData(view, next, counters) ? index : lastDataChange;
        writeSystem(view, term, index, next, changed);
        db.write(writeOptions, view.batch());
        counters = next;
        lastDataChange = changed;
        applied = new Applied(term, index);
        changes.applied(index, ks.modifiedKeys(), ks.removedKeys(), ks.flushed());
        return new AppliedEntry(replies, List.copyOf(ks.writtenKeys()), List.copyOf(ks.events()));
      } finally {
        view.close();
      }
    } catch (RocksDBException e) {
      throw new StorageException("apply of index " + index + " failed", e);
    } finally {
      applyLock.unlock();
    }
  }

  /** Whether an entry's batch holds writes so far, or it moved the key count or stamps. */
  private static boolean changedData(
      BatchView view, Keyspace.Counters now, Keyspace.Counters before) {
    return view.batch().count() > 0 || now.keys != before.keys || now.stamp != before.stamp;
  }

  /**
   * A write script the leader ran first ({@link #dryRun}): run only when nothing changed the
   * group's data since that run (nor earlier in this entry), so this run sees the very state the
   * dry run saw and, with the same clock and seed, does the same; otherwise nothing happens and
   * {@link #GUARD_MOVED} tells the leader to run it again.
   */
  private Reply runGuarded(CommandCall call, long seed, Keyspace ks, BatchView view,
      Keyspace.Counters next) {
    if (call.getLastDataChange() != lastDataChange || changedData(view, next, counters)) {
      return GUARD_MOVED;
    }
    return execute(toArgs(call), call.getResp3(), ks, new SplittableRandom(seed));
  }

  /**
   * What the leader's dry run of a write script found: its reply; whether it wrote anything (its
   * data, or EVAL's script cache: then it must be proposed, since Redis keeps a script's writes
   * even when it fails later); whether SCRIPT KILL stopped it (before any write command, so it
   * is over: nothing is proposed); and the last data change of the state it ran against (the
   * proposed call's guard).
   */
  public record DryRun(Reply reply, boolean wrote, boolean killed, long lastDataChange) {}

  /**
   * Runs a write script (EVAL, EVALSHA, FCALL) once against the current state as a log entry
   * would, with the entry's clock {@code timeMs} and seed, but in a batch that is thrown away
   * and with {@link CommandContext#dryRun()} set, so SCRIPT KILL can stop it. Never blocks
   * applies: it reads a RocksDB snapshot.
   */
  public DryRun dryRun(byte[][] args, boolean resp3, long timeMs, long seed) {
    openLock.readLock().lock();
    try {
      ensureOpen();
      org.rocksdb.Snapshot snapshot;
      Keyspace.Counters at;
      long changed;
      applyLock.lock();
      try {
        // The snapshot, the counters and the last change describe one applied state.
        snapshot = db.getSnapshot();
        at = counters.copy();
        changed = lastDataChange;
      } finally {
        applyLock.unlock();
      }
      Keyspace.Counters before = at.copy();
      try (ReadOptions options = new ReadOptions().setSnapshot(snapshot);
          BatchView view = new BatchView(db, handles, options)) {
        Keyspace ks = new Keyspace(view, timeMs, at);
        CommandContext ctx = new CommandContext(ks, resp3, new SplittableRandom(seed)).dryRun();
        Reply reply = table.execute(ctx, args);
        return new DryRun(reply, changedData(view, at, before), ctx.wasKilled(), changed);
      } finally {
        db.releaseSnapshot(snapshot);
      }
    } finally {
      openLock.readLock().unlock();
    }
  }

  /**
   * Records that a log entry without keyspace effects (a Raft configuration change or leader
   * no-op) was applied. Only the in-memory index moves; the next data entry persists it. After a
   * crash such entries are simply replayed, which changes nothing.
   */
  public void markApplied(long term, long index) {
    applyLock.lock();
    try {
      if (index > applied.index()) {
        applied = new Applied(term, index);
        changes.advanced(index);
      }
    } finally {
      applyLock.unlock();
    }
  }

  /**
   * Runs one command of an entry (alone or inside a transaction), keeping what it touched for
   * keyspace notifications and for WATCH (where Redis exempts a few writes).
   */
  private Reply execute(byte[][] args, boolean resp3, Keyspace ks, SplittableRandom random) {
    int touched = ks.touchCount();
    int modified = ks.modifiedCount();
    Reply reply = table.execute(new CommandContext(ks, resp3, random), args);
    if (ks.collectsEvents()) {
      KeyspaceEventRules.emit(args, reply, ks.touchedSince(touched), ks);
    }
    if (!KeyChanges.touchesWatchedKeys(args[0])) {
      ks.unmodifyAfter(modified);
    }
    return reply;
  }

  /**
   * Runs a MULTI/EXEC transaction inside the entry being applied: its reply is the array of the
   * queued commands' replies (runtime errors included, as Redis does), or a null array when the
   * transaction is aborted because the leader's WATCH decision no longer holds (something else
   * was applied since) or a watched key expired after the WATCH. An aborted transaction writes
   * nothing.
   */
  private Reply runTransaction(Transaction tx, Keyspace ks, SplittableRandom random) {
    if (tx.getGuarded() && applied.index() != tx.getAppliedIndex()) {
      return Reply.NULL_ARRAY;
    }
    for (com.google.protobuf.ByteString key : tx.getLiveKeysList()) {
      if (ks.isExpired(key.toByteArray())) {
        return Reply.NULL_ARRAY;
      }
    }
    List<Reply> replies = new ArrayList<>(tx.getCommandsCount());
    for (CommandCall call : tx.getCommandsList()) {
      byte[][] args = toArgs(call);
      Reply reply = execute(args, call.getResp3(), ks, random);
      if (reply instanceof Reply.NullArray && deniedBlockingAnswersNullBulk(args)) {
        reply = Reply.NULL;
      }
      replies.add(reply);
    }
    return new Reply.Array(replies);
  }

  /**
   * Inside MULTI Redis never blocks; BLMOVE and BRPOPLPUSH then answer a null bulk string where
   * their timeout answers a null array (the other blocking commands answer a null array both ways).
   */
  private boolean deniedBlockingAnswersNullBulk(byte[][] args) {
    String name = KeyspaceCommandTable.lower(args[0]);
    return name.equals("blmove") || name.equals("brpoplpush");
  }

  /** What a WATCH records: the applied index it saw and which of its keys existed then. */
  public record WatchState(long index, boolean[] live) {}

  /**
   * WATCH of {@code keys}: from now on writes to this group are remembered (until {@link
   * #unwatch}), and the state the watch starts from is returned. Existence is judged by {@code
   * nowMs}, as reads judge expiry.
   */
  public WatchState watch(List<byte[]> keys, long nowMs) {
    applyLock.lock();
    try {
      ensureOpen();
      changes.retain();
      boolean[] live = new boolean[keys.size()];
      for (int i = 0; i < live.length; i++) {
        byte[] raw = db.get(handles.get(Column.META), KeyCodec.metaKey(keys.get(i)));
        live[i] = raw != null && !KeyMeta.decode(raw).isExpiredAt(nowMs);
      }
      return new WatchState(applied.index(), live);
    } catch (RocksDBException e) {
      throw new StorageException("watch failed", e);
    } finally {
      applyLock.unlock();
    }
  }

  /** A connection that watched keys of this group (once per {@link #watch}) stops watching. */
  public void unwatch() {
    applyLock.lock();
    try {
      changes.release();
    } finally {
      applyLock.unlock();
    }
  }

  /**
   * The leader's EXEC check: the applied index at which none of {@code watched} has changed, or
   * -1 when one has. The transaction's entry carries that index as its guard.
   */
  public long checkWatched(List<WatchedKey> watched) {
    applyLock.lock();
    try {
      for (WatchedKey w : watched) {
        if (changes.changed(w)) {
          return -1;
        }
      }
      return applied.index();
    } finally {
      applyLock.unlock();
    }
  }

  /**
   * A transaction of read-only commands, run without a log entry against one snapshot: the
   * array of replies, or a null array when a watched key changed (or, having existed, has
   * expired by {@code nowMs}).
   */
  public Reply readTransaction(
      List<byte[][]> commands, boolean resp3, long nowMs, List<WatchedKey> watched) {
    openLock.readLock().lock();
    try {
      ensureOpen();
      SnapshotView view;
      Keyspace.Counters at;
      applyLock.lock();
      try {
        // The snapshot and the watch check see the same applied index.
        for (WatchedKey w : watched) {
          if (changes.changed(w)) {
            return Reply.NULL_ARRAY;
          }
        }
        view = new SnapshotView(db, handles);
        at = counters.copy();
      } finally {
        applyLock.unlock();
      }
      try (view) {
        Keyspace ks = new Keyspace(view, nowMs, at);
        for (WatchedKey w : watched) {
          if (w.live() && ks.isExpired(w.key())) {
            return Reply.NULL_ARRAY;
          }
        }
        SplittableRandom random = new SplittableRandom(ThreadLocalRandom.current().nextLong());
        List<Reply> replies = new ArrayList<>(commands.size());
        for (byte[][] args : commands) {
          replies.add(table.execute(new CommandContext(ks, resp3, random), args));
        }
        return new Reply.Array(replies);
      }
    } finally {
      openLock.readLock().unlock();
    }
  }

  /**
   * Makes this store record changes into {@code shared} (the group's record, which outlives a
   * store replaced by a snapshot); {@code replaced} says this store's state came from a snapshot,
   * so no earlier watch can be judged.
   */
  public void trackChanges(KeyChanges shared, boolean replaced) {
    applyLock.lock();
    try {
      changes = shared;
      if (replaced) {
        shared.replaced(applied.index());
      } else {
        shared.advanced(applied.index());
      }
    } finally {
      applyLock.unlock();
    }
  }

  private static void writeSystem(
      BatchView view, long term, long index, Keyspace.Counters c, long lastDataChange) {
    view.put(Column.SYSTEM, CHANGED, Bytes.longBytes(lastDataChange));
    byte[] a = new byte[16];
    Bytes.putLong(a, 0, term);
    Bytes.putLong(a, 8, index);
    view.put(Column.SYSTEM, APPLIED, a);
    byte[] k = new byte[16];
    Bytes.putLong(k, 0, c.keys);
    Bytes.putLong(k, 8, c.stamp);
    view.put(Column.SYSTEM, COUNTERS, k);
  }

  /** Runs a read-only command against a consistent snapshot, judging expiry by {@code nowMs}. */
  public Reply read(byte[][] args, boolean resp3, long nowMs) {
    openLock.readLock().lock();
    try {
      ensureOpen();
      try (SnapshotView view = new SnapshotView(db, handles)) {
        Keyspace ks = new Keyspace(view, nowMs, counters.copy());
        SplittableRandom random = new SplittableRandom(ThreadLocalRandom.current().nextLong());
        return table.execute(new CommandContext(ks, resp3, random), args);
      }
    } finally {
      openLock.readLock().unlock();
    }
  }

  /**
   * Up to {@code limit} keys whose deadline is at or before {@code nowMs}, earliest first: what
   * the leader proposes to delete (active expiry).
   */
  public List<byte[]> dueForExpiry(long nowMs, int limit) {
    openLock.readLock().lock();
    try {
      ensureOpen();
      List<byte[]> keys = new ArrayList<>();
      try (SnapshotView view = new SnapshotView(db, handles);
          DataView.Cursor c =
              view.scan(Column.EXPIRE, new byte[0], Bytes.longBytes(nowMs + 1), false)) {
        while (c.valid() && keys.size() < limit) {
          keys.add(KeyCodec.userKey(KeyCodec.metaKeyOfExpireKey(c.key())));
          c.next();
        }
      }
      return keys;
    } finally {
      openLock.readLock().unlock();
    }
  }

  /**
   * Writes a RocksDB checkpoint of the current state to {@code target} (which must not exist) and
   * returns the applied index it contains. Memtables are flushed first (atomically across column
   * families), since without a WAL a checkpoint would otherwise miss them.
   */
  public Applied checkpoint(Path target) {
    applyLock.lock();
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true);
        Checkpoint cp = Checkpoint.create(db)) {
      ensureOpen();
      // A checkpoint records exactly the index it reports, including entries without keyspace
      // effects that markApplied only noted in memory.
      try (BatchView view = new BatchView(db, handles, applyReadOptions)) {
        writeSystem(view, applied.term(), applied.index(), counters, lastDataChange);
        db.write(writeOptions, view.batch());
      }
      db.flush(flush, handleList);
      cp.createCheckpoint(target.toString());
      return applied;
    } catch (RocksDBException e) {
      throw new StorageException("checkpoint to " + target + " failed", e);
    } finally {
      applyLock.unlock();
    }
  }

  /** Flushes memtables to SST files (SAVE; and before a clean shutdown). */
  public void flush() {
    applyLock.lock();
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      ensureOpen();
      db.flush(flush, handleList);
    } catch (RocksDBException e) {
      throw new StorageException("flush failed", e);
    } finally {
      applyLock.unlock();
    }
  }

  /** Bytes of SST files plus memtables. */
  public long sizeOnDisk() {
    openLock.readLock().lock();
    try {
      ensureOpen();
      long total = 0;
      for (ColumnFamilyHandle h : handleList) {
        total += db.getLongProperty(h, "rocksdb.total-sst-files-size");
        total += db.getLongProperty(h, "rocksdb.cur-size-all-mem-tables");
      }
      return total;
    } catch (RocksDBException e) {
      return -1;
    } finally {
      openLock.readLock().unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new StorageException("store " + dir + " is closed");
    }
  }

  private Applied readApplied() {
    try {
      byte[] a = db.get(handles.get(Column.SYSTEM), APPLIED);
      return a == null ? Applied.NONE : new Applied(Bytes.getLong(a, 0), Bytes.getLong(a, 8));
    } catch (RocksDBException e) {
      throw new StorageException("cannot read applied index", e);
    }
  }

  /**
   * The stored last data change. A database written before it was stored starts from its
   * applied index: right on a replica whose last entry changed data, possibly too high on
   * another, so replicas upgraded from such databases agree again after their next data entry.
   */
  private long readLastDataChange() {
    try {
      byte[] c = db.get(handles.get(Column.SYSTEM), CHANGED);
      return c == null ? applied.index() : Bytes.getLong(c, 0);
    } catch (RocksDBException e) {
      throw new StorageException("cannot read the last data change", e);
    }
  }

  private Keyspace.Counters readCounters() {
    try {
      byte[] k = db.get(handles.get(Column.SYSTEM), COUNTERS);
      return k == null
          ? new Keyspace.Counters(0, 0)
          : new Keyspace.Counters(Bytes.getLong(k, 0), Bytes.getLong(k, 8));
    } catch (RocksDBException e) {
      throw new StorageException("cannot read counters", e);
    }
  }

  private static byte[][] toArgs(CommandCall call) {
    byte[][] args = new byte[call.getArgsCount()][];
    for (int i = 0; i < args.length; i++) {
      args[i] = call.getArgs(i).toByteArray();
    }
    return args;
  }

  @Override
  public void close() {
    openLock.writeLock().lock();
    applyLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
        db.flush(flush, handleList);
      } catch (RocksDBException e) {
        LOG.warn("flush before close of {} failed; the Raft log will be replayed", dir, e);
      }
      for (ColumnFamilyHandle h : handleList) {
        h.close();
      }
      db.close();
      dbOptions.close();
      columnOptions.close();
      writeOptions.close();
      applyReadOptions.close();
    } finally {
      applyLock.unlock();
      openLock.writeLock().unlock();
    }
  }

  /** Deletes a directory tree; used when a replica's database is replaced by a snapshot. */
  public static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
