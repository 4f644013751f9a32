package io.kvorum.storage.command;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What Redis's {@code COMMAND INFO} says about one command: name, arity, flags, legacy key
 * positions, ACL categories and tips. Subcommands are named {@code container|sub} as in Redis.
 *
 * @param arity      positive: exact argument count including the name; negative: at least -arity
 * @param firstKey   index of the first key argument, 0 when the command takes no key
 * @param lastKey    index of the last key; negative counts from the end (-1 = last argument)
 * @param keyStep    distance between keys (2 for MSET)
 * @param tips       Redis command tips; {@code request_policy:all_shards} makes the gateway fan a
 *                   keyless keyspace command out to every slot group
 */
public record CommandSpec(
    String name,
    int arity,
    Set<CommandFlag> flags,
    int firstKey,
    int lastKey,
    int keyStep,
    List<String> aclCategories,
    List<String> tips) {

  public CommandSpec {
    flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
    aclCategories = List.copyOf(aclCategories);
    tips = List.copyOf(tips);
  }

  /**
   * Compact constructor for tables: {@code flags}, {@code acl} and {@code tips} are
   * space-separated Redis names, e.g. {@code spec("get", 2, "readonly fast", 1, 1, 1,
   * "@read @string @fast", "")}.
   */
  public static CommandSpec of(
      String name, int arity, String flags, int firstKey, int lastKey, int keyStep, String acl,
      String tips) {
    EnumSet<CommandFlag> set = EnumSet.noneOf(CommandFlag.class);
    for (String f : words(flags)) {
      set.add(CommandFlag.ofRedisName(f));
    }
    return new CommandSpec(name, arity, set, firstKey, lastKey, keyStep, words(acl), words(tips));
  }

  private static List<String> words(String s) {
    return s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
  }

  public boolean has(CommandFlag flag) {
    return flags.contains(flag);
  }

  public boolean isWrite() {
    return flags.contains(CommandFlag.WRITE);
  }

  public boolean hasTip(String tip) {
    return tips.contains(tip);
  }

  /** True for a subcommand such as {@code object|encoding}. */
  public boolean isSubcommand() {
    return name.indexOf('|') >= 0;
  }

  /** Whether {@code argc} arguments (name included) satisfy the arity. */
  public boolean arityAccepts(int argc) {
    return arity >= 0 ? argc == arity : argc >= -arity;
  }
}
