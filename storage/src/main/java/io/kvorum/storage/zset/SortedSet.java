package io.kvorum.storage.zset;

import io.kvorum.storage.engine.Bytes;
import io.kvorum.storage.engine.Column;
import io.kvorum.storage.engine.DataView;
import io.kvorum.storage.hash.HashedMembers;
import io.kvorum.storage.keyspace.KeyCodec;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * One sorted-set key in RocksDB. Each member has two sub-keys under the key's incarnation prefix:
 * in DATA, the member as {@link HashedMembers} keeps hash and set members ({@code prefix
 * position(member) member}, position a keyed 63-bit hash) with the score as value (8 bytes, IEEE
 * bits), for point lookups, stateless ZSCAN cursors and random draws; and in SCORE, {@code prefix
 * sortable(score) member → ""} for ordered access, where {@code sortable} is the score's bits made
 * to sort as unsigned bytes in numeric order. Both zeros share one index position (Redis compares
 * -0 equal to 0 and orders such ties by member); a negative zero is marked in the index value so
 * replies can print "-0".
 *
 * <p>Point operations are O(log n); rank-based access walks the index from the nearer end (O(rank),
 * as Kvrocks does). Mutations are buffered in the entry's write batch; {@link #commit} writes the
 * metadata (size, encoding hint) or removes the key once it is empty.
 */
public final class SortedSet {
  /** Redis's zset-max-listpack-entries and zset-max-listpack-value defaults. */
  public static final int MAX_LISTPACK_ENTRIES = 128;
  public static final int MAX_LISTPACK_VALUE = 64;

  private static final byte[] EMPTY = new byte[0];
  private static final byte[] NEGATIVE_ZERO = {1};

  /** A member and its score. */
  public record Entry(byte[] member, double score) {}

  private final Keyspace ks;
  private final byte[] key;
  private final KeyMeta old;
  private final byte[] prefix;
  private final HashedMembers members;
  private final long version;
  private final long expireAt;
  private long size;
  private int encoding;
  private boolean changed;

  private SortedSet(Keyspace ks, byte[] key, KeyMeta old, long version, long size, int encoding,
      long expireAt) {
    this.ks = ks;
    this.key = key;
    this.old = old;
    this.version = version;
    this.prefix = KeyCodec.subKeyPrefix(key, version);
    this.members = new HashedMembers(ks.data(), key, version);
    this.size = size;
    this.encoding = encoding;
    this.expireAt = expireAt;
  }

  /** The sorted set at {@code key}, null when absent; WRONGTYPE when the key holds another type. */
  public static SortedSet open(Keyspace ks, byte[] key) {
    KeyMeta meta = ks.lookup(key, RedisType.ZSET);
    return meta == null ? null : of(ks, key, meta);
  }

  /** Wraps a key already looked up as a sorted set. */
  public static SortedSet of(Keyspace ks, byte[] key, KeyMeta meta) {
    return new SortedSet(ks, key, meta, meta.version(), meta.size(), meta.encoding(),
        meta.expireAt());
  }

  /**
   * A new, empty sorted set for {@code key}, replacing {@code old} (what lookup returned, any type,
   * or null) when committed. Its deadline is {@code expireAt} (0: none).
   */
  public static SortedSet create(Keyspace ks, byte[] key, KeyMeta old, int encoding,
      long expireAt) {
    return new SortedSet(ks, key, old, ks.newVersion(), 0, encoding, expireAt);
  }

  /**
   * Stores {@code entries} (distinct members) as a new sorted set at {@code key}, replacing
   * whatever was there and its deadline, the way ZUNIONSTORE, ZDIFFSTORE and the GEO stores build
   * it: a skiplist converted to a listpack afterwards if it is small enough. With no entries the
   * key is deleted. Returns the number stored.
   */
  public static long replace(Keyspace ks, byte[] key, List<Entry> entries) {
    int longest = 0;
    for (Entry e : entries) {
      longest = Math.max(longest, e.member().length);
    }
    boolean small = entries.size() <= MAX_LISTPACK_ENTRIES && longest <= MAX_LISTPACK_VALUE;
    return store(ks, key, entries, small ? KeyMeta.Encoding.LISTPACK : KeyMeta.Encoding.SKIPLIST,
        false);
  }

  /**
   * Like {@link #replace}, but the way ZRANGESTORE builds its result: member by member into a
   * listpack (a skiplist when {@code startAsSkiplist}), converting when a limit is crossed.
   */
  public static long replaceByAdding(Keyspace ks, byte[] key, List<Entry> entries,
      boolean startAsSkiplist) {
    return store(ks, key, entries,
        startAsSkiplist ? KeyMeta.Encoding.SKIPLIST : KeyMeta.Encoding.LISTPACK, true);
  }

