package io.kvorum.storage.stream;

import io.kvorum.storage.engine.Bytes;
import io.kvorum.storage.engine.Column;
import io.kvorum.storage.engine.DataView;
import io.kvorum.storage.keyspace.KeyCodec;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.KeyspaceEvent;
import io.kvorum.storage.keyspace.RedisType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One stream key as stored. The metadata's tail is the {@link StreamMeta}; its size is the number
 * of sub-keys (so DEL picks point or range deletion by the real amount of data). Sub-keys in the
 * DATA column, after {@code subKeyPrefix(key, version)}:
 *
 * <ul>
 *   <li>{@code 1 id(16)}: a listpack node ({@link StreamNode}) keyed by its master ID;
 *   <li>{@code 2 id(16)}: an entry, value {@code node(16) n(4)} then n times {@code len(4) field
 *       len(4) value}, {@code node} being the master ID of the node it was added to (XDEL finds
 *       the node with a point read); IDs are big-endian, so an ID range is one RocksDB range;
 *   <li>{@code 3 name}: a consumer group ({@link Group}), in Redis's (byte) order of names;
 *   <li>{@code 4 grouplen(4) group consumer}: a consumer ({@link Consumer});
 *   <li>{@code 5 grouplen(4) group id(16)}: the group's pending entry ({@link Nack});
 *   <li>{@code 6 grouplen(4) group consumerlen(4) consumer id(16)}: the same entry in its
 *       consumer's PEL (empty value).
 * </ul>
 *
 * <p>Adding, deleting or acknowledging one entry touches a constant number of keys, found by point
 * reads. Cursors are always closed before anything is written, as the write
 * batch's overlay must not change under an open cursor.
 */
final class StoredStream {
  /** Redis's default stream-node-max-bytes and stream-node-max-entries. */
  static final long NODE_MAX_BYTES = 4096;
  static final long NODE_MAX_ENTRIES = 100;
  /** Redis refuses an entry whose fields and values add up to more (STREAM_LISTPACK_MAX_SIZE). */
  static final long MAX_ENTRY_BYTES = 1L << 30;

  private static final byte NODE = 1;
  private static final byte ENTRY = 2;
  private static final byte GROUP = 3;
  private static final byte CONSUMER = 4;
  private static final byte PEL = 5;
  private static final byte CONSUMER_PEL = 6;
  /** An entry's value starts with its node's master ID and its number of field-value pairs. */
  private static final int ENTRY_HEADER = StreamId.BYTES + 4;

  private final Keyspace keyspace;
  private final DataView data;
  private final byte[] key;
  private final byte[] prefix;
  private final long version;
  private final long expireAt;
  /** What was last read or written as this key's metadata; null until a new stream is saved. */
  private KeyMeta loaded;
  private long subKeys;

  long length;
  StreamId lastId;
  StreamId maxDeletedId;
  long entriesAdded;
  StreamId firstId;
  long groups;
  long nodes;
  private StreamId headNode;
  private StreamId tailNode;

  private StoredStream(Keyspace keyspace, byte[] key, KeyMeta loaded, long version, StreamMeta m) {
    this(keyspace, key, loaded, version, m, loaded == null ? 0 : loaded.expireAt(),
        loaded == null ? 0 : loaded.size());
  }

  private StoredStream(Keyspace keyspace, byte[] key, KeyMeta loaded, long version, StreamMeta m,
      long expireAt, long subKeys) {
    this.keyspace = keyspace;
    this.data = keyspace.data();
    this.key = key;
    this.loaded = loaded;
    this.version = version;
    this.expireAt = expireAt;
    this.subKeys = subKeys;
    this.prefix = KeyCodec.subKeyPrefix(key, version);
    this.length = m.length();
    this.lastId = m.lastId();
    this.maxDeletedId = m.maxDeletedId();
    this.entriesAdded = m.entriesAdded();
    this.firstId = m.firstId();
    this.groups = m.groups();
    this.nodes = m.nodes();
    this.headNode = m.headNode();
    this.tailNode = m.tailNode();
  }

  /** The stream at {@code key}, null when the key does not exist; WRONGTYPE for another type. */
  static StoredStream find(Keyspace keyspace, byte[] key) {
    KeyMeta meta = keyspace.lookup(key, RedisType.STREAM);
    if (meta == null) {
      return null;
    }
    return of(keyspace, key, meta);
  }

