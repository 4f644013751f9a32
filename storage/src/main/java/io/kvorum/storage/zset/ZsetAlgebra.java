package io.kvorum.storage.zset;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.hash.HashedMembers;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ZUNION, ZINTER, ZDIFF, ZINTERCARD and the STORE variants ({@code zunionInterDiffGenericCommand}):
 * inputs may be sorted sets or sets (score 1), WEIGHTS multiply, AGGREGATE SUM|MIN|MAX combine,
 * with Redis's order of operations so floating-point sums come out alike: inputs sorted by size
 * (stably), each element's score folded over the inputs in that order, NaN turned into 0.
 */
final class ZsetAlgebra {
  enum Op { UNION, INTER, DIFF }

  private enum Aggregate { SUM, MIN, MAX }

  private ZsetAlgebra() {}

  /** One input: a sorted set, a set, or a missing key. */
  private static final class Source {
    final byte[] key;
    final SortedSet zset;
    final HashedMembers set;
    final long setSize;
    double weight = 1.0;

    Source(byte[] key, SortedSet zset, HashedMembers set, long setSize) {
      this.key = key;
      this.zset = zset;
      this.set = set;
      this.setSize = setSize;
    }

    long size() {
      return zset != null ? zset.size() : set != null ? setSize : 0;
    }

    boolean sameAs(Source o) {
      return (zset != null || set != null) && Arrays.equals(key, o.key);
    }

    /** The member's score in this input, or null. */
    Double find(byte[] member) {
      if (zset != null) {
        return zset.score(member);
      }
      if (set != null) {
        return set.contains(member) ? 1.0 : null;
      }
      return null;
    }

    /** Every (member, score) of the input. */
    List<SortedSet.Entry> entries() {
      if (zset != null) {
        return zset.all();
      }
      List<SortedSet.Entry> out = new ArrayList<>();
      if (set != null) {
        set.forEachWhile(e -> out.add(new SortedSet.Entry(e.member(), 1.0)));
      }
      return out;
    }
  }

  /**
   * Runs one invocation. {@code numkeysIdx} is 1 for ZUNION/ZINTER/ZDIFF/ZINTERCARD and 2 for the
   * STORE variants ({@code dst} non-null); {@code cardinalityOnly} for ZINTERCARD.
   */
  static Reply run(CommandContext ctx, byte[][] args, byte[] dst, int numkeysIdx, Op op,
      boolean cardinalityOnly) {
    long setnum = RedisNumbers.parseLong(args[numkeysIdx]);
    if (setnum < 1) {
      throw new RedisError("ERR at least 1 input key is needed for '"
          + KeyspaceCommandTable.lower(args[0]) + "' command");
    }
    if (setnum > args.length - (numkeysIdx + 1)) {
      throw RedisError.syntax();
    }
    int n = (int) setnum;
    List<Source> src = new ArrayList<>(n);
    int j = numkeysIdx + 1;
    for (int i = 0; i < n; i++, j++) {
      KeyMeta meta = ctx.keyspace().lookup(args[j]);
      SortedSet zset = null;
      HashedMembers set = null;
      if (meta != null) {
        if (meta.type() == RedisType.ZSET) {
          zset = SortedSet.of(ctx.keyspace(), args[j], meta);
        } else if (meta.type() == RedisType.SET) {
          // Sets keep their members as HashedMembers (the set feature's layout); score 1 each.
          set = new HashedMembers(ctx.keyspace().data(), args[j], meta.version());
        } else {
          throw RedisError.wrongType();
        }
      }
      src.add(new Source(args[j], zset, set, meta == null ? 0 : meta.size()));
    }
    Aggregate aggregate = Aggregate.SUM;
    boolean withScores = false;
    long limit = 0;
    int remaining = args.length - j;
    while (remaining > 0) {
      if (op != Op.DIFF && !cardinalityOnly && remaining >= n + 1
          && Keywords.is(args[j], "weights")) {
        j++;
        remaining--;
        for (int i = 0; i < n; i++, j++, remaining--) {
          src.get(i).weight = ZsetCommands.parseDouble(args[j],
              "ERR weight value is not a float");
        }
      } else if (op != Op.DIFF && !cardinalityOnly && remaining >= 2
          && Keywords.is(args[j], "aggregate")) {
        j++;
        remaining--;
        if (Keywords.is(args[j], "sum")) {
          aggregate = Aggregate.SUM;
        } else if (Keywords.is(args[j], "min")) {
          aggregate = Aggregate.MIN;
        } else if (Keywords.is(args[j], "max")) {
          aggregate = Aggregate.MAX;
        } else {
          throw RedisError.syntax();
        }
        j++;
        remaining--;
      } else if (dst == null && !cardinalityOnly && Keywords.is(args[j], "withscores")) {
        j++;
        remaining--;
        withScores = true;
      } else if (cardinalityOnly && remaining >= 2 && Keywords.is(args[j], "limit")) {
        j++;
        remaining--;
        limit = ZsetCommands.rangeLong(args[j], 0, Long.MAX_VALUE, "ERR LIMIT can't be negative");
        j++;
        remaining--;
      } else {
        throw RedisError.syntax();
      }
    }
    if (op != Op.DIFF) {
      // glibc's qsort is a stable merge sort here: equal sizes keep their argument order.
      src.sort(Comparator.comparingLong(Source::size));
    }
    List<SortedSet.Entry> result;
    switch (op) {
      case INTER -> {
        if (cardinalityOnly) {
          return Reply.integer(interCard(src, limit));
        }
        result = inter(src, aggregate);
      }
      case UNION -> result = union(src, aggregate);
      default -> result = diff(src);
    }
    result.sort(ZsetAlgebra::bySkiplistOrder);
    if (dst != null) {
      return Reply.integer(SortedSet.replace(ctx.keyspace(), dst, result));
    }
    return ZsetCommands.entries(result, withScores, ctx.resp3());
  }

