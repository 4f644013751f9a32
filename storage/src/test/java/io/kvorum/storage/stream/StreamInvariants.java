package io.kvorum.storage.stream;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.engine.Bytes;
import io.kvorum.storage.engine.Column;
import io.kvorum.storage.engine.DataView;
import io.kvorum.storage.keyspace.KeyCodec;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A test-only read command, {@code test.streamcheck key}, that walks a stream's raw sub-keys (in
 * the layout {@link StoredStream} documents) and answers {@code +OK} or an error naming the first
 * broken invariant: the metadata's sub-key count, length, node count, head and tail nodes and
 * first ID agree with what is stored; every entry lies in the node it names, whose live count
 * matches; every
 * group's and consumer's counters match their pending entries, which exist in both PEL indexes.
 */
public final class StreamInvariants {
  private StreamInvariants() {}

  /** The {@code test.streamcheck} command. */
  public static KeyspaceCommand command() {
    return KeyspaceCommand.of(of("test.streamcheck", 2, "readonly", 1, 1, 1, "", ""),
        StreamInvariants::check);
  }

  /**
   * The {@code test.streamnodes key} command: Kvorum's model of each listpack node (master ID,
   * live and deleted entries, body bytes, last ID, master fields), one line per node.
   */
  public static KeyspaceCommand nodes() {
    return KeyspaceCommand.of(of("test.streamnodes", 2, "readonly", 1, 1, 1, "", ""),
        (ctx, args) -> {
          StoredStream s = StoredStream.find(ctx.keyspace(), args[1]);
          List<Reply> out = new ArrayList<>();
          for (StreamId id : s == null ? List.<StreamId>of() : s.nodeIds()) {
            StreamNode n = s.nodeAt(id);
            List<String> fields = new ArrayList<>();
            for (byte[] f : n.masterFields()) {
              fields.add(hex(f));
            }
            out.add(Reply.bulk(id + " live " + n.live() + " deleted " + n.deleted() + " body "
                + n.bodyBytes() + " last " + n.last() + " fields " + fields));
          }
          return Reply.array(out);
        });
  }

