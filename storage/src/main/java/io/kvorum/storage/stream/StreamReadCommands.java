package io.kvorum.storage.stream;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.Blocking;
import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyFinder;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * XREAD and XREADGROUP (Redis 7.0's {@code xreadCommand}).
 *
 * <p><b>BLOCK.</b> Storage never waits. Both commands validate their arguments (the BLOCK timeout
 * included, in milliseconds: {@code ERR timeout is not an integer or out of range}, {@code ERR
 * timeout is negative}) and make one attempt: with something to serve they answer exactly as Redis
 * would; with nothing they answer {@link Reply#NULL_ARRAY}, Redis's reply on timeout. The gateway
 * turns that into waiting when {@link #blockMillis} is not -1, retrying the same command when the
 * keys change, until the timeout (0: forever), and then sends the null array itself. The contract
 * for the retry:
 *
 * <ul>
 *   <li>XREAD with {@code $} means "entries after the last ID at the time of the call". Before the
 *       first attempt the gateway reads {@code kvorum.resolve-blocked} (see {@link
 *       io.kvorum.storage.command.KeyspaceCommandTable#RESOLVE_BLOCKED}), which rewrites the
 *       invocation with {@link #resolveLastIds} in the slot group, and uses the rewritten
 *       arguments for the first attempt and every retry;
 *   <li>XREADGROUP with {@code >} is retried unchanged: {@code >} means "after the group's last
 *       delivered ID", which must be judged at each attempt. XREADGROUP is a write (it moves the
 *       group's last delivered ID and fills the PEL), so each retry is a log entry; an attempt that
 *       serves nothing changes nothing.
 *   <li>A retry ({@link CommandContext#servesBlockedClient()}) treats a key of another type as
 *       Redis 7.0's {@code handleClientsBlockedOnKeys} does: XREAD passes over it and keeps
 *       waiting; XREADGROUP answers {@value #KEY_GONE} when its key is gone or of another type, and
 *       {@value #GROUP_GONE} when the group was destroyed. The first attempt answers WRONGTYPE.
 * </ul>
 */
public final class StreamReadCommands {
  static final String UNBALANCED = "ERR Unbalanced XREAD list of streams: for each stream key an"
      + " ID or '$' must be specified.";
  static final String TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range";
  static final String TIMEOUT_NEGATIVE = "ERR timeout is negative";
  /** What a waiting XREADGROUP gets when its key was deleted or now holds another type. */
  static final String KEY_GONE = "UNBLOCKED the stream key no longer exists";
  /** What a waiting XREADGROUP gets when its group was destroyed. */
  static final String GROUP_GONE =
      "NOGROUP the consumer group this client was blocked on no longer exists";

  private StreamReadCommands() {}

  static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(
            of("xread", -4, "readonly blocking movablekeys", 0, 0, 0,
                "@read @stream @slow @blocking", ""),
            StreamReadCommands::keys, (ctx, args) -> read(ctx, args, false)).blocking(WAIT),
        KeyspaceCommand.of(
            of("xreadgroup", -7, "write blocking movablekeys", 0, 0, 0,
                "@write @stream @slow @blocking", ""),
            StreamReadCommands::keys, (ctx, args) -> read(ctx, args, true)).blocking(WAIT));
  }

  /**
   * Redis's {@code xreadGetKeys}: the keys are the first half of what follows the first STREAMS
   * among the options; none when the invocation is malformed (the command then answers the error).
   */
  static int[] keys(byte[][] args) {
    int streamsPos = -1;
    for (int i = 1; i < args.length; i++) {
      byte[] a = args[i];
      if (Keywords.is(a, "block") || Keywords.is(a, "count")) {
        i++;
      } else if (Keywords.is(a, "group")) {
        i += 2;
      } else if (Keywords.is(a, "noack")) {
        continue;
      } else if (Keywords.is(a, "streams")) {
        streamsPos = i;
        break;
      } else {
        break;
      }
    }
    int num = args.length - streamsPos - 1;
    if (streamsPos == -1 || num == 0 || num % 2 != 0) {
      return KeyFinder.NONE;
    }
    num /= 2;
    int[] idx = new int[num];
    for (int i = 0; i < num; i++) {
      idx[i] = streamsPos + 1 + i;
    }
    return idx;
  }

  /** XREAD/XREADGROUP BLOCK: wait as long as BLOCK says; XREAD's {@code $} is fixed first. */
  static final Blocking WAIT = new Blocking() {
    @Override
    public long timeoutMillis(byte[][] args) {
      long ms = blockMillis(args);
      return ms < 0 ? Blocking.NO_WAIT : ms;
    }

    @Override
    public boolean needsResolve(byte[][] args) {
      if (!Keywords.is(args[0], "xread")) {
        return false;
      }
      int[] keys = keys(args);
      for (int k : keys) {
        if (Keywords.is(args[k + keys.length], "$")) {
          return true;
        }
      }
      return false;
    }

    @Override
    public byte[][] resolve(Keyspace keyspace, byte[][] args) {
      return resolveLastIds(keyspace, args);
    }
  };

  /**
   * The BLOCK timeout of an XREAD or XREADGROUP invocation in milliseconds (0: forever), or -1
   * without BLOCK. Meant for invocations the command already accepted (it answered the null
   * array); an invalid timeout throws Redis's error.
   */
  public static long blockMillis(byte[][] args) {
    long timeout = -1;
    for (int i = 1; i < args.length; i++) {
      int moreArgs = args.length - i - 1;
      if (Keywords.is(args[i], "BLOCK") && moreArgs > 0) {
        timeout = timeout(args[++i]);
      } else if (Keywords.is(args[i], "COUNT") && moreArgs > 0) {
        i++;
      } else if (Keywords.is(args[i], "GROUP") && moreArgs >= 2) {
        i += 2;
      } else if (Keywords.is(args[i], "STREAMS")) {
        break;
      }
    }
    return timeout;
  }

  /**
   * XREAD's arguments with every {@code $} ID replaced by the stream's last ID now (0-0 for a
   * missing key), so a retried XREAD BLOCK still reads only what arrived after the first call. A
   * key holding another type keeps its {@code $}: the XREAD then answers WRONGTYPE itself. Other
   * arguments are returned unchanged, malformed invocations as they are.
   */
  public static byte[][] resolveLastIds(Keyspace keyspace, byte[][] args) {
    byte[][] out = args.clone();
    int[] keys = keys(args);
    if (keys.length == 0 || !Keywords.is(args[0], "xread")) {
      return out;
    }
    for (int k : keys) {
      int idIndex = k + keys.length;
      if (!Keywords.is(args[idIndex], "$")) {
        continue;
      }
      StoredStream s;
      try {
        s = StoredStream.find(keyspace, args[k]);
      } catch (RedisError wrongType) {
        continue;
      }
      StreamId last = s == null ? StreamId.MIN : s.lastId;
      out[idIndex] = last.toString().getBytes(StandardCharsets.US_ASCII);
    }
    return out;
  }

  /** A BLOCK timeout in milliseconds (Redis's getTimeoutFromObjectOrReply, UNIT_MILLISECONDS). */
  static long timeout(byte[] arg) {
    Long v = RedisNumbers.parseLongOrNull(arg);
    if (v == null) {
      throw new RedisError(TIMEOUT_NOT_INTEGER);
    }
    if (v < 0) {
      throw new RedisError(TIMEOUT_NEGATIVE);
    }
    return v;
  }

  /** XREAD and XREADGROUP. */
  static Reply read(CommandContext ctx, byte[][] args, boolean xreadgroup) {
    long count = 0;
    int streamsArg = 0;
    int streamsCount = 0;
    boolean noack = false;
    byte[] groupName = null;
    byte[] consumerName = null;
    for (int i = 1; i < args.length; i++) {
      int moreArgs = args.length - i - 1;
      byte[] o = args[i];
      if (Keywords.is(o, "BLOCK") && moreArgs > 0) {
        timeout(args[++i]);
      } else if (Keywords.is(o, "COUNT") && moreArgs > 0) {
        count = RedisNumbers.parseLong(args[++i]);
        if (count < 0) {
          count = 0;
        }
      } else if (Keywords.is(o, "STREAMS") && moreArgs > 0) {
        streamsArg = i + 1;
        streamsCount = args.length - streamsArg;
        if (streamsCount % 2 != 0) {
          throw new RedisError(UNBALANCED);
        }
        streamsCount /= 2;
        break;
      } else if (Keywords.is(o, "GROUP") && moreArgs >= 2) {
        if (!xreadgroup) {
          throw new RedisError("ERR The GROUP option is only supported by XREADGROUP. You called"
              + " XREAD instead.");
        }
        groupName = args[i + 1];
        consumerName = args[i + 2];
        i += 2;
      } else if (Keywords.is(o, "NOACK")) {
        if (!xreadgroup) {
          throw new RedisError("ERR The NOACK option is only supported by XREADGROUP. You called"
              + " XREAD instead.");
        }
        noack = true;
      } else {
        throw RedisError.syntax();
      }
    }
    if (streamsArg == 0) {
      throw RedisError.syntax();
    }
    if (xreadgroup && groupName == null) {
      throw new RedisError("ERR Missing GROUP option for XREADGROUP");
    }

    // One StoredStream (and group) per distinct key: a key named twice sees its own updates.
    Map<String, StoredStream> streams = new HashMap<>();
    Map<String, StoredStream.Group> groups = new HashMap<>();
    StreamId[] ids = new StreamId[streamsCount];
    for (int i = 0; i < streamsCount; i++) {
      byte[] key = args[streamsArg + i];
      byte[] idArg = args[streamsArg + streamsCount + i];
      String name = new String(key, StandardCharsets.ISO_8859_1);
      StoredStream s;
      if (streams.containsKey(name)) {
        s = streams.get(name);
      } else if (ctx.skipsForBlockedClient(key, RedisType.STREAM)) {
        // Redis serves stream waiters only from streams: XREAD keeps waiting, XREADGROUP is
        // told at once (blocked.c unblockDeletedStreamReadgroupClients).
        if (groupName != null) {
          throw new RedisError(KEY_GONE);
        }
        s = null;
      } else {
        s = StoredStream.find(ctx.keyspace(), key);
      }
      streams.put(name, s);
      if (groupName != null) {
        StoredStream.Group g = groups.get(name);
        if (g == null && s != null) {
          g = s.group(groupName);
        }
        if (g == null && ctx.servesBlockedClient()) {
          throw new RedisError(s == null ? KEY_GONE : GROUP_GONE);
        }
        if (g == null) {
          throw new RedisError("NOGROUP No such key '" + Keywords.cString(key) + "' or consumer"
              + " group '" + Keywords.cString(groupName) + "' in XREADGROUP with GROUP option");
        }
        groups.put(name, g);
      }
      if (Keywords.is(idArg, "$")) {
        if (xreadgroup) {
          throw new RedisError("ERR The $ ID is meaningless in the context of XREADGROUP: you want"
              + " to read the history of this consumer by specifying a proper ID, or use the > ID"
              + " to get new messages. The $ ID would just return an empty result set.");
        }
        ids[i] = s != null ? s.lastId : StreamId.MIN;
        continue;
      } else if (Keywords.is(idArg, ">")) {
        if (!xreadgroup) {
          throw new RedisError("ERR The > ID can be specified only when calling XREADGROUP using"
              + " the GROUP <group> <consumer> option.");
        }
        ids[i] = StreamId.MAX;
        continue;
      }
      ids[i] = StreamId.parse(idArg, 0, true);
    }

    long now = ctx.now();
    List<Reply> served = new ArrayList<>();
    for (int i = 0; i < streamsCount; i++) {
      byte[] key = args[streamsArg + i];
      String name = new String(key, StandardCharsets.ISO_8859_1);
      StoredStream s = streams.get(name);
      if (s == null) {
        continue;
      }
      StoredStream.Group g = groups.get(name);
      StreamId gt = ids[i];
      boolean serve = false;
      boolean history = false;
      if (g != null) {
        if (!gt.isMax()) {
          serve = true;
          history = true;
        } else if (s.length > 0 && s.lastLiveId().compareTo(g.lastId) > 0) {
          serve = true;
          gt = g.lastId;
        }
      } else if (s.length > 0 && s.lastLiveId().compareTo(gt) > 0) {
        serve = true;
      }
      if (!serve) {
        continue;
      }
      StreamId start = gt.next();
      if (start == null) {
        start = StreamId.MIN;
      }
      Reply entries;
      if (g == null) {
        entries = StreamCommands.entries(s.range(start, StreamId.MAX, count, false));
      } else {
        StoredStream.Consumer consumer = s.touchConsumer(g, consumerName, now);
        entries = history
            ? history(s, g, consumer, start, count, now)
            : deliver(s, g, consumer, start, count, noack, now);
        s.saveGroup(g);
        s.saveIfChanged();
      }
      served.add(Reply.bulk(key));
      served.add(entries);
    }
    if (served.isEmpty()) {
      return Reply.NULL_ARRAY;
    }
    if (ctx.resp3()) {
      return new Reply.MapReply(served);
    }
    List<Reply> pairs = new ArrayList<>(served.size() / 2);
    for (int i = 0; i < served.size(); i += 2) {
      pairs.add(Reply.array(served.get(i), served.get(i + 1)));
    }
    return Reply.array(pairs);
  }

  /**
   * New entries for a group (Redis's streamReplyWithRange with a group): the group's last
   * delivered ID and read counter advance, and unless NOACK each entry becomes pending for the
   * consumer, taken from another consumer if it was pending there (after XGROUP SETID).
   */
  private static Reply deliver(StoredStream s, StoredStream.Group g,
      StoredStream.Consumer consumer, StreamId start, long count, boolean noack, long now) {
    List<StoredStream.Entry> entries = s.range(start, StreamId.MAX, count, false);
    List<Reply> out = new ArrayList<>(entries.size());
    for (StoredStream.Entry e : entries) {
      StreamId id = e.id();
      if (id.compareTo(g.lastId) > 0) {
        if (g.entriesRead != -1 && !s.rangeHasTombstones(id)) {
          g.entriesRead++;
        } else if (s.entriesAdded != 0) {
          g.entriesRead = s.entriesReadAt(id);
        }
        g.lastId = id;
      }
      out.add(StreamCommands.entry(e));
      if (!noack) {
        StoredStream.Nack n = s.nack(g, id);
        if (n == null) {
          s.addNack(g, new StoredStream.Nack(id, now, 1, consumer.name), consumer);
        } else {
          n.deliveryTime = now;
          n.deliveryCount = 1;
          if (Arrays.equals(n.consumer, consumer.name)) {
            s.putNack(g, n);
          } else {
            s.moveNack(g, n, consumer);
          }
        }
      }
    }
    return Reply.array(out);
  }

  /**
   * The consumer's own pending entries from {@code start} (Redis's
   * streamReplyWithRangeFromConsumerPEL): each delivered again (time, count), and an entry that was
   * deleted meanwhile shown as its ID with a null.
   */
  private static Reply history(StoredStream s, StoredStream.Group g,
      StoredStream.Consumer consumer, StreamId start, long count, long now) {
    List<StreamId> ids = s.consumerPending(g, consumer.name, start, StreamId.MAX, count);
    List<Reply> out = new ArrayList<>(ids.size());
    for (StreamId id : ids) {
      StoredStream.Entry e = s.entry(id);
      if (e == null) {
        out.add(Reply.array(id.reply(), Reply.NULL_ARRAY));
        continue;
      }
      out.add(StreamCommands.entry(e));
      StoredStream.Nack n = s.nack(g, id);
      n.deliveryTime = now;
      n.deliveryCount++;
      s.putNack(g, n);
    }
    return Reply.array(out);
  }
}
