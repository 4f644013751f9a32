package io.kvorum.storage.list;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyFinder;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The list commands of Redis 7.0, one table entry each with Redis's arity, flags, key positions
 * and ACL categories. Replies, errors and the order in which arguments and keys are checked follow
 * Redis 7.0.15 ({@code t_list.c}).
 *
 * <p>The blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) validate their arguments and
 * timeout like Redis and then make one non-blocking attempt: with an element available they pop
 * (and move) exactly as Redis would; with none they answer {@link Reply#NULL_ARRAY}, Redis's reply
 * on timeout, which the gateway turns into waiting ({@link BlockingTimeout#RULE}). Repeated for a
 * blocked client ({@link CommandContext#servesBlockedClient()}), they pass over keys of another
 * type as Redis does, instead of answering WRONGTYPE.
 */
public final class ListCommands {
  private static final String COUNT_NOT_POSITIVE = "ERR value is out of range, must be positive";
  private static final String RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first"
      + " match, 2 from the second ... or use negative to start from the end of the list";

  private ListCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("lpush", -3, "write denyoom fast", 1, 1, 1, "@write @list @fast", ""),
            (ctx, args) -> push(ctx, args, ListEnd.LEFT, false)),
        KeyspaceCommand.of(of("rpush", -3, "write denyoom fast", 1, 1, 1, "@write @list @fast", ""),
            (ctx, args) -> push(ctx, args, ListEnd.RIGHT, false)),
        KeyspaceCommand.of(
            of("lpushx", -3, "write denyoom fast", 1, 1, 1, "@write @list @fast", ""),
            (ctx, args) -> push(ctx, args, ListEnd.LEFT, true)),
        KeyspaceCommand.of(
            of("rpushx", -3, "write denyoom fast", 1, 1, 1, "@write @list @fast", ""),
            (ctx, args) -> push(ctx, args, ListEnd.RIGHT, true)),
        KeyspaceCommand.of(of("lpop", -2, "write fast", 1, 1, 1, "@write @list @fast", ""),
            (ctx, args) -> pop(ctx, args, ListEnd.LEFT)),
        KeyspaceCommand.of(of("rpop", -2, "write fast", 1, 1, 1, "@write @list @fast", ""),
            (ctx, args) -> pop(ctx, args, ListEnd.RIGHT)),
        KeyspaceCommand.of(of("llen", 2, "readonly fast", 1, 1, 1, "@read @list @fast", ""),
            ListCommands::llen),
        KeyspaceCommand.of(of("lrange", 4, "readonly", 1, 1, 1, "@read @list @slow", ""),
            ListCommands::lrange),
        KeyspaceCommand.of(of("lindex", 3, "readonly", 1, 1, 1, "@read @list @slow", ""),
            ListCommands::lindex),
        KeyspaceCommand.of(of("lset", 4, "write denyoom", 1, 1, 1, "@write @list @slow", ""),
            ListCommands::lset),
        KeyspaceCommand.of(of("linsert", 5, "write denyoom", 1, 1, 1, "@write @list @slow", ""),
            ListCommands::linsert),
        KeyspaceCommand.of(of("lrem", 4, "write", 1, 1, 1, "@write @list @slow", ""),
            ListCommands::lrem),
        KeyspaceCommand.of(of("ltrim", 4, "write", 1, 1, 1, "@write @list @slow", ""),
            ListCommands::ltrim),
        KeyspaceCommand.of(of("lpos", -3, "readonly", 1, 1, 1, "@read @list @slow", ""),
            ListCommands::lpos),
        KeyspaceCommand.of(of("lmove", 5, "write denyoom", 1, 2, 1, "@write @list @slow", ""),
            (ctx, args) -> move(ctx, args[1], args[2], ListEnd.parse(args[3]),
                ListEnd.parse(args[4]))),
        KeyspaceCommand.of(of("rpoplpush", 3, "write denyoom", 1, 2, 1, "@write @list @slow", ""),
            (ctx, args) -> move(ctx, args[1], args[2], ListEnd.RIGHT, ListEnd.LEFT)),
        KeyspaceCommand.of(
            of("lmpop", -4, "write movablekeys", 0, 0, 0, "@write @list @slow", ""),
            numKeys(1), (ctx, args) -> mpop(ctx, args, 1, false)),
        KeyspaceCommand.of(
            of("blpop", -3, "write noscript blocking", 1, -2, 1,
                "@write @list @slow @blocking", ""),
            (ctx, args) -> blockingPop(ctx, args, ListEnd.LEFT)).blocking(BlockingTimeout.RULE),
        KeyspaceCommand.of(
            of("brpop", -3, "write noscript blocking", 1, -2, 1,
                "@write @list @slow @blocking", ""),
            (ctx, args) -> blockingPop(ctx, args, ListEnd.RIGHT)).blocking(BlockingTimeout.RULE),
        KeyspaceCommand.of(
            of("blmove", 6, "write denyoom noscript blocking", 1, 2, 1,
                "@write @list @slow @blocking", ""),
            ListCommands::blmove).blocking(BlockingTimeout.RULE),
        KeyspaceCommand.of(
            of("brpoplpush", 4, "write denyoom noscript blocking", 1, 2, 1,
                "@write @list @slow @blocking", ""),
            ListCommands::brpoplpush).blocking(BlockingTimeout.RULE),
        KeyspaceCommand.of(
            of("blmpop", -5, "write blocking movablekeys", 0, 0, 0,
                "@write @list @slow @blocking", ""),
            numKeys(2), (ctx, args) -> mpop(ctx, args, 2, true)).blocking(BlockingTimeout.RULE));
  }

  /** LPUSH, RPUSH, and with {@code onlyExisting} LPUSHX, RPUSHX: the length after the push. */
  static Reply push(CommandContext ctx, byte[][] args, ListEnd end, boolean onlyExisting) {
    Keyspace ks = ctx.keyspace();
    StoredList list =
        onlyExisting ? StoredList.find(ks, args[1]) : StoredList.findOrCreate(ks, args[1]);
    if (list == null) {
      return Reply.ZERO;
    }
    for (int j = 2; j < args.length; j++) {
      list.push(end, args[j]);
    }
    list.save();
    return Reply.integer(list.size());
  }

  /** LPOP and RPOP key [count]: a bulk string without count, an array with it. */
  static Reply pop(CommandContext ctx, byte[][] args, ListEnd end) {
    if (args.length > 3) {
      throw new RedisError("ERR wrong number of arguments for '"
          + (end == ListEnd.LEFT ? "lpop" : "rpop") + "' command");
    }
    boolean hasCount = args.length == 3;
    long count = hasCount ? nonNegative(args[2], COUNT_NOT_POSITIVE) : 0;
    StoredList list = StoredList.find(ctx.keyspace(), args[1]);
    if (list == null) {
      return hasCount ? Reply.NULL_ARRAY : Reply.NULL;
    }
    if (hasCount && count == 0) {
      return Reply.EMPTY_ARRAY;
    }
    List<byte[]> values = list.pop(end, hasCount ? count : 1);
    list.save();
    return hasCount ? bulks(values) : Reply.bulk(values.get(0));
  }

  static Reply llen(CommandContext ctx, byte[][] args) {
    StoredList list = StoredList.find(ctx.keyspace(), args[1]);
    return list == null ? Reply.ZERO : Reply.integer(list.size());
  }

  /** LRANGE key start stop, with Redis's clamping of out-of-range indexes. */
  static Reply lrange(CommandContext ctx, byte[][] args) {
    long start = RedisNumbers.parseLong(args[2]);
    long end = RedisNumbers.parseLong(args[3]);
    StoredList list = StoredList.find(ctx.keyspace(), args[1]);
    if (list == null) {
      return Reply.EMPTY_ARRAY;
    }
    long size = list.size();
    if (start < 0) {
      start = size + start;
    }
    if (end < 0) {
      end = size + end;
    }
    if (start < 0) {
      start = 0;
    }
    if (start > end || start >= size) {
      return Reply.EMPTY_ARRAY;
    }
    if (end >= size) {
      end = size - 1;
    }
    return bulks(list.range(start, end - start + 1));
  }

  /** LINDEX key index: the key is looked up before the index is parsed, as in Redis. */
  static Reply lindex(CommandContext ctx, byte[][] args) {
    StoredList list = StoredList.find(ctx.keyspace(), args[1]);
    if (list == null) {
      return Reply.NULL;
    }
    return Reply.bulkOrNull(list.get(RedisNumbers.parseLong(args[2])));
  }

  static Reply lset(CommandContext ctx, byte[][] args) {
    StoredList list = StoredList.find(ctx.keyspace(), args[1]);
    if (list == null) {
      throw new RedisError(RedisError.NO_SUCH_KEY);
    }
    if (!list.set(RedisNumbers.parseLong(args[2]), args[3])) {
      throw new RedisError("ERR index out of range");
    }
    list.save();
    return Reply.OK;
  }

  /** LINSERT key BEFORE|AFTER pivot element: the new length, -1 without pivot, 0 without key. */
  static Reply linsert(CommandContext ctx, byte[][] args) {
    boolean after;
    if (Keywords.is(args[2], "after")) {
      after = true;
    } else if (Keywords.is(args[2], "before")) {
      after = false;
    } else {
      throw RedisError.syntax();
    }
    StoredList list = StoredList.find(ctx.keyspace(), args[1]);
    if (list == null) {
      return Reply.ZERO;
    }
    byte[] pivot = args[3];
    long[] found = {-1};
    list.walk(0, list.size(), false, (i, v) -> {
      if (Arrays.equals(v, pivot)) {
        found[0] = i;
        return false;
      }
      return true;
    });
    if (found[0] < 0) {
      return Reply.integer(-1);
    }
    list.insert(after ? found[0] + 1 : found[0], args[4]);
    list.save();
    return Reply.integer(list.size());
  }

  /**
   * LREM key count element: count > 0 removes the first matches from the head, count < 0 from the
   * tail, 0 all of them. The list is compacted by moving the shorter side (see {@link StoredList}).
   */
  static Reply lrem(CommandContext ctx, byte[][] args) {
    long toRemove = RedisNumbers.parseLong(args[2]);
    StoredList list = StoredList.find(ctx.keyspace(), args[1]);
    if (list == null) {
      return Reply.ZERO;
    }
    boolean fromTail = toRemove < 0;
    // Redis negates with C's wrap-around: -LONG_MIN stays negative and never equals a count.
    long limit = fromTail ? -toRemove : toRemove;
    byte[] element = args[3];
    long size = list.size();
    MatchIndexes matches = new MatchIndexes();
    list.walk(fromTail ? size - 1 : 0, size, fromTail, (i, v) -> {
      if (Arrays.equals(v, element)) {
        matches.add(i);
        return limit == 0 || matches.count() != limit;
      }
      return true;
    });
    if (matches.count() == 0) {
      return Reply.ZERO;
    }
    list.removeAll(matches.ascending(fromTail));
    list.save();
    return Reply.integer(matches.count());
  }

  /** LTRIM key start stop: keeps the range, deletes the key when nothing remains. */
  static Reply ltrim(CommandContext ctx, byte[][] args) {
    long start = RedisNumbers.parseLong(args[2]);
    long end = RedisNumbers.parseLong(args[3]);
    StoredList list = StoredList.find(ctx.keyspace(), args[1]);
    if (list == null) {
      return Reply.OK;
    }
    long size = list.size();
    if (start < 0) {
      start = size + start;
    }
    if (end < 0) {
      end = size + end;
    }
    if (start < 0) {
      start = 0;
    }
    if (start > end || start >= size) {
      list.trim(0, 0);
    } else {
      if (end >= size) {
        end = size - 1;
      }
      list.trim(start, end - start + 1);
    }
    list.save();
    return Reply.OK;
  }

  /** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
  static Reply lpos(CommandContext ctx, byte[][] args) {
    long rank = 1;
    long count = -1;
    long maxlen = 0;
    for (int j = 3; j < args.length; j++) {
      boolean moreArgs = args.length - 1 - j > 0;
      if (Keywords.is(args[j], "RANK") && moreArgs) {
        rank = RedisNumbers.parseLong(args[++j]);
        if (rank == 0) {
          throw new RedisError(RANK_ZERO);
        }
      } else if (Keywords.is(args[j], "COUNT") && moreArgs) {
        count = nonNegative(args[++j], "ERR COUNT can't be negative");
      } else if (Keywords.is(args[j], "MAXLEN") && moreArgs) {
        maxlen = nonNegative(args[++j], "ERR MAXLEN can't be negative");
      } else {
        throw RedisError.syntax();
      }
    }
    boolean fromTail = rank < 0;
    // As in Redis, -LONG_MIN wraps to itself: every match then counts as "at or past the rank".
    long wanted = fromTail ? -rank : rank;
    StoredList list = StoredList.find(ctx.keyspace(), args[1]);
    if (list == null) {
      return count != -1 ? Reply.EMPTY_ARRAY : Reply.NULL;
    }
    byte[] element = args[2];
    long size = list.size();
    long limit = maxlen == 0 ? size : Math.min(maxlen, size);
    long wantedCount = count;
    List<Reply> positions = new ArrayList<>();
    long[] state = {0, -1}; // matches so far, index of the match that ended the walk
    list.walk(fromTail ? size - 1 : 0, limit, fromTail, (i, v) -> {
      if (!Arrays.equals(v, element)) {
        return true;
      }
      long matches = ++state[0];
      if (matches < wanted) {
        return true;
      }
      if (wantedCount == -1) {
        state[1] = i;
        return false;
      }
      positions.add(Reply.integer(i));
      return wantedCount == 0 || matches - wanted + 1 < wantedCount;
    });
    if (count != -1) {
      return Reply.array(positions);
    }
    return state[1] >= 0 ? Reply.integer(state[1]) : Reply.NULL;
  }

  /**
   * LMOVE and RPOPLPUSH: pops from {@code src} and pushes onto {@code dst}, answering the element.
   * A missing source answers nil before the destination is looked at; a destination of another
   * type answers WRONGTYPE before anything changes. With {@code src == dst} the list rotates.
   */
  static Reply move(CommandContext ctx, byte[] src, byte[] dst, ListEnd from, ListEnd to) {
    Keyspace ks = ctx.keyspace();
    StoredList source = StoredList.find(ks, src);
    if (source == null) {
      return Reply.NULL;
    }
    if (Arrays.equals(src, dst)) {
      byte[] value = source.pop(from, 1).get(0);
      source.push(to, value);
      source.save();
      return Reply.bulk(value);
    }
    StoredList destination = StoredList.findOrCreate(ks, dst);
    byte[] value = source.pop(from, 1).get(0);
    destination.push(to, value);
    destination.save();
    source.save();
    return Reply.bulk(value);
  }

  /**
   * LMPOP numkeys key… LEFT|RIGHT [COUNT n] and BLMPOP timeout numkeys …: [key, [elements]] from
   * the first non-empty list. BLMPOP checks its timeout after the other arguments, as Redis does.
   */
  static Reply mpop(CommandContext ctx, byte[][] args, int numKeysIndex, boolean blocking) {
    long numKeys = ranged(args[numKeysIndex], "ERR numkeys should be greater than 0");
    if (numKeys > args.length - numKeysIndex - 2) {
      throw RedisError.syntax();
    }
    int whereIndex = numKeysIndex + (int) numKeys + 1;
    ListEnd end = ListEnd.parse(args[whereIndex]);
    long count = -1;
    for (int j = whereIndex + 1; j < args.length; j++) {
      boolean moreArgs = args.length - 1 - j > 0;
      if (count == -1 && Keywords.is(args[j], "COUNT") && moreArgs) {
        count = ranged(args[++j], "ERR count should be greater than 0");
      } else {
        throw RedisError.syntax();
      }
    }
    if (count == -1) {
      count = 1;
    }
    if (blocking) {
      BlockingTimeout.millis(args[1]);
    }
    for (int k = numKeysIndex + 1; k < whereIndex; k++) {
      if (ctx.skipsForBlockedClient(args[k], RedisType.LIST)) {
        continue;
      }
      StoredList list = StoredList.find(ctx.keyspace(), args[k]);
      if (list == null) {
        continue;
      }
      List<byte[]> values = list.pop(end, count);
      list.save();
      return Reply.array(Reply.bulk(args[k]), bulks(values));
    }
    return Reply.NULL_ARRAY;
  }

  /** BLPOP and BRPOP key… timeout: [key, element] from the first non-empty list. */
  static Reply blockingPop(CommandContext ctx, byte[][] args, ListEnd end) {
    BlockingTimeout.millis(args[args.length - 1]);
    for (int k = 1; k < args.length - 1; k++) {
      if (ctx.skipsForBlockedClient(args[k], RedisType.LIST)) {
        continue;
      }
      StoredList list = StoredList.find(ctx.keyspace(), args[k]);
      if (list == null) {
        continue;
      }
      byte[] value = list.pop(end, 1).get(0);
      list.save();
      return Reply.array(Reply.bulk(args[k]), Reply.bulk(value));
    }
    return Reply.NULL_ARRAY;
  }

  /** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout. */
  static Reply blmove(CommandContext ctx, byte[][] args) {
    ListEnd from = ListEnd.parse(args[3]);
    ListEnd to = ListEnd.parse(args[4]);
    BlockingTimeout.millis(args[5]);
    return blockingMove(ctx, args, from, to);
  }

  /** BRPOPLPUSH source destination timeout. */
  static Reply brpoplpush(CommandContext ctx, byte[][] args) {
    BlockingTimeout.millis(args[3]);
    return blockingMove(ctx, args, ListEnd.RIGHT, ListEnd.LEFT);
  }

  private static Reply blockingMove(CommandContext ctx, byte[][] args, ListEnd from, ListEnd to) {
    if (ctx.skipsForBlockedClient(args[1], RedisType.LIST)
        || StoredList.find(ctx.keyspace(), args[1]) == null) {
      return Reply.NULL_ARRAY;
    }
    return move(ctx, args[1], args[2], from, to);
  }

  /**
   * Redis's {@code genericGetKeys} for LMPOP (numkeys at 1) and BLMPOP (at 2): numkeys read with
   * {@code atoi}, the keys right after it. An unusable count yields no keys; the command itself
   * then answers with its own error.
   */
  static KeyFinder numKeys(int countIndex) {
    int firstIndex = countIndex + 1;
    return args -> {
      if (args.length <= countIndex) {
        return KeyFinder.NONE;
      }
      int num = atoi(args[countIndex]);
      if (num < 1 || num > args.length - firstIndex) {
        return KeyFinder.NONE;
      }
      int[] idx = new int[num];
      for (int i = 0; i < num; i++) {
        idx[i] = firstIndex + i;
      }
      return idx;
    };
  }

  /** C's {@code atoi} as glibc has it: {@code (int) strtol(s, NULL, 10)}, saturating then cut. */
  static int atoi(byte[] s) {
    int i = 0;
    while (i < s.length && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) {
      i++;
    }
    boolean negative = false;
    if (i < s.length && (s[i] == '+' || s[i] == '-')) {
      negative = s[i] == '-';
      i++;
    }
    long v = 0;
    boolean overflow = false;
    for (; i < s.length && s[i] >= '0' && s[i] <= '9'; i++) {
      int d = s[i] - '0';
      if (v > (Long.MAX_VALUE - d) / 10) {
        overflow = true;
      } else {
        v = v * 10 + d;
      }
    }
    long r = overflow ? (negative ? Long.MIN_VALUE : Long.MAX_VALUE) : (negative ? -v : v);
    return (int) r;
  }

  /** Redis's getPositiveLongFromObjectOrReply with a message: 0..LONG_MAX, else {@code error}. */
  private static long nonNegative(byte[] arg, String error) {
    Long v = RedisNumbers.parseLongOrNull(arg);
    if (v == null || v < 0) {
      throw new RedisError(error);
    }
    return v;
  }

  /** Redis's getRangeLongFromObjectOrReply(1, LONG_MAX) with a message. */
  private static long ranged(byte[] arg, String error) {
    Long v = RedisNumbers.parseLongOrNull(arg);
    if (v == null || v < 1) {
      throw new RedisError(error);
    }
    return v;
  }

  private static Reply bulks(List<byte[]> values) {
    List<Reply> items = new ArrayList<>(values.size());
    for (byte[] v : values) {
      items.add(Reply.bulk(v));
    }
    return Reply.array(items);
  }

  /** Indexes of LREM's matches in walk order, kept as a growable primitive array. */
  private static final class MatchIndexes {
    private long[] indexes = new long[8];
    private int count;

    void add(long index) {
      if (count == indexes.length) {
        indexes = Arrays.copyOf(indexes, count * 2);
      }
      indexes[count++] = index;
    }

    long count() {
      return count;
    }

    /** The matches in ascending order (a walk from the tail found them descending). */
    long[] ascending(boolean foundDescending) {
      long[] out = Arrays.copyOf(indexes, count);
      if (foundDescending) {
        for (int i = 0, j = count - 1; i < j; i++, j--) {
          long t = out[i];
          out[i] = out[j];
          out[j] = t;
        }
      }
      return out;
    }
  }
}