  private static long store(Keyspace ks, byte[] key, List<Entry> entries, int encoding,
      boolean convertWhileAdding) {
    KeyMeta old = ks.lookup(key);
    if (entries.isEmpty()) {
      if (old != null) {
        ks.remove(key, old);
      }
      return 0;
    }
    SortedSet z = create(ks, key, old, encoding, 0);
    for (Entry e : entries) {
      if (convertWhileAdding) {
        z.noteAddition(e.member());
      }
      z.insert(e.member(), e.score());
    }
    z.commit();
    return entries.size();
  }

  public byte[] key() {
    return key;
  }

  public long size() {
    return size;
  }

  public boolean isListpack() {
    return encoding == KeyMeta.Encoding.LISTPACK;
  }

  /**
   * Converts the encoding hint to skiplist when adding {@code member} crosses Redis's listpack
   * limits (one way, as in Redis).
   */
  public void noteAddition(byte[] member) {
    if (isListpack()
        && (size + 1 > MAX_LISTPACK_ENTRIES || member.length > MAX_LISTPACK_VALUE)) {
      encoding = KeyMeta.Encoding.SKIPLIST;
      changed = true;
    }
  }

  /**
   * Makes a listpack sorted set a skiplist, as Redis's {@code zsetConvert} does before SORT reads
   * one (one way, like every conversion); {@link #commit} writes it.
   */
  public void convertToSkiplist() {
    if (isListpack()) {
      encoding = KeyMeta.Encoding.SKIPLIST;
      changed = true;
    }
  }

  /** The member's score, or null. O(log n). */
  public Double score(byte[] member) {
    byte[] raw = members.get(member);
    return raw == null ? null : scoreOf(raw);
  }

  /**
   * A listpack stores integral scores as integers, so a negative zero written while the set is a
   * listpack reads back as 0; a skiplist keeps it.
   */
  private double stored(double score) {
    return score == 0 && isListpack() ? 0.0 : score;
  }

  /** Adds a member that is not present. */
  public void insert(byte[] member, double score) {
    score = stored(score);
    members.put(member, Bytes.longBytes(Double.doubleToRawLongBits(score)));
    ks.data().put(Column.SCORE, scoreKey(score, member), indexValue(score));
    size++;
    changed = true;
  }

  /** Changes a present member's score. */
  public void update(byte[] member, double oldScore, double newScore) {
    newScore = stored(newScore);
    ks.data().delete(Column.SCORE, scoreKey(oldScore, member));
    members.put(member, Bytes.longBytes(Double.doubleToRawLongBits(newScore)));
    ks.data().put(Column.SCORE, scoreKey(newScore, member), indexValue(newScore));
    changed = true;
  }

  /** Removes a member whose score is known. */
  public void delete(byte[] member, double score) {
    members.delete(member);
    ks.data().delete(Column.SCORE, scoreKey(score, member));
    size--;
    changed = true;
  }

  /** Removes a member if present; true when it was. */
  public boolean remove(byte[] member) {
    Double score = score(member);
    if (score == null) {
      return false;
    }
    delete(member, score);
    return true;
  }

  /**
   * Writes the metadata if anything changed: the new size and encoding, the key's deadline kept;
   * an empty set removes the key, as Redis deletes empty collections.
   */
  public void commit() {
    if (!changed) {
      return;
    }
    changed = false;
    if (size == 0) {
      if (old != null) {
        ks.remove(key, old);
      }
      return;
    }
    ks.put(key, old,
        KeyMeta.collection(RedisType.ZSET, encoding, expireAt, version, size, EMPTY));
  }

  /** Removes the whole key at once (a range deletion for big sets). */
  public void removeAll() {
    if (old != null) {
      ks.remove(key, old);
    }
    size = 0;
    changed = false;
  }

  // ---- ordered access -------------------------------------------------------------------------

  /** The SCORE key of a member. */
  byte[] scoreKey(double score, byte[] member) {
    byte[] k = Arrays.copyOf(prefix, prefix.length + 8 + member.length);
    Bytes.putLong(k, prefix.length, sortable(score));
    System.arraycopy(member, 0, k, prefix.length + 8, member.length);
    return k;
  }

  /** The SCORE key prefix of every member with this score. */
  byte[] scorePrefix(double score) {
    byte[] k = Arrays.copyOf(prefix, prefix.length + 8);
    Bytes.putLong(k, prefix.length, sortable(score));
    return k;
  }

  /** Just past every SCORE key with this score. */
  byte[] afterScore(double score) {
    return Bytes.prefixEnd(scorePrefix(score));
  }

  byte[] indexStart() {
    return prefix;
  }

  byte[] indexEnd() {
    return Bytes.prefixEnd(prefix);
  }

  /** Index entries in {@code [from, to)}, ascending or descending; close the cursor. */
  DataView.Cursor index(byte[] from, byte[] to, boolean reverse) {
    return ks.data().scan(Column.SCORE, from, to, reverse);
  }

