package io.kvorum.storage.zset;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.engine.DataView;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * ZRANGE and its family (ZRANGESTORE, ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX), ZCOUNT,
 * ZLEXCOUNT and the ZREMRANGEBY* commands, following {@code zrangeGenericCommand}'s argument rules.
 * Score ranges are seeks in the score index. Lex ranges reproduce Redis's listpack walk (the first
 * element, in score order, that is at least {@code min}), which equals the skiplist's answer
 * whenever all scores are equal, the case lex ranges are meant for; the walk seeks from one score
 * group to the next, so it is O(log n) per distinct score passed.
 */
final class ZsetRangeCommands {
  private static final int CHUNK = 1024;

  enum By { AUTO, RANK, SCORE, LEX }

  private ZsetRangeCommands() {}

  /**
   * {@code <src> <min> <max> [BYSCORE|BYLEX] [REV] [WITHSCORES] [LIMIT offset count]} with the
   * source key at {@code keyIdx}; {@code dst} non-null for ZRANGESTORE; {@code by} and
   * {@code reverse} fixed by the legacy commands (null reverse: chosen by REV).
   */
  static Reply range(CommandContext ctx, byte[][] args, int keyIdx, byte[] dst, By by,
      Boolean reverse) {
    boolean store = dst != null;
    boolean withScores = false;
    long offset = 0;
    long limit = -1;
    boolean rev = reverse != null && reverse;
    boolean autoDirection = reverse == null;
    for (int j = keyIdx + 3; j < args.length; j++) {
      int left = args.length - j - 1;
      if (!store && Keywords.is(args[j], "withscores")) {
        withScores = true;
      } else if (Keywords.is(args[j], "limit") && left >= 2) {
        offset = RedisNumbers.parseLong(args[j + 1]);
        limit = RedisNumbers.parseLong(args[j + 2]);
        j += 2;
      } else if (autoDirection && Keywords.is(args[j], "rev")) {
        rev = true;
        autoDirection = false;
      } else if (by == By.AUTO && Keywords.is(args[j], "bylex")) {
        by = By.LEX;
      } else if (by == By.AUTO && Keywords.is(args[j], "byscore")) {
        by = By.SCORE;
      } else {
        throw RedisError.syntax();
      }
    }
    if (by == By.AUTO) {
      by = By.RANK;
    }
    if (limit != -1 && by == By.RANK) {
      throw new RedisError(
          "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    }
    if (withScores && by == By.LEX) {
      throw new RedisError("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    }
    int minIdx = keyIdx + 1;
    int maxIdx = keyIdx + 2;
    if (rev && by != By.RANK) {
      minIdx = keyIdx + 2;
      maxIdx = keyIdx + 1;
    }
    long start = 0;
    long end = 0;
    ScoreRange scores = null;
    LexRange lex = null;
    switch (by) {
      case RANK -> {
        start = RedisNumbers.parseLong(args[minIdx]);
        end = RedisNumbers.parseLong(args[maxIdx]);
      }
      case SCORE -> scores = ScoreRange.parse(args[minIdx], args[maxIdx]);
      default -> lex = LexRange.parse(args[minIdx], args[maxIdx]);
    }
    SortedSet z = SortedSet.open(ctx.keyspace(), args[keyIdx]);
    List<SortedSet.Entry> result;
    if (z == null) {
      result = List.of();
    } else {
      result = switch (by) {
        case RANK -> byRank(z, start, end, rev);
        case SCORE -> byScore(z, scores, offset, limit, rev);
        default -> byLex(z, lex, offset, limit, rev);
      };
    }
    if (store) {
      // Redis sizes the destination up front only for rank ranges, whose length it knows.
      boolean startAsSkiplist = by == By.RANK && result.size() > SortedSet.MAX_LISTPACK_ENTRIES;
      return Reply.integer(
          SortedSet.replaceByAdding(ctx.keyspace(), dst, result, startAsSkiplist));
    }
    return ZsetCommands.entries(result, withScores, ctx.resp3());
  }

  // ---- rank ranges ----------------------------------------------------------------------------

  /** {start, end} as ascending ranks, or null when the range is empty (Redis's sanitizing). */
  static long[] rankBounds(long size, long start, long end) {
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
      return null;
    }
    if (end >= size) {
      end = size - 1;
    }
    return new long[] {start, end};
  }

  static List<SortedSet.Entry> byRank(SortedSet z, long start, long end, boolean reverse) {
    long[] b = rankBounds(z.size(), start, end);
    if (b == null) {
      return List.of();
    }
    if (!reverse) {
      return z.byRank(b[0], b[1]);
    }
    List<SortedSet.Entry> asc = z.byRank(z.size() - 1 - b[1], z.size() - 1 - b[0]);
    List<SortedSet.Entry> out = new ArrayList<>(asc.size());
    for (int i = asc.size() - 1; i >= 0; i--) {
      out.add(asc.get(i));
    }
    return out;
  }

  // ---- score ranges ---------------------------------------------------------------------------

  /** The first SCORE key that can be in the range. */
  static byte[] lowKey(SortedSet z, ScoreRange r) {
    return r.minExclusive() ? z.afterScore(r.min()) : z.scorePrefix(r.min());
  }

  /** Just past the last SCORE key that can be in the range. */
  static byte[] highKey(SortedSet z, ScoreRange r) {
    return r.maxExclusive() ? z.scorePrefix(r.max()) : z.afterScore(r.max());
  }

  static List<SortedSet.Entry> byScore(SortedSet z, ScoreRange r, long offset, long limit,
      boolean reverse) {
    if (r.isEmpty() || offset < 0 || (offset > 0 && offset >= z.size())) {
      // A negative offset walks off the end of the set in Redis: nothing is returned.
      return List.of();
    }
    List<SortedSet.Entry> out = new ArrayList<>();
    try (DataView.Cursor c = z.index(lowKey(z, r), highKey(z, r), reverse)) {
      for (long skip = offset; skip > 0 && c.valid(); skip--) {
        c.next();
      }
      for (long left = limit; c.valid() && left != 0; left--) {
        out.add(z.entry(c));
        c.next();
      }
    }
    return out;
  }

  static Reply zcount(CommandContext ctx, byte[][] args) {
    ScoreRange r = ScoreRange.parse(args[2], args[3]);
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    if (z == null || r.isEmpty()) {
      return Reply.ZERO;
    }
    long count = 0;
    try (DataView.Cursor c = z.index(lowKey(z, r), highKey(z, r), false)) {
      for (; c.valid(); c.next()) {
        count++;
      }
    }
    return Reply.integer(count);
  }

  // ---- lex ranges -----------------------------------------------------------------------------

  /**
   * {@code zzlIsInLexRange}: false when the range is empty, the greatest element is below min, or
   * the smallest is above max.
   */
  private static boolean mayIntersect(SortedSet z, LexRange r) {
    if (r.isEmpty()) {
      return false;
    }
    SortedSet.Entry last = z.first(true);
    if (last == null || !r.gteMin(last.member())) {
      return false;
    }
    return r.lteMax(z.first(false).member());
  }

  /**
   * The SCORE key where a forward lex walk starts: the first element, in score order, that is at
   * least {@code min}, or null when there is none or it is above {@code max}. With {@code
   * precheck}, also null when {@link #mayIntersect} says so (listpack and skiplist lookups do
   * this, the skiplist's range deletion does not).
   */
  static byte[] firstLexKey(SortedSet z, LexRange r, boolean precheck) {
    if (precheck && !mayIntersect(z, r)) {
      return null;
    }
    byte[] from = z.indexStart();
    while (true) {
      SortedSet.Entry head;
      byte[] headKey;
      try (DataView.Cursor c = z.index(from, z.indexEnd(), false)) {
        if (!c.valid()) {
          return null;
        }
        head = z.entry(c);
        headKey = c.key();
      }
      if (r.gteMin(head.member())) {
        return r.lteMax(head.member()) ? headKey : null;
      }
      // Members of one score group are in byte order: seek straight to min within the group.
      double s = head.score();
      try (DataView.Cursor c = z.index(z.scoreKey(s, r.min()), z.afterScore(s), false)) {
        while (c.valid() && !r.gteMin(z.memberOf(c.key()))) {
          c.next();
        }
        if (c.valid()) {
          return r.lteMax(z.memberOf(c.key())) ? c.key() : null;
        }
      }
      from = z.afterScore(s);
    }
  }

  /**
   * The SCORE key where a backward lex walk starts: the last element, in score order, that is at
   * most {@code max}, or null when there is none or it is below {@code min}.
   */
  static byte[] lastLexKey(SortedSet z, LexRange r) {
    if (!mayIntersect(z, r)) {
      return null;
    }
    byte[] to = z.indexEnd();
    while (true) {
      SortedSet.Entry tail;
      byte[] tailKey;
      try (DataView.Cursor c = z.index(z.indexStart(), to, true)) {
        if (!c.valid()) {
          return null;
        }
        tail = z.entry(c);
        tailKey = c.key();
      }
      if (r.lteMax(tail.member())) {
        return r.gteMin(tail.member()) ? tailKey : null;
      }
      double s = tail.score();
      byte[] bound = z.scoreKey(s, r.max());
      byte[] upper = r.maxExclusive() ? bound : successor(bound);
      try (DataView.Cursor c = z.index(z.scorePrefix(s), upper, true)) {
        while (c.valid() && !r.lteMax(z.memberOf(c.key()))) {
          c.next();
        }
        if (c.valid()) {
          return r.gteMin(z.memberOf(c.key())) ? c.key() : null;
        }
      }
      to = z.scorePrefix(s);
    }
  }

  static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }

  static List<SortedSet.Entry> byLex(SortedSet z, LexRange r, long offset, long limit,
      boolean reverse) {
    byte[] startKey = reverse ? lastLexKey(z, r) : firstLexKey(z, r, true);
    if (startKey == null || offset < 0) {
      return List.of();
    }
    List<SortedSet.Entry> out = new ArrayList<>();
    DataView.Cursor c = reverse
        ? z.index(z.indexStart(), successor(startKey), true)
        : z.index(startKey, z.indexEnd(), false);
    try (c) {
      for (long skip = offset; skip > 0 && c.valid(); skip--) {
        c.next();
      }
      for (long left = limit; c.valid() && left != 0; left--) {
        SortedSet.Entry e = z.entry(c);
        if (reverse ? !r.gteMin(e.member()) : !r.lteMax(e.member())) {
          break;
        }
        out.add(e);
        c.next();
      }
    }
    return out;
  }

  static Reply zlexcount(CommandContext ctx, byte[][] args) {
    LexRange r = LexRange.parse(args[2], args[3]);
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    if (z == null) {
      return Reply.ZERO;
    }
    byte[] startKey = firstLexKey(z, r, true);
    if (startKey == null) {
      return Reply.ZERO;
    }
    long count = 0;
    try (DataView.Cursor c = z.index(startKey, z.indexEnd(), false)) {
      for (; c.valid() && r.lteMax(z.memberOf(c.key())); c.next()) {
        count++;
      }
    }
    return Reply.integer(count);
  }

  // ---- range removal --------------------------------------------------------------------------

  /**
   * Deletes up to {@code limit} entries ascending from {@code fromKey} while {@code inRange} holds,
   * a chunk at a time so no cursor is open over the write batch while it changes.
   */
  static long deleteAscending(SortedSet z, byte[] fromKey, long limit,
      Predicate<SortedSet.Entry> inRange) {
    long deleted = 0;
    byte[] from = fromKey;
    while (deleted < limit) {
      List<SortedSet.Entry> chunk = new ArrayList<>();
      byte[] lastKey = null;
      boolean done = false;
      try (DataView.Cursor c = z.index(from, z.indexEnd(), false)) {
        while (chunk.size() < CHUNK && deleted + chunk.size() < limit) {
          if (!c.valid()) {
            done = true;
            break;
          }
          SortedSet.Entry e = z.entry(c);
          if (!inRange.test(e)) {
            done = true;
            break;
          }
          chunk.add(e);
          lastKey = c.key();
          c.next();
        }
      }
      for (SortedSet.Entry e : chunk) {
        z.delete(e.member(), e.score());
      }
      deleted += chunk.size();
      if (done || chunk.isEmpty()) {
        break;
      }
      from = successor(lastKey);
    }
    return deleted;
  }

  static Reply zremrangebyrank(CommandContext ctx, byte[][] args) {
    long start = RedisNumbers.parseLong(args[2]);
    long end = RedisNumbers.parseLong(args[3]);
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    if (z == null) {
      return Reply.ZERO;
    }
    long[] b = rankBounds(z.size(), start, end);
    if (b == null) {
      return Reply.ZERO;
    }
    long count = b[1] - b[0] + 1;
    if (count == z.size()) {
      z.removeAll();
      return Reply.integer(count);
    }
    byte[] fromKey;
    List<SortedSet.Entry> first = z.byRank(b[0], b[0]);
    SortedSet.Entry e = first.get(0);
    fromKey = z.scoreKey(e.score(), e.member());
    long deleted = deleteAscending(z, fromKey, count, x -> true);
    z.commit();
    return Reply.integer(deleted);
  }

  static Reply zremrangebyscore(CommandContext ctx, byte[][] args) {
    ScoreRange r = ScoreRange.parse(args[2], args[3]);
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    if (z == null) {
      return Reply.ZERO;
    }
    if (r.isEmpty()) {
      return Reply.ZERO;
    }
    SortedSet.Entry lowest = z.first(false);
    SortedSet.Entry highest = z.first(true);
    if (r.gteMin(lowest.score()) && r.lteMax(highest.score())) {
      long size = z.size();
      z.removeAll();
      return Reply.integer(size);
    }
    long deleted = deleteAscending(z, lowKey(z, r), Long.MAX_VALUE,
        x -> r.lteMax(x.score()));
    z.commit();
    return Reply.integer(deleted);
  }

  static Reply zremrangebylex(CommandContext ctx, byte[][] args) {
    LexRange r = LexRange.parse(args[2], args[3]);
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    if (z == null) {
      return Reply.ZERO;
    }
    // Redis's listpack deletion checks the range against both ends first; the skiplist's does not.
    byte[] startKey = firstLexKey(z, r, z.isListpack());
    if (startKey == null) {
      return Reply.ZERO;
    }
    long deleted = deleteAscending(z, startKey, Long.MAX_VALUE, x -> r.lteMax(x.member()));
    z.commit();
    return Reply.integer(deleted);
  }
}
