package io.kvorum.storage.zset;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.generic.GlobPattern;
import io.kvorum.storage.hash.HashedMembers;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.List;

/**
 * ZSCAN key cursor [MATCH pattern] [COUNT count]. A listpack-sized set answers everything at once
 * with cursor 0, in score order, exactly as Redis. A bigger one is paged in the hash-position order
 * of its DATA sub-keys ({@link io.kvorum.storage.hash.HashedMembers}): the cursor is the position
 * to resume from, so it is stateless, the same on every replica and valid across leader changes,
 * and a member present for the whole scan is returned at least once, as Redis guarantees.
 */
final class ZsetScan {
  private static final Reply EMPTY_SCAN = Reply.array(Reply.bulk("0"), Reply.EMPTY_ARRAY);

  private ZsetScan() {}

  static Reply zscan(CommandContext ctx, byte[][] args) {
    long cursor = parseCursor(args[2]);
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    if (z == null) {
      return EMPTY_SCAN;
    }
    long count = 10;
    byte[] pattern = null;
    for (int i = 3; i < args.length; ) {
      int left = args.length - i;
      if (Keywords.is(args[i], "count") && left >= 2) {
        count = RedisNumbers.parseLong(args[i + 1]);
        if (count < 1) {
          throw RedisError.syntax();
        }
        i += 2;
      } else if (Keywords.is(args[i], "match") && left >= 2) {
        pattern = args[i + 1];
        if (pattern.length == 1 && pattern[0] == '*') {
          pattern = null;
        }
        i += 2;
      } else {
        throw RedisError.syntax();
      }
    }
    List<Reply> items = new ArrayList<>();
    long next = 0;
    if (z.isListpack()) {
      for (SortedSet.Entry e : z.all()) {
        add(items, e.member(), e.score(), pattern);
      }
    } else {
      HashedMembers.Page page = z.members().page(cursor, count);
      for (HashedMembers.Entry e : page.entries()) {
        add(items, e.member(), SortedSet.scoreOf(e.value()), pattern);
      }
      next = page.next();
    }
    return Reply.array(Reply.bulk(Long.toUnsignedString(next)), Reply.array(items));
  }

  private static void add(List<Reply> items, byte[] member, double score, byte[] pattern) {
    if (pattern != null && !GlobPattern.matches(pattern, member)) {
      return;
    }
    items.add(Reply.bulk(member));
    // ZSCAN prints scores as strings (%.17g) in RESP3 too.
    items.add(Reply.bulk(ScoreFormat.text(score)));
  }

  /** {@code parseScanCursorOrReply}: strtoul, no leading space, nothing after the digits. */
  static long parseCursor(byte[] arg) {
    int len = arg.length;
    for (int i = 0; i < arg.length; i++) {
      if (arg[i] == 0) {
        len = i;
        break;
      }
    }
    if (len > 0 && Strtod.isSpace(arg[0])) {
      throw new RedisError("ERR invalid cursor");
    }
    int i = 0;
    boolean negative = false;
    if (i < len && (arg[i] == '+' || arg[i] == '-')) {
      negative = arg[i] == '-';
      i++;
    }
    int digitsStart = i;
    long v = 0;
    boolean overflow = false;
    for (; i < len && arg[i] >= '0' && arg[i] <= '9'; i++) {
      int d = arg[i] - '0';
      if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
        overflow = true;
      }
      v = v * 10 + d;
    }
    if (i == digitsStart) {
      // No digits: strtoul converts nothing and points at the start of the string.
      if (len == 0) {
        return 0;
      }
      throw new RedisError("ERR invalid cursor");
    }
    if (i != len || overflow) {
      throw new RedisError("ERR invalid cursor");
    }
    return negative ? -v : v;
  }
}
