package io.kvorum.storage.dump;

import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.stream.StreamContent;
import io.kvorum.storage.stream.StreamId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A stream in the RDB format, as Redis 7.0's {@code rdbSaveObject} writes it
 * (STREAM_LISTPACKS_2) and {@code rdbLoadObject} reads it (STREAM_LISTPACKS and _2): the listpack
 * nodes, each keyed by its master ID; the length and the last, first and greatest deleted IDs and
 * the entries-added counter; then each consumer group with its last delivered ID, entries_read,
 * PEL (ID, delivery time, delivery count) and consumers (name, seen time, the IDs of their PEL).
 *
 * <p>A node's listpack is built as {@code streamAppendItem} builds it: count, deleted, the master
 * fields and a 0, then per entry its flags, the ID as a difference from the master ID, its fields
 * unless they are the master's (SAMEFIELDS), its values and its element count. Kvorum keeps no
 * deleted entries, so a node written here holds only live ones (deleted 0): a stream that never
 * lost an entry from inside a node (XDEL, exact trimming) is written byte for byte as Redis
 * writes it; otherwise the payload has the same entries, nodes, groups and IDs.
 *
 * <p>Reading checks each listpack entry by entry as Redis's deep sanitization does, and refuses
 * (as Redis does not) a payload whose parts disagree in a way Kvorum cannot store: a length or node
 * count that does not match the entries, entries out of order or outside their node, a last ID
 * below an entry, a first ID that is not the first entry, a node without entries, and a pending
 * entry with no consumer or two.
 */
final class StreamPayload {
  private static final int FLAG_DELETED = 1;
  private static final int FLAG_SAMEFIELDS = 2;
  /** A listpack's header (total bytes, element count) and end byte. */
  private static final int LISTPACK_OVERHEAD = 7;

  private StreamPayload() {}

  // ---- writing ------------------------------------------------------------------------------

  static void write(RdbWriter out, StreamContent s) {
    List<StreamContent.Node> nodes = new ArrayList<>();
    for (StreamContent.Node n : s.nodes()) {
      // Only a restored payload can have a node of deleted entries alone; it holds nothing.
      if (!n.entries().isEmpty()) {
        nodes.add(n);
      }
    }
    out.type(RdbType.STREAM_LISTPACKS_2);
    out.length(nodes.size());
    for (StreamContent.Node n : nodes) {
      out.string(n.master().encode());
      out.string(listpack(n));
    }
    out.length(s.length());
    id(out, s.lastId());
    id(out, s.firstId());
    id(out, s.maxDeletedId());
    out.length(s.entriesAdded());
    out.length(s.groups().size());
    for (StreamContent.Group g : s.groups()) {
      out.string(g.name());
      id(out, g.lastId());
      out.length(g.entriesRead());
      out.length(g.pending().size());
      Map<ByteBuffer, List<StreamId>> owned = new HashMap<>();
      for (StreamContent.Pending p : g.pending()) {
        out.raw(p.id().encode());
        out.millis(p.deliveryTime());
        out.length(p.deliveryCount());
        owned.computeIfAbsent(ByteBuffer.wrap(p.consumer()), k -> new ArrayList<>()).add(p.id());
      }
      out.length(g.consumers().size());
      for (StreamContent.Consumer c : g.consumers()) {
        out.string(c.name());
        out.millis(c.seenTime());
        List<StreamId> ids = owned.getOrDefault(ByteBuffer.wrap(c.name()), List.of());
        out.length(ids.size());
        for (StreamId id : ids) {
          out.raw(id.encode());
        }
      }
    }
  }

  private static void id(RdbWriter out, StreamId id) {
    out.length(id.ms());
    out.length(id.seq());
  }

  /** A node's listpack as {@code streamAppendItem} leaves it after appending its live entries. */
  static byte[] listpack(StreamContent.Node n) {
    Listpack.Builder lp = new Listpack.Builder();
    byte[][] master = n.masterFields();
    lp.appendInteger(n.entries().size());
    lp.appendInteger(0);
    lp.appendInteger(master.length);
    for (byte[] f : master) {
      lp.append(f);
    }
    lp.appendInteger(0);
    for (StreamContent.Entry e : n.entries()) {
      byte[][] fv = e.fieldsValues();
      int fields = fv.length / 2;
      boolean same = fields == master.length;
      for (int i = 0; same && i < fields; i++) {
        same = Arrays.equals(fv[2 * i], master[i]);
      }
      lp.appendInteger(same ? FLAG_SAMEFIELDS : 0);
      lp.appendInteger(e.id().ms() - n.master().ms());
      lp.appendInteger(e.id().seq() - n.master().seq());
      if (!same) {
        lp.appendInteger(fields);
      }
      for (int i = 0; i < fields; i++) {
        if (!same) {
          lp.append(fv[2 * i]);
        }
        lp.append(fv[2 * i + 1]);
      }
      lp.appendInteger(fields + 3 + (same ? 0 : fields + 1));
    }
    return lp.finish();
  }

