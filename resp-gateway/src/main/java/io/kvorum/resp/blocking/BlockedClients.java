package io.kvorum.resp.blocking;

import io.kvorum.raft.route.Route;
import io.kvorum.raft.route.SlotGroupRouter;
import io.kvorum.resp.connection.ClientConnection;
import io.kvorum.resp.routing.KeyspaceDispatcher;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.reply.Reply;
import io.netty.channel.Channel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients of this node waiting in BLPOP, BZPOPMIN, BLMOVE, XREAD BLOCK … (any command whose
 * table entry has a {@link io.kvorum.storage.command.Blocking} rule).
 *
 * <p>A blocking command is one attempt, a Raft write (a read for XREAD) like any other: it pops
 * when there is something to pop. When the attempt answers {@link Reply#NULL_ARRAY} the client is
 * parked on the command's keys; the waiting happens here, on the leader, and costs nothing in the
 * log. When an applied entry writes one of those keys ({@link #keysWritten}) the attempt is
 * repeated as a new write ({@link KeyspaceCommandTable#SERVE_BLOCKED}), so the element is only
 * ever taken inside a committed entry and every replica takes the same one.
 *
 * <p>Clients waiting on a key are served in the order they blocked, as in Redis: a write wakes
 * the first parked writer (BLPOP …) only, and the next one gets its turn when that one finishes;
 * read-only waiters (XREAD) do not compete and are all woken. A client whose group this node no
 * longer leads is answered as a new command would be ({@code -MOVED}, or {@code -CLUSTERDOWN}
 * after the election wait), checked every {@value #ROUTE_CHECK_MILLIS} ms as Redis Cluster's
 * clientsCron does. A timeout, {@code CLIENT UNBLOCK} or a disconnection that comes while an
 * attempt is in flight takes effect when it returns empty: an element it popped is delivered.
 *
 * <p>Bound: each connection waits in at most one command (later commands of its pipeline wait
 * behind it), so blocked clients never exceed {@code maxclients}; the keys of one command are
 * bounded by the protocol's argument limits.
 *
 * <p>All state is confined to one thread; other threads hand work to it.
 */
public final class BlockedClients implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BlockedClients.class);
  /** How often the routes of groups with blocked clients are checked. */
  static final long ROUTE_CHECK_MILLIS = 100;
  /** CLIENT UNBLOCK … ERROR: Redis's text. */
  public static final Reply.Error UNBLOCKED =
      new Reply.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  private static final byte[] SERVE = KeyspaceCommandTable.SERVE_BLOCKED.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RESOLVE = KeyspaceCommandTable.RESOLVE_BLOCKED.getBytes(StandardCharsets.US_ASCII);

  private final KeyspaceDispatcher dispatcher;
  private final SlotGroupRouter router;
  private final ScheduledExecutorService thread;
  private final Map<KeyRef, LinkedHashSet<Waiter>> byKey = new HashMap<>();
  private final Map<Long, Waiter> byClient = new HashMap<>();
  private ScheduledFuture<?> routeCheck;
  /** Commands between start and finish: while 0, written keys need not be looked at. */
  private final AtomicInteger running = new AtomicInteger();
  private volatile int blocked;
  private volatile int blockedWithTimeout;

  public BlockedClients(KeyspaceDispatcher dispatcher, SlotGroupRouter router) {
    this.dispatcher = dispatcher;
    this.router = router;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kvorum-blocking");
      t.setDaemon(true);
      return t;
    });
  }

  /** A key of a slot group; content equality. */
  private record KeyRef(int group, ByteBuffer key) {}

  /** One blocking command of one client, from its first attempt to its reply. */
  private static final class Waiter {
    final ClientConnection client;
    final KeyspaceCommand command;
    final int group;
    final int slot;
    final boolean resp3;
    final long timeoutMillis;
    final List<KeyRef> keys;
    final CompletableFuture<Reply> result = new CompletableFuture<>();
    byte[][] attemptArgs;
    byte[][] retryArgs;
    ScheduledFuture<?> timer;
    /** An attempt (or the resolution before the first) is on its way. */
    boolean inFlight;
    /** A key was written while the attempt was in flight: it may have missed that write. */
    boolean missed;
    /** The first attempt found nothing: the client counts as blocked. */
    boolean blocked;
    boolean done;
    /** The reply decided (timeout, CLIENT UNBLOCK, disconnection) while an attempt was in flight. */
    Reply outcome;

    Waiter(ClientConnection client, KeyspaceCommand command, int group, int slot, byte[][] args,
        List<KeyRef> keys, boolean resp3, long timeoutMillis) {
      this.client = client;
      this.command = command;
      this.group = group;
      this.slot = slot;
      this.keys = keys;
      this.resp3 = resp3;
      this.timeoutMillis = timeoutMillis;
      attempt(args);
    }

    void attempt(byte[][] args) {
      attemptArgs = args;
      retryArgs = new byte[args.length + 1][];
      retryArgs[0] = SERVE;
      System.arraycopy(args, 0, retryArgs, 1, args.length);
    }

    boolean write() {
      return command.runsAsWrite();
    }
  }

  /**
   * Runs one blocking command to its reply: the attempt, then waiting and repeated attempts.
   * Called when the command's turn on its connection came (everything before it answered).
   *
   * @param keyIndexes    the invocation's keys, all in {@code slot}
   * @param timeoutMillis from the command's rule: 0 waits forever
   */
  public CompletableFuture<Reply> run(ClientConnection client, KeyspaceCommand command, int group,
      int slot, byte[][] args, int[] keyIndexes, boolean resp3, long timeoutMillis) {
    List<KeyRef> keys = new ArrayList<>(keyIndexes.length);
    for (int k : keyIndexes) {
      KeyRef ref = new KeyRef(group, ByteBuffer.wrap(args[k]));
      if (!keys.contains(ref)) {
        keys.add(ref);
      }
    }
    Waiter w = new Waiter(client, command, group, slot, args, keys, resp3, timeoutMillis);
    running.incrementAndGet();
    if (!onThread(() -> start(w))) {
      running.decrementAndGet();
      w.result.complete(new Reply.Error("ERR server is shutting down"));
    }
    return w.result;
  }

  /**
   * Keys an entry applied on this node wrote; called on the group's apply thread (see {@link
   * io.kvorum.raft.route.KeysWrittenListener}).
   */
  public void keysWritten(int group, List<byte[]> keys) {
    if (running.get() == 0) {
      // A command registers its keys before its attempt is proposed, so no write it could miss
      // is applied while this reads 0.
      return;
    }
    onThread(() -> written(group, keys));
  }

  /**
   * CLIENT UNBLOCK: answers a blocked client with the timeout reply, or with {@link #UNBLOCKED}
   * when {@code error}. Completes with 1, or 0 when that client is not blocked.
   */
  public CompletableFuture<Reply> unblock(long clientId, boolean error) {
    CompletableFuture<Reply> answer = new CompletableFuture<>();
    if (!onThread(() -> answer.complete(unblockNow(clientId, error)))) {
      answer.complete(Reply.ZERO);
    }
    return answer;
  }

  /** The client's connection closed: it is never served again. */
  public void disconnected(ClientConnection client) {
    if (running.get() > 0) {
      onThread(() -> {
        Waiter w = byClient.get(client.id());
        if (w != null) {
          decide(w, Reply.NULL_ARRAY);
        }
      });
    }
  }

  /** Clients waiting now (INFO blocked_clients). */
  public int blockedCount() {
    return blocked;
  }

  /** Blocked clients with a timeout (INFO clients_in_timeout_table). */
  public int blockedWithTimeoutCount() {
    return blockedWithTimeout;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  // ------------------------------------------------------------------ on the thread

  private void start(Waiter w) {
    if (gone(w.client)) {
      // Disconnected while earlier commands of its pipeline ran: a gone client is never served.
      running.decrementAndGet();
      w.result.complete(Reply.NULL_ARRAY);
      return;
    }
    byClient.put(w.client.id(), w);
    for (KeyRef k : w.keys) {
      byKey.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(w);
    }
    if (w.timeoutMillis > 0) {
      w.timer = thread.schedule(() -> decide(w, Reply.NULL_ARRAY), w.timeoutMillis,
          TimeUnit.MILLISECONDS);
    }
    if (w.command.blocking().needsResolve(w.attemptArgs)) {
      w.inFlight = true;
      byte[][] call = new byte[w.attemptArgs.length + 1][];
      call[0] = RESOLVE;
      System.arraycopy(w.attemptArgs, 0, call, 1, w.attemptArgs.length);
      dispatcher.read(w.group, w.slot, call, w.resp3)
          .whenComplete((r, e) -> later(w, () -> resolved(w, r)));
      return;
    }
    attempt(w, w.attemptArgs);
  }

  private void resolved(Waiter w, Reply r) {
    w.inFlight = false;
    if (w.outcome != null) {
      finish(w, w.outcome, false);
      return;
    }
    if (r instanceof Reply.Array a) {
      byte[][] args = new byte[a.items().size()][];
      for (int i = 0; i < args.length; i++) {
        args[i] = ((Reply.Bulk) a.items().get(i)).value();
      }
      w.attempt(args);
    }
    // Otherwise (an error) the attempt with the arguments as given answers it.
    attempt(w, w.attemptArgs);
  }

  private void attempt(Waiter w, byte[][] args) {
    w.inFlight = true;
    w.missed = false;
    CompletableFuture<Reply> f = w.write()
        ? dispatcher.write(w.group, new int[] {w.slot}, List.<byte[][]>of(args), w.resp3)
            .thenApply(replies -> replies.get(0))
        : dispatcher.read(w.group, w.slot, args, w.resp3);
    f.whenComplete((r, e) -> later(w, () -> attempted(w, r, e)));
  }

  private void attempted(Waiter w, Reply reply, Throwable error) {
    w.inFlight = false;
    if (error != null) {
      LOG.warn("blocking {} of client {} failed", w.command.name(), w.client.id(), error);
      reply = new Reply.Error("ERR internal error");
    }
    if (!(reply instanceof Reply.NullArray)) {
      // Served (or refused): whoever waits next on these keys gets a turn, since this attempt
      // may have been woken by a write it did not take everything of.
      finish(w, reply, w.write());
      return;
    }
    if (w.outcome != null) {
      finish(w, w.outcome, w.missed);
      return;
    }
    if (!w.blocked) {
      w.blocked = true;
      blocked++;
      if (w.timer != null) {
        blockedWithTimeout++;
      }
      w.client.blocked(true);
      scheduleRouteCheck();
    }
    if (w.missed) {
      if (w.write()) {
        for (KeyRef k : w.keys) {
          handOff(k);
        }
      } else {
        wake(w);
      }
    }
  }

  /** Keys written on {@code group}: wake the first parked writer and every reader on each. */
  private void written(int group, List<byte[]> keys) {
    LinkedHashSet<KeyRef> distinct = new LinkedHashSet<>();
    for (byte[] k : keys) {
      distinct.add(new KeyRef(group, ByteBuffer.wrap(k)));
    }
    for (KeyRef k : distinct) {
      LinkedHashSet<Waiter> waiters = byKey.get(k);
      if (waiters == null) {
        continue;
      }
      boolean writerAhead = false;
      for (Waiter w : new ArrayList<>(waiters)) {
        if (w.done) {
          continue;
        }
        if (w.inFlight) {
          w.missed = true;
          writerAhead |= w.write();
        } else if (!w.write()) {
          wake(w);
        } else if (!writerAhead) {
          wake(w);
          writerAhead = true;
        }
      }
    }
  }

  /** Gives the first writer waiting on {@code k} its turn, unless one is already trying. */
  private void handOff(KeyRef k) {
    LinkedHashSet<Waiter> waiters = byKey.get(k);
    if (waiters == null) {
      return;
    }
    for (Waiter w : new ArrayList<>(waiters)) {
      if (w.write() && !w.done) {
        if (!w.inFlight) {
          wake(w);
        }
        return;
      }
    }
  }

  private void wake(Waiter w) {
    if (gone(w.client)) {
      // Never pop for a client that is gone.
      finish(w, Reply.NULL_ARRAY, false);
      return;
    }
    attempt(w, w.retryArgs);
  }

  private static boolean gone(ClientConnection client) {
    Channel ch = client.channel();
    return ch != null && !ch.isActive();
  }

  /** Timeout, CLIENT UNBLOCK or disconnection: the reply now, or when the attempt returns. */
  private void decide(Waiter w, Reply reply) {
    if (w.done) {
      return;
    }
    if (w.inFlight) {
      if (w.outcome == null) {
        w.outcome = reply;
      }
    } else {
      finish(w, reply, false);
    }
  }

  private Reply unblockNow(long clientId, boolean error) {
    Waiter w = byClient.get(clientId);
    if (w == null || !w.blocked || w.done) {
      return Reply.ZERO;
    }
    decide(w, error ? UNBLOCKED : Reply.NULL_ARRAY);
    return Reply.ONE;
  }

  private void finish(Waiter w, Reply reply, boolean handOff) {
    if (w.done) {
      return;
    }
    w.done = true;
    if (w.timer != null) {
      w.timer.cancel(false);
    }
    byClient.remove(w.client.id(), w);
    for (KeyRef k : w.keys) {
      LinkedHashSet<Waiter> waiters = byKey.get(k);
      if (waiters != null) {
        waiters.remove(w);
        if (waiters.isEmpty()) {
          byKey.remove(k);
        }
      }
    }
    running.decrementAndGet();
    if (w.blocked) {
      blocked--;
      if (w.timer != null) {
        blockedWithTimeout--;
      }
      w.client.blocked(false);
    }
    w.result.complete(reply);
    if (handOff) {
      for (KeyRef k : w.keys) {
        handOff(k);
      }
    }
  }

  private void scheduleRouteCheck() {
    if (routeCheck == null) {
      routeCheck = thread.scheduleWithFixedDelay(this::checkRoutes, ROUTE_CHECK_MILLIS,
          ROUTE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Clients blocked on a group this node does not lead any more try again through the normal
   * route: they are answered {@code -MOVED} (or the availability error), as Redis Cluster
   * redirects clients blocked on a slot that moved.
   */
  private void checkRoutes() {
    if (blocked == 0) {
      routeCheck.cancel(false);
      routeCheck = null;
      return;
    }
    Map<Integer, Route> routes = new HashMap<>();
    for (Waiter w : new ArrayList<>(byClient.values())) {
      if (w.done || w.inFlight || !w.blocked) {
        continue;
      }
      Route r = routes.computeIfAbsent(w.group, router::route);
      if (!(r instanceof Route.Local)) {
        wake(w);
      }
    }
  }

  // ------------------------------------------------------------------ hand-over

  private boolean onThread(Runnable task) {
    try {
      thread.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.error("blocked-clients task failed", e);
        }
      });
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Runs {@code task} for {@code w} on the thread; answers the client if the node is stopping. */
  private void later(Waiter w, Runnable task) {
    if (!onThread(task)) {
      w.result.complete(new Reply.Error("ERR server is shutting down"));
    }
  }
}