  /** The stream at {@code key}, whose stream metadata a lookup returned. */
  static StoredStream of(Keyspace keyspace, byte[] key, KeyMeta meta) {
    return new StoredStream(keyspace, key, meta, meta.version(), StreamMeta.decode(meta.tail()));
  }

  /** A new empty stream; it exists once {@link #save()} is called. */
  static StoredStream create(Keyspace keyspace, byte[] key) {
    return new StoredStream(keyspace, key, null, keyspace.newVersion(), StreamMeta.EMPTY);
  }

  /**
   * A new empty stream that replaces {@code old} (any type, or null) with deadline {@code
   * expireAt} once {@link #save()} is called; its sub-keys are a new version, so the old
   * value's members go when the metadata is written.
   */
  static StoredStream replacing(Keyspace keyspace, byte[] key, KeyMeta old, long expireAt) {
    return new StoredStream(keyspace, key, old, keyspace.newVersion(), StreamMeta.EMPTY, expireAt,
        0);
  }

  byte[] key() {
    return key;
  }

  /** Writes the metadata (state, sub-key count); the key exists afterwards. */
  void save() {
    KeyMeta meta = KeyMeta.collection(RedisType.STREAM, KeyMeta.Encoding.STREAM, expireAt, version,
        subKeys, state().encode());
    keyspace.put(key, loaded, meta);
    loaded = meta;
  }

  /**
   * Saves only when the stream-wide state or the sub-key count changed, so commands that touch a
   * group alone (XGROUP SETID) leave the key's write stamp as it was.
   */
  void saveIfChanged() {
    if (loaded == null || loaded.size() != subKeys
        || !Arrays.equals(loaded.tail(), state().encode())) {
      save();
    }
  }

  private StreamMeta state() {
    return new StreamMeta(length, lastId, maxDeletedId, entriesAdded, firstId, groups, nodes,
        headNode, tailNode);
  }

  // ---------------------------------------------------------------- read counters

  /**
   * Whether a deleted entry may lie in {@code [start, +inf]} (Redis's streamRangeHasTombstones):
   * only the greatest deleted ID is known, so this answers for it.
   */
  boolean rangeHasTombstones(StreamId start) {
    if (length == 0 || maxDeletedId.isZero()) {
      return false;
    }
    if (firstId.compareTo(maxDeletedId) > 0) {
      return false;
    }
    return start.compareTo(maxDeletedId) <= 0;
  }

  /**
   * The logical read counter of {@code id} (Redis's streamEstimateDistanceFromFirstEverEntry):
   * how many entries were added up to it, or -1 when that cannot be known.
   */
  long entriesReadAt(StreamId id) {
    return entriesReadAt(id, length, lastId, firstId, maxDeletedId, entriesAdded);
  }

  /** {@link #entriesReadAt(StreamId)} for a stream in the given state. */
  static long entriesReadAt(StreamId id, long length, StreamId lastId, StreamId firstId,
      StreamId maxDeletedId, long entriesAdded) {
    if (entriesAdded == 0) {
      return 0;
    }
    if (length == 0 && id.compareTo(lastId) < 1) {
      return entriesAdded;
    }
    int cmpLast = id.compareTo(lastId);
    if (cmpLast == 0) {
      return entriesAdded;
    } else if (cmpLast > 0) {
      return -1;
    }
    int cmpFirst = id.compareTo(firstId);
    if (maxDeletedId.isZero() || maxDeletedId.compareTo(firstId) < 0) {
      if (cmpFirst < 0) {
        return entriesAdded - length;
      } else if (cmpFirst == 0) {
        return entriesAdded - length + 1;
      }
    }
    return -1;
  }

  /** A group's lag (Redis's streamReplyWithCGLag), or null when it cannot be known. */
  Long lag(Group g) {
    if (entriesAdded == 0) {
      return 0L;
    }
    if (g.entriesRead != -1 && !rangeHasTombstones(g.lastId)) {
      return entriesAdded - g.entriesRead;
    }
    long read = entriesReadAt(g.lastId);
    return read == -1 ? null : entriesAdded - read;
  }

  // ---------------------------------------------------------------- entries

  /** A stream entry: its ID and its field, value, field, value … list. */
  record Entry(StreamId id, byte[][] fieldsValues) {}

  private byte[] entryKey(StreamId id) {
    byte[] k = Arrays.copyOf(prefix, prefix.length + 1 + StreamId.BYTES);
    k[prefix.length] = ENTRY;
    Bytes.putLong(k, prefix.length + 1, id.ms());
    Bytes.putLong(k, prefix.length + 9, id.seq());
    return k;
  }

