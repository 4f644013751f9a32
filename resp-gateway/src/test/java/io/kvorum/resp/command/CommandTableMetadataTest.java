package io.kvorum.resp.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.resp.metrics.ServerStats;
import io.kvorum.resp.protocol.RespEncoder;
import io.kvorum.resp.server.GatewayCommands;
import io.kvorum.storage.command.CommandSpec;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every command of the table that Redis 7.0 also has must carry Redis's own COMMAND INFO metadata
 * (name, arity, flags, key positions, ACL categories, tips). Catches mistakes in the keyspace
 * table as well as in the gateway's.
 */
class CommandTableMetadataTest {
  static final CommandTable TABLE = CommandTable.create(
      KeyspaceCommandTable.standard(), GatewayCommands.all(), ServerStats.standalone());
  static final RedisCommandData REDIS = RedisCommandData.load();
  /** Commands Kvorum has on purpose although Redis 7.0 lacks them (Redis 7.2 additions). */
  static final Set<String> NEWER_THAN_7_0 = Set.of("client|setinfo", "client|no-touch");

  @Test
  void capturedDataIsRedis7015() {
    assertThat(REDIS.names()).contains("get", "client|list", "cluster|slots").hasSizeGreaterThan(350);
    assertThat(REDIS.docs("get")).isNotNull();
  }

  @Test
  void specsEqualRedisForEveryCommandRedisHas() {
    List<String> mismatches = new ArrayList<>();
    for (CommandEntry e : TABLE.all()) {
      Reply.Array redis = REDIS.info(e.name());
      if (redis == null) {
        if (!NEWER_THAN_7_0.contains(e.name())) {
          mismatches.add(e.name() + ": not a Redis 7.0 command");
        }
        continue;
      }
      List<Reply> f = redis.items();
      CommandSpec s = e.spec();
      compare(mismatches, e.name(), "arity", ((Reply.Int) f.get(1)).value(), (long) s.arity());
      Set<String> redisFlags = texts(f.get(2));
      Set<String> ourFlags = new HashSet<>(texts(((Reply.Array) CommandCommands.infoOf(e)).items().get(2)));
      compare(mismatches, e.name(), "flags", redisFlags, ourFlags);
      compare(mismatches, e.name(), "first key", ((Reply.Int) f.get(3)).value(), (long) s.firstKey());
      compare(mismatches, e.name(), "last key", ((Reply.Int) f.get(4)).value(), (long) s.lastKey());
      compare(mismatches, e.name(), "key step", ((Reply.Int) f.get(5)).value(), (long) s.keyStep());
      compare(mismatches, e.name(), "acl categories", texts(f.get(6)), new HashSet<>(s.aclCategories()));
      compare(mismatches, e.name(), "tips", orderedTexts(f.get(7)), s.tips());
    }
    assertThat(mismatches).as("table entries that differ from Redis 7.0.15").isEmpty();
  }

  @Test
  void commandInfoOfALeafCommandIsRedisBytes() {
    for (CommandEntry e : TABLE.all()) {
      Reply.Array redis = REDIS.info(e.name());
      if (redis == null || !e.subcommandEntries().isEmpty()
          || !RedisCommandData.items(redis.items().get(9)).isEmpty()) {
        continue;
      }
      for (boolean resp3 : new boolean[] {false, true}) {
        assertThat(RespEncoder.toBytes(CommandCommands.infoOf(e), resp3))
            .as("COMMAND INFO %s (resp3 %s)", e.name(), resp3)
            .isEqualTo(RespEncoder.toBytes(redis, resp3));
      }
    }
  }

  @Test
  void commandDocsOfALeafCommandIsRedisBytes() {
    CommandEntry get = TABLE.find("get");
    assertThat(RespEncoder.toBytes(CommandCommands.docsOf(get), true))
        .isEqualTo(RespEncoder.toBytes(REDIS.docs("get"), true));
  }

  @Test
  void containersListOnlyTheirImplementedSubcommands() {
    CommandEntry client = TABLE.get("client");
    assertThat(client.subcommands()).containsKeys("id", "list", "kill", "setinfo")
        .doesNotContainKey("tracking");
    List<Reply> subs = RedisCommandData.items(((Reply.Array) CommandCommands.infoOf(client)).items().get(9));
    assertThat(subs).hasSize(client.subcommands().size());
  }

  @Test
  void unknownCommandAndSubcommandErrors() {
    assertThat(err("foo", "a", "b")).isEqualTo("ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
    assertThat(err("foo")).isEqualTo("ERR unknown command 'foo', with args beginning with: ");
    String longArg = "x".repeat(200);
    assertThat(err(longArg, longArg, "b")).isEqualTo("ERR unknown command '" + "x".repeat(128)
        + "', with args beginning with: '" + "x".repeat(128) + "' ");
    assertThat(err("foo", "x".repeat(120), "abcdefghijkl", "z"))
        .isEqualTo("ERR unknown command 'foo', with args beginning with: '" + "x".repeat(120)
            + "' 'abcde' ");
    assertThat(err("client", "nope")).isEqualTo("ERR unknown subcommand 'nope'. Try CLIENT HELP.");
    assertThat(err("Client")).isEqualTo("ERR wrong number of arguments for 'client' command");
    assertThat(err("client", "setname")).isEqualTo("ERR wrong number of arguments for 'client|setname' command");
    assertThat(err("GET")).isEqualTo("ERR wrong number of arguments for 'get' command");
    assertThat(TABLE.lookup(args("GeT", "k")).entry().name()).isEqualTo("get");
    assertThat(TABLE.lookup(args("command")).entry().name()).isEqualTo("command");
  }

  private static String err(String... a) {
    return TABLE.lookup(args(a)).error().text();
  }

  private static byte[][] args(String... a) {
    byte[][] out = new byte[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    return out;
  }

  private static <T> void compare(List<String> out, String name, String what, T redis, T ours) {
    if (!redis.equals(ours)) {
      out.add(name + " " + what + ": Redis " + redis + ", table " + ours);
    }
  }

  private static Set<String> texts(Reply r) {
    return new HashSet<>(orderedTexts(r));
  }

  private static List<String> orderedTexts(Reply r) {
    List<String> out = new ArrayList<>();
    for (Reply item : RedisCommandData.items(r)) {
      out.add(RedisCommandData.text(item));
    }
    return out;
  }
}
