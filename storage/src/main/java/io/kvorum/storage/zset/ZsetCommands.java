package io.kvorum.storage.zset;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyFinder;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.List;

/**
 * The sorted-set commands of Redis 7.0: one table entry each, with Redis's arity, flags, key
 * positions, ACL categories and tips. This class holds the point commands (ZADD, ZSCORE, ZRANK …);
 * ranges, pops, set algebra, random members and ZSCAN live beside it.
 */
public final class ZsetCommands {
  static final String NAN_SCORE = "ERR resulting score is not a number (NaN)";

  private ZsetCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("zadd", -4, "write denyoom fast", 1, 1, 1,
            "@write @sortedset @fast", ""), (ctx, args) -> zadd(ctx, args, false)),
        KeyspaceCommand.of(of("zincrby", 4, "write denyoom fast", 1, 1, 1,
            "@write @sortedset @fast", ""), (ctx, args) -> zadd(ctx, args, true)),
        KeyspaceCommand.of(of("zrem", -3, "write fast", 1, 1, 1, "@write @sortedset @fast", ""),
            ZsetCommands::zrem),
        KeyspaceCommand.of(of("zcard", 2, "readonly fast", 1, 1, 1, "@read @sortedset @fast", ""),
            ZsetCommands::zcard),
        KeyspaceCommand.of(of("zcount", 4, "readonly fast", 1, 1, 1, "@read @sortedset @fast",
            ""), ZsetRangeCommands::zcount),
        KeyspaceCommand.of(of("zlexcount", 4, "readonly fast", 1, 1, 1,
            "@read @sortedset @fast", ""), ZsetRangeCommands::zlexcount),
        KeyspaceCommand.of(of("zscore", 3, "readonly fast", 1, 1, 1, "@read @sortedset @fast",
            ""), ZsetCommands::zscore),
        KeyspaceCommand.of(of("zmscore", -3, "readonly fast", 1, 1, 1,
            "@read @sortedset @fast", ""), ZsetCommands::zmscore),
        KeyspaceCommand.of(of("zrank", 3, "readonly fast", 1, 1, 1, "@read @sortedset @fast", ""),
            (ctx, args) -> zrank(ctx, args, false)),
        KeyspaceCommand.of(of("zrevrank", 3, "readonly fast", 1, 1, 1,
            "@read @sortedset @fast", ""), (ctx, args) -> zrank(ctx, args, true)),
        KeyspaceCommand.of(of("zrange", -4, "readonly", 1, 1, 1, "@read @sortedset @slow", ""),
            (ctx, args) -> ZsetRangeCommands.range(ctx, args, 1, null, ZsetRangeCommands.By.AUTO,
                null)),
        KeyspaceCommand.of(of("zrangestore", -5, "write denyoom", 1, 2, 1,
            "@write @sortedset @slow", ""),
            (ctx, args) -> ZsetRangeCommands.range(ctx, args, 2, args[1],
                ZsetRangeCommands.By.AUTO, null)),
        KeyspaceCommand.of(of("zrevrange", -4, "readonly", 1, 1, 1, "@read @sortedset @slow",
            ""), (ctx, args) -> ZsetRangeCommands.range(ctx, args, 1, null,
                ZsetRangeCommands.By.RANK, true)),
        KeyspaceCommand.of(of("zrangebyscore", -4, "readonly", 1, 1, 1,
            "@read @sortedset @slow", ""), (ctx, args) -> ZsetRangeCommands.range(ctx, args, 1,
                null, ZsetRangeCommands.By.SCORE, false)),
        KeyspaceCommand.of(of("zrevrangebyscore", -4, "readonly", 1, 1, 1,
            "@read @sortedset @slow", ""), (ctx, args) -> ZsetRangeCommands.range(ctx, args, 1,
                null, ZsetRangeCommands.By.SCORE, true)),
        KeyspaceCommand.of(of("zrangebylex", -4, "readonly", 1, 1, 1,
            "@read @sortedset @slow", ""), (ctx, args) -> ZsetRangeCommands.range(ctx, args, 1,
                null, ZsetRangeCommands.By.LEX, false)),
        KeyspaceCommand.of(of("zrevrangebylex", -4, "readonly", 1, 1, 1,
            "@read @sortedset @slow", ""), (ctx, args) -> ZsetRangeCommands.range(ctx, args, 1,
                null, ZsetRangeCommands.By.LEX, true)),
        KeyspaceCommand.of(of("zremrangebyrank", 4, "write", 1, 1, 1,
            "@write @sortedset @slow", ""), ZsetRangeCommands::zremrangebyrank),
        KeyspaceCommand.of(of("zremrangebyscore", 4, "write", 1, 1, 1,
            "@write @sortedset @slow", ""), ZsetRangeCommands::zremrangebyscore),
        KeyspaceCommand.of(of("zremrangebylex", 4, "write", 1, 1, 1,
            "@write @sortedset @slow", ""), ZsetRangeCommands::zremrangebylex),
        KeyspaceCommand.of(of("zpopmin", -2, "write fast", 1, 1, 1, "@write @sortedset @fast",
            ""), (ctx, args) -> ZsetPopCommands.zpop(ctx, args, false)),
        KeyspaceCommand.of(of("zpopmax", -2, "write fast", 1, 1, 1, "@write @sortedset @fast",
            ""), (ctx, args) -> ZsetPopCommands.zpop(ctx, args, true)),
        KeyspaceCommand.of(of("zmpop", -4, "write movablekeys", 0, 0, 0,
            "@write @sortedset @slow", ""), numKeys(0, 1, 2),
            (ctx, args) -> ZsetPopCommands.zmpop(ctx, args, 1, false)),
        KeyspaceCommand.of(of("bzpopmin", -3, "write noscript blocking fast", 1, -2, 1,
            "@write @sortedset @fast @blocking", ""),
            (ctx, args) -> ZsetPopCommands.bzpop(ctx, args, false))
            .blocking(ZsetPopCommands.BZPOP_WAIT),
        KeyspaceCommand.of(of("bzpopmax", -3, "write noscript blocking fast", 1, -2, 1,
            "@write @sortedset @fast @blocking", ""),
            (ctx, args) -> ZsetPopCommands.bzpop(ctx, args, true))
            .blocking(ZsetPopCommands.BZPOP_WAIT),
        KeyspaceCommand.of(of("bzmpop", -5, "write blocking movablekeys", 0, 0, 0,
            "@write @sortedset @slow @blocking", ""), numKeys(0, 2, 3),
            (ctx, args) -> ZsetPopCommands.zmpop(ctx, args, 2, true))
            .blocking(ZsetPopCommands.BZMPOP_WAIT),
        KeyspaceCommand.of(of("zrandmember", -2, "readonly", 1, 1, 1, "@read @sortedset @slow",
            "nondeterministic_output"), ZsetRandomMembers::zrandmember),
        KeyspaceCommand.of(of("zunion", -3, "readonly movablekeys", 0, 0, 0,
            "@read @sortedset @slow", ""), numKeys(0, 1, 2),
            (ctx, args) -> ZsetAlgebra.run(ctx, args, null, 1, ZsetAlgebra.Op.UNION, false)),
        KeyspaceCommand.of(of("zinter", -3, "readonly movablekeys", 0, 0, 0,
            "@read @sortedset @slow", ""), numKeys(0, 1, 2),
            (ctx, args) -> ZsetAlgebra.run(ctx, args, null, 1, ZsetAlgebra.Op.INTER, false)),
        KeyspaceCommand.of(of("zdiff", -3, "readonly movablekeys", 0, 0, 0,
            "@read @sortedset @slow", ""), numKeys(0, 1, 2),
            (ctx, args) -> ZsetAlgebra.run(ctx, args, null, 1, ZsetAlgebra.Op.DIFF, false)),
        KeyspaceCommand.of(of("zintercard", -3, "readonly movablekeys", 0, 0, 0,
            "@read @sortedset @slow", ""), numKeys(0, 1, 2),
            (ctx, args) -> ZsetAlgebra.run(ctx, args, null, 1, ZsetAlgebra.Op.INTER, true)),
        KeyspaceCommand.of(of("zunionstore", -4, "write denyoom movablekeys", 1, 1, 1,
            "@write @sortedset @slow", ""), numKeys(1, 2, 3),
            (ctx, args) -> ZsetAlgebra.run(ctx, args, args[1], 2, ZsetAlgebra.Op.UNION, false)),
        KeyspaceCommand.of(of("zinterstore", -4, "write denyoom movablekeys", 1, 1, 1,
            "@write @sortedset @slow", ""), numKeys(1, 2, 3),
            (ctx, args) -> ZsetAlgebra.run(ctx, args, args[1], 2, ZsetAlgebra.Op.INTER, false)),
        KeyspaceCommand.of(of("zdiffstore", -4, "write denyoom movablekeys", 1, 1, 1,
            "@write @sortedset @slow", ""), numKeys(1, 2, 3),
            (ctx, args) -> ZsetAlgebra.run(ctx, args, args[1], 2, ZsetAlgebra.Op.DIFF, false)),
        KeyspaceCommand.of(of("zscan", -3, "readonly", 1, 1, 1, "@read @sortedset @slow",
            "nondeterministic_output"), ZsetScan::zscan));
  }

  /**
   * Redis's {@code genericGetKeys}: {@code numkeys} read with {@code atoi} at {@code countIndex},
   * the keys after it, plus the destination at {@code storeIndex} (0: none). An unusable count
   * yields no keys, and the command itself then answers with its own error.
   */
  static KeyFinder numKeys(int storeIndex, int countIndex, int firstIndex) {
    return args -> {
      if (args.length <= countIndex) {
        return KeyFinder.NONE;
      }
      int num = atoi(args[countIndex]);
      if (num < 1 || num > args.length - firstIndex) {
        return KeyFinder.NONE;
      }
      int[] idx = new int[num + (storeIndex > 0 ? 1 : 0)];
      for (int i = 0; i < num; i++) {
        idx[i] = firstIndex + i;
      }
      if (storeIndex > 0) {
        idx[num] = storeIndex;
      }
      return idx;
    };
  }

  /** C's {@code atoi} as glibc has it: {@code (int) strtol(s, NULL, 10)}. */
  static int atoi(byte[] s) {
    int i = 0;
    int len = s.length;
    while (i < len && Strtod.isSpace(s[i])) {
      i++;
    }
    boolean negative = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
      negative = s[i] == '-';
      i++;
    }
    long v = 0;
    boolean overflow = false;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
      if (v > (Long.MAX_VALUE - (s[i] - '0')) / 10) {
        overflow = true;
      } else {
        v = v * 10 + (s[i] - '0');
      }
    }
    long result = overflow ? (negative ? Long.MIN_VALUE : Long.MAX_VALUE) : (negative ? -v : v);
    return (int) result;
  }

  // ---- ZADD / ZINCRBY -------------------------------------------------------------------------

  /** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member …; ZINCRBY key increment member. */
  public static Reply zadd(CommandContext ctx, byte[][] args, boolean incrCommand) {
    boolean nx = false;
    boolean xx = false;
    boolean gt = false;
    boolean lt = false;
    boolean ch = false;
    boolean incr = incrCommand;
    int scoreIdx = 2;
    // ZINCRBY shares ZADD's option scan, so "ZINCRBY k nx m" is a syntax error as in Redis.
    for (; scoreIdx < args.length; scoreIdx++) {
      byte[] opt = args[scoreIdx];
      if (Keywords.is(opt, "nx")) {
        nx = true;
      } else if (Keywords.is(opt, "xx")) {
        xx = true;
      } else if (Keywords.is(opt, "ch")) {
        ch = true;
      } else if (Keywords.is(opt, "incr")) {
        incr = true;
      } else if (Keywords.is(opt, "gt")) {
        gt = true;
      } else if (Keywords.is(opt, "lt")) {
        lt = true;
      } else {
        break;
      }
    }
    int elements = args.length - scoreIdx;
    if (elements % 2 != 0 || elements == 0) {
      throw RedisError.syntax();
    }
    elements /= 2;
    if (nx && xx) {
      throw new RedisError("ERR XX and NX options at the same time are not compatible");
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
      throw new RedisError(
          "ERR GT, LT, and/or NX options at the same time are not compatible");
    }
    if (incr && elements > 1) {
      throw new RedisError("ERR INCR option supports a single increment-element pair");
    }
    double[] scores = new double[elements];
    for (int j = 0; j < elements; j++) {
      scores[j] = parseScore(args[scoreIdx + j * 2]);
    }
    Keyspace ks = ctx.keyspace();
    byte[] key = args[1];
    KeyMeta meta = ks.lookup(key, RedisType.ZSET);
    SortedSet z;
    if (meta == null) {
      if (xx) {
        return incr ? Reply.NULL : Reply.ZERO;
      }
      byte[] firstMember = args[scoreIdx + 1];
      int encoding = firstMember.length > SortedSet.MAX_LISTPACK_VALUE
          ? KeyMeta.Encoding.SKIPLIST : KeyMeta.Encoding.LISTPACK;
      z = SortedSet.create(ks, key, null, encoding, 0);
    } else {
      z = SortedSet.of(ks, key, meta);
    }
    long added = 0;
    long updated = 0;
    long processed = 0;
    double score = 0;
    for (int j = 0; j < elements; j++) {
      score = scores[j];
      byte[] member = args[scoreIdx + 1 + j * 2];
      Double current = z.score(member);
      if (current != null) {
        if (nx) {
          continue;
        }
        if (incr) {
          score += current;
          if (Double.isNaN(score)) {
            // INCR takes one pair, so nothing has changed yet.
            throw new RedisError(NAN_SCORE);
          }
        }
        if ((lt && score >= current) || (gt && score <= current)) {
          continue;
        }
        processed++;
        // C compares doubles: -0 equals 0, so such a change keeps the old score.
        if (score != current) {
          z.update(member, current, score);
          updated++;
        }
      } else if (!xx) {
        z.noteAddition(member);
        z.insert(member, score);
        added++;
        processed++;
      }
    }
    z.commit();
    if (incr) {
      return processed > 0 ? ScoreFormat.reply(score) : Reply.NULL;
    }
    return Reply.integer(ch ? added + updated : added);
  }

  /** A score argument ({@code getDoubleFromObjectOrReply}). */
  static double parseScore(byte[] arg) {
    Double d = Strtod.string2d(arg);
    if (d == null) {
      throw RedisError.notFloat();
    }
    return d;
  }

  /** A double argument with a command-specific error text. */
  static double parseDouble(byte[] arg, String error) {
    Double d = Strtod.string2d(arg);
    if (d == null) {
      throw new RedisError(error);
    }
    return d;
  }

  /** {@code getRangeLongFromObjectOrReply}: an integer in {@code [min, max]}. */
  static long rangeLong(byte[] arg, long min, long max, String error) {
    Long v = RedisNumbers.parseLongOrNull(arg);
    if (v == null) {
      throw new RedisError(error != null ? error : RedisError.NOT_INTEGER);
    }
    if (v < min || v > max) {
      throw new RedisError(error != null ? error
          : "ERR value is out of range, value must between " + min + " and " + max);
    }
    return v;
  }

  // ---- point commands -------------------------------------------------------------------------

  static Reply zrem(CommandContext ctx, byte[][] args) {
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    if (z == null) {
      return Reply.ZERO;
    }
    long deleted = 0;
    for (int j = 2; j < args.length; j++) {
      if (z.remove(args[j])) {
        deleted++;
      }
      if (z.size() == 0) {
        break;
      }
    }
    z.commit();
    return Reply.integer(deleted);
  }

  static Reply zcard(CommandContext ctx, byte[][] args) {
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    return z == null ? Reply.ZERO : Reply.integer(z.size());
  }

  static Reply zscore(CommandContext ctx, byte[][] args) {
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    if (z == null) {
      return Reply.NULL;
    }
    Double score = z.score(args[2]);
    return score == null ? Reply.NULL : ScoreFormat.reply(score);
  }

  static Reply zmscore(CommandContext ctx, byte[][] args) {
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    List<Reply> out = new ArrayList<>(args.length - 2);
    for (int j = 2; j < args.length; j++) {
      Double score = z == null ? null : z.score(args[j]);
      out.add(score == null ? Reply.NULL : ScoreFormat.reply(score));
    }
    return Reply.array(out);
  }

  /** ZRANK / ZREVRANK: O(min(rank, n - rank)) index steps. */
  static Reply zrank(CommandContext ctx, byte[][] args, boolean reverse) {
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    if (z == null) {
      return Reply.NULL;
    }
    Double score = z.score(args[2]);
    if (score == null) {
      return Reply.NULL;
    }
    long rank = z.rank(args[2], score);
    return Reply.integer(reverse ? z.size() - 1 - rank : rank);
  }

  // ---- reply helpers --------------------------------------------------------------------------

  /**
   * Appends a member (and its score): RESP2 flat, RESP3 as a [member, score] pair when scores
   * are requested.
   */
  static void add(List<Reply> out, SortedSet.Entry e, boolean withScores, boolean resp3) {
    if (withScores && resp3) {
      out.add(Reply.array(Reply.bulk(e.member()), ScoreFormat.reply(e.score())));
      return;
    }
    out.add(Reply.bulk(e.member()));
    if (withScores) {
      out.add(ScoreFormat.reply(e.score()));
    }
  }

  static Reply entries(List<SortedSet.Entry> entries, boolean withScores, boolean resp3) {
    List<Reply> out = new ArrayList<>(entries.size() * (withScores && !resp3 ? 2 : 1));
    for (SortedSet.Entry e : entries) {
      add(out, e, withScores, resp3);
    }
    return Reply.array(out);
  }
}
