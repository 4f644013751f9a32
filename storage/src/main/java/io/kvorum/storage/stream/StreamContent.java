package io.kvorum.storage.stream;

import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole stream apart from how Kvorum stores it: Redis's listpack nodes with their live entries,
 * the stream-wide IDs and counters, and the consumer groups with their pending entries and
 * consumers. DUMP reads one ({@link #read}) and RESTORE writes one ({@link #store}); the RDB
 * encoding is the dump package's. {@link #store} trusts its input: the decoder checks a payload's
 * consistency before building one.
 *
 * @param nodes        the listpack nodes in ID order
 * @param length       live entries
 * @param lastId       {@code last-generated-id}
 * @param firstId      {@code recorded-first-entry-id}
 * @param maxDeletedId {@code max-deleted-entry-id}
 * @param entriesAdded {@code entries-added}
 * @param groups       the consumer groups, by name
 */
public record StreamContent(
    List<Node> nodes,
    long length,
    StreamId lastId,
    StreamId firstId,
    StreamId maxDeletedId,
    long entriesAdded,
    List<Group> groups) {

  /**
   * One of Redis's listpack nodes.
   *
   * @param master       its key in Redis's radix tree (the ID its entries' IDs are relative to)
   * @param masterFields the master entry's field names
   * @param entries      the live entries, ascending
   * @param deleted      entries flagged deleted that are still in the listpack
   * @param bodyBytes    the listpack's bytes after its count and deleted elements, deleted entries
   *                     included (Redis decides where a node ends by the listpack's size)
   * @param last         the last entry's ID, deleted or not
   */
  public record Node(
      StreamId master,
      byte[][] masterFields,
      List<Entry> entries,
      long deleted,
      long bodyBytes,
      StreamId last) {}

  /** An entry: its ID and its field, value, field, value … list. */
  public record Entry(StreamId id, byte[][] fieldsValues) {}

  /**
   * A consumer group.
   *
   * @param entriesRead Redis's entries_read, -1 when unknown
   * @param pending     the group's PEL in ID order, each entry naming one of {@code consumers}
   * @param consumers   by name
   */
  public record Group(
      byte[] name,
      StreamId lastId,
      long entriesRead,
      List<Pending> pending,
      List<Consumer> consumers) {}

  /** A pending entry: delivered to {@code consumer} at {@code deliveryTime}, not acknowledged. */
  public record Pending(StreamId id, long deliveryTime, long deliveryCount, byte[] consumer) {}

  /** A consumer and the last time it was seen (Unix milliseconds). */
  public record Consumer(byte[] name, long seenTime) {}

  /**
   * Redis's {@code streamEstimateDistanceFromFirstEverEntry} for this stream: the entries_read a
   * group whose last delivered ID is {@code id} has, or -1 when that cannot be known (what Redis
   * gives groups loaded from a payload that has no such counter).
   */
  public long entriesReadAt(StreamId id) {
    return StoredStream.entriesReadAt(id, length, lastId, firstId, maxDeletedId, entriesAdded);
  }

  /** The stream at {@code key}, whose metadata (of a stream) a lookup returned. */
  public static StreamContent read(Keyspace ks, byte[] key, KeyMeta meta) {
    StoredStream s = StoredStream.of(ks, key, meta);
    List<Node> nodes = new ArrayList<>();
    for (StreamId master : s.nodeIds()) {
      StreamNode n = s.nodeAt(master);
      List<Entry> entries = new ArrayList<>();
      for (StoredStream.Entry e : s.entriesOf(n)) {
        entries.add(new Entry(e.id(), e.fieldsValues()));
      }
      nodes.add(new Node(master, n.masterFields(), entries, n.deleted(), n.bodyBytes(), n.last()));
    }
    List<Group> groups = new ArrayList<>();
    for (StoredStream.Group g : s.groups()) {
      List<Pending> pending = new ArrayList<>();
      for (StoredStream.Nack n : s.pending(g, StreamId.MIN, StreamId.MAX, 0)) {
        pending.add(new Pending(n.id, n.deliveryTime, n.deliveryCount, n.consumer));
      }
      List<Consumer> consumers = new ArrayList<>();
      for (StoredStream.Consumer c : s.consumers(g)) {
        consumers.add(new Consumer(c.name, c.seenTime));
      }
      groups.add(new Group(g.name, g.lastId, g.entriesRead, pending, consumers));
    }
    return new StreamContent(nodes, s.length, s.lastId, s.firstId, s.maxDeletedId,
        s.entriesAdded, groups);
  }

  /**
   * Writes this stream at {@code key} with deadline {@code expireAt} (0: none), replacing {@code
   * old} (what a lookup returned, of any type, or null).
   */
  public void store(Keyspace ks, byte[] key, KeyMeta old, long expireAt) {
    StoredStream s = StoredStream.replacing(ks, key, old, expireAt);
    for (Node n : nodes) {
      List<StoredStream.Entry> entries = new ArrayList<>(n.entries().size());
      for (Entry e : n.entries()) {
        entries.add(new StoredStream.Entry(e.id(), e.fieldsValues()));
      }
      s.restoreNode(new StreamNode(n.master(), n.entries().size(), n.deleted(), n.bodyBytes(),
          n.last(), n.masterFields()), entries);
    }
    s.length = length;
    s.lastId = lastId;
    s.firstId = firstId;
    s.maxDeletedId = maxDeletedId;
    s.entriesAdded = entriesAdded;
    for (Group g : groups) {
      StoredStream.Group stored = s.createGroup(g.name(), g.lastId(), g.entriesRead());
      Map<String, StoredStream.Consumer> byName = new HashMap<>();
      for (Consumer c : g.consumers()) {
        byName.put(name(c.name()), s.createConsumer(stored, c.name(), c.seenTime()));
      }
      for (Pending p : g.pending()) {
        s.addNack(stored, new StoredStream.Nack(p.id(), p.deliveryTime(), p.deliveryCount(),
            p.consumer()), byName.get(name(p.consumer())));
      }
      s.saveGroup(stored);
    }
    s.save();
  }

  private static String name(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
