package io.kvorum.storage.stream;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Consumer groups: XGROUP (a container as in Redis 7.0), XACK, XPENDING, XCLAIM and XAUTOCLAIM.
 * Delivery and idle times use the command context's clock: the leader's clock for writes (carried
 * in the log entry), the serving node's clock for XPENDING's idle times.
 */
public final class ConsumerGroupCommands {
  static final String KEY_REQUIRED = "ERR The XGROUP subcommand requires the key to exist. Note"
      + " that for CREATE you may want to use the MKSTREAM option to create an empty stream"
      + " automatically.";
  static final String ENTRIES_READ_RANGE = "ERR value for ENTRIESREAD must be positive or -1";
  /**
   * XAUTOCLAIM's COUNT ceiling: Redis allocates 16 bytes per COUNT up front and answers "COUNT too
   * high" when that fails; on 64-bit Linux that happens beyond the 47-bit address space, so
   * Kvorum (which allocates nothing per COUNT) refuses from 2^43 on.
   */
  static final long AUTOCLAIM_MAX_ALLOCATABLE_COUNT = 1L << 43;
  /** Redis's getRangeLongFromObjectOrReply bound for XAUTOCLAIM's COUNT: LONG_MAX / 16. */
  static final long AUTOCLAIM_MAX_COUNT = Long.MAX_VALUE / 16;

  private static final List<String> HELP = List.of(
      "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CREATE <key> <groupname> <id|$> [option]",
      "    Create a new consumer group. Options are:",
      "    * MKSTREAM",
      "      Create the empty stream if it does not exist.",
      "    * ENTRIESREAD entries_read",
      "      Set the group's entries_read counter (internal use).",
      "CREATECONSUMER <key> <groupname> <consumer>",
      "    Create a new consumer in the specified group.",
      "DELCONSUMER <key> <groupname> <consumer>",
      "    Remove the specified consumer.",
      "DESTROY <key> <groupname>",
      "    Remove the specified group.",
      "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
      "    Set the current group ID and entries_read counter.",
      "HELP",
      "    Prints this help.");

  private ConsumerGroupCommands() {}

