package io.kvorum.storage.zset;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.hash.HashedMembers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.List;

/**
 * ZRANDMEMBER key [count [WITHSCORES]] with Redis's rules: no count gives one member; a negative
 * count gives that many members drawn independently (repetitions possible); a positive count gives
 * distinct members, and the whole set, highest score first as Redis walks it, once the count
 * reaches the size. Draws come from {@link HashedMembers} with the command's deterministic
 * randomness: exactly uniform on small sets, a seek to a random hash position (O(log n)) on big
 * ones, as Redis's own fair random key is approximately uniform.
 */
final class ZsetRandomMembers {
  private ZsetRandomMembers() {}

  static Reply zrandmember(CommandContext ctx, byte[][] args) {
    if (args.length >= 3) {
      long l = ZsetCommands.rangeLong(args[2], -Long.MAX_VALUE, Long.MAX_VALUE, null);
      boolean withScores = false;
      if (args.length > 4 || (args.length == 4 && !Keywords.is(args[3], "withscores"))) {
        throw RedisError.syntax();
      } else if (args.length == 4) {
        withScores = true;
        if (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2) {
          throw new RedisError("ERR value is out of range");
        }
      }
      return withCount(ctx, args[1], l, withScores);
    }
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    if (z == null) {
      return Reply.NULL;
    }
    return Reply.bulk(z.members().random(ctx.random(), z.size()).member());
  }

  private static Reply withCount(CommandContext ctx, byte[] key, long l, boolean withScores) {
    SortedSet z = SortedSet.open(ctx.keyspace(), key);
    if (z == null || l == 0) {
      return Reply.EMPTY_ARRAY;
    }
    long size = z.size();
    long count = l > 0 ? l : -l;
    List<SortedSet.Entry> picked;
    if (l < 0 || count == 1) {
      picked = entries(z.members().sampleWithRepeats(ctx.random(), size, count));
    } else if (count >= size) {
      picked = z.peek(size, true);
    } else {
      picked = entries(z.members().sampleDistinct(ctx.random(), size, count));
    }
    return ZsetCommands.entries(picked, withScores, ctx.resp3());
  }

  private static List<SortedSet.Entry> entries(List<HashedMembers.Entry> drawn) {
    List<SortedSet.Entry> out = new ArrayList<>(drawn.size());
    for (HashedMembers.Entry e : drawn) {
      out.add(new SortedSet.Entry(e.member(), SortedSet.scoreOf(e.value())));
    }
    return out;
  }
}
