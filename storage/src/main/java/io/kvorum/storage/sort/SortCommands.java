package io.kvorum.storage.sort;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.hash.HashedMembers;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.list.StoredList;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.set.SetEncoding;
import io.kvorum.storage.zset.SortedSet;
import io.kvorum.storage.zset.Strtod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * SORT and SORT_RO of Redis 7.0 ({@code sort.c}) over lists, sets and sorted sets: numeric or
 * ALPHA order, by the elements or by BY pattern weights, LIMIT, GET patterns, and STORE (SORT
 * only) into a list. Both run in the state machine (SORT may STORE, and both turn a listpack
 * sorted set into a skiplist as Redis does); the result depends only on the data, so every
 * replica computes the same one.
 *
 * <p>The order among elements that compare equal follows Redis too: a full sort is stable, as
 * glibc's {@code qsort} (a merge sort) is, and BY with a LIMIT uses {@link PartialQuicksort}, a
 * port of Redis's {@code pqsort}. Ties start from the source order: list order, ascending for a
 * set of integers, hash order for other sets, score order for sorted sets (Redis uses its hash
 * table order for those two, which no other server reproduces). Text is compared as Redis
 * compares it under the C locale: byte by byte, up to the first NUL unless STORE is given.
 */
public final class SortCommands {
  static final String NOT_DOUBLE = "ERR One or more scores can't be converted into double";