  private static Reply check(CommandContext ctx, byte[][] args) {
    KeyMeta meta = ctx.keyspace().lookup(args[1]);
    if (meta == null || meta.type() != RedisType.STREAM) {
      return Reply.OK;
    }
    StreamMeta m = StreamMeta.decode(meta.tail());
    byte[] prefix = KeyCodec.subKeyPrefix(args[1], meta.version());
    int p = prefix.length;
    long subKeys = 0;
    TreeMap<StreamId, StreamNode> nodes = new TreeMap<>();
    List<StreamId> entries = new ArrayList<>();
    List<StreamId> entryNodes = new ArrayList<>();
    Map<String, long[]> groups = new HashMap<>();
    Map<String, long[]> consumers = new HashMap<>();
    Map<String, Long> pelPerGroup = new HashMap<>();
    Map<String, Long> indexPerConsumer = new HashMap<>();
    List<byte[][]> pel = new ArrayList<>();
    List<String> index = new ArrayList<>();
    try (DataView.Cursor c = ctx.keyspace().data().scan(Column.DATA, prefix,
        Bytes.prefixEnd(prefix), false)) {
      for (; c.valid(); c.next()) {
        subKeys++;
        byte[] k = c.key();
        byte[] v = c.value();
        switch (k[p]) {
          case 1 -> {
            StreamId id = StreamId.decode(k, p + 1);
            nodes.put(id, StreamNode.decode(id, v));
          }
          case 2 -> {
            entries.add(StreamId.decode(k, p + 1));
            entryNodes.add(StreamId.decode(v, 0));
          }
          case 3 -> groups.put(hex(Arrays.copyOfRange(k, p + 1, k.length)),
              new long[] {Bytes.getLong(v, 24), Bytes.getLong(v, 32)});
          case 4 -> {
            int gl = Bytes.getInt(k, p + 1);
            String g = hex(Arrays.copyOfRange(k, p + 5, p + 5 + gl));
            String name = hex(Arrays.copyOfRange(k, p + 5 + gl, k.length));
            consumers.put(g + "/" + name, new long[] {Bytes.getLong(v, 8)});
          }
          case 5 -> {
            int gl = Bytes.getInt(k, p + 1);
            String g = hex(Arrays.copyOfRange(k, p + 5, p + 5 + gl));
            pelPerGroup.merge(g, 1L, Long::sum);
            StreamId id = StreamId.decode(k, p + 5 + gl);
            pel.add(new byte[][] {g.getBytes(), Arrays.copyOfRange(v, 16, v.length),
                id.toString().getBytes()});
          }
          case 6 -> {
            int gl = Bytes.getInt(k, p + 1);
            String g = hex(Arrays.copyOfRange(k, p + 5, p + 5 + gl));
            int cl = Bytes.getInt(k, p + 5 + gl);
            String name = hex(Arrays.copyOfRange(k, p + 9 + gl, p + 9 + gl + cl));
            indexPerConsumer.merge(g + "/" + name, 1L, Long::sum);
            index.add(g + "/" + name + "/" + StreamId.decode(k, p + 9 + gl + cl));
          }
          default -> {
            return Reply.error("ERR unknown sub-key tag " + k[p]);
          }
        }
      }
    }
    if (subKeys != meta.size()) {
      return Reply.error("ERR size " + meta.size() + " but " + subKeys + " sub-keys");
    }
    if (entries.size() != m.length()) {
      return Reply.error("ERR length " + m.length() + " but " + entries.size() + " entries");
    }
    if (nodes.size() != m.nodes()) {
      return Reply.error("ERR nodes " + m.nodes() + " but " + nodes.size());
    }
    if (!nodes.isEmpty() && (!nodes.firstKey().equals(m.headNode())
        || !nodes.lastKey().equals(m.tailNode()))) {
      return Reply.error("ERR head/tail node " + m.headNode() + "/" + m.tailNode() + " but "
          + nodes.firstKey() + "/" + nodes.lastKey());
    }
    StreamId first = entries.isEmpty() ? StreamId.MIN : entries.get(0);
    // An empty stream restored from a Redis 6 payload records the greatest ID, as in Redis 7.0.
    if (!first.equals(m.firstId()) && !(entries.isEmpty() && m.firstId().isMax())) {
      return Reply.error("ERR first id " + m.firstId() + " but " + first);
    }
    Map<StreamId, Long> livePerNode = new HashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      StreamId e = entries.get(i);
      Map.Entry<StreamId, StreamNode> n = nodes.floorEntry(e);
      if (n == null || e.compareTo(n.getValue().last()) > 0) {
        return Reply.error("ERR entry " + e + " outside every node");
      }
      if (!n.getKey().equals(entryNodes.get(i))) {
        return Reply.error("ERR entry " + e + " names node " + entryNodes.get(i) + " but lies in "
            + n.getKey());
      }
      livePerNode.merge(n.getKey(), 1L, Long::sum);
      if (e.compareTo(m.lastId()) > 0) {
        return Reply.error("ERR entry " + e + " after last id " + m.lastId());
      }
    }
    for (StreamNode n : nodes.values()) {
      if (livePerNode.getOrDefault(n.master(), 0L) != n.live()) {
        return Reply.error("ERR node " + n.master() + " live " + n.live() + " but "
            + livePerNode.getOrDefault(n.master(), 0L));
      }
      if (n.live() + n.deleted() > StoredStream.NODE_MAX_ENTRIES) {
        return Reply.error("ERR node " + n.master() + " too many entries");
      }
    }
    if (groups.size() != m.groups()) {
      return Reply.error("ERR groups " + m.groups() + " but " + groups.size());
    }
    for (Map.Entry<String, long[]> g : groups.entrySet()) {
      long pels = pelPerGroup.getOrDefault(g.getKey(), 0L);
      if (pels != g.getValue()[0]) {
        return Reply.error("ERR group pel count " + g.getValue()[0] + " but " + pels);
      }
      long cs = consumers.keySet().stream().filter(k -> k.startsWith(g.getKey() + "/")).count();
      if (cs != g.getValue()[1]) {
        return Reply.error("ERR group consumer count " + g.getValue()[1] + " but " + cs);
      }
    }
    for (Map.Entry<String, long[]> c : consumers.entrySet()) {
      long n = indexPerConsumer.getOrDefault(c.getKey(), 0L);
      if (n != c.getValue()[0]) {
        return Reply.error("ERR consumer " + c.getKey() + " pel count " + c.getValue()[0]
            + " but " + n);
      }
    }
    for (String c : indexPerConsumer.keySet()) {
      if (!consumers.containsKey(c)) {
        return Reply.error("ERR consumer index entries of a missing consumer " + c);
      }
    }
    for (byte[][] e : pel) {
      if (!groups.containsKey(new String(e[0]))) {
        return Reply.error("ERR pending entry of a missing group");
      }
    }
    if (pel.size() != index.size()) {
      return Reply.error("ERR " + pel.size() + " pending entries but " + index.size()
          + " consumer index entries");
    }
    for (byte[][] e : pel) {
      String key = new String(e[0]) + "/" + hex(e[1]) + "/" + new String(e[2]);
      if (!index.contains(key)) {
        return Reply.error("ERR pending entry without consumer index: " + key);
      }
    }
    return Reply.OK;
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) {
      s.append(String.format("%02x", x));
    }
    return s.toString();
  }
}