  /** The whole index, ascending or descending. */
  DataView.Cursor index(boolean reverse) {
    return index(indexStart(), indexEnd(), reverse);
  }

  /** The entry a SCORE cursor is on. */
  Entry entry(DataView.Cursor c) {
    byte[] k = c.key();
    long sortable = Bytes.getLong(k, prefix.length);
    double score = c.value().length > 0 ? -0.0 : fromSortable(sortable);
    return new Entry(Arrays.copyOfRange(k, prefix.length + 8, k.length), score);
  }

  /** The member a SCORE key holds. */
  byte[] memberOf(byte[] scoreKey) {
    return Arrays.copyOfRange(scoreKey, prefix.length + 8, scoreKey.length);
  }

  /** The lowest (or highest) entry, or null when empty. */
  Entry first(boolean reverse) {
    try (DataView.Cursor c = index(reverse)) {
      return c.valid() ? entry(c) : null;
    }
  }

  /** Up to {@code count} entries from the low (or high) end. */
  public List<Entry> peek(long count, boolean reverse) {
    List<Entry> out = new ArrayList<>();
    try (DataView.Cursor c = index(reverse)) {
      for (; c.valid() && out.size() < count; c.next()) {
        out.add(entry(c));
      }
    }
    return out;
  }

  /**
   * Visits the entries whose scores are in {@code range}, ascending, until {@code visitor}
   * returns false. O(log n) to the first entry.
   */
  public void scan(ScoreRange range, Predicate<Entry> visitor) {
    if (range.isEmpty()) {
      return;
    }
    byte[] from = range.minExclusive() ? afterScore(range.min()) : scorePrefix(range.min());
    byte[] to = range.maxExclusive() ? scorePrefix(range.max()) : afterScore(range.max());
    try (DataView.Cursor c = index(from, to, false)) {
      for (; c.valid(); c.next()) {
        if (!visitor.test(entry(c))) {
          return;
        }
      }
    }
  }

  /** Every entry in score order. O(n). */
  public List<Entry> all() {
    return peek(Long.MAX_VALUE, false);
  }

  /** The members by hash position (ZSCAN pages, random draws); values are 8-byte scores. */
  HashedMembers members() {
    return members;
  }

  /** A score stored as a DATA value. */
  static double scoreOf(byte[] value) {
    return Double.longBitsToDouble(Bytes.getLong(value, 0));
  }

  /**
   * The 0-based ascending rank of a member with a known score: counts index entries from whichever
   * end reaches it first, so the cost is O(min(rank, n - rank)).
   */
  long rank(byte[] member, double score) {
    byte[] target = scoreKey(score, member);
    try (DataView.Cursor fwd = index(false); DataView.Cursor back = index(true)) {
      long ahead = 0;
      long behind = 0;
      while (true) {
        if (fwd.valid()) {
          if (Arrays.equals(fwd.key(), target)) {
            return ahead;
          }
          ahead++;
          fwd.next();
        }
        if (back.valid()) {
          if (Arrays.equals(back.key(), target)) {
            return size - 1 - behind;
          }
          behind++;
          back.next();
        }
        if (!fwd.valid() && !back.valid()) {
          throw new IllegalStateException("member missing from the score index");
        }
      }
    }
  }

  /**
   * Entries with ascending ranks {@code [lo, hi]} (0 ≤ lo ≤ hi < size), ascending: reached from the
   * nearer end of the index.
   */
  public List<Entry> byRank(long lo, long hi) {
    int n = (int) Math.min(Integer.MAX_VALUE - 8, hi - lo + 1);
    List<Entry> out = new ArrayList<>(Math.min(n, 1024));
    long fromEnd = size - 1 - hi;
    if (lo <= fromEnd) {
      try (DataView.Cursor c = index(false)) {
        for (long skip = lo; skip > 0 && c.valid(); skip--) {
          c.next();
        }
        for (; c.valid() && out.size() < n; c.next()) {
          out.add(entry(c));
        }
      }
    } else {
      try (DataView.Cursor c = index(true)) {
        for (long skip = fromEnd; skip > 0 && c.valid(); skip--) {
          c.next();
        }
        for (; c.valid() && out.size() < n; c.next()) {
          out.add(entry(c));
        }
      }
      Collections.reverse(out);
    }
    return out;
  }

  // ---- score encoding -------------------------------------------------------------------------

  /** The score's bits turned so unsigned byte order is numeric order; both zeros map alike. */
  static long sortable(double score) {
    long bits = Double.doubleToRawLongBits(score == 0 ? 0.0 : score);
    return bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
  }

  static double fromSortable(long sortable) {
    return Double.longBitsToDouble(sortable < 0 ? sortable ^ Long.MIN_VALUE : ~sortable);
  }

  private static byte[] indexValue(double score) {
    return score == 0 && Double.doubleToRawLongBits(score) < 0 ? NEGATIVE_ZERO : EMPTY;
  }
}
