package io.kvorum.storage.engine;

import static io.kvorum.storage.engine.SlotGroupStoreTest.args;
import static io.kvorum.storage.engine.SlotGroupStoreTest.bulk;
import static io.kvorum.storage.engine.SlotGroupStoreTest.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.reply.Reply;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log entry's view: commands later in the entry read, scan and rewrite what earlier ones wrote. */
class BatchViewTest {
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

  /**
   * Found by the differential test (a pipelined HSET then SET on the same key): replacing a
   * collection scans its members and deletes each one; with members both on disk and written
   * earlier in the same entry, the delete of an on-disk member added an overlay entry under the
   * live overlay iterator, the scan threw ConcurrentModificationException and the whole entry
   * failed (every command in it answered TRYAGAIN and nothing was written).
   */
  @Test
  void replacingACollectionWithMembersOnDiskAndInTheEntrySucceeds() {
    try (SlotGroupStore store = SlotGroupStore.open(tmp.resolve("db"), node)) {
      store.apply(1, 1, entry(1000, "hset h f1 v1 f3 v3 f5 v5"));
      List<Reply> replies = store.apply(1, 2, entry(1000, "hset h f2 v2 f4 v4", "set h x", "hset h f1 again"));
      assertThat(replies).hasSize(3);
      assertThat(replies.get(0)).isEqualTo(Reply.integer(2));
      assertThat(replies.get(1)).isEqualTo(Reply.OK);
      assertThat(replies.get(2)).isInstanceOf(Reply.Error.class); // WRONGTYPE: h is a string now
      assertThat(bulk(store.read(args("get h"), false, 1000))).isEqualTo("x");
    }
  }

  @Test
  void deletingMembersWhileWalkingThemSeesTheViewAsTheWalkBegan() {
    try (SlotGroupStore store = SlotGroupStore.open(tmp.resolve("db"), node)) {
      store.apply(1, 1, entry(1000, "sadd s a c e g"));
      List<Reply> replies = store.apply(1, 2, entry(1000, "sadd s b d f", "del s", "sadd s z", "scard s"));
      assertThat(replies.get(0)).isEqualTo(Reply.integer(3));
      assertThat(replies.get(1)).isEqualTo(Reply.integer(1));
      assertThat(replies.get(3)).isEqualTo(Reply.integer(1));
      assertThat(store.read(args("sismember s z"), false, 1000)).isEqualTo(Reply.integer(1));
      assertThat(store.read(args("sismember s a"), false, 1000)).isEqualTo(Reply.integer(0));
      assertThat(store.read(args("sismember s b"), false, 1000)).isEqualTo(Reply.integer(0));
    }
  }
}