  /** Just past {@code id}'s entry key: entry keys all have the same length. */
  private byte[] entryKeyAfter(StreamId id) {
    byte[] k = entryKey(id);
    return Arrays.copyOf(k, k.length + 1);
  }

  /** The entry with this ID, null when there is none. */
  Entry entry(StreamId id) {
    byte[] raw = data.get(Column.DATA, entryKey(id));
    return raw == null ? null : new Entry(id, decodeEntry(raw));
  }

  boolean exists(StreamId id) {
    return data.get(Column.DATA, entryKey(id)) != null;
  }

  /**
   * Live entries with IDs in {@code [start, end]}, ascending or (reverse) descending, at most
   * {@code count} (0: all).
   */
  List<Entry> range(StreamId start, StreamId end, long count, boolean reverse) {
    List<Entry> out = new ArrayList<>();
    if (length == 0) {
      return out;
    }
    // No live entry lies outside [firstId, lastId]; starting there skips the tombstones RocksDB
    // still holds for trimmed and deleted entries.
    StreamId from = StreamId.max(start, firstId);
    StreamId to = StreamId.min(end, lastId);
    if (from.compareTo(to) > 0) {
      return out;
    }
    int at = prefix.length + 1;
    try (DataView.Cursor c = data.scan(Column.DATA, entryKey(from), entryKeyAfter(to), reverse)) {
      while (c.valid() && (count == 0 || out.size() < count)) {
        out.add(new Entry(StreamId.decode(c.key(), at), decodeEntry(c.value())));
        c.next();
      }
    }
    return out;
  }

  /** The first live entry's ID, null for an empty stream. */
  StreamId firstLiveId() {
    List<Entry> e = range(StreamId.MIN, StreamId.MAX, 1, false);
    return e.isEmpty() ? null : e.get(0).id();
  }

  /** The last live entry's ID (Redis's streamLastValidID), 0-0 for an empty stream. */
  StreamId lastLiveId() {
    List<Entry> e = range(StreamId.MIN, StreamId.MAX, 1, true);
    return e.isEmpty() ? StreamId.MIN : e.get(0).id();
  }

  /**
   * Appends an entry (the caller checked that {@code id} is greater than {@link #lastId}). Starts
   * a new node where Redis 7.0 would: when the tail node's bytes plus the new fields and values
   * reach stream-node-max-bytes, or it holds stream-node-max-entries entries, deleted ones
   * included.
   */
  void append(StreamId id, byte[][] fieldsValues) {
    StreamNode tail = nodes > 0 ? node(tailNode) : null;
    if (tail != null) {
      long elements = 0;
      for (byte[] b : fieldsValues) {
        elements += b.length;
      }
      if (tail.bytes() + elements >= NODE_MAX_BYTES
          || tail.live() + tail.deleted() >= NODE_MAX_ENTRIES) {
        tail = null;
      }
    }
    if (tail == null) {
      putNode(StreamNode.create(id, fieldsValues), true);
      nodes++;
      if (nodes == 1) {
        headNode = id;
      }
      tailNode = id;
    } else {
      putNode(tail.append(id, fieldsValues), false);
    }
    data.put(Column.DATA, entryKey(id), encodeEntry(tailNode, fieldsValues));
    subKeys++;
    length++;
    entriesAdded++;
    lastId = id;
    if (length == 1) {
      firstId = id;
    }
  }

  /**
   * Deletes one entry if it exists (XDEL): its node counts it deleted, and a node left without
   * live entries is removed, as Redis's streamIteratorRemoveEntry does. The caller updates
   * {@link #firstId} and {@link #maxDeletedId}.
   */
  boolean delete(StreamId id) {
    byte[] ek = entryKey(id);
    byte[] raw = data.get(Column.DATA, ek);
    if (raw == null) {
      return false;
    }
    StreamNode node = node(StreamId.decode(raw, 0));
    data.delete(Column.DATA, ek);
    subKeys--;
    length--;
    if (node.live() == 1) {
      removeNode(node);
    } else {
      putNode(node.withDeleted(1), false);
    }
    return true;
  }

  /** Sets {@link #firstId} after entries at the head may have gone (Redis's streamGetEdgeID). */
  void refreshFirstId() {
    if (length == 0) {
      firstId = StreamId.MIN;
    } else {
      StreamId first = firstLiveId();
      firstId = first == null ? StreamId.MIN : first;
    }
  }