  /** Skiplist order: score (with -0 equal to 0), then member bytes. */
  static int bySkiplistOrder(SortedSet.Entry a, SortedSet.Entry b) {
    if (a.score() < b.score()) {
      return -1;
    }
    if (a.score() > b.score()) {
      return 1;
    }
    return Arrays.compareUnsigned(a.member(), b.member());
  }

  private static double fold(double target, double value, Aggregate aggregate) {
    return switch (aggregate) {
      case SUM -> {
        double sum = target + value;
        // inf + -inf: Redis keeps the convention that the result is 0.
        yield Double.isNaN(sum) ? 0.0 : sum;
      }
      case MIN -> value < target ? value : target;
      case MAX -> value > target ? value : target;
    };
  }

  private static List<SortedSet.Entry> inter(List<Source> src, Aggregate aggregate) {
    List<SortedSet.Entry> out = new ArrayList<>();
    Source first = src.get(0);
    if (first.size() == 0) {
      return out;
    }
    for (SortedSet.Entry e : first.entries()) {
      double score = first.weight * e.score();
      if (Double.isNaN(score)) {
        score = 0;
      }
      boolean everywhere = true;
      for (int i = 1; i < src.size(); i++) {
        Source s = src.get(i);
        Double value = s.sameAs(first) ? Double.valueOf(e.score()) : s.find(e.member());
        if (value == null) {
          everywhere = false;
          break;
        }
        score = fold(score, value * s.weight, aggregate);
      }
      if (everywhere) {
        out.add(new SortedSet.Entry(e.member(), score));
      }
    }
    return out;
  }

  private static long interCard(List<Source> src, long limit) {
    Source first = src.get(0);
    if (first.size() == 0) {
      return 0;
    }
    long cardinality = 0;
    for (SortedSet.Entry e : first.entries()) {
      boolean everywhere = true;
      for (int i = 1; i < src.size() && everywhere; i++) {
        Source s = src.get(i);
        everywhere = s.sameAs(first) || s.find(e.member()) != null;
      }
      if (everywhere) {
        cardinality++;
        if (limit > 0 && cardinality >= limit) {
          break;
        }
      }
    }
    return cardinality;
  }

  private static List<SortedSet.Entry> union(List<Source> src, Aggregate aggregate) {
    Map<ByteBuffer, double[]> acc = new HashMap<>();
    Map<ByteBuffer, byte[]> members = new HashMap<>();
    for (Source s : src) {
      if (s.size() == 0) {
        continue;
      }
      for (SortedSet.Entry e : s.entries()) {
        double score = s.weight * e.score();
        if (Double.isNaN(score)) {
          score = 0;
        }
        ByteBuffer k = ByteBuffer.wrap(e.member());
        double[] cell = acc.get(k);
        if (cell == null) {
          acc.put(k, new double[] {score});
          members.put(k, e.member());
        } else {
          cell[0] = fold(cell[0], score, aggregate);
        }
      }
    }
    List<SortedSet.Entry> out = new ArrayList<>(acc.size());
    for (Map.Entry<ByteBuffer, double[]> e : acc.entrySet()) {
      out.add(new SortedSet.Entry(members.get(e.getKey()), e.getValue()[0]));
    }
    return out;
  }

  /** Members of the first input found in no other input, with their first-input scores. */
  private static List<SortedSet.Entry> diff(List<Source> src) {
    List<SortedSet.Entry> out = new ArrayList<>();
    Source first = src.get(0);
    if (first.size() == 0) {
      return out;
    }
    for (int i = 1; i < src.size(); i++) {
      if (src.get(i).sameAs(first)) {
        return out;
      }
    }
    for (SortedSet.Entry e : first.entries()) {
      boolean elsewhere = false;
      for (int i = 1; i < src.size() && !elsewhere; i++) {
        elsewhere = src.get(i).find(e.member()) != null;
      }
      if (!elsewhere) {
        out.add(e);
      }
    }
    return out;
  }
}
