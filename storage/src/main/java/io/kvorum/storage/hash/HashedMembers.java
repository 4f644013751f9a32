package io.kvorum.storage.hash;

import io.kvorum.storage.engine.Bytes;
import io.kvorum.storage.engine.Column;
import io.kvorum.storage.engine.DataView;
import io.kvorum.storage.keyspace.KeyCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * The members of one hash or set incarnation in the DATA column. A member's sub-key is {@code
 * subKeyPrefix(key, version) + position(8, big-endian) + member}, where the position is the
 * member's 63-bit SipHash; the value is the hash field's value (empty for sets).
 *
 * <p>A point operation computes the position and touches one RocksDB key, so it is O(log n) in a
 * collection of any size. Walking the prefix visits members in position order; since a member's
 * position never changes, HSCAN/SSCAN cursors are simply the position to resume from: stateless,
 * identical on every replica, valid across leader changes, and a member present for the whole scan
 * is returned at least once whatever is added or removed meanwhile. A keyed hash keeps positions
 * evenly spread even for adversarial members, so a page never has to grow much to end between two
 * positions.
 */
public final class HashedMembers {
  /** The SipHash key of the storage format ("kvorum.members.1"): changing it corrupts data. */
  private static final long K0 = 0x6d2e6d75726f766bL;
  private static final long K1 = 0x312e73726562656dL;
  /** Up to this many members, random draws are exactly uniform (a walk to a random index). */
  public static final long EXACT_SAMPLING_LIMIT = 512;
  /**
   * Beyond the exact limit a draw seeks to a random position and picks uniformly among the members
   * that follow, like Redis's dictGetFairRandomKey: the window evens out the unequal gaps between
   * positions.
   */
  private static final int WINDOW = 16;
  private static final int POSITION_BYTES = 8;

  private final DataView view;
  private final byte[] prefix;
  private final byte[] end;

  /** The members of {@code key}'s incarnation {@code version}. */
  public HashedMembers(DataView view, byte[] key, long version) {
    this.view = view;
    this.prefix = KeyCodec.subKeyPrefix(key, version);
    this.end = Bytes.prefixEnd(prefix);
  }

  /** A member and its value (empty for set members). */
  public record Entry(byte[] member, byte[] value) {}

  /** One HSCAN/SSCAN page: the entries, and the cursor to continue from (0: done). */
  public record Page(List<Entry> entries, long next) {}

  /** Where {@code member} sorts in its collection: a non-negative 63-bit number. */
  public static long position(byte[] member) {
    return SipHash.hash(K0, K1, member) >>> 1;
  }

  private byte[] subKey(byte[] member) {
    byte[] k = Arrays.copyOf(prefix, prefix.length + POSITION_BYTES + member.length);
    Bytes.putLong(k, prefix.length, position(member));
    System.arraycopy(member, 0, k, prefix.length + POSITION_BYTES, member.length);
    return k;
  }

  private byte[] positionKey(long position) {
    byte[] k = Arrays.copyOf(prefix, prefix.length + POSITION_BYTES);
    Bytes.putLong(k, prefix.length, position);
    return k;
  }

  private long positionOf(byte[] subKey) {
    return Bytes.getLong(subKey, prefix.length);
  }

  private Entry entry(DataView.Cursor c) {
    byte[] k = c.key();
    return new Entry(Arrays.copyOfRange(k, prefix.length + POSITION_BYTES, k.length), c.value());
  }

  /** The member's value, or null when it is not a member. */
  public byte[] get(byte[] member) {
    return view.get(Column.DATA, subKey(member));
  }

  public boolean contains(byte[] member) {
    return get(member) != null;
  }

  /** Adds or overwrites a member (write path only). */
  public void put(byte[] member, byte[] value) {
    view.put(Column.DATA, subKey(member), value);
  }

  /** Removes a member (write path only). */
  public void delete(byte[] member) {
    view.delete(Column.DATA, subKey(member));
  }

  /**
   * Visits members in position order while {@code action} returns true. Do not write to the
   * collection while visiting: on the write path the walk reads the batch's own overlay.
   */
  public void forEachWhile(Predicate<Entry> action) {
    try (DataView.Cursor c = view.scan(Column.DATA, prefix, end, false)) {
      for (; c.valid(); c.next()) {
        if (!action.test(entry(c))) {
          return;
        }
      }
    }
  }