  /**
   * Redis 7.0's streamTrim: whole nodes go from the head while the limit allows; unless
   * approximate, the first node that cannot go entirely loses entries one by one.
   *
   * @return the number of entries removed
   */
  long trim(TrimArgs args) {
    if (args.strategy() == TrimArgs.Strategy.NONE || nodes == 0) {
      return 0;
    }
    boolean maxlen = args.strategy() == TrimArgs.Strategy.MAXLEN;
    long deleted = 0;
    StreamId cursor = headNode;
    while (cursor != null) {
      if (maxlen && length <= args.maxlen()) {
        break;
      }
      StreamNode node = node(cursor);
      long entries = node.live();
      if (args.limit() != 0 && deleted + entries > args.limit()) {
        break;
      }
      boolean removeNode = maxlen
          ? length - entries >= args.maxlen()
          : node.last().compareTo(args.minId()) < 0;
      if (removeNode) {
        StreamId next = nextNode(cursor);
        for (Entry e : nodeEntries(node)) {
          data.delete(Column.DATA, entryKey(e.id()));
          subKeys--;
        }
        removeNode(node);
        length -= entries;
        deleted += entries;
        cursor = next;
        continue;
      }
      if (args.approximate()) {
        break;
      }
      long removed = 0;
      for (Entry e : nodeEntries(node)) {
        boolean stop = maxlen ? length <= args.maxlen() : e.id().compareTo(args.minId()) >= 0;
        if (stop) {
          break;
        }
        data.delete(Column.DATA, entryKey(e.id()));
        subKeys--;
        length--;
        removed++;
      }
      if (removed > 0) {
        putNode(node.withDeleted(removed), false);
      }
      deleted += removed;
      break;
    }
    if (length == 0) {
      firstId = StreamId.MIN;
    } else if (deleted > 0) {
      refreshFirstId();
    }
    return deleted;
  }

  /** The live entries of one node, ascending (at most stream-node-max-entries of them). */
  private List<Entry> nodeEntries(StreamNode node) {
    List<Entry> out = new ArrayList<>();
    int at = prefix.length + 1;
    try (DataView.Cursor c = data.scan(Column.DATA, entryKey(node.master()),
        entryKeyAfter(node.last()), false)) {
      while (c.valid()) {
        out.add(new Entry(StreamId.decode(c.key(), at), decodeEntry(c.value())));
        c.next();
      }
    }
    return out;
  }

  /** An entry's value: its node's master ID, then the field-value pairs. */
  static byte[] encodeEntry(StreamId node, byte[][] fieldsValues) {
    int size = ENTRY_HEADER;
    for (byte[] b : fieldsValues) {
      size += 4 + b.length;
    }
    byte[] out = new byte[size];
    Bytes.putLong(out, 0, node.ms());
    Bytes.putLong(out, 8, node.seq());
    Bytes.putInt(out, StreamId.BYTES, fieldsValues.length / 2);
    int at = ENTRY_HEADER;
    for (byte[] b : fieldsValues) {
      Bytes.putInt(out, at, b.length);
      System.arraycopy(b, 0, out, at + 4, b.length);
      at += 4 + b.length;
    }
    return out;
  }

  static byte[][] decodeEntry(byte[] raw) {
    int n = Bytes.getInt(raw, StreamId.BYTES) * 2;
    byte[][] out = new byte[n][];
    int at = ENTRY_HEADER;
    for (int i = 0; i < n; i++) {
      int len = Bytes.getInt(raw, at);
      out[i] = Arrays.copyOfRange(raw, at + 4, at + 4 + len);
      at += 4 + len;
    }
    return out;
  }

  // ---------------------------------------------------------------- nodes

  private byte[] nodeKey(StreamId master) {
    byte[] k = Arrays.copyOf(prefix, prefix.length + 1 + StreamId.BYTES);
    k[prefix.length] = NODE;
    Bytes.putLong(k, prefix.length + 1, master.ms());
    Bytes.putLong(k, prefix.length + 9, master.seq());
    return k;
  }

  private StreamNode node(StreamId master) {
    return StreamNode.decode(master, data.get(Column.DATA, nodeKey(master)));
  }

  private void putNode(StreamNode node, boolean isNew) {
    data.put(Column.DATA, nodeKey(node.master()), node.encode());
    if (isNew) {
      subKeys++;
    }
  }

