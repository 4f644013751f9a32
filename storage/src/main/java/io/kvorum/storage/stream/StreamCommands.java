package io.kvorum.storage.stream;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.keyspace.KeyspaceEvent;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The stream commands of Redis 7.0, one table entry each with Redis's arity, flags, key positions,
 * ACL categories and tips; this class holds the entry commands (XADD, XRANGE, XREVRANGE, XLEN,
 * XDEL, XTRIM, XSETID), {@link StreamReadCommands} XREAD and XREADGROUP, {@link
 * ConsumerGroupCommands} the consumer groups, {@link StreamInfoCommands} XINFO. Replies, errors and
 * the order of checks follow Redis 7.0.15's {@code t_stream.c}. Storage: {@link StoredStream}.
 *
 * <p>Time comes from the command context only (the leader's clock carried in the log entry), so
 * XADD {@code *}, delivery times and idle times are the same on every replica.
 */
public final class StreamCommands {
  static final String TOO_LARGE = "ERR Elements are too large to be stored";

  private StreamCommands() {}

  /**
   * Whether an entry whose fields and values add up to {@code totalBytes} is refused: Redis 7.0
   * refuses more than STREAM_LISTPACK_MAX_SIZE (1 GiB), what one listpack can address.
   */
  static boolean tooLarge(long totalBytes) {
    return totalBytes > StoredStream.MAX_ENTRY_BYTES;
  }

  /** Every stream command (containers XGROUP and XINFO with their subcommands). */
  public static List<KeyspaceCommand> table() {
    List<KeyspaceCommand> t = new ArrayList<>(List.of(
        KeyspaceCommand.of(
            of("xadd", -5, "write denyoom fast", 1, 1, 1, "@write @stream @fast",
                "nondeterministic_output"),
            StreamCommands::xadd),
        KeyspaceCommand.of(of("xrange", -4, "readonly", 1, 1, 1, "@read @stream @slow", ""),
            (ctx, args) -> range(ctx, args, false)),
        KeyspaceCommand.of(of("xrevrange", -4, "readonly", 1, 1, 1, "@read @stream @slow", ""),
            (ctx, args) -> range(ctx, args, true)),
        KeyspaceCommand.of(of("xlen", 2, "readonly fast", 1, 1, 1, "@read @stream @fast", ""),
            StreamCommands::xlen),
        KeyspaceCommand.of(of("xdel", -3, "write fast", 1, 1, 1, "@write @stream @fast", ""),
            StreamCommands::xdel),
        KeyspaceCommand.of(
            of("xtrim", -4, "write", 1, 1, 1, "@write @stream @slow", "nondeterministic_output"),
            StreamCommands::xtrim),
        KeyspaceCommand.of(
            of("xsetid", -3, "write denyoom fast", 1, 1, 1, "@write @stream @fast", ""),
            StreamCommands::xsetid)));
    t.addAll(StreamReadCommands.table());
    t.addAll(ConsumerGroupCommands.table());
    t.addAll(StreamInfoCommands.table());
    return t;
  }

  /**
   * XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value …: the
   * new entry's ID. The stream is created first (as Redis does), so an entry refused as too large
   * still leaves an empty stream behind.
   */
  static Reply xadd(CommandContext ctx, byte[][] args) {
    TrimArgs a = TrimArgs.parse(args, true);
    int fieldPos = a.idIndex() + 1;
    int pairs = args.length - fieldPos;
    if (pairs < 2 || pairs % 2 == 1) {
      throw new RedisError("ERR wrong number of arguments for 'xadd' command");
    }
    if (a.id() != null && a.seqGiven() && a.id().isZero()) {
      throw new RedisError("ERR The ID specified in XADD must be greater than 0-0");
    }
    StoredStream s = StoredStream.find(ctx.keyspace(), args[1]);
    if (s == null) {
      if (a.noMkStream()) {
        return Reply.NULL;
      }
      s = StoredStream.create(ctx.keyspace(), args[1]);
    }
    if (s.lastId.isMax()) {
      throw new RedisError(
          "ERR The stream has exhausted the last possible ID, unable to add more items");
    }
    byte[][] fieldsValues = Arrays.copyOfRange(args, fieldPos, args.length);
    long total = 0;
    for (byte[] b : fieldsValues) {
      total += b.length;
    }
    if (tooLarge(total)) {
      s.saveIfChanged();
      throw new RedisError(TOO_LARGE);
    }
    StreamId id;
    if (a.id() == null) {
      id = Long.compareUnsigned(ctx.now(), s.lastId.ms()) > 0
          ? new StreamId(ctx.now(), 0)
          : s.lastId.next();
    } else if (a.seqGiven()) {
      id = a.id();
    } else if (s.lastId.ms() == a.id().ms()) {
      if (s.lastId.seq() == -1L) {
        // Redis 7.0 reports this sequence overflow with the size error (errno is not EDOM).
        s.saveIfChanged();
        throw new RedisError(TOO_LARGE);
      }
      id = s.lastId.next();
    } else {
      id = a.id();
    }
    if (id.compareTo(s.lastId) <= 0) {
      s.saveIfChanged();
      throw new RedisError(
          "ERR The ID specified in XADD is equal or smaller than the target stream top item");
    }
    s.append(id, fieldsValues);
    long trimmed = s.trim(a);
    s.save();
    ctx.keyspace().notifyCreated(args[1]);
    ctx.keyspace().notify(KeyspaceEvent.STREAM, "xadd", args[1]);
    if (trimmed > 0) {
      ctx.keyspace().notify(KeyspaceEvent.STREAM, "xtrim", args[1]);
    }
    return id.reply();
  }

  /** XRANGE key start end [COUNT n] and XREVRANGE key end start [COUNT n]. */
  static Reply range(CommandContext ctx, byte[][] args, boolean reverse) {
    byte[] startArg = reverse ? args[3] : args[2];
    byte[] endArg = reverse ? args[2] : args[3];
    StreamId.Bound sb = StreamId.Bound.parse(startArg, 0);
    StreamId start = sb.id();
    if (sb.exclusive()) {
      start = start.next();
      if (start == null) {
        throw new RedisError("ERR invalid start ID for the interval");
      }
    }
    StreamId.Bound eb = StreamId.Bound.parse(endArg, -1L);
    StreamId end = eb.id();
    if (eb.exclusive()) {
      end = end.previous();
      if (end == null) {
        throw new RedisError("ERR invalid end ID for the interval");
      }
    }
    long count = -1;
    for (int j = 4; j < args.length; j++) {
      int additional = args.length - j - 1;
      if (Keywords.is(args[j], "COUNT") && additional >= 1) {
        count = RedisNumbers.parseLong(args[j + 1]);
        if (count < 0) {
          count = 0;
        }
        j++;
      } else {
        throw RedisError.syntax();
      }
    }
    StoredStream s = StoredStream.find(ctx.keyspace(), args[1]);
    if (s == null) {
      return Reply.EMPTY_ARRAY;
    }
    if (count == 0) {
      return Reply.NULL_ARRAY;
    }
    return entries(s.range(start, end, count == -1 ? 0 : count, reverse));
  }

  static Reply xlen(CommandContext ctx, byte[][] args) {
    StoredStream s = StoredStream.find(ctx.keyspace(), args[1]);
    return s == null ? Reply.ZERO : Reply.integer(s.length);
  }

  /** XDEL key id…: IDs are checked only once the key is known to be a stream, as in Redis. */
  static Reply xdel(CommandContext ctx, byte[][] args) {
    StoredStream s = StoredStream.find(ctx.keyspace(), args[1]);
    if (s == null) {
      return Reply.ZERO;
    }
    StreamId[] ids = new StreamId[args.length - 2];
    for (int j = 2; j < args.length; j++) {
      ids[j - 2] = StreamId.parse(args[j], 0, true);
    }
    long deleted = 0;
    boolean firstEntry = false;
    for (StreamId id : ids) {
      if (s.delete(id)) {
        if (id.equals(s.firstId)) {
          firstEntry = true;
        }
        if (id.compareTo(s.maxDeletedId) > 0) {
          s.maxDeletedId = id;
        }
        deleted++;
      }
    }
    if (deleted > 0) {
      if (s.length == 0) {
        s.firstId = StreamId.MIN;
      } else if (firstEntry) {
        s.refreshFirstId();
      }
      s.save();
    }
    return Reply.integer(deleted);
  }

  /** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]: the number of entries removed. */
  static Reply xtrim(CommandContext ctx, byte[][] args) {
    TrimArgs a = TrimArgs.parse(args, false);
    StoredStream s = StoredStream.find(ctx.keyspace(), args[1]);
    if (s == null) {
      return Reply.ZERO;
    }
    long deleted = s.trim(a);
    if (deleted > 0) {
      s.save();
    }
    return Reply.integer(deleted);
  }

  /** XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]. */
  static Reply xsetid(CommandContext ctx, byte[][] args) {
    StreamId id = StreamId.parse(args[2], 0, true);
    long entriesAdded = -1;
    StreamId maxDeleted = StreamId.MIN;
    for (int i = 3; i < args.length; ) {
      int moreArgs = args.length - 1 - i;
      if (Keywords.is(args[i], "ENTRIESADDED") && moreArgs > 0) {
        entriesAdded = RedisNumbers.parseLong(args[i + 1]);
        if (entriesAdded < 0) {
          throw new RedisError("ERR entries_added must be positive");
        }
        i += 2;
      } else if (Keywords.is(args[i], "MAXDELETEDID") && moreArgs > 0) {
        maxDeleted = StreamId.parse(args[i + 1], 0, true);
        if (id.compareTo(maxDeleted) < 0) {
          throw new RedisError("ERR The ID specified in XSETID is smaller than the provided"
              + " max_deleted_entry_id");
        }
        i += 2;
      } else {
        throw RedisError.syntax();
      }
    }
    StoredStream s = StoredStream.find(ctx.keyspace(), args[1]);
    if (s == null) {
      throw new RedisError(RedisError.NO_SUCH_KEY);
    }
    if (s.length > 0) {
      if (id.compareTo(s.lastLiveId()) < 0) {
        throw new RedisError(
            "ERR The ID specified in XSETID is smaller than the target stream top item");
      }
      if (entriesAdded != -1 && s.length > entriesAdded) {
        throw new RedisError("ERR The entries_added specified in XSETID is smaller than the target"
            + " stream length");
      }
    }
    s.lastId = id;
    if (entriesAdded != -1) {
      s.entriesAdded = entriesAdded;
    }
    if (!maxDeleted.isZero()) {
      s.maxDeletedId = maxDeleted;
    }
    s.save();
    return Reply.OK;
  }

  /** One entry as Redis sends it: {@code [id, [field, value, …]]}. */
  static Reply entry(StoredStream.Entry e) {
    List<Reply> fv = new ArrayList<>(e.fieldsValues().length);
    for (byte[] b : e.fieldsValues()) {
      fv.add(Reply.bulk(b));
    }
    return Reply.array(e.id().reply(), Reply.array(fv));
  }

  static Reply entries(List<StoredStream.Entry> list) {
    List<Reply> out = new ArrayList<>(list.size());
    for (StoredStream.Entry e : list) {
      out.add(entry(e));
    }
    return Reply.array(out);
  }
}
