package io.kvorum.resp.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.raft.route.ClusterTopology;
import io.kvorum.raft.route.GroupStats;
import io.kvorum.raft.route.KeysWrittenListener;
import io.kvorum.raft.route.GroupReplication;
import io.kvorum.raft.route.Route;
import io.kvorum.raft.route.SlotGroupRouter;
import io.kvorum.resp.connection.ClientConnection;
import io.kvorum.resp.routing.KeyspaceDispatcher;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who is woken when, with every attempt held by the test until it says how it ended: writes that
 * land while an attempt is in flight, FIFO hand-over between writers, readers, and timeouts,
 * CLIENT UNBLOCK and disconnections racing with an attempt.
 */
class BlockedClientsWakeTest {
  static final KeyspaceCommand BLPOP = KeyspaceCommandTable.standard().get("blpop");
  static final Reply SERVED = Reply.array(Reply.bulk("k"), Reply.bulk("v"));

  /** One router call the test has not answered yet. */
  record Call(String command, CompletableFuture<Reply> reply) {}

  final LinkedBlockingQueue<Call> calls = new LinkedBlockingQueue<>();
  final HeldRouter router = new HeldRouter();
  final BlockedClients blocked =
      new BlockedClients(new KeyspaceDispatcher(router, Duration.ofMillis(100), 16), router);
  long nextId = 1;

  @AfterEach
  void close() {
    blocked.close();
  }

  ClientConnection client() {
    return new ClientConnection(nextId++, null, true);
  }