  /** The master ID of the node after {@code master}, null when it is the last. */
  private StreamId nextNode(StreamId master) {
    byte[] k = nodeKey(master);
    byte[] end = Arrays.copyOf(prefix, prefix.length + 1);
    end[prefix.length] = NODE + 1;
    try (DataView.Cursor c = data.scan(Column.DATA, Arrays.copyOf(k, k.length + 1), end, false)) {
      return c.valid() ? StreamId.decode(c.key(), prefix.length + 1) : null;
    }
  }

  /** The master ID of the node before {@code master}, null when it is the first. */
  private StreamId previousNode(StreamId master) {
    byte[] from = Arrays.copyOf(prefix, prefix.length + 1);
    from[prefix.length] = NODE;
    try (DataView.Cursor c = data.scan(Column.DATA, from, nodeKey(master), true)) {
      return c.valid() ? StreamId.decode(c.key(), prefix.length + 1) : null;
    }
  }

  private void removeNode(StreamNode node) {
    StreamId master = node.master();
    StreamId next = master.equals(headNode) ? nextNode(master) : null;
    StreamId previous = master.equals(tailNode) ? previousNode(master) : null;
    data.delete(Column.DATA, nodeKey(master));
    subKeys--;
    nodes--;
    if (master.equals(headNode) && next != null) {
      headNode = next;
    }
    if (master.equals(tailNode) && previous != null) {
      tailNode = previous;
    }
  }

  /**
   * Appends a whole node with its live entries, for a stream being rebuilt (RESTORE): nodes come
   * in ID order, each after the previous one's entries.
   */
  void restoreNode(StreamNode node, List<Entry> entries) {
    putNode(node, true);
    nodes++;
    if (nodes == 1) {
      headNode = node.master();
    }
    tailNode = node.master();
    for (Entry e : entries) {
      data.put(Column.DATA, entryKey(e.id()), encodeEntry(node.master(), e.fieldsValues()));
      subKeys++;
    }
  }

  /** The node with this master ID; the caller knows it exists. */
  StreamNode nodeAt(StreamId master) {
    return node(master);
  }

  /** A node's live entries, ascending. */
  List<Entry> entriesOf(StreamNode node) {
    return nodeEntries(node);
  }

  /** Every node's master ID in order (XINFO STREAM's radix tree size). */
  List<StreamId> nodeIds() {
    List<StreamId> out = new ArrayList<>();
    byte[] from = Arrays.copyOf(prefix, prefix.length + 1);
    from[prefix.length] = NODE;
    byte[] to = from.clone();
    to[prefix.length] = NODE + 1;
    try (DataView.Cursor c = data.scan(Column.DATA, startOfNodes(from), to, false)) {
      while (c.valid()) {
        out.add(StreamId.decode(c.key(), prefix.length + 1));
        c.next();
      }
    }
    return out;
  }

  /** Where a walk over the nodes starts: at the head node, past removed ones' tombstones. */
  private byte[] startOfNodes(byte[] fallback) {
    return nodes > 0 ? nodeKey(headNode) : fallback;
  }

  // ---------------------------------------------------------------- groups

  /** A consumer group; consumers it loads are cached and written back by {@link #saveGroup}. */
  static final class Group {
    final byte[] name;
    StreamId lastId;
    /** Redis's entries_read; -1 when unknown (SCG_INVALID_ENTRIES_READ). */
    long entriesRead;
    long pelCount;
    long consumerCount;
    private final Map<String, Consumer> consumers = new LinkedHashMap<>();

    Group(byte[] name, StreamId lastId, long entriesRead, long pelCount, long consumerCount) {
      this.name = name;
      this.lastId = lastId;
      this.entriesRead = entriesRead;
      this.pelCount = pelCount;
      this.consumerCount = consumerCount;
    }

    byte[] encode() {
      byte[] out = new byte[StreamId.BYTES + 24];
      System.arraycopy(lastId.encode(), 0, out, 0, StreamId.BYTES);
      Bytes.putLong(out, 16, entriesRead);
      Bytes.putLong(out, 24, pelCount);
      Bytes.putLong(out, 32, consumerCount);
      return out;
    }

    static Group decode(byte[] name, byte[] raw) {
      return new Group(name, StreamId.decode(raw, 0), Bytes.getLong(raw, 16),
          Bytes.getLong(raw, 24), Bytes.getLong(raw, 32));
    }
  }

  /**
   * A consumer of a group.
   */
  static final class Consumer {
    final byte[] name;
    long seenTime;
    long pelCount;
    private boolean dirty;

    Consumer(byte[] name, long seenTime, long pelCount) {
      this.name = name;
      this.seenTime = seenTime;
      this.pelCount = pelCount;
    }