  // ---- reading ------------------------------------------------------------------------------

  /** A STREAM_LISTPACKS ({@code v2} false) or STREAM_LISTPACKS_2 value. */
  static StreamContent read(RdbReader in, boolean v2) {
    long listpacks = in.length();
    TreeMap<StreamId, StreamContent.Node> byMaster = new TreeMap<>();
    for (long i = 0; i < listpacks; i++) {
      byte[] key = in.string();
      if (key.length != StreamId.BYTES) {
        throw new CorruptPayload("stream node key of " + key.length + " bytes");
      }
      StreamId master = StreamId.decode(key, 0);
      if (byMaster.put(master, node(master, in.string())) != null) {
        throw new CorruptPayload("stream node " + master + " twice");
      }
    }
    long length = in.unsignedLength();
    StreamId lastId = id(in);
    List<StreamContent.Node> nodes = new ArrayList<>(byMaster.values());
    StreamId firstLive = firstLive(nodes);
    StreamId firstId;
    StreamId maxDeletedId;
    long entriesAdded;
    if (v2) {
      firstId = id(in);
      maxDeletedId = id(in);
      entriesAdded = in.unsignedLength();
    } else {
      // What Redis 7.0 derives for a payload of Redis 6: its streamGetEdgeID finds no entry in
      // an empty stream and answers the greatest ID.
      firstId = firstLive == null ? new StreamId(-1L, -1L) : firstLive;
      maxDeletedId = new StreamId(0, 0);
      entriesAdded = length;
    }
    if (length != 0 && nodes.isEmpty()) {
      throw new CorruptPayload("stream length without nodes");
    }
    checkConsistent(nodes, length, lastId, firstId, firstLive);
    StreamContent stream = new StreamContent(nodes, length, lastId, firstId, maxDeletedId,
        entriesAdded, List.of());
    return new StreamContent(nodes, length, lastId, firstId, maxDeletedId, entriesAdded,
        groups(in, v2, stream));
  }

  private static StreamId id(RdbReader in) {
    long ms = in.unsignedLength();
    return new StreamId(ms, in.unsignedLength());
  }

  private static StreamId firstLive(List<StreamContent.Node> nodes) {
    for (StreamContent.Node n : nodes) {
      if (!n.entries().isEmpty()) {
        return n.entries().get(0).id();
      }
    }
    return null;
  }

  /** What Kvorum's layout needs: nodes apart and in order, and the counters true. */
  private static void checkConsistent(List<StreamContent.Node> nodes, long length,
      StreamId lastId, StreamId firstId, StreamId firstLive) {
    long live = 0;
    StreamId previousLast = null;
    for (StreamContent.Node n : nodes) {
      if (previousLast != null && previousLast.compareTo(n.master()) >= 0) {
        throw new CorruptPayload("stream node " + n.master() + " overlaps the previous node");
      }
      live += n.entries().size();
      previousLast = n.last();
    }
    if (live != length) {
      throw new CorruptPayload("stream length " + length + " but " + live + " entries");
    }
    if (previousLast != null && previousLast.compareTo(lastId) > 0) {
      throw new CorruptPayload("stream entry " + previousLast + " after the last ID " + lastId);
    }
    if (firstLive != null && !firstLive.equals(firstId)) {
      throw new CorruptPayload("stream first ID " + firstId + " but first entry " + firstLive);
    }
  }