  private SortCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(
            of("sort", -2, "write denyoom movablekeys", 1, 1, 1,
                "@write @set @sortedset @list @slow @dangerous", ""),
            SortRequest::keys, (ctx, args) -> sort(ctx, args, false)),
        // Logged although read-only: like SORT it turns a listpack sorted set into a skiplist,
        // which OBJECT ENCODING and DUMP show, so every replica must apply it.
        KeyspaceCommand.of(
            of("sort_ro", -2, "readonly movablekeys", 1, 1, 1,
                "@read @set @sortedset @list @slow @dangerous", ""),
            (ctx, args) -> sort(ctx, args, true)).alwaysLogged());
  }

  /** One element being sorted: its weight (numeric) or comparison text (ALPHA with BY). */
  private static final class Item {
    final byte[] element;
    double score;
    byte[] weight;

    Item(byte[] element) {
      this.element = element;
    }
  }

  static Reply sort(CommandContext ctx, byte[][] args, boolean readOnly) {
    SortRequest req = SortRequest.parse(args, readOnly);
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1]);
    RedisType type = meta == null ? RedisType.LIST : meta.type();
    if (type != RedisType.LIST && type != RedisType.SET && type != RedisType.ZSET) {
      throw RedisError.wrongType();
    }
    boolean errnoRange = false;
    if (type == RedisType.ZSET) {
      // Redis converts a listpack sorted set to a skiplist before sorting it (zsetConvert in
      // sortCommandGeneric), SORT_RO included. It reads each score back with strtod, which
      // leaves errno at ERANGE after a subnormal one; nothing clears errno before the weights are
      // parsed, so every weight parsed with strtod then counts as out of range.
      SortedSet z = SortedSet.of(ks, args[1], meta);
      errnoRange = z.isListpack() && hasSubnormalScore(z);
      z.convertToSkiplist();
      z.commit();
    }
    boolean dontSort = req.dontSort();
    boolean alpha = req.alpha();
    byte[] by = req.by();
    if (dontSort && type == RedisType.SET && req.store() != null) {
      // A set's own order is not deterministic in Redis: stored results are sorted ALPHA.
      dontSort = false;
      alpha = true;
      by = null;
    }
    long size = meta == null ? 0 : meta.size();
    long start = Math.min(Math.max(req.limitStart(), 0), size);
    long count = Math.min(Math.max(req.limitCount(), -1), size);
    long end = count < 0 ? size - 1 : start + count - 1;
    if (start >= size) {
      start = size - 1;
      end = size - 2;
    }
    if (end >= size) {
      end = size - 1;
    }

    List<byte[]> elements;
    if (meta == null) {
      elements = List.of();
    } else if (dontSort && type != RedisType.SET) {
      // Lists and sorted sets keep their order, read directly from the range LIMIT asks for.
      elements = end >= start
          ? range(ks, args[1], meta, start, end - start + 1, req.desc())
          : List.of();
      end -= start;
      start = 0;
    } else {
      elements = all(ks, args[1], meta);
    }

    Item[] items = new Item[elements.size()];
    for (int i = 0; i < items.length; i++) {
      items[i] = new Item(elements.get(i));
    }
    boolean conversionError = false;
    if (!dontSort) {
      for (Item item : items) {
        SortPattern.Weight found = by == null ? new SortPattern.Weight(item.element, false)
            : SortPattern.lookupWeight(ks, by, item.element);
        if (found == null) {
          continue;
        }
        byte[] weight = found.value();
        if (alpha) {
          if (by != null) {
            item.weight = weight;
          }
        } else {
          Strtod.Result r = Strtod.parse(weight, 0);
          item.score = r.value();
          if (!Strtod.atCEnd(weight, r.end()) || rangeError(r) || Double.isNaN(r.value())
              || errnoRange && !found.integer()) {
            conversionError = true;
          }
        }
      }
      if (conversionError) {
        // Redis sorts anyway and then answers the error; NaN weights make the order inconsistent,
        // which Java's sort refuses where glibc's does not, so the pointless sort is skipped.
        throw new RedisError(NOT_DOUBLE);
      }
      Comparator<Item> order = comparator(alpha, by != null, req.store() != null, req.desc());
      if (by != null && (start != 0 || end != items.length - 1)) {
        PartialQuicksort.sort(items, order, (int) start, (int) end);
      } else {
        Arrays.sort(items, order);
      }
    }

    int gets = req.gets().size();
    long outputLength = (gets == 0 ? 1 : gets) * (end - start + 1);
    List<byte[]> output = new ArrayList<>((int) Math.max(0, Math.min(outputLength, 1 << 16)));
    for (long j = start; j <= end; j++) {
      byte[] element = items[(int) j].element;
      if (gets == 0) {
        output.add(element);
      }
      for (byte[] pattern : req.gets()) {
        output.add(SortPattern.lookup(ks, pattern, element));
      }
    }
    if (req.store() == null) {
      List<Reply> replies = new ArrayList<>(output.size());
      for (byte[] value : output) {
        replies.add(Reply.bulkOrNull(value));
      }
      return Reply.array(replies);
    }
    store(ks, req.store(), output);
    return Reply.integer(outputLength);
  }

  /**
   * Replaces {@code destination} (any type, its TTL dropped) with a list of the results, a missing
   * GET value stored as an empty string; an empty result deletes it.
   */
  private static void store(Keyspace ks, byte[] destination, List<byte[]> output) {
    KeyMeta old = ks.lookup(destination);
    if (old != null) {
      ks.remove(destination, old);
    }
    if (output.isEmpty()) {
      return;
    }
    StoredList list = StoredList.create(ks, destination, 0);
    for (byte[] value : output) {
      list.append(value == null ? new byte[0] : value);
    }
    list.save();
  }

  /** Every element, in the order sorting starts from (see the class comment). */
  private static List<byte[]> all(Keyspace ks, byte[] key, KeyMeta meta) {
    switch (meta.type()) {
      case LIST: {
        StoredList list = StoredList.of(ks, key, meta);
        return list.range(0, list.size());
      }
      case SET: {
        List<byte[]> members = new ArrayList<>();
        new HashedMembers(ks.data(), key, meta.version()).forEachWhile(e -> {
          members.add(e.member());
          return true;
        });
        return SetEncoding.replyOrder(members);
      }
      default: {
        List<SortedSet.Entry> entries = SortedSet.of(ks, key, meta).all();
        List<byte[]> members = new ArrayList<>(entries.size());
        for (SortedSet.Entry e : entries) {
          members.add(e.member());
        }
        return members;
      }
    }
  }

  /**
   * {@code count} elements of a list or sorted set from position {@code start}, counted from the
   * tail (highest score) when {@code desc}, in that walking order.
   */
  private static List<byte[]> range(Keyspace ks, byte[] key, KeyMeta meta, long start, long count,
      boolean desc) {
    long size = meta.size();
    long lo = desc ? size - start - count : start;
    List<byte[]> out = new ArrayList<>((int) Math.min(count, 1 << 16));
    if (meta.type() == RedisType.LIST) {
      out.addAll(StoredList.of(ks, key, meta).range(lo, count));
    } else {
      for (SortedSet.Entry e : SortedSet.of(ks, key, meta).byRank(lo, lo + count - 1)) {
        out.add(e.member());
      }
    }
    if (desc) {
      Collections.reverse(out);
    }
    return out;
  }

  /** Whether a score is subnormal: its %.17g text reads back with ERANGE (see {@link #rangeError}). */
  private static boolean hasSubnormalScore(SortedSet z) {
    for (SortedSet.Entry e : z.all()) {
      double v = Math.abs(e.score());
      if (v != 0 && v < Double.MIN_NORMAL) {
        return true;
      }
    }
    return false;
  }

  /**
   * glibc's strtod sets ERANGE on overflow, on underflow to zero, and on a result that is
   * subnormal and inexact (Redis refuses all three: {@code errno == ERANGE}). A subnormal decimal
   * is never exact, so every subnormal result is treated as ERANGE.
   */
  private static boolean rangeError(Strtod.Result r) {
    double v = Math.abs(r.value());
    return r.rangeError() || (v != 0 && v < Double.MIN_NORMAL);
  }

  /** Redis's {@code sortCompare}. */
  private static Comparator<Item> comparator(boolean alpha, boolean byPattern, boolean store,
      boolean desc) {
    Comparator<Item> cmp;
    if (!alpha) {
      cmp = (a, b) -> a.score > b.score ? 1 : a.score < b.score ? -1
          : Arrays.compareUnsigned(a.element, b.element);
    } else if (byPattern) {
      cmp = (a, b) -> {
        if (a.weight == null || b.weight == null) {
          return a.weight == b.weight ? 0 : a.weight == null ? -1 : 1;
        }
        return store ? Arrays.compareUnsigned(a.weight, b.weight) : collate(a.weight, b.weight);
      };
    } else {
      cmp = (a, b) -> store ? Arrays.compareUnsigned(a.element, b.element)
          : collate(a.element, b.element);
    }
    return desc ? (a, b) -> -Integer.signum(cmp.compare(a, b)) : cmp;
  }

  /** {@code strcoll} in the C locale: {@code strcmp}, which stops at the first NUL byte. */
  private static int collate(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, 0, SortPattern.cLength(a), b, 0, SortPattern.cLength(b));
  }
}