    byte[] encode() {
      byte[] out = new byte[16];
      Bytes.putLong(out, 0, seenTime);
      Bytes.putLong(out, 8, pelCount);
      return out;
    }
  }

  /**
   * A pending entry of a group: delivered to {@code consumer}, not acknowledged yet.
   */
  static final class Nack {
    final StreamId id;
    long deliveryTime;
    long deliveryCount;
    byte[] consumer;

    Nack(StreamId id, long deliveryTime, long deliveryCount, byte[] consumer) {
      this.id = id;
      this.deliveryTime = deliveryTime;
      this.deliveryCount = deliveryCount;
      this.consumer = consumer;
    }

    byte[] encode() {
      byte[] out = Arrays.copyOf(new byte[16], 16 + consumer.length);
      Bytes.putLong(out, 0, deliveryTime);
      Bytes.putLong(out, 8, deliveryCount);
      System.arraycopy(consumer, 0, out, 16, consumer.length);
      return out;
    }

    static Nack decode(StreamId id, byte[] raw) {
      return new Nack(id, Bytes.getLong(raw, 0), Bytes.getLong(raw, 8),
          Arrays.copyOfRange(raw, 16, raw.length));
    }
  }

  private byte[] groupKey(byte[] name) {
    byte[] k = Arrays.copyOf(prefix, prefix.length + 1 + name.length);
    k[prefix.length] = GROUP;
    System.arraycopy(name, 0, k, prefix.length + 1, name.length);
    return k;
  }

  /** {@code prefix tag grouplen(4) group}: the start of a group's consumers or pending entries. */
  private byte[] groupScoped(byte tag, byte[] group) {
    byte[] k = Arrays.copyOf(prefix, prefix.length + 5 + group.length);
    k[prefix.length] = tag;
    Bytes.putInt(k, prefix.length + 1, group.length);
    System.arraycopy(group, 0, k, prefix.length + 5, group.length);
    return k;
  }

  private byte[] consumerKey(byte[] group, byte[] consumer) {
    return Bytes.concat(groupScoped(CONSUMER, group), consumer);
  }

  private byte[] pelKey(byte[] group, StreamId id) {
    return Bytes.concat(groupScoped(PEL, group), id.encode());
  }

  private byte[] consumerPelPrefix(byte[] group, byte[] consumer) {
    byte[] g = groupScoped(CONSUMER_PEL, group);
    byte[] k = Arrays.copyOf(g, g.length + 4 + consumer.length);
    Bytes.putInt(k, g.length, consumer.length);
    System.arraycopy(consumer, 0, k, g.length + 4, consumer.length);
    return k;
  }

  /** The group of that name, null when there is none. */
  Group group(byte[] name) {
    byte[] raw = data.get(Column.DATA, groupKey(name));
    return raw == null ? null : Group.decode(name, raw);
  }

  /** Every group, in Redis's order (by name, bytewise). */
  List<Group> groups() {
    List<Group> out = new ArrayList<>();
    byte[] from = groupKey(new byte[0]);
    byte[] to = from.clone();
    to[prefix.length] = GROUP + 1;
    try (DataView.Cursor c = data.scan(Column.DATA, from, to, false)) {
      while (c.valid()) {
        byte[] k = c.key();
        out.add(Group.decode(Arrays.copyOfRange(k, prefix.length + 1, k.length), c.value()));
        c.next();
      }
    }
    return out;
  }

  /** Creates a group; null when one of that name exists (BUSYGROUP). */
  Group createGroup(byte[] name, StreamId lastDelivered, long entriesRead) {
    if (group(name) != null) {
      return null;
    }
    Group g = new Group(name, lastDelivered, entriesRead, 0, 0);
    data.put(Column.DATA, groupKey(name), g.encode());
    subKeys++;
    groups++;
    return g;
  }

  /** Writes the group and the consumers it changed. */
  void saveGroup(Group g) {
    for (Consumer c : g.consumers.values()) {
      if (c != null && c.dirty) {
        data.put(Column.DATA, consumerKey(g.name, c.name), c.encode());
        c.dirty = false;
      }
    }
    data.put(Column.DATA, groupKey(g.name), g.encode());
  }

