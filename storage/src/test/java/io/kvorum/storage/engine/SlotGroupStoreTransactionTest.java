package io.kvorum.storage.engine;

import static io.kvorum.storage.engine.SlotGroupStoreTest.args;
import static io.kvorum.storage.engine.SlotGroupStoreTest.bulk;
import static io.kvorum.storage.engine.SlotGroupStoreTest.entry;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.proto.slotgroup.Transaction;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.transaction.WatchedKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MULTI/EXEC units inside log entries, and the WATCH record the leader decides from. */
class SlotGroupStoreTransactionTest {
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

  private static CommandCall call(String cmd) {
    CommandCall.Builder c = CommandCall.newBuilder();
    for (String a : cmd.split(" ")) {
      c.addArgs(ByteString.copyFromUtf8(a));
    }
    return c.build();
  }

  private static Transaction.Builder tx(String... cmds) {
    Transaction.Builder t = Transaction.newBuilder();
    for (String c : cmds) {
      t.addCommands(call(c));
    }
    return t;
  }

  private static SlotGroupEntry entryWith(long time, Transaction.Builder tx, String... after) {
    SlotGroupEntry.Builder b = SlotGroupEntry.newBuilder().setTimeMs(time).setRandomSeed(7)
        .addCalls(CommandCall.newBuilder().setTransaction(tx));
    for (String c : after) {
      b.addCalls(call(c));
    }
    return b.build();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> texts(Reply r) {
    List<String> out = new ArrayList<>();
    for (Reply item : ((Reply.Array) r).items()) {
      out.add(item instanceof Reply.Error e ? e.text() : item instanceof Reply.Status st
          ? st.text() : item instanceof Reply.Int i
          ? ":" + i.value() : bulk(item));
    }
    return out;
  }

  /** Watches {@code key} and returns what EXEC would carry for it. */
  private static WatchedKey watch(SlotGroupStore store, String key, long now) {
    SlotGroupStore.WatchState s = store.watch(List.of(b(key)), now);
    return new WatchedKey(b(key), s.index(), s.live()[0]);
  }

  @Test
  void aTransactionIsOneReplyWithRuntimeErrorsInsideAndSharesTheEntryWithOtherWrites() {
    try (SlotGroupStore store = SlotGroupStore.open(tmp.resolve("db"), node)) {
      List<Reply> replies = store.apply(1, 1,
          entryWith(1000, tx("set a 1", "incr a", "lpush a x", "get a"), "set b 2"));
      assertThat(replies).hasSize(2);
      assertThat(texts(replies.get(0))).containsExactly("OK", ":2",
          "WRONGTYPE Operation against a key holding the wrong kind of value", "2");
      assertThat(replies.get(1)).isEqualTo(Reply.OK);
      assertThat(bulk(store.read(args("get b"), false, 1000))).isEqualTo("2");
    }
  }

  @Test
  void aGuardedTransactionAbortsWithoutWritingWhenAnotherEntryCameFirst() {
    try (SlotGroupStore store = SlotGroupStore.open(tmp.resolve("db"), node)) {
      store.apply(1, 1, entry(1000, "set a 1"));
      Transaction.Builder stale = tx("set a 2", "set c 3").setGuarded(true).setAppliedIndex(0);
      List<Reply> replies = store.apply(1, 2, entryWith(1000, stale, "set d 4"));
      assertThat(replies.get(0)).isEqualTo(Reply.NULL_ARRAY);
      assertThat(replies.get(1)).isEqualTo(Reply.OK);
      assertThat(bulk(store.read(args("get a"), false, 1000))).isEqualTo("1");
      assertThat(store.read(args("exists c"), false, 1000)).isEqualTo(Reply.ZERO);

      Transaction.Builder current = tx("set a 2").setGuarded(true).setAppliedIndex(2);
      assertThat(texts(store.apply(1, 3, entryWith(1000, current)).get(0))).containsExactly("OK");
      assertThat(bulk(store.read(args("get a"), false, 1000))).isEqualTo("2");
    }
  }

  @Test
  void aWatchedKeyThatExpiresBeforeTheEntryAbortsItWithoutDeletingAnything() {
    try (SlotGroupStore store = SlotGroupStore.open(tmp.resolve("db"), node)) {
      store.apply(1, 1, entry(1000, "set k v px 100"));
      WatchedKey w = watch(store, "k", 1050);
      assertThat(w.live()).isTrue();
      Transaction.Builder t = tx("set other 1").addLiveKeys(ByteString.copyFromUtf8("k"));
      assertThat(store.apply(1, 2, entryWith(1200, t)).get(0)).isEqualTo(Reply.NULL_ARRAY);
      assertThat(store.keyCount()).isEqualTo(1);
      // Before its deadline the same transaction runs.
      assertThat(texts(store.apply(1, 3, entryWith(1060,
          tx("set other 1").addLiveKeys(ByteString.copyFromUtf8("k")))).get(0)))
          .containsExactly("OK");
    }
  }

  @Test
  void watchSeesWritesDeletesAndRecreationButNotUntouchedKeys() {
    try (SlotGroupStore store = SlotGroupStore.open(tmp.resolve("db"), node)) {
      store.apply(1, 1, entry(1000, "set s 1", "hset h f 1", "set gone 1", "set other 1"));
      WatchedKey s = watch(store, "s", 1000);
      WatchedKey h = watch(store, "h", 1000);
      WatchedKey gone = watch(store, "gone", 1000);
      WatchedKey absent = watch(store, "absent", 1000);
      WatchedKey untouched = watch(store, "other", 1000);
      assertThat(absent.live()).isFalse();
      store.apply(1, 2, entry(1000, "set s 1", "hset h f 2", "del gone", "set absent x",
          "del absent", "set unrelated 1", "del unrelated"));
      assertThat(store.checkWatched(List.of(s))).isEqualTo(-1);
      assertThat(store.checkWatched(List.of(h))).isEqualTo(-1);
      assertThat(store.checkWatched(List.of(gone))).isEqualTo(-1);
      assertThat(store.checkWatched(List.of(absent))).isEqualTo(-1);
      assertThat(store.checkWatched(List.of(untouched))).isEqualTo(2);
    }
  }

  @Test
  void flushChangesExistingWatchedKeysOnlyAndAnExpiredKeyDeletedLaterIsUnchanged() {
    try (SlotGroupStore store = SlotGroupStore.open(tmp.resolve("db"), node)) {
      store.apply(1, 1, entry(1000, "set live 1", "set dying 1 px 10"));
      WatchedKey live = watch(store, "live", 1000);
      WatchedKey absent = watch(store, "absent", 1000);
      WatchedKey expired = watch(store, "dying", 2000);
      assertThat(expired.live()).isFalse();
      store.apply(1, 2, entry(2000, "kvorum.expire-due dying"));
      assertThat(store.checkWatched(List.of(expired))).isEqualTo(2);
      store.apply(1, 3, entry(2000, "flushall"));
      assertThat(store.checkWatched(List.of(live))).isEqualTo(-1);
      assertThat(store.checkWatched(List.of(absent, expired))).isEqualTo(3);
    }
  }

  @Test
  void aRecordThatOutgrowsItsBoundJudgesOlderWatchesChangedAndForgetsWhenNobodyWatches() {
    try (SlotGroupStore store = SlotGroupStore.open(tmp.resolve("db"), node)) {
      store.trackChanges(new io.kvorum.storage.transaction.KeyChanges(3), false);
      store.apply(1, 1, entry(1000, "set w 1"));
      WatchedKey w = watch(store, "w", 1000);
      store.apply(1, 2, entry(1000, "set a 1", "set b 1"));
      assertThat(store.checkWatched(List.of(w))).isEqualTo(2);
      store.apply(1, 3, entry(1000, "set c 1", "set d 1"));
      assertThat(store.checkWatched(List.of(w))).isEqualTo(-1);
      store.unwatch();
      WatchedKey again = watch(store, "w", 1000);
      assertThat(store.checkWatched(List.of(again))).isEqualTo(3);
    }
  }

  @Test
  void aReadOnlyTransactionReadsOneSnapshotAndHonoursWatch() {
    try (SlotGroupStore store = SlotGroupStore.open(tmp.resolve("db"), node)) {
      store.apply(1, 1, entry(1000, "set a 1", "rpush l x y"));
      WatchedKey a = watch(store, "a", 1000);
      Reply r = store.readTransaction(List.of(args("get a"), args("llen l"), args("get nokey")),
          false, 1000, List.of(a));
      assertThat(texts(r)).containsExactly("1", ":2", "NullBulk[]");
      store.apply(1, 2, entry(1000, "incr a"));
      assertThat(store.readTransaction(List.<byte[][]>of(args("get a")), false, 1000, List.of(a)))
          .isEqualTo(Reply.NULL_ARRAY);
      assertThat(texts(store.readTransaction(List.<byte[][]>of(args("get a")), false, 1000, List.of())))
          .containsExactly("2");
    }
  }
}
