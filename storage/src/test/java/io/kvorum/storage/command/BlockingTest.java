package io.kvorum.storage.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.storage.engine.NodeStorage;
import io.kvorum.storage.engine.SlotGroupStore;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage side of blocking commands: each table entry's waiting rule, the repetition for a
 * blocked client ({@code kvorum.serve-blocked}), and the start-time resolution of an invocation
 * ({@code kvorum.resolve-blocked}).
 */
class BlockingTest {
  static final String WRONGTYPE =
      "-WRONGTYPE Operation against a key holding the wrong kind of value";

  @TempDir Path tmp;
  StoreFixture fx;

  @BeforeEach
  void open() {
    fx = new StoreFixture(tmp.resolve("db"));
  }

  @AfterEach
  void close() {
    fx.close();
  }

  String r(String command) {
    return ReplyText.of(fx.run(command));
  }

  static SlotGroupEntry entry(String command) {
    CommandCall.Builder c = CommandCall.newBuilder();
    for (byte[] a : StoreFixture.split(command)) {
      c.addArgs(ByteString.copyFrom(a));
    }
    return SlotGroupEntry.newBuilder().setTimeMs(1000).addCalls(c).build();
  }

  static long timeout(String command) {
    byte[][] args = StoreFixture.split(command);
    return StoreFixture.TABLE.resolve(args).blocking().timeoutMillis(args);
  }

  @Test
  void everyCommandFlaggedBlockingHasAWaitingRule() {
    for (KeyspaceCommand c : KeyspaceCommandTable.standard().commands()) {
      if (c.spec().has(CommandFlag.BLOCKING)) {
        assertThat(c.blocking()).as(c.name()).isNotNull();
      } else {
        assertThat(c.blocking()).as(c.name()).isNull();
      }
    }
    assertThatThrownBy(() -> KeyspaceCommandTable.standard().get("lpop").blocking(args -> 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void timeoutsAreReadFromEachCommandsOwnArgument() {
    assertThat(timeout("blpop a b 1.5")).isEqualTo(1500);
    assertThat(timeout("brpop a 0")).isZero();
    assertThat(timeout("blmove a b left right 0.25")).isEqualTo(250);
    assertThat(timeout("brpoplpush a b 2")).isEqualTo(2000);
    assertThat(timeout("blmpop 0.001 2 a b left count 3")).isEqualTo(1);
    assertThat(timeout("bzpopmin a b 3")).isEqualTo(3000);
    assertThat(timeout("bzpopmax a 0.0001")).isEqualTo(1);
    assertThat(timeout("bzmpop 4 1 a min")).isEqualTo(4000);
    assertThatThrownBy(() -> timeout("blpop a -1")).isInstanceOf(RedisError.class)
        .hasMessage("ERR timeout is negative");
    assertThatThrownBy(() -> timeout("bzpopmin a x")).isInstanceOf(RedisError.class)
        .hasMessage("ERR timeout is not a float or out of range");
  }

  @Test
  void theFirstAttemptAnswersWrongTypeButABlockedClientIsServedFromTheKeysOfItsType() {
    r("set a string");
    r("zadd z 1 m");
    r("rpush b v1 v2 v3");
    assertThat(r("blpop a b 0")).isEqualTo(WRONGTYPE);
    assertThat(r("kvorum.serve-blocked blpop a b 0")).isEqualTo("[b, v1]");
    assertThat(fx.run("kvorum.serve-blocked brpop a z 0")).isInstanceOf(Reply.NullArray.class);
    assertThat(r("kvorum.serve-blocked blmpop 0 3 a z b right")).isEqualTo("[b, [v3]]");
    assertThat(fx.run("kvorum.serve-blocked blmove a b left left 0"))
        .as("a source of another type: still waiting").isInstanceOf(Reply.NullArray.class);
    assertThat(r("kvorum.serve-blocked blmove b a left left 0"))
        .as("a destination of another type: WRONGTYPE, as Redis answers the served client")
        .isEqualTo(WRONGTYPE);
    assertThat(r("lrange b 0 -1")).as("nothing moved").isEqualTo("[v2]");
    assertThat(r("bzpopmin a z 0")).isEqualTo(WRONGTYPE);
    assertThat(r("kvorum.serve-blocked bzpopmin a b z 0")).isEqualTo("[z, m, 1]");
    r("zadd z 2 n");
    assertThat(r("kvorum.serve-blocked bzmpop 0 3 a b z max")).isEqualTo("[z, [[n, 2]]]");
    assertThat(fx.run("kvorum.serve-blocked bzpopmax a b 0")).isInstanceOf(Reply.NullArray.class);
    assertThat(r("kvorum.serve-blocked blpop x -1"))
        .as("the repetition is the command itself: its errors are the command's")
        .isEqualTo("-ERR timeout is negative");
    assertThat(r("kvorum.serve-blocked blpop x"))
        .isEqualTo("-ERR wrong number of arguments for 'blpop' command");
  }

  @Test
  void anInvocationIsResolvedAgainstTheKeyspaceWhenItStarts() throws Exception {
    // A stand-in for XREAD's `$`: "wait k $ timeout" waits for k to differ from its value now.
    KeyspaceCommand wait = KeyspaceCommand.of(
        CommandSpec.of("wait.k", 4, "readonly blocking", 1, 1, 1, "", ""),
        (ctx, args) -> {
          byte[] now = ctx.keyspace().getString(args[1]);
          return now != null && !Arrays.equals(now, args[2]) ? Reply.bulk(now) : Reply.NULL_ARRAY;
        }).blocking(new Blocking() {
          @Override
          public long timeoutMillis(byte[][] args) {
            return Long.parseLong(new String(args[3]));
          }

          @Override
          public boolean needsResolve(byte[][] args) {
            return args[2].length == 1 && args[2][0] == '$';
          }

          @Override
          public byte[][] resolve(io.kvorum.storage.keyspace.Keyspace ks, byte[][] args) {
            byte[][] out = args.clone();
            byte[] now = ks.getString(args[1]);
            out[2] = now == null ? new byte[0] : now;
            return out;
          }
        });
    KeyspaceCommandTable table = KeyspaceCommandTable.build(
        List.of(KeyspaceCommandTable.standard().commands().stream().toList(), List.of(wait)),
        List.of());
    try (NodeStorage node = new NodeStorage(16L << 20, 16L << 20);
        SlotGroupStore store = SlotGroupStore.open(tmp.resolve("custom"), node, table)) {
      store.apply(1, 1, entry("set k v1"));
      byte[][] call = StoreFixture.split("wait.k k $ 0");
      assertThat(wait.blocking().needsResolve(call)).isTrue();
      Reply resolved = store.read(
          StoreFixture.split("kvorum.resolve-blocked wait.k k $ 0"), false, 0);
      assertThat(ReplyText.of(resolved)).isEqualTo("[wait.k, k, v1, 0]");
      assertThat(store.read(StoreFixture.split("wait.k k v1 0"), false, 0))
          .isInstanceOf(Reply.NullArray.class);
      store.apply(1, 2, entry("set k v2"));
      assertThat(ReplyText.of(store.read(
          StoreFixture.split("kvorum.serve-blocked wait.k k v1 0"), false, 0))).isEqualTo("v2");
      assertThat(ReplyText.of(store.read(StoreFixture.split("kvorum.resolve-blocked get k"),
          false, 0))).isEqualTo("-ERR get does not block");
    }
  }
}