  /** Removes a group with its consumers and pending entries (range deletions: O(1)). */
  void destroyGroup(Group g) {
    for (byte tag : new byte[] {CONSUMER, PEL, CONSUMER_PEL}) {
      byte[] from = groupScoped(tag, g.name);
      data.deleteRange(Column.DATA, from, Bytes.prefixEnd(from));
    }
    data.delete(Column.DATA, groupKey(g.name));
    subKeys -= 1 + g.consumerCount + 2 * g.pelCount;
    groups--;
  }

  // ---------------------------------------------------------------- consumers

  /** The group's consumer of that name (cached in the group), null when there is none. */
  Consumer consumer(Group g, byte[] name) {
    String k = new String(name, StandardCharsets.ISO_8859_1);
    Consumer c = g.consumers.get(k);
    if (c == null && !g.consumers.containsKey(k)) {
      byte[] raw = data.get(Column.DATA, consumerKey(g.name, name));
      c = raw == null ? null : new Consumer(name, Bytes.getLong(raw, 0), Bytes.getLong(raw, 8));
      g.consumers.put(k, c);
    }
    return c;
  }

  /** Creates a consumer seen at {@code now}; the caller checked it does not exist. */
  Consumer createConsumer(Group g, byte[] name, long now) {
    Consumer c = new Consumer(name, now, 0);
    c.dirty = true;
    keyspace.notify(KeyspaceEvent.STREAM, "xgroup-createconsumer", key);
    g.consumers.put(new String(name, StandardCharsets.ISO_8859_1), c);
    g.consumerCount++;
    subKeys++;
    return c;
  }

  /** The consumer, created when missing; either way seen at {@code now}. */
  Consumer touchConsumer(Group g, byte[] name, long now) {
    Consumer c = consumer(g, name);
    if (c == null) {
      return createConsumer(g, name, now);
    }
    c.seenTime = now;
    c.dirty = true;
    return c;
  }

  /** Marks a consumer changed so {@link #saveGroup} writes it. */
  static void changed(Consumer c) {
    c.dirty = true;
  }

  /** Every consumer of the group, by name (bytewise). */
  List<Consumer> consumers(Group g) {
    List<Consumer> out = new ArrayList<>();
    byte[] from = groupScoped(CONSUMER, g.name);
    try (DataView.Cursor c = data.scan(Column.DATA, from, Bytes.prefixEnd(from), false)) {
      while (c.valid()) {
        byte[] k = c.key();
        byte[] name = Arrays.copyOfRange(k, from.length, k.length);
        byte[] v = c.value();
        out.add(new Consumer(name, Bytes.getLong(v, 0), Bytes.getLong(v, 8)));
        c.next();
      }
    }
    return out;
  }

  /**
   * Deletes a consumer and its pending entries (also from the group's PEL).
   *
   * @return how many entries it had pending
   */
  long deleteConsumer(Group g, Consumer c) {
    List<StreamId> pending = consumerPending(g, c.name, StreamId.MIN, StreamId.MAX, 0);
    byte[] cp = consumerPelPrefix(g.name, c.name);
    for (StreamId id : pending) {
      data.delete(Column.DATA, pelKey(g.name, id));
      data.delete(Column.DATA, Bytes.concat(cp, id.encode()));
    }
    data.delete(Column.DATA, consumerKey(g.name, c.name));
    g.consumers.put(new String(c.name, StandardCharsets.ISO_8859_1), null);
    g.pelCount -= pending.size();
    g.consumerCount--;
    subKeys -= 1 + 2L * pending.size();
    return pending.size();
  }

  // ---------------------------------------------------------------- pending entries

  /** The group's pending entry for {@code id}, null when there is none. */
  Nack nack(Group g, StreamId id) {
    byte[] raw = data.get(Column.DATA, pelKey(g.name, id));
    return raw == null ? null : Nack.decode(id, raw);
  }

  /**
   * Walks the group's pending entries with IDs in {@code [start, end]} until the visitor answers
   * false. Read-only commands only: nothing may be written while the walk is open.
   */
  void forEachPending(Group g, StreamId start, StreamId end, Predicate<Nack> visitor) {
    if (start.compareTo(end) > 0) {
      return;
    }
    byte[] base = groupScoped(PEL, g.name);
    byte[] to = Arrays.copyOf(Bytes.concat(base, end.encode()), base.length + 17);
    try (DataView.Cursor c = data.scan(Column.DATA, Bytes.concat(base, start.encode()), to,
        false)) {
      while (c.valid()) {
        if (!visitor.test(Nack.decode(StreamId.decode(c.key(), base.length), c.value()))) {
          return;
        }
        c.next();
      }
    }
  }