  /**
   * One node's listpack, checked as {@code streamValidateListpackIntegrity} checks it with deep
   * sanitization, and further: the count and deleted elements must match the entries' flags, and
   * the entries must rise from the master ID on.
   */
  private static StreamContent.Node node(StreamId master, byte[] lp) {
    List<Listpack.Element> elements = Listpack.elements(lp);
    Elements in = new Elements(elements);
    long count = in.count();
    long deleted = in.count();
    int masterCount = in.count();
    byte[][] masterFields = new byte[masterCount][];
    for (int i = 0; i < masterCount; i++) {
      masterFields[i] = in.next();
    }
    if (in.integer() != 0) {
      throw new CorruptPayload("stream master entry without its terminator");
    }
    if (count + deleted == 0) {
      throw new CorruptPayload("stream node without entries");
    }
    List<StreamContent.Entry> entries = new ArrayList<>();
    long flaggedDeleted = 0;
    StreamId last = null;
    for (long k = 0; k < count + deleted; k++) {
      long flags = in.integer();
      StreamId id = new StreamId(master.ms() + in.integer(), master.seq() + in.integer());
      boolean same = (flags & FLAG_SAMEFIELDS) != 0;
      int fields = same ? masterCount : in.count();
      byte[][] fv = new byte[2 * fields][];
      for (int i = 0; i < fields; i++) {
        fv[2 * i] = same ? masterFields[i] : in.next();
        fv[2 * i + 1] = in.next();
      }
      if (in.integer() != fields + 3 + (same ? 0 : fields + 1)) {
        throw new CorruptPayload("stream entry " + id + " with a wrong element count");
      }
      if (last == null ? id.compareTo(master) < 0 : id.compareTo(last) <= 0) {
        throw new CorruptPayload("stream entry " + id + " out of order");
      }
      last = id;
      if ((flags & FLAG_DELETED) != 0) {
        flaggedDeleted++;
      } else {
        entries.add(new StreamContent.Entry(id, fv));
      }
    }
    if (in.hasNext()) {
      throw new CorruptPayload("stream node with elements after its entries");
    }
    if (entries.size() != count || flaggedDeleted != deleted) {
      throw new CorruptPayload("stream node counts " + count + "/" + deleted + " but entries "
          + entries.size() + "/" + flaggedDeleted);
    }
    long bodyBytes = lp.length - LISTPACK_OVERHEAD - elements.get(0).bytes()
        - elements.get(1).bytes();
    return new StreamContent.Node(master, masterFields, entries, deleted, bodyBytes, last);
  }

  /** The elements of one listpack, read front to back. */
  private static final class Elements {
    private final List<Listpack.Element> elements;
    private int at;

    Elements(List<Listpack.Element> elements) {
      this.elements = elements;
    }

    boolean hasNext() {
      return at < elements.size();
    }

    byte[] next() {
      if (!hasNext()) {
        throw new CorruptPayload("stream listpack ends early");
      }
      return elements.get(at++).value();
    }

    /** {@code lpGetIntegerIfValid}: an integer element, or a string that is one. */
    long integer() {
      Long v = RedisNumbers.parseLongOrNull(next());
      if (v == null) {
        throw new CorruptPayload("stream listpack element is not an integer");
      }
      return v;
    }

    /** A count of elements that follow: not negative, and not more than there are. */
    int count() {
      long v = integer();
      if (v < 0 || v > elements.size()) {
        throw new CorruptPayload("stream listpack count " + v);
      }
      return (int) v;
    }
  }

  private static List<StreamContent.Group> groups(RdbReader in, boolean v2,
      StreamContent stream) {
    long count = in.length();
    List<StreamContent.Group> groups = new ArrayList<>();
    Set<ByteBuffer> names = new HashSet<>();
    for (long i = 0; i < count; i++) {
      byte[] name = in.string();
      StreamId lastId = id(in);
      long entriesRead = v2 ? in.unsignedLength() : stream.entriesReadAt(lastId);
      if (!names.add(ByteBuffer.wrap(name))) {
        throw new CorruptPayload("consumer group twice");
      }
      TreeMap<StreamId, long[]> pel = new TreeMap<>();
      long pelSize = in.length();
      for (long k = 0; k < pelSize; k++) {
        StreamId id = StreamId.decode(in.bytes(StreamId.BYTES), 0);
        long[] nack = {in.millis(), in.unsignedLength()};
        if (pel.put(id, nack) != null) {
          throw new CorruptPayload("pending entry " + id + " twice");
        }
      }
      Map<StreamId, byte[]> owners = new HashMap<>();
      Set<ByteBuffer> consumerNames = new HashSet<>();
      List<StreamContent.Consumer> consumers = new ArrayList<>();
      long consumerCount = in.length();
      for (long k = 0; k < consumerCount; k++) {
        byte[] consumer = in.string();
        if (!consumerNames.add(ByteBuffer.wrap(consumer))) {
          throw new CorruptPayload("consumer twice");
        }
        consumers.add(new StreamContent.Consumer(consumer, in.millis()));
        long owned = in.length();
        for (long j = 0; j < owned; j++) {
          StreamId id = StreamId.decode(in.bytes(StreamId.BYTES), 0);
          if (!pel.containsKey(id)) {
            throw new CorruptPayload("consumer's pending entry " + id + " not in the group's");
          }
          if (owners.put(id, consumer) != null) {
            throw new CorruptPayload("pending entry " + id + " owned twice");
          }
        }
      }
      List<StreamContent.Pending> pending = new ArrayList<>(pel.size());
      for (Map.Entry<StreamId, long[]> e : pel.entrySet()) {
        byte[] owner = owners.get(e.getKey());
        if (owner == null) {
          throw new CorruptPayload("pending entry " + e.getKey() + " without a consumer");
        }
        pending.add(new StreamContent.Pending(e.getKey(), e.getValue()[0], e.getValue()[1],
            owner));
      }
      groups.add(new StreamContent.Group(name, lastId, entriesRead, pending, consumers));
    }
    return groups;
  }
}