  CompletableFuture<Reply> blpop(ClientConnection c, String timeout) {
    byte[][] args = {b("BLPOP"), b("k"), b(timeout)};
    return blocked.run(c, BLPOP, 0, 0, args, new int[] {1}, false, Long.parseLong(timeout) * 1000);
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  Call next() throws InterruptedException {
    Call c = calls.poll(5, TimeUnit.SECONDS);
    assertThat(c).as("an attempt was proposed").isNotNull();
    return c;
  }

  void noCall() throws InterruptedException {
    assertThat(calls.poll(200, TimeUnit.MILLISECONDS)).as("no attempt").isNull();
  }

  void written() {
    blocked.keysWritten(0, List.of(b("k")));
  }

  /** A client that blocked: its first attempt came back empty. */
  CompletableFuture<Reply> parked(ClientConnection c) throws InterruptedException {
    CompletableFuture<Reply> r = blpop(c, "0");
    Call first = next();
    assertThat(first.command()).isEqualTo("BLPOP k 0");
    first.reply().complete(Reply.NULL_ARRAY);
    return r;
  }

  void awaitBlocked(int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5000;
    while (blocked.blockedCount() != n) {
      assertThat(System.currentTimeMillis()).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  @Test
  void aWriteDuringTheFirstAttemptIsNotMissed() throws Exception {
    CompletableFuture<Reply> r = blpop(client(), "0");
    Call first = next();
    written();
    Thread.sleep(50);
    first.reply().complete(Reply.NULL_ARRAY);
    Call retry = next();
    assertThat(retry.command()).isEqualTo("kvorum.serve-blocked BLPOP k 0");
    retry.reply().complete(SERVED);
    assertThat(r.get(5, TimeUnit.SECONDS)).isEqualTo(SERVED);
  }

  @Test
  void withoutAWriteAnEmptyAttemptParksAndCostsNothing() throws Exception {
    CompletableFuture<Reply> r = parked(client());
    noCall();
    awaitBlocked(1);
    assertThat(r).isNotDone();
    blocked.keysWritten(0, List.of(b("other")));
    blocked.keysWritten(1, List.of(b("k")));
    noCall();
  }

  @Test
  void writersAreWokenOneAtATimeInTheOrderTheyBlocked() throws Exception {
    CompletableFuture<Reply> first = parked(client());
    CompletableFuture<Reply> second = parked(client());
    awaitBlocked(2);
    written();
    Call retry1 = next();
    noCall();
    written();
    noCall();
    retry1.reply().complete(SERVED);
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(SERVED);
    Call retry2 = next();
    retry2.reply().complete(Reply.NULL_ARRAY);
    noCall();
    assertThat(second).isNotDone();
  }

  @Test
  void anErrorHandsTheTurnToTheNextWriter() throws Exception {
    CompletableFuture<Reply> first = parked(client());
    CompletableFuture<Reply> second = parked(client());
    awaitBlocked(2);
    written();
    Reply wrongType = new Reply.Error("WRONGTYPE Operation against a key holding the wrong kind of value");
    next().reply().complete(wrongType);
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(wrongType);
    next().reply().complete(SERVED);
    assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(SERVED);
  }

  @Test
  void aTimeoutDuringAnAttemptNeverDropsWhatItPopped() throws Exception {
    CompletableFuture<Reply> r = blpop(client(), "1");
    next().reply().complete(Reply.NULL_ARRAY);
    written();
    Call retry = next();
    Thread.sleep(1300);
    assertThat(r).as("the timeout waits for the attempt in flight").isNotDone();
    retry.reply().complete(SERVED);
    assertThat(r.get(5, TimeUnit.SECONDS)).isEqualTo(SERVED);

    CompletableFuture<Reply> late = blpop(client(), "1");
    next().reply().complete(Reply.NULL_ARRAY);
    written();
    Call empty = next();
    Thread.sleep(1300);
    empty.reply().complete(Reply.NULL_ARRAY);
    assertThat(late.get(5, TimeUnit.SECONDS)).isEqualTo(Reply.NULL_ARRAY);
    awaitBlocked(0);
    assertThat(blocked.blockedWithTimeoutCount()).isZero();
  }

  @Test
  void clientUnblockRacingWithAnAttemptLetsTheElementThrough() throws Exception {
    ClientConnection c = client();
    CompletableFuture<Reply> r = parked(c);
    awaitBlocked(1);
    written();
    Call retry = next();
    assertThat(blocked.unblock(c.id(), true).get(5, TimeUnit.SECONDS)).isEqualTo(Reply.ONE);
    retry.reply().complete(SERVED);
    assertThat(r.get(5, TimeUnit.SECONDS)).isEqualTo(SERVED);
    assertThat(blocked.unblock(c.id(), true).get(5, TimeUnit.SECONDS)).isEqualTo(Reply.ZERO);

    CompletableFuture<Reply> again = parked(c);
    awaitBlocked(1);
    assertThat(blocked.unblock(c.id(), false).get(5, TimeUnit.SECONDS)).isEqualTo(Reply.ONE);
    assertThat(again.get(5, TimeUnit.SECONDS)).isEqualTo(Reply.NULL_ARRAY);
    assertThat(c.blocked()).isFalse();
  }

  @Test
  void aDisconnectedClientIsNeverServedAgain() throws Exception {
    ClientConnection gone = client();
    CompletableFuture<Reply> r = parked(gone);
    awaitBlocked(1);
    assertThat(gone.blocked()).isTrue();
    blocked.disconnected(gone);
    awaitBlocked(0);
    written();
    noCall();
    assertThat(r).isDone();
  }

  @Test
  void aClientWhoseGroupMovedTriesAgainThroughTheNewRoute() throws Exception {
    CompletableFuture<Reply> r = parked(client());
    awaitBlocked(1);
    router.route = new Route.Remote("n2", "10.0.0.2", 6379);
    assertThat(r.get(5, TimeUnit.SECONDS)).isEqualTo(new Reply.Error("MOVED 0 10.0.0.2:6379"));
    assertThat(calls).as("nothing was proposed").isEmpty();
  }

  /** A router whose every write and read waits for the test to answer it. */
  final class HeldRouter implements SlotGroupRouter {
    volatile Route route = Route.LOCAL;

    private CompletableFuture<Reply> hold(byte[][] args) {
      StringBuilder text = new StringBuilder();
      for (byte[] a : args) {
        text.append(text.length() == 0 ? "" : " ").append(new String(a, StandardCharsets.US_ASCII));
      }
      CompletableFuture<Reply> f = new CompletableFuture<>();
      calls.add(new Call(text.toString(), f));
      return f;
    }

    @Override
    public int groupCount() {
      return 1;
    }

    @Override
    public int groupOf(int slot) {
      return 0;
    }

    @Override
    public Route route(int group) {
      return route;
    }

    @Override
    public CompletableFuture<Route> awaitRoute(int group, Duration maxWait) {
      return CompletableFuture.completedFuture(route);
    }

    @Override
    public CompletableFuture<List<Reply>> write(int group, List<byte[][]> commands, boolean resp3) {
      return hold(commands.get(0)).thenApply(List::of);
    }

    @Override
    public CompletableFuture<Reply> read(int group, byte[][] args, boolean resp3) {
      return hold(args);
    }

    @Override
    public void onKeysWritten(KeysWrittenListener listener) {}

    @Override
    public GroupReplication replication(int group) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Integer> ledGroups() {
      return List.of(0);
    }

    @Override
    public ClusterTopology topology() {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> snapshotAll() {
      throw new UnsupportedOperationException();
    }

    @Override
    public long lastSnapshotSeconds() {
      return 0;
    }

    @Override
    public List<GroupStats> groupStats() {
      return List.of();
    }
  }
}
