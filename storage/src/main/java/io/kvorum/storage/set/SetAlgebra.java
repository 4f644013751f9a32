package io.kvorum.storage.set;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.hash.HashedMembers;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * SINTER, SINTERCARD, SUNION, SDIFF and the STORE forms. Every key is looked up first, so a key of
 * another type answers WRONGTYPE even after a missing one (missing keys are empty sets). Results
 * are computed by walking one set and probing the others with point lookups.
 */
final class SetAlgebra {
  private SetAlgebra() {}

  static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(
            of("sinter", -2, "readonly", 1, -1, 1, "@read @set @slow",
                "nondeterministic_output_order"),
            (ctx, args) -> SetCommands.setReply(inter(sources(ctx, args, 1)))),
        KeyspaceCommand.of(
            of("sintercard", -3, "readonly movablekeys", 0, 0, 0, "@read @set @slow", ""),
            SetAlgebra::sintercardKeys, SetAlgebra::sintercard),
        KeyspaceCommand.of(
            of("sunion", -2, "readonly", 1, -1, 1, "@read @set @slow",
                "nondeterministic_output_order"),
            (ctx, args) -> SetCommands.setReply(union(sources(ctx, args, 1)))),
        KeyspaceCommand.of(
            of("sdiff", -2, "readonly", 1, -1, 1, "@read @set @slow",
                "nondeterministic_output_order"),
            (ctx, args) -> SetCommands.setReply(diff(sources(ctx, args, 1)))),
        KeyspaceCommand.of(
            of("sinterstore", -3, "write denyoom", 1, -1, 1, "@write @set @slow", ""),
            (ctx, args) -> store(ctx, args[1], inter(sources(ctx, args, 2)), -1)),
        KeyspaceCommand.of(
            of("sunionstore", -3, "write denyoom", 1, -1, 1, "@write @set @slow", ""),
            (ctx, args) -> store(ctx, args[1], union(sources(ctx, args, 2)), -1)),
        KeyspaceCommand.of(
            of("sdiffstore", -3, "write denyoom", 1, -1, 1, "@write @set @slow", ""),
            SetAlgebra::sdiffstore));
  }

  /** One operand: a set that exists, or null members for a missing key (an empty set). */
  private record Source(byte[] key, long size, HashedMembers members) {
    boolean missing() {
      return members == null;
    }
  }

  /** The operands {@code args[from…]}, WRONGTYPE for the first key of another type. */
  private static List<Source> sources(CommandContext ctx, byte[][] args, int from) {
    return sources(ctx, args, from, args.length);
  }

  private static List<Source> sources(CommandContext ctx, byte[][] args, int from, int to) {
    Keyspace ks = ctx.keyspace();
    List<Source> sets = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      KeyMeta meta = ks.lookup(args[i], RedisType.SET);
      sets.add(meta == null ? new Source(args[i], 0, null)
          : new Source(args[i], meta.size(), SetCommands.members(ks, args[i], meta)));
    }
    return sets;
  }

  private static List<byte[]> inter(List<Source> sets) {
    List<byte[]> out = new ArrayList<>();
    interEach(sets, m -> {
      out.add(m);
      return true;
    });
    return out;
  }

  /**
   * Hands the members common to all sets to {@code sink} until it returns false, walking the
   * smallest set and probing the others.
   */
  private static void interEach(List<Source> sets, Predicate<byte[]> sink) {
    for (Source s : sets) {
      if (s.missing()) {
        return;
      }
    }
    List<Source> bySize = new ArrayList<>(sets);
    bySize.sort(Comparator.comparingLong(Source::size));
    bySize.get(0).members().forEachWhile(e -> {
      for (int j = 1; j < bySize.size(); j++) {
        if (!bySize.get(j).members().contains(e.member())) {
          return true;
        }
      }
      return sink.test(e.member());
    });
  }

  private static List<byte[]> union(List<Source> sets) {
    List<byte[]> out = new ArrayList<>();
    Set<ByteBuffer> seen = new HashSet<>();
    for (Source s : sets) {
      if (!s.missing()) {
        s.members().forEachWhile(e -> {
          if (seen.add(ByteBuffer.wrap(e.member()))) {
            out.add(e.member());
          }
          return true;
        });
      }
    }
    return out;
  }

  private static List<byte[]> diff(List<Source> sets) {
    List<byte[]> out = new ArrayList<>();
    Source first = sets.get(0);
    if (first.missing()) {
      return out;
    }
    first.members().forEachWhile(e -> {
      for (int j = 1; j < sets.size(); j++) {
        Source other = sets.get(j);
        if (!other.missing() && other.members().contains(e.member())) {
          return true;
        }
      }
      out.add(e.member());
      return true;
    });
    return out;
  }

  static Reply sdiffstore(CommandContext ctx, byte[][] args) {
    List<Source> sets = sources(ctx, args, 2);
    List<byte[]> members = diff(sets);
    return store(ctx, args[1], members, members.isEmpty() ? -1 : diffEncoding(sets, members));
  }

  /**
   * The encoding of the set SDIFFSTORE builds. Redis picks one of two algorithms by estimated
   * work: probing each member of the first set in the others (the new set only ever holds the
   * result), or copying the whole first set and removing the others' members from the copy, which
   * then stays a hashtable if the first set's content did not fit an intset.
   */
  private static int diffEncoding(List<Source> sets, List<byte[]> result) {
    Source first = sets.get(0);
    boolean sameSet = false;
    long probeWork = 0;
    long copyWork = 0;
    for (int j = 0; j < sets.size(); j++) {
      Source s = sets.get(j);
      if (s.missing()) {
        continue;
      }
      sameSet |= j > 0 && Arrays.equals(s.key(), first.key());
      probeWork += first.size();
      copyWork += s.size();
    }
    if (first.missing() || sameSet || probeWork / 2 <= copyWork) {
      return SetEncoding.forContent(result);
    }
    if (first.size() > SetEncoding.MAX_INTSET_ENTRIES) {
      return KeyMeta.Encoding.HASHTABLE;
    }
    List<byte[]> copied = new ArrayList<>();
    first.members().forEachWhile(e -> copied.add(e.member()));
    return SetEncoding.forContent(copied);
  }

  /**
   * Replaces {@code dst} (whatever it held, TTL included) with a new set of {@code members}, or
   * deletes it when the result is empty; answers the cardinality. The encoding is the one given,
   * or (when negative) the one the members fit.
   */
  private static Reply store(CommandContext ctx, byte[] dst, List<byte[]> members, int encoding) {
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(dst);
    if (members.isEmpty()) {
      if (old != null) {
        ks.remove(dst, old);
      }
      return Reply.ZERO;
    }
    long version = ks.newVersion();
    HashedMembers target = new HashedMembers(ks.data(), dst, version);
    for (byte[] m : members) {
      target.put(m, SetCommands.NO_VALUE);
    }
    int stored = encoding >= 0 ? encoding : SetEncoding.forContent(members);
    ks.put(dst, old, KeyMeta.collection(RedisType.SET, stored, 0, version, members.size(),
        SetCommands.NO_VALUE));
    return Reply.integer(members.size());
  }

  /** SINTERCARD numkeys key [key …] [LIMIT limit]. */
  static Reply sintercard(CommandContext ctx, byte[][] args) {
    int numkeys = numkeys(args);
    long limit = 0;
    for (int j = 2 + numkeys; j < args.length; j++) {
      if (Keywords.is(args[j], "LIMIT") && j + 1 < args.length) {
        Long parsed = RedisNumbers.parseLongOrNull(args[++j]);
        if (parsed == null || parsed < 0) {
          throw new RedisError("ERR LIMIT can't be negative");
        }
        limit = parsed;
      } else {
        throw RedisError.syntax();
      }
    }
    long[] cardinality = {0};
    long max = limit;
    interEach(sources(ctx, args, 2, 2 + numkeys), m -> ++cardinality[0] != max);
    return Reply.integer(cardinality[0]);
  }

  /** The keys of SINTERCARD: {@code numkeys} of them after the count. */
  static int[] sintercardKeys(byte[][] args) {
    int numkeys = numkeys(args);
    int[] idx = new int[numkeys];
    for (int i = 0; i < numkeys; i++) {
      idx[i] = 2 + i;
    }
    return idx;
  }

  private static int numkeys(byte[][] args) {
    Long n = RedisNumbers.parseLongOrNull(args[1]);
    if (n == null || n < 1) {
      throw new RedisError("ERR numkeys should be greater than 0");
    }
    if (n > args.length - 2) {
      throw new RedisError("ERR Number of keys can't be greater than number of args");
    }
    return n.intValue();
  }
}