  /** Every member, in position order. */
  public List<Entry> all() {
    List<Entry> out = new ArrayList<>();
    forEachWhile(out::add);
    return out;
  }

  /**
   * Up to {@code count} members from position {@code cursor} on (an unsigned cursor above every
   * position yields nothing), extended so the page never ends between members of equal position;
   * the next cursor is the position of the first member left out.
   */
  public Page page(long cursor, long count) {
    List<Entry> out = new ArrayList<>();
    if (cursor < 0) {
      return new Page(out, 0);
    }
    long next = 0;
    try (DataView.Cursor c = view.scan(Column.DATA, positionKey(cursor), end, false)) {
      long last = -1;
      for (; c.valid(); c.next()) {
        long position = positionOf(c.key());
        if (out.size() >= count && position != last) {
          next = position;
          break;
        }
        out.add(entry(c));
        last = position;
      }
    }
    return new Page(out, next);
  }

  /** One member drawn at random from a collection of {@code size} members; null if empty. */
  public Entry random(SplittableRandom random, long size) {
    if (size <= 0) {
      return null;
    }
    if (size <= EXACT_SAMPLING_LIMIT) {
      long index = random.nextLong(size);
      Entry[] found = new Entry[1];
      long[] i = {0};
      forEachWhile(e -> {
        found[0] = e;
        return i[0]++ < index;
      });
      return found[0];
    }
    return windowPick(random);
  }

  private Entry windowPick(SplittableRandom random) {
    long point = random.nextLong() >>> 1;
    List<Entry> window = new ArrayList<>(WINDOW);
    collect(positionKey(point), end, window);
    if (window.size() < WINDOW) {
      collect(prefix, positionKey(point), window);
    }
    return window.isEmpty() ? null : window.get(random.nextInt(window.size()));
  }

  private void collect(byte[] from, byte[] to, List<Entry> window) {
    try (DataView.Cursor c = view.scan(Column.DATA, from, to, false)) {
      for (; c.valid() && window.size() < WINDOW; c.next()) {
        window.add(entry(c));
      }
    }
  }

  /**
   * {@code count} distinct members drawn at random from a collection of {@code size} members,
   * {@code count < size}. When a walk over everything costs little compared to the answer (small
   * collections, or count above a third of the size, where Redis too copies the whole set), the
   * choice is exactly uniform (selection sampling, Knuth's Algorithm S) and the answer comes in
   * position order; otherwise members are drawn one by one until enough distinct ones are found.
   */
  public List<Entry> sampleDistinct(SplittableRandom random, long size, long count) {
    if (size <= EXACT_SAMPLING_LIMIT || count * 3 > size) {
      List<Entry> out = new ArrayList<>((int) Math.min(count, 1 << 16));
      long[] left = {size};
      forEachWhile(e -> {
        if (random.nextLong(Math.max(left[0], 1)) < count - out.size()) {
          out.add(e);
        }
        left[0]--;
        return out.size() < count;
      });
      return out;
    }
    // Insertion order, never hash order, so every replica answers the same.
    Map<ByteBuffer, Entry> chosen = new LinkedHashMap<>();
    while (chosen.size() < count) {
      Entry e = windowPick(random);
      if (e == null) {
        break;
      }
      chosen.putIfAbsent(ByteBuffer.wrap(e.member()), e);
    }
    return new ArrayList<>(chosen.values());
  }

  /** {@code count} members drawn independently (repetitions allowed); empty if none exist. */
  public List<Entry> sampleWithRepeats(SplittableRandom random, long size, long count) {
    List<Entry> out = new ArrayList<>((int) Math.min(count, 1 << 16));
    if (size <= 0) {
      return out;
    }
    if (size <= EXACT_SAMPLING_LIMIT) {
      List<Entry> members = all();
      if (members.isEmpty()) {
        return out;
      }
      for (long i = 0; i < count; i++) {
        out.add(members.get(random.nextInt(members.size())));
      }
      return out;
    }
    for (long i = 0; i < count; i++) {
      Entry e = windowPick(random);
      if (e == null) {
        break;
      }
      out.add(e);
    }
    return out;
  }
}
