package io.kvorum.storage.stream;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.List;

/**
 * XINFO STREAM [FULL [COUNT n]], XINFO GROUPS and XINFO CONSUMERS, with Redis 7.0's fields (no
 * 7.2 {@code active-time}/{@code inactive}). {@code radix-tree-keys} is the number of listpack
 * nodes Redis would have ({@link StreamNode}); {@code radix-tree-nodes} the node count of Redis's
 * radix tree over those nodes' 16-byte keys ({@link #raxNodes}).
 */
public final class StreamInfoCommands {
  private static final List<String> HELP = List.of(
      "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CONSUMERS <key> <groupname>",
      "    Show consumers of <groupname>.",
      "GROUPS <key>",
      "    Show the stream consumer groups.",
      "STREAM <key> [FULL [COUNT <count>]",
      "    Show information about the stream.",
      "HELP",
      "    Prints this help.");

  private StreamInfoCommands() {}

  static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("xinfo", -2, "", 0, 0, 0, "@slow", ""), null),
        KeyspaceCommand.of(of("xinfo|help", 2, "loading stale", 0, 0, 0, "@stream @slow", ""),
            (ctx, args) -> ConsumerGroupCommands.help(HELP)),
        KeyspaceCommand.of(of("xinfo|stream", -3, "readonly", 2, 2, 1, "@read @stream @slow", ""),
            StreamInfoCommands::stream),
        KeyspaceCommand.of(of("xinfo|groups", 3, "readonly", 2, 2, 1, "@read @stream @slow", ""),
            StreamInfoCommands::groups),
        KeyspaceCommand.of(
            of("xinfo|consumers", 4, "readonly", 2, 2, 1, "@read @stream @slow",
                "nondeterministic_output"),
            StreamInfoCommands::consumers));
  }

  private static StoredStream existing(CommandContext ctx, byte[] key) {
    StoredStream s = StoredStream.find(ctx.keyspace(), key);
    if (s == null) {
      throw new RedisError(RedisError.NO_SUCH_KEY);
    }
    return s;
  }

  static Reply consumers(CommandContext ctx, byte[][] args) {
    StoredStream s = existing(ctx, args[2]);
    StoredStream.Group g = s.group(args[3]);
    if (g == null) {
      throw new RedisError("NOGROUP No such consumer group '" + Keywords.cString(args[3])
          + "' for key name '" + Keywords.cString(args[2]) + "'");
    }
    long now = ctx.now();
    List<Reply> out = new ArrayList<>();
    for (StoredStream.Consumer c : s.consumers(g)) {
      out.add(new Reply.MapReply(List.of(
          Reply.bulk("name"), Reply.bulk(c.name),
          Reply.bulk("pending"), Reply.integer(c.pelCount),
          Reply.bulk("idle"), Reply.integer(Math.max(0, now - c.seenTime)))));
    }
    return Reply.array(out);
  }

  static Reply groups(CommandContext ctx, byte[][] args) {
    StoredStream s = existing(ctx, args[2]);
    List<Reply> out = new ArrayList<>();
    for (StoredStream.Group g : s.groups()) {
      out.add(new Reply.MapReply(List.of(
          Reply.bulk("name"), Reply.bulk(g.name),
          Reply.bulk("consumers"), Reply.integer(g.consumerCount),
          Reply.bulk("pending"), Reply.integer(g.pelCount),
          Reply.bulk("last-delivered-id"), g.lastId.reply(),
          Reply.bulk("entries-read"), g.entriesRead == -1 ? Reply.NULL
              : Reply.integer(g.entriesRead),
          Reply.bulk("lag"), lag(s, g))));
    }
    return Reply.array(out);
  }

  private static Reply lag(StoredStream s, StoredStream.Group g) {
    Long lag = s.lag(g);
    return lag == null ? Reply.NULL : Reply.integer(lag);
  }

  /** XINFO STREAM key [FULL [COUNT count]] (COUNT defaults to 10, 0 means everything). */
  static Reply stream(CommandContext ctx, byte[][] args) {
    StoredStream s = existing(ctx, args[2]);
    boolean full = true;
    long count = 10;
    int extra = args.length - 3;
    if (extra == 0) {
      full = false;
    } else if (extra == 1 || extra == 3) {
      if (!Keywords.is(args[3], "FULL")) {
        throw ConsumerGroupCommands.subcommandSyntax(args);
      }
      if (extra == 3) {
        if (!Keywords.is(args[4], "COUNT")) {
          throw ConsumerGroupCommands.subcommandSyntax(args);
        }
        count = RedisNumbers.parseLong(args[5]);
        if (count < 0) {
          count = 10;
        }
      }
    } else {
      throw ConsumerGroupCommands.subcommandSyntax(args);
    }
    List<Reply> m = new ArrayList<>();
    m.add(Reply.bulk("length"));
    m.add(Reply.integer(s.length));
    m.add(Reply.bulk("radix-tree-keys"));
    m.add(Reply.integer(s.nodes));
    m.add(Reply.bulk("radix-tree-nodes"));
    m.add(Reply.integer(raxNodes(s.nodeIds())));
    m.add(Reply.bulk("last-generated-id"));
    m.add(s.lastId.reply());
    m.add(Reply.bulk("max-deleted-entry-id"));
    m.add(s.maxDeletedId.reply());
    m.add(Reply.bulk("entries-added"));
    m.add(Reply.integer(s.entriesAdded));
    m.add(Reply.bulk("recorded-first-entry-id"));
    m.add(s.firstId.reply());
    if (!full) {
      m.add(Reply.bulk("groups"));
      m.add(Reply.integer(s.groups));
      List<StoredStream.Entry> first = s.range(StreamId.MIN, StreamId.MAX, 1, false);
      List<StoredStream.Entry> last = s.range(StreamId.MIN, StreamId.MAX, 1, true);
      m.add(Reply.bulk("first-entry"));
      m.add(first.isEmpty() ? Reply.NULL : StreamCommands.entry(first.get(0)));
      m.add(Reply.bulk("last-entry"));
      m.add(last.isEmpty() ? Reply.NULL : StreamCommands.entry(last.get(0)));
      return new Reply.MapReply(m);
    }
    m.add(Reply.bulk("entries"));
    m.add(StreamCommands.entries(s.range(StreamId.MIN, StreamId.MAX, count, false)));
    m.add(Reply.bulk("groups"));
    List<Reply> groups = new ArrayList<>();
    for (StoredStream.Group g : s.groups()) {
      List<Reply> pel = new ArrayList<>();
      for (StoredStream.Nack n : s.pending(g, StreamId.MIN, StreamId.MAX, count)) {
        pel.add(Reply.array(n.id.reply(), Reply.bulk(n.consumer), Reply.integer(n.deliveryTime),
            Reply.integer(n.deliveryCount)));
      }
      List<Reply> consumers = new ArrayList<>();
      for (StoredStream.Consumer c : s.consumers(g)) {
        List<Reply> cpel = new ArrayList<>();
        for (StreamId id : s.consumerPending(g, c.name, StreamId.MIN, StreamId.MAX, count)) {
          StoredStream.Nack n = s.nack(g, id);
          cpel.add(Reply.array(id.reply(), Reply.integer(n.deliveryTime),
              Reply.integer(n.deliveryCount)));
        }
        consumers.add(new Reply.MapReply(List.of(
            Reply.bulk("name"), Reply.bulk(c.name),
            Reply.bulk("seen-time"), Reply.integer(c.seenTime),
            Reply.bulk("pel-count"), Reply.integer(c.pelCount),
            Reply.bulk("pending"), Reply.array(cpel))));
      }
      groups.add(new Reply.MapReply(List.of(
          Reply.bulk("name"), Reply.bulk(g.name),
          Reply.bulk("last-delivered-id"), g.lastId.reply(),
          Reply.bulk("entries-read"), g.entriesRead == -1 ? Reply.NULL
              : Reply.integer(g.entriesRead),
          Reply.bulk("lag"), lag(s, g),
          Reply.bulk("pel-count"), Reply.integer(g.pelCount),
          Reply.bulk("pending"), Reply.array(pel),
          Reply.bulk("consumers"), Reply.array(consumers))));
    }
    m.add(Reply.array(groups));
    return new Reply.MapReply(m);
  }

  /**
   * The number of nodes of Redis's radix tree ({@code rax}) holding these 16-byte keys, sorted
   * ascending: the head node, one node per compressed run of shared bytes, one per branching
   * point, one per leaf. An empty tree is its head alone.
   */
  static long raxNodes(List<StreamId> sortedKeys) {
    if (sortedKeys.isEmpty()) {
      return 1;
    }
    byte[][] keys = new byte[sortedKeys.size()][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = sortedKeys.get(i).encode();
    }
    return nodesBelow(keys, 0, keys.length, 0);
  }

  /** Nodes of the subtree at depth {@code depth} holding keys[from, to) (which share that prefix). */
  private static long nodesBelow(byte[][] keys, int from, int to, int depth) {
    int width = StreamId.BYTES;
    if (depth == width) {
      return 1;
    }
    if (to - from == 1) {
      // The rest of the key is one compressed node, then the leaf.
      return 2;
    }
    int common = depth;
    while (common < width && keys[from][common] == keys[to - 1][common]) {
      common++;
    }
    if (common > depth) {
      return 1 + nodesBelow(keys, from, to, common);
    }
    long n = 1;
    int i = from;
    while (i < to) {
      int j = i + 1;
      while (j < to && keys[j][depth] == keys[i][depth]) {
        j++;
      }
      n += nodesBelow(keys, i, j, depth + 1);
      i = j;
    }
    return n;
  }
}
