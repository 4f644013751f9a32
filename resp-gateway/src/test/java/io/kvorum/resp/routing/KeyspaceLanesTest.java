package io.kvorum.resp.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.raft.route.ClusterTopology;
import io.kvorum.raft.route.GroupStats;
import io.kvorum.raft.route.NotLeaderException;
import io.kvorum.raft.route.GroupReplication;
import io.kvorum.raft.route.Route;
import io.kvorum.raft.route.SlotGroupRouter;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class KeyspaceLanesTest {

  /** A router whose calls stay pending until the test completes them. */
  static final class ControlledRouter implements SlotGroupRouter {
    record Call(String kind, int group, List<String> commands, CompletableFuture<Object> future) {}

    final List<Call> calls = new ArrayList<>();
    final Map<Integer, Route> routes = new HashMap<>();
    CompletableFuture<Route> awaited = new CompletableFuture<>();

    @Override
    public int groupCount() {
      return 4;
    }

    @Override
    public int groupOf(int slot) {
      return slot % 4;
    }

    @Override
    public Route route(int group) {
      return routes.getOrDefault(group, Route.LOCAL);
    }

    @Override
    public CompletableFuture<Route> awaitRoute(int group, Duration maxWait) {
      return awaited;
    }

    @SuppressWarnings("unchecked")
    @Override
    public CompletableFuture<List<Reply>> write(int group, List<byte[][]> commands, boolean resp3) {
      List<String> names = new ArrayList<>();
      for (byte[][] c : commands) {
        names.add(text(c));
      }
      CompletableFuture<Object> f = new CompletableFuture<>();
      calls.add(new Call("write", group, names, f));
      return f.thenApply(o -> (List<Reply>) o);
    }

    @Override
    public CompletableFuture<Reply> read(int group, byte[][] args, boolean resp3) {
      CompletableFuture<Object> f = new CompletableFuture<>();
      calls.add(new Call("read", group, List.of(text(args)), f));
      return f.thenApply(o -> (Reply) o);
    }

    @Override
    public void onKeysWritten(io.kvorum.raft.route.KeysWrittenListener listener) {}

    @Override
    public GroupReplication replication(int group) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Integer> ledGroups() {
      return List.of(0, 1, 2, 3);
    }

    @Override
    public ClusterTopology topology() {
      return new ClusterTopology("n", 0, List.of(), List.of());
    }

    @Override
    public CompletableFuture<Void> snapshotAll() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public long lastSnapshotSeconds() {
      return 0;
    }

    @Override
    public List<GroupStats> groupStats() {
      return List.of();
    }

    List<String> started() {
      List<String> out = new ArrayList<>();
      for (Call c : calls) {
        out.add(c.kind + c.group + c.commands);
      }
      return out;
    }

    void completeRead(int i, String value) {
      calls.get(i).future.complete(Reply.bulk(value));
    }

    void completeWrite(int i) {
      List<Reply> replies = new ArrayList<>();
      for (int k = 0; k < calls.get(i).commands.size(); k++) {
        replies.add(Reply.OK);
      }
      calls.get(i).future.complete(replies);
    }
  }

  static String text(byte[][] args) {
    StringBuilder sb = new StringBuilder();
    for (byte[] a : args) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(new String(a, StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  static byte[][] cmd(String s) {
    String[] parts = s.split(" ");
    byte[][] out = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      out[i] = parts[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  final ControlledRouter router = new ControlledRouter();
  final KeyspaceDispatcher dispatcher = new KeyspaceDispatcher(router, Duration.ofSeconds(2), 100);
  /** Synchronized: a refused write's reply may come from the dispatcher's route-wait timer. */
  final List<String> replies = java.util.Collections.synchronizedList(new ArrayList<>());
  final KeyspaceLanes lanes = new KeyspaceLanes(dispatcher, Runnable::run, () -> { }, 2);

  ReplySink sink(String name) {
    return r -> replies.add(name + "=" + show(r));
  }

  static String show(Reply r) {
    if (r instanceof Reply.Bulk b) {
      return b.utf8();
    }
    if (r instanceof Reply.Status s) {
      return s.text();
    }
    if (r instanceof Reply.Error e) {
      return "-" + e.text();
    }
    return r.toString();
  }

  void write(int group, String c) {
    lanes.submit(group, group, true, false, cmd(c), sink(c));
  }

  void read(int group, String c) {
    lanes.submit(group, group, false, false, cmd(c), sink(c));
  }

  @Test
  void aReadWaitsForAnEarlierWriteOfTheSameGroup() {
    write(0, "set a 1");
    read(0, "get a");
    lanes.flush();
    assertThat(router.started()).containsExactly("write0[set a 1]");
    router.completeWrite(0);
    assertThat(router.started()).containsExactly("write0[set a 1]", "read0[get a]");
    router.completeRead(1, "1");
    assertThat(replies).containsExactly("set a 1=OK", "get a=1");
  }

  @Test
  void aWriteWaitsForAnEarlierReadOfTheSameGroup() {
    read(0, "get a");
    write(0, "set a 1");
    lanes.flush();
    assertThat(router.started()).containsExactly("read0[get a]");
    router.completeRead(0, "old");
    assertThat(router.started()).containsExactly("read0[get a]", "write0[set a 1]");
  }

  @Test
  void readsRunTogetherAndGroupsAreIndependent() {
    read(0, "get a");
    read(0, "get b");
    write(1, "set c 1");
    read(2, "get d");
    lanes.flush();
    assertThat(router.started())
        .containsExactlyInAnyOrder("read0[get a]", "read0[get b]", "write1[set c 1]", "read2[get d]");
  }

  @Test
  void writesQueuedTogetherAreCoalescedUpToTheBatchLimit() {
    write(0, "set a 1");
    write(0, "set a 2");
    write(0, "set a 3");
    lanes.flush();
    assertThat(router.started()).containsExactly("write0[set a 1, set a 2]", "write0[set a 3]");
    router.completeWrite(1);
    router.completeWrite(0);
    assertThat(replies).containsExactly("set a 3=OK", "set a 1=OK", "set a 2=OK");
  }

  @Test
  void aWriteScriptIsNeverCoalescedWithOtherWrites() {
    // (The batch limit is 2.)
    write(0, "set a 1");
    write(0, "set a 2");
    lanes.submit(0, 0, true, false, cmd("eval x 0"), true, sink("eval x 0"));
    write(0, "set a 3");
    lanes.flush();
    // Its failure is its own, and the writes around it keep their order in the group's queue.
    assertThat(router.started())
        .containsExactly("write0[set a 1, set a 2]", "write0[eval x 0]", "write0[set a 3]");
  }

  @Test
  void aBarrierWaitsForEverythingBeforeItAndHoldsEverythingAfter() {
    write(0, "set a 1");
    CompletableFuture<Reply> barrier = new CompletableFuture<>();
    lanes.submitOrdered(() -> barrier, sink("dbsize"));
    read(1, "get b");
    lanes.flush();
    assertThat(router.started()).containsExactly("write0[set a 1]");
    assertThat(barrier).isNotDone();
    router.completeWrite(0);
    assertThat(router.started()).containsExactly("write0[set a 1]");
    barrier.complete(Reply.integer(1));
    assertThat(router.started()).containsExactly("write0[set a 1]", "read1[get b]");
    assertThat(lanes.idle()).isFalse();
    router.completeRead(1, "x");
    assertThat(lanes.idle()).isTrue();
  }

  @Test
  void remoteLeaderGetsMovedWithoutARouterCall() {
    router.routes.put(3, new Route.Remote("other", "10.0.0.2", 6380));
    lanes.submit(3, 7, false, false, cmd("get k"), sink("get k"));
    lanes.flush();
    assertThat(router.calls).isEmpty();
    assertThat(replies).containsExactly("get k=-MOVED 7 10.0.0.2:6380");
  }

  @Test
  void unavailableGroupIsAwaitedOnceThenClusterDown() {
    router.routes.put(1, new Route.Unavailable("election"));
    read(1, "get a");
    lanes.flush();
    assertThat(router.calls).isEmpty();
    router.awaited.complete(Route.LOCAL);
    assertThat(router.started()).containsExactly("read1[get a]");

    router.awaited = new CompletableFuture<>();
    read(1, "get b");
    lanes.flush();
    router.awaited.complete(new Route.Unavailable("still none"));
    assertThat(replies).contains("get b=-CLUSTERDOWN The cluster is down");
  }

  @Test
  void lostLeadershipOnAWriteIsMovedOrTryAgainNeverRetried() {
    write(2, "set a 1");
    lanes.flush();
    router.routes.put(2, new Route.Remote("n2", "h", 1));
    router.calls.get(0).future.completeExceptionally(new NotLeaderException(2, "moved"));
    assertThat(replies).containsExactly("set a 1=-MOVED 2 h:1");
    write(2, "set a 2");
    router.routes.remove(2);
    lanes.flush();
    router.routes.put(2, new Route.Unavailable("x"));
    router.calls.get(1).future.completeExceptionally(new NotLeaderException(2, "moved"));
    // No leader known: the reply waits out the route wait (2 s here) for one, then TRYAGAIN.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (replies.size() < 2 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(replies.get(1)).startsWith("set a 2=-TRYAGAIN");
    assertThat(router.calls).hasSize(2);
    router.routes.remove(2);
    write(2, "set a 3");
    lanes.flush();
    router.calls.get(2).future.completeExceptionally(
        new io.kvorum.raft.route.RaftUnavailableException("too many pending requests"));
    assertThat(replies.get(2)).isEqualTo("set a 3=-TRYAGAIN too many pending requests");
  }

  @Test
  void scanCursorsRememberMidSlotPositionsAndParseLikeRedis() {
    ScanCursors cursors = new ScanCursors(2);
    byte[] mid = {0x01, 0x02, 'k', 'e', 'y'};
    long c = cursors.cursorFor(mid);
    assertThat(ScanCursors.slotOf(c)).isEqualTo(0x0102);
    assertThat(cursors.positionOf(c)).isEqualTo(mid);
    assertThat(cursors.cursorFor(new byte[] {0x00, 0x05})).isEqualTo(5);
    cursors.cursorFor(new byte[] {0x00, 0x06, 'a'});
    cursors.cursorFor(new byte[] {0x00, 0x07, 'a'});
    // Evicted: restart the slot from its first key (duplicates allowed, nothing missed).
    assertThat(cursors.positionOf(c)).containsExactly(0x01, 0x02);
    assertThat(ScanCursors.parse("0".getBytes())).isZero();
    assertThat(ScanCursors.parse("18446744073709551615".getBytes())).isEqualTo(-1L);
    assertThat(ScanCursors.parse("18446744073709551616".getBytes())).isNull();
    assertThat(ScanCursors.parse("-1".getBytes())).isEqualTo(-1L);
    assertThat(ScanCursors.parse(" 1".getBytes())).isNull();
    assertThat(ScanCursors.parse("1x".getBytes())).isNull();
  }
}