  static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("xgroup", -2, "", 0, 0, 0, "@slow", ""), null),
        KeyspaceCommand.of(of("xgroup|help", 2, "loading stale", 0, 0, 0, "@stream @slow", ""),
            (ctx, args) -> help(HELP)),
        KeyspaceCommand.of(
            of("xgroup|create", -5, "write denyoom", 2, 2, 1, "@write @stream @slow", ""),
            ConsumerGroupCommands::xgroup),
        KeyspaceCommand.of(of("xgroup|setid", -5, "write", 2, 2, 1, "@write @stream @slow", ""),
            ConsumerGroupCommands::xgroup),
        KeyspaceCommand.of(of("xgroup|destroy", 4, "write", 2, 2, 1, "@write @stream @slow", ""),
            ConsumerGroupCommands::xgroup),
        KeyspaceCommand.of(
            of("xgroup|createconsumer", 5, "write denyoom", 2, 2, 1, "@write @stream @slow", ""),
            ConsumerGroupCommands::xgroup),
        KeyspaceCommand.of(
            of("xgroup|delconsumer", 5, "write", 2, 2, 1, "@write @stream @slow", ""),
            ConsumerGroupCommands::xgroup),
        KeyspaceCommand.of(of("xack", -4, "write fast", 1, 1, 1, "@write @stream @fast", ""),
            ConsumerGroupCommands::xack),
        KeyspaceCommand.of(
            of("xpending", -3, "readonly", 1, 1, 1, "@read @stream @slow",
                "nondeterministic_output"),
            ConsumerGroupCommands::xpending),
        KeyspaceCommand.of(
            of("xclaim", -6, "write fast", 1, 1, 1, "@write @stream @fast",
                "nondeterministic_output"),
            ConsumerGroupCommands::xclaim),
        KeyspaceCommand.of(
            of("xautoclaim", -6, "write fast", 1, 1, 1, "@write @stream @fast",
                "nondeterministic_output"),
            ConsumerGroupCommands::xautoclaim));
  }

  static Reply help(List<String> lines) {
    return Reply.statusLines(lines);
  }

  /** Redis's addReplySubcommandSyntaxError. */
  static RedisError subcommandSyntax(byte[][] args) {
    return new RedisError("ERR unknown subcommand or wrong number of arguments for '"
        + Keywords.cString(args[1], 128) + "'. Try " + Keywords.upper(args[0]) + " HELP.");
  }

  /**
   * Every XGROUP subcommand but HELP, in Redis 7.0's one function: options first (CREATE's
   * MKSTREAM and ENTRIESREAD, SETID's ENTRIESREAD), then the key (it must exist unless CREATE …
   * MKSTREAM), then the group (SETID, CREATECONSUMER and DELCONSUMER need it), then the
   * subcommand's own argument count and arguments.
   */
  static Reply xgroup(CommandContext ctx, byte[][] args) {
    byte[] opt = args[1];
    boolean create = Keywords.is(opt, "CREATE");
    boolean setid = Keywords.is(opt, "SETID");
    boolean mkstream = false;
    long entriesRead = -1;
    if (args.length >= 6 && (create || setid)) {
      for (int i = 5; i < args.length; ) {
        if (create && Keywords.is(args[i], "MKSTREAM")) {
          mkstream = true;
          i++;
        } else if (Keywords.is(args[i], "ENTRIESREAD") && i + 1 < args.length) {
          entriesRead = RedisNumbers.parseLong(args[i + 1]);
          if (entriesRead < 0 && entriesRead != -1) {
            throw new RedisError(ENTRIES_READ_RANGE);
          }
          i += 2;
        } else {
          throw subcommandSyntax(args);
        }
      }
    }
    StoredStream s = StoredStream.find(ctx.keyspace(), args[2]);
    byte[] groupName = args[3];
    if (s == null && !mkstream) {
      throw new RedisError(KEY_REQUIRED);
    }
    StoredStream.Group g = s == null ? null : s.group(groupName);
    boolean needsGroup = setid || Keywords.is(opt, "CREATECONSUMER")
        || Keywords.is(opt, "DELCONSUMER");
    if (g == null && needsGroup) {
      throw new RedisError("NOGROUP No such consumer group '" + Keywords.cString(groupName)
          + "' for key name '" + Keywords.cString(args[2]) + "'");
    }
    if (create && args.length >= 5 && args.length <= 8) {
      StreamId id;
      if (Keywords.is(args[4], "$")) {
        id = s != null ? s.lastId : StreamId.MIN;
      } else {
        id = StreamId.parse(args[4], 0, true);
      }
      if (s == null) {
        s = StoredStream.create(ctx.keyspace(), args[2]);
      }
      if (s.createGroup(groupName, id, entriesRead) == null) {
        s.saveIfChanged();
        throw new RedisError("BUSYGROUP Consumer Group name already exists");
      }
      s.save();
      return Reply.OK;
    } else if (setid && (args.length == 5 || args.length == 7)) {
      StreamId id = Keywords.is(args[4], "$") ? s.lastId : StreamId.parse(args[4], 0, false);
      g.lastId = id;
      g.entriesRead = entriesRead;
      s.saveGroup(g);
      return Reply.OK;
    } else if (Keywords.is(opt, "DESTROY") && args.length == 4) {
      if (g == null) {
        return Reply.ZERO;
      }
      s.destroyGroup(g);
      s.save();
      return Reply.ONE;
    } else if (Keywords.is(opt, "CREATECONSUMER") && args.length == 5) {
      if (s.consumer(g, args[4]) != null) {
        return Reply.ZERO;
      }
      s.createConsumer(g, args[4], ctx.now());
      s.saveGroup(g);
      s.save();
      return Reply.ONE;
    } else if (Keywords.is(opt, "DELCONSUMER") && args.length == 5) {
      StoredStream.Consumer c = s.consumer(g, args[4]);
      if (c == null) {
        return Reply.ZERO;
      }
      long pending = s.deleteConsumer(g, c);
      s.saveGroup(g);
      s.save();
      return Reply.integer(pending);
    }
    throw subcommandSyntax(args);
  }

  /** XACK key group id…: how many of the IDs were pending (and are not any more). */
  static Reply xack(CommandContext ctx, byte[][] args) {
    StoredStream s = StoredStream.find(ctx.keyspace(), args[1]);
    StoredStream.Group g = s == null ? null : s.group(args[2]);
    if (g == null) {
      return Reply.ZERO;
    }
    StreamId[] ids = new StreamId[args.length - 3];
    for (int j = 3; j < args.length; j++) {
      ids[j - 3] = StreamId.parse(args[j], 0, true);
    }
    long acknowledged = 0;
    for (StreamId id : ids) {
      StoredStream.Nack n = s.nack(g, id);
      if (n != null) {
        s.deleteNack(g, n);
        acknowledged++;
      }
    }
    if (acknowledged > 0) {
      s.saveGroup(g);
      s.save();
    }
    return Reply.integer(acknowledged);
  }

  /**
   * XPENDING key group [[IDLE min-idle] start end count [consumer]]: the summary, or the pending
   * entries with their idle times (now minus the last delivery, at least 0).
   */
  static Reply xpending(CommandContext ctx, byte[][] args) {
    boolean summary = args.length == 3;
    long count = 0;
    long minIdle = 0;
    StreamId start = StreamId.MIN;
    StreamId end = StreamId.MAX;
    byte[] consumerName = null;
    if (args.length != 3 && (args.length < 6 || args.length > 9)) {
      throw RedisError.syntax();
    }
    if (args.length >= 6) {
      int startIdx = 3;
      if (Keywords.is(args[3], "IDLE")) {
        minIdle = RedisNumbers.parseLong(args[4]);
        if (args.length < 8) {
          throw RedisError.syntax();
        }
        startIdx += 2;
      }
      count = RedisNumbers.parseLong(args[startIdx + 2]);
      if (count < 0) {
        count = 0;
      }
      StreamId.Bound sb = StreamId.Bound.parse(args[startIdx], 0);
      start = sb.id();
      if (sb.exclusive()) {
        start = start.next();
        if (start == null) {
          throw new RedisError("ERR invalid start ID for the interval");
        }
      }
      StreamId.Bound eb = StreamId.Bound.parse(args[startIdx + 1], -1L);
      end = eb.id();
      if (eb.exclusive()) {
        end = end.previous();
        if (end == null) {
          throw new RedisError("ERR invalid end ID for the interval");
        }
      }
      if (startIdx + 3 < args.length) {
        consumerName = args[startIdx + 3];
      }
    }
    StoredStream s = StoredStream.find(ctx.keyspace(), args[1]);
    StoredStream.Group g = s == null ? null : s.group(args[2]);
    if (g == null) {
      throw noGroup(args);
    }
    if (summary) {
      if (g.pelCount == 0) {
        return Reply.array(Reply.ZERO, Reply.NULL, Reply.NULL, Reply.NULL_ARRAY);
      }
      StreamId first = s.pending(g, StreamId.MIN, StreamId.MAX, 1).get(0).id;
      StreamId last = s.lastPending(g).id;
      List<Reply> consumers = new ArrayList<>();
      for (StoredStream.Consumer c : s.consumers(g)) {
        if (c.pelCount > 0) {
          consumers.add(Reply.array(Reply.bulk(c.name),
              Reply.bulk(RedisNumbers.toBytes(c.pelCount))));
        }
      }
      return Reply.array(Reply.integer(g.pelCount), first.reply(), last.reply(),
          Reply.array(consumers));
    }
    List<Reply> out = new ArrayList<>();
    if (count == 0) {
      return Reply.array(out);
    }
    long now = ctx.now();
    long wanted = count;
    long idleFloor = minIdle;
    if (consumerName != null) {
      StoredStream.Consumer c = s.consumer(g, consumerName);
      if (c == null) {
        return Reply.EMPTY_ARRAY;
      }
      List<StreamId> ids = new ArrayList<>();
      s.forEachConsumerPending(g, consumerName, start, end, id -> {
        ids.add(id);
        return idleFloor != 0 || ids.size() < wanted;
      });
      for (StreamId id : ids) {
        StoredStream.Nack n = s.nack(g, id);
        if (pendingLine(out, n, now, idleFloor) && out.size() == wanted) {
          break;
        }
      }
    } else {
      s.forEachPending(g, start, end, n -> !pendingLine(out, n, now, idleFloor)
          || out.size() < wanted);
    }
    return Reply.array(out);
  }

  /** Adds XPENDING's line for one entry unless it is less idle than asked; true when added. */
  private static boolean pendingLine(List<Reply> out, StoredStream.Nack n, long now,
      long minIdle) {
    if (minIdle != 0 && now - n.deliveryTime < minIdle) {
      return false;
    }
    out.add(Reply.array(n.id.reply(), Reply.bulk(n.consumer),
        Reply.integer(Math.max(0, now - n.deliveryTime)), Reply.integer(n.deliveryCount)));
    return true;
  }

  private static RedisError noGroup(byte[][] args) {
    return new RedisError("NOGROUP No such key '" + Keywords.cString(args[1])
        + "' or consumer group '" + Keywords.cString(args[2]) + "'");
  }

  /**
   * XCLAIM key group consumer min-idle-time id… [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE]
   * [JUSTID] [LASTID id]: the IDs run up to the first argument that is not one; an entry that no
   * longer exists leaves the PEL and the reply.
   */
  static Reply xclaim(CommandContext ctx, byte[][] args) {
    StoredStream s = StoredStream.find(ctx.keyspace(), args[1]);
    StoredStream.Group g = s == null ? null : s.group(args[2]);
    if (g == null) {
      throw noGroup(args);
    }
    long minIdle = parseLong(args[4], "ERR Invalid min-idle-time argument for XCLAIM");
    if (minIdle < 0) {
      minIdle = 0;
    }
    int j = 5;
    while (j < args.length && StreamId.parseOrNull(args[j], 0, true) != null) {
      j++;
    }
    int lastIdArg = j - 1;
    long now = ctx.now();
    long retryCount = -1;
    long deliveryTime = -1;
    boolean force = false;
    boolean justId = false;
    StreamId lastId = null;
    for (; j < args.length; j++) {
      int moreArgs = args.length - 1 - j;
      byte[] opt = args[j];
      if (Keywords.is(opt, "FORCE")) {
        force = true;
      } else if (Keywords.is(opt, "JUSTID")) {
        justId = true;
      } else if (Keywords.is(opt, "IDLE") && moreArgs > 0) {
        deliveryTime = now - parseLong(args[++j], "ERR Invalid IDLE option argument for XCLAIM");
      } else if (Keywords.is(opt, "TIME") && moreArgs > 0) {
        deliveryTime = parseLong(args[++j], "ERR Invalid TIME option argument for XCLAIM");
      } else if (Keywords.is(opt, "RETRYCOUNT") && moreArgs > 0) {
        retryCount = parseLong(args[++j], "ERR Invalid RETRYCOUNT option argument for XCLAIM");
      } else if (Keywords.is(opt, "LASTID") && moreArgs > 0) {
        lastId = StreamId.parse(args[++j], 0, true);
      } else {
        throw new RedisError("ERR Unrecognized XCLAIM option '" + Keywords.cString(opt) + "'");
      }
    }
    if (lastId != null && lastId.compareTo(g.lastId) > 0) {
      g.lastId = lastId;
    }
    if (deliveryTime != -1) {
      if (deliveryTime < 0 || deliveryTime > now) {
        deliveryTime = now;
      }
    } else {
      deliveryTime = now;
    }
    StoredStream.Consumer consumer = null;
    List<Reply> out = new ArrayList<>();
    for (int k = 5; k <= lastIdArg; k++) {
      StreamId id = StreamId.parse(args[k], 0, true);
      StoredStream.Nack n = s.nack(g, id);
      StoredStream.Entry e = s.entry(id);
      if (e == null) {
        if (n != null) {
          s.deleteNack(g, n);
        }
        continue;
      }
      boolean created = false;
      if (force && n == null) {
        n = new StoredStream.Nack(id, now, 1, null);
        created = true;
      }
      if (n == null) {
        continue;
      }
      if (!created && minIdle != 0 && now - n.deliveryTime < minIdle) {
        continue;
      }
      if (consumer == null) {
        consumer = s.touchConsumer(g, args[3], now);
      }
      n.deliveryTime = deliveryTime;
      if (retryCount >= 0) {
        n.deliveryCount = retryCount;
      } else if (!justId) {
        n.deliveryCount++;
      }
      if (created) {
        n.consumer = consumer.name;
        s.addNack(g, n, consumer);
      } else if (!Arrays.equals(n.consumer, consumer.name)) {
        s.moveNack(g, n, consumer);
      } else {
        s.putNack(g, n);
      }
      out.add(justId ? id.reply() : StreamCommands.entry(e));
    }
    s.saveGroup(g);
    s.saveIfChanged();
    return Reply.array(out);
  }

  /**
   * XAUTOCLAIM key group consumer min-idle-time start [COUNT n] [JUSTID]: claims up to COUNT
   * entries idle long enough, looking at no more than 10 × COUNT; entries that no longer exist
   * leave the PEL. Answers Redis 7.0's three elements: the next start (0-0 when the PEL was walked
   * to its end), the claimed entries, the IDs removed as deleted.
   */
  static Reply xautoclaim(CommandContext ctx, byte[][] args) {
    long minIdle = parseLong(args[4], "ERR Invalid min-idle-time argument for XAUTOCLAIM");
    if (minIdle < 0) {
      minIdle = 0;
    }
    StreamId.Bound sb = StreamId.Bound.parse(args[5], 0);
    StreamId start = sb.id();
    if (sb.exclusive()) {
      start = start.next();
      if (start == null) {
        throw new RedisError("ERR invalid start ID for the interval");
      }
    }
    long count = 100;
    boolean justId = false;
    for (int j = 6; j < args.length; j++) {
      int moreArgs = args.length - 1 - j;
      if (Keywords.is(args[j], "COUNT") && moreArgs > 0) {
        Long v = RedisNumbers.parseLongOrNull(args[j + 1]);
        if (v == null || v < 1 || v > AUTOCLAIM_MAX_COUNT) {
          throw new RedisError("ERR COUNT must be > 0");
        }
        count = v;
        j++;
      } else if (Keywords.is(args[j], "JUSTID")) {
        justId = true;
      } else {
        throw RedisError.syntax();
      }
    }
    StoredStream s = StoredStream.find(ctx.keyspace(), args[1]);
    StoredStream.Group g = s == null ? null : s.group(args[2]);
    if (g == null) {
      throw noGroup(args);
    }
    if (count >= AUTOCLAIM_MAX_ALLOCATABLE_COUNT) {
      throw new RedisError(
          "ERR Insufficient memory, failed allocating transient memory, COUNT too high.");
    }
    long attempts = count * 10;
    long now = ctx.now();
    StoredStream.Consumer consumer = null;
    List<Reply> claimed = new ArrayList<>();
    List<Reply> deleted = new ArrayList<>();
    // Read the candidates first (no cursor may stay open while the PEL changes): at most
    // attempts + 1 of them, the last one being the cursor for the next call.
    List<StoredStream.Nack> candidates = s.pending(g, start, StreamId.MAX, attempts + 1);
    int i = 0;
    while (attempts-- > 0 && count > 0 && i < candidates.size()) {
      StoredStream.Nack n = candidates.get(i++);
      StoredStream.Entry e = s.entry(n.id);
      if (e == null) {
        s.deleteNack(g, n);
        deleted.add(n.id.reply());
        count--;
        continue;
      }
      if (minIdle != 0 && now - n.deliveryTime < minIdle) {
        continue;
      }
      if (consumer == null) {
        consumer = s.touchConsumer(g, args[3], now);
      }
      n.deliveryTime = now;
      if (!justId) {
        n.deliveryCount++;
      }
      if (!Arrays.equals(n.consumer, consumer.name)) {
        s.moveNack(g, n, consumer);
      } else {
        s.putNack(g, n);
      }
      claimed.add(justId ? n.id.reply() : StreamCommands.entry(e));
      count--;
    }
    Reply next = i < candidates.size() ? candidates.get(i).id.reply() : StreamId.MIN.reply();
    s.saveGroup(g);
    s.saveIfChanged();
    return Reply.array(next, Reply.array(claimed), Reply.array(deleted));
  }

  private static long parseLong(byte[] arg, String error) {
    Long v = RedisNumbers.parseLongOrNull(arg);
    if (v == null) {
      throw new RedisError(error);
    }
    return v;
  }
}
