package io.kvorum.resp.proxy;

import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import java.util.function.ToIntFunction;

/**
 * MGET, EXISTS, DEL, UNLINK and TOUCH whose keys span slot groups, on the proxy port: split into
 * one command per group (keys in argument order, duplicates kept), each run on its group's leader,
 * and the replies merged: MGET's values back in argument order, the others' counts summed. Not
 * atomic across groups (as Redis Enterprise's proxy): a reader may see one group's part of a DEL
 * before the other's, and when a part fails the parts that succeeded stay applied.
 */
public final class SplitCommand {
  /** The commands split across groups; every other multi-key command keeps {@code CROSSSLOT}. */
  static final Set<String> SPLITTABLE = Set.of("mget", "exists", "del", "unlink", "touch");

  /**
   * One group's share of a split command.
   *
   * @param slot      the slot of the part's first key
   * @param args      the command name followed by the part's keys
   * @param positions where each of the part's keys stands among the original keys (0-based)
   */
  public record Part(int group, int slot, byte[][] args, int[] positions) {}

  private SplitCommand() {}

  /** Whether a command (its full lower-case name) is split across groups on the proxy port. */
  public static boolean splittable(String name) {
    return SPLITTABLE.contains(name);
  }

  /**
   * The parts of a command whose arguments after the name are all keys, ordered by their first
   * key's position.
   *
   * @param slotOf  hash slot of a key
   * @param groupOf slot group of a slot
   */
  public static List<Part> split(byte[][] args, ToIntFunction<byte[]> slotOf,
      IntUnaryOperator groupOf) {
    Map<Integer, List<Integer>> byGroup = new LinkedHashMap<>();
    Map<Integer, Integer> firstSlot = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      int slot = slotOf.applyAsInt(args[i]);
      int group = groupOf.applyAsInt(slot);
      byGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(i);
      firstSlot.putIfAbsent(group, slot);
    }
    List<Part> parts = new ArrayList<>(byGroup.size());
    for (Map.Entry<Integer, List<Integer>> e : byGroup.entrySet()) {
      List<Integer> indexes = e.getValue();
      byte[][] partArgs = new byte[indexes.size() + 1][];
      int[] positions = new int[indexes.size()];
      partArgs[0] = args[0];
      for (int k = 0; k < indexes.size(); k++) {
        partArgs[k + 1] = args[indexes.get(k)];
        positions[k] = indexes.get(k) - 1;
      }
      parts.add(new Part(e.getKey(), firstSlot.get(e.getKey()), partArgs, positions));
    }
    return parts;
  }

  /**
   * The reply of the whole command from its parts' replies (same order as {@code parts}): the
   * first error if a part failed, else MGET's values in argument order or the sum of the counts.
   *
   * @param name the command's lower-case name
   * @param keys how many keys the original command had
   */
  public static Reply merge(String name, int keys, List<Part> parts, List<Reply> replies) {
    for (Reply r : replies) {
      if (r instanceof Reply.Error) {
        return r;
      }
    }
    if (name.equals("mget")) {
      Reply[] values = new Reply[keys];
      for (int p = 0; p < parts.size(); p++) {
        int[] positions = parts.get(p).positions();
        if (!(replies.get(p) instanceof Reply.Array a) || a.items().size() != positions.length) {
          return new Reply.Error("ERR unexpected reply to part of a split MGET: " + replies.get(p));
        }
        for (int k = 0; k < positions.length; k++) {
          values[positions[k]] = a.items().get(k);
        }
      }
      return new Reply.Array(List.of(values));
    }
    long sum = 0;
    for (Reply r : replies) {
      if (!(r instanceof Reply.Int i)) {
        return new Reply.Error("ERR unexpected reply to part of a split "
            + name.toUpperCase(Locale.ROOT) + ": " + r);
      }
      sum += i.value();
    }
    return Reply.integer(sum);
  }
}
