package io.kvorum.storage.engine;

import static io.kvorum.storage.engine.SlotGroupStoreTest.bulk;
import static io.kvorum.storage.engine.SlotGroupStoreTest.entry;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's dry run of a write script and the guarded call it proposes: the dry run writes
 * nothing, the guarded call runs only on the state the dry run saw and then computes the same.
 */
class SlotGroupStoreDryRunTest {
  static NodeStorage node;

  @TempDir Path tmp;

  @BeforeAll
  static void init() {
    node = NodeStorage.withDefaults();
  }

  @AfterAll
  static void done() {
    node.close();
  }

  static byte[][] eval(String script, String... keysAndArgs) {
    byte[][] a = new byte[3 + keysAndArgs.length][];
    a[0] = b("EVAL");
    a[1] = b(script);
    a[2] = b("1");
    for (int i = 0; i < keysAndArgs.length; i++) {
      a[3 + i] = b(keysAndArgs[i]);
    }
    return a;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The entry the leader proposes after a dry run with {@code time} and {@code seed}. */
  static SlotGroupEntry guarded(byte[][] args, long time, long seed, long lastDataChange) {
    CommandCall.Builder call = CommandCall.newBuilder().setGuarded(true)
        .setLastDataChange(lastDataChange);
    for (byte[] a : args) {
      call.addArgs(ByteString.copyFrom(a));
    }
    return SlotGroupEntry.newBuilder().setTimeMs(time).setRandomSeed(seed).addCalls(call).build();
  }

  private static String get(SlotGroupStore store, String key) {
    return bulk(store.read(new byte[][] {b("GET"), b(key)}, false, 1000));
  }

  /** A reply as text, arrays included (bulk replies compare by content). */
  static String text(Reply r) {
    if (r instanceof Reply.Array a) {
      return a.items().stream().map(SlotGroupStoreDryRunTest::text).toList().toString();
    }
    return r instanceof Reply.Bulk ? bulk(r) : String.valueOf(r);
  }

  @Test
  void aDryRunWritesNothingAndItsGuardedCallComputesTheSameWithTheEntrysClockAndSeed() {
    try (SlotGroupStore store = SlotGroupStore.open(tmp.resolve("db"), node)) {
      store.apply(1, 1, entry(1000, "set {k} 1"));
      byte[][] script = eval("redis.call('incr', KEYS[1]) local t = redis.call('time') "
          + "redis.call('sadd', KEYS[2], 'a', 'b', 'c', 'd', 'e', 'f', 'g') "
          + "return {redis.call('get', KEYS[1]), math.random(1000000000), t[1], "
          + "redis.call('spop', KEYS[2]), redis.call('srandmember', KEYS[2])}", "{k}", "{k}s");
      script[2] = b("2");
      SlotGroupStore.DryRun dry = store.dryRun(script, false, 5_000, 42);
      assertThat(dry.wrote()).isTrue();
      assertThat(dry.lastDataChange()).isEqualTo(1);
      assertThat(get(store, "{k}")).isEqualTo("1");
      assertThat(store.applied().index()).isEqualTo(1);
      assertThat(store.keyCount()).isEqualTo(1);
      String dryReply = text(dry.reply());
      assertThat(dryReply).startsWith("[2, ").contains(", 5, ");
      // Applied at an index the dry run could not know: same reply, and now the state changes.
      List<Reply> applied = store.apply(1, 7, guarded(script, 5_000, 42, dry.lastDataChange()));
      assertThat(text(applied.get(0))).isEqualTo(dryReply);
      assertThat(get(store, "{k}")).isEqualTo("2");
      assertThat(store.lastDataChange()).isEqualTo(7);
    }
  }

  @Test
  void aGuardedCallDoesNothingOnceTheDataChangedSinceItsDryRun() {
    try (SlotGroupStore store = SlotGroupStore.open(tmp.resolve("db"), node)) {
      store.apply(1, 1, entry(1000, "set {k} 1"));
      byte[][] script = eval("return redis.call('incr', KEYS[1])", "{k}");
      SlotGroupStore.DryRun dry = store.dryRun(script, false, 2_000, 1);
      assertThat(dry.reply()).isEqualTo(Reply.integer(2));
      store.apply(1, 2, entry(1000, "set {k} 10"));
      List<Reply> replies = store.apply(1, 3, guarded(script, 2_000, 1, dry.lastDataChange()));
      assertThat(replies.get(0)).isSameAs(SlotGroupStore.GUARD_MOVED);
      assertThat(get(store, "{k}")).isEqualTo("10");
      // The refused call changed nothing: a dry run from index 2 still holds after it.
      assertThat(store.lastDataChange()).isEqualTo(2);
      assertThat(store.applied().index()).isEqualTo(3);
      SlotGroupStore.DryRun again = store.dryRun(script, false, 2_000, 1);
      assertThat(again.lastDataChange()).isEqualTo(2);
      assertThat(store.apply(1, 4, guarded(script, 2_000, 1, 2))).containsExactly(
          Reply.integer(11));
    }
  }

  @Test
  void configurationEntriesAndLeaderNoOpsDoNotMoveTheGuard() {
    try (SlotGroupStore store = SlotGroupStore.open(tmp.resolve("db"), node)) {
      store.apply(1, 1, entry(1000, "set {k} 1"));
      byte[][] script = eval("return redis.call('incr', KEYS[1])", "{k}");
      SlotGroupStore.DryRun dry = store.dryRun(script, false, 2_000, 1);
      store.markApplied(2, 2);
      store.markApplied(2, 3);
      assertThat(store.apply(2, 4, guarded(script, 2_000, 1, dry.lastDataChange())))
          .containsExactly(Reply.integer(2));
    }
  }

  @Test
  void theLastDataChangeSurvivesARestartAndTravelsInACheckpoint() {
    Path db = tmp.resolve("db");
    try (SlotGroupStore store = SlotGroupStore.open(db, node)) {
      store.apply(1, 1, entry(1000, "set {k} 1"));
      store.markApplied(1, 2);
      // A checkpoint records the no-op's index as applied, not as a data change.
      store.checkpoint(tmp.resolve("cp"));
    }
    try (SlotGroupStore reopened = SlotGroupStore.open(db, node)) {
      assertThat(reopened.applied().index()).isEqualTo(2);
      assertThat(reopened.lastDataChange()).isEqualTo(1);
    }
    try (SlotGroupStore copy =
        SlotGroupStore.openFromCheckpoint(tmp.resolve("cp"), tmp.resolve("copy"), node)) {
      assertThat(copy.lastDataChange()).isEqualTo(1);
    }
  }

  @Test
  void aDryRunThatOnlyReadsReportsNoWrite() {
    try (SlotGroupStore store = SlotGroupStore.open(tmp.resolve("db"), node)) {
      byte[][] script = eval("return redis.call('get', KEYS[1])", "{k}");
      // EVAL caches its script: the first run writes that, a later one finds it cached.
      store.apply(1, 1, entry(1000, "set {k} v"));
      assertThat(store.dryRun(script, false, 2_000, 1).wrote()).isTrue();
      store.apply(1, 2, guarded(script, 2_000, 1, 1));
      SlotGroupStore.DryRun dry = store.dryRun(script, false, 2_000, 1);
      assertThat(dry.wrote()).isFalse();
      assertThat(text(dry.reply())).isEqualTo("v");
    }
  }
}