  /** Like {@link #forEachPending} over one consumer's pending IDs. */
  void forEachConsumerPending(Group g, byte[] consumer, StreamId start, StreamId end,
      Predicate<StreamId> visitor) {
    if (start.compareTo(end) > 0) {
      return;
    }
    byte[] base = consumerPelPrefix(g.name, consumer);
    byte[] to = Arrays.copyOf(Bytes.concat(base, end.encode()), base.length + 17);
    try (DataView.Cursor c = data.scan(Column.DATA, Bytes.concat(base, start.encode()), to,
        false)) {
      while (c.valid()) {
        if (!visitor.test(StreamId.decode(c.key(), base.length))) {
          return;
        }
        c.next();
      }
    }
  }

  /** The group's pending entries with IDs in {@code [start, end]}, at most count (0: all). */
  List<Nack> pending(Group g, StreamId start, StreamId end, long count) {
    List<Nack> out = new ArrayList<>();
    if (start.compareTo(end) > 0) {
      return out;
    }
    byte[] base = groupScoped(PEL, g.name);
    byte[] to = Arrays.copyOf(Bytes.concat(base, end.encode()), base.length + 17);
    try (DataView.Cursor c = data.scan(Column.DATA, Bytes.concat(base, start.encode()), to,
        false)) {
      while (c.valid() && (count == 0 || out.size() < count)) {
        out.add(Nack.decode(StreamId.decode(c.key(), base.length), c.value()));
        c.next();
      }
    }
    return out;
  }

  /** The group's last pending entry (XPENDING's summary). */
  Nack lastPending(Group g) {
    byte[] base = groupScoped(PEL, g.name);
    try (DataView.Cursor c = data.scan(Column.DATA, base, Bytes.prefixEnd(base), true)) {
      return c.valid() ? Nack.decode(StreamId.decode(c.key(), base.length), c.value()) : null;
    }
  }

  /** IDs pending for one consumer in {@code [start, end]}, at most count (0: all). */
  List<StreamId> consumerPending(Group g, byte[] consumer, StreamId start, StreamId end,
      long count) {
    List<StreamId> out = new ArrayList<>();
    if (start.compareTo(end) > 0) {
      return out;
    }
    byte[] base = consumerPelPrefix(g.name, consumer);
    byte[] to = Arrays.copyOf(Bytes.concat(base, end.encode()), base.length + 17);
    try (DataView.Cursor c = data.scan(Column.DATA, Bytes.concat(base, start.encode()), to,
        false)) {
      while (c.valid() && (count == 0 || out.size() < count)) {
        out.add(StreamId.decode(c.key(), base.length));
        c.next();
      }
    }
    return out;
  }

  /** Adds a new pending entry owned by {@code owner}. */
  void addNack(Group g, Nack n, Consumer owner) {
    data.put(Column.DATA, pelKey(g.name, n.id), n.encode());
    data.put(Column.DATA, Bytes.concat(consumerPelPrefix(g.name, owner.name), n.id.encode()),
        new byte[0]);
    g.pelCount++;
    owner.pelCount++;
    owner.dirty = true;
    subKeys += 2;
  }

  /** Writes a changed pending entry whose owner stayed the same. */
  void putNack(Group g, Nack n) {
    data.put(Column.DATA, pelKey(g.name, n.id), n.encode());
  }

  /** Gives a pending entry to another consumer (the caller sets its times and counts). */
  void moveNack(Group g, Nack n, Consumer to) {
    Consumer from = consumer(g, n.consumer);
    data.delete(Column.DATA, Bytes.concat(consumerPelPrefix(g.name, n.consumer), n.id.encode()));
    if (from != null) {
      from.pelCount--;
      from.dirty = true;
    }
    n.consumer = to.name;
    data.put(Column.DATA, Bytes.concat(consumerPelPrefix(g.name, to.name), n.id.encode()),
        new byte[0]);
    to.pelCount++;
    to.dirty = true;
    putNack(g, n);
  }

  /** Removes a pending entry from the group and its owner (XACK, or an entry that is gone). */
  void deleteNack(Group g, Nack n) {
    data.delete(Column.DATA, pelKey(g.name, n.id));
    data.delete(Column.DATA, Bytes.concat(consumerPelPrefix(g.name, n.consumer), n.id.encode()));
    Consumer owner = consumer(g, n.consumer);
    if (owner != null) {
      owner.pelCount--;
      owner.dirty = true;
    }
    g.pelCount--;
    subKeys -= 2;
  }
}
