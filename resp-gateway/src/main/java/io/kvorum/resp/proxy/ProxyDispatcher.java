package io.kvorum.resp.proxy;

import io.kvorum.raft.route.NotLeaderException;
import io.kvorum.raft.route.RaftUnavailableException;
import io.kvorum.raft.route.Route;
import io.kvorum.raft.route.SlotGroupRouter;
import io.kvorum.resp.blocking.BlockedClients;
import io.kvorum.resp.command.CommandEntry;
import io.kvorum.resp.command.CommandTable;
import io.kvorum.resp.connection.ClientConnection;
import io.kvorum.resp.routing.GroupDispatch;
import io.kvorum.resp.routing.KeyspaceDispatcher;
import io.kvorum.resp.routing.RouteErrors;
import io.kvorum.storage.command.CommandSpec;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy port's routing: a keyed command runs here when this node leads its slot group and is
 * otherwise forwarded to the leader, which runs it the same way (so a leadership change in between
 * is followed again). Clients never see {@code -MOVED}: a route is followed at most {@value
 * #MAX_HOPS} times before {@code -TRYAGAIN}; a group without a leader is waited for as on the
 * cluster port, then {@code -CLUSTERDOWN}.
 *
 * <p>A forward that never reached the leader (connection refused: the node just died) waits for
 * the route to change and is sent again. One that may have run there is sent again only if it is
 * a read; a write whose outcome is unknown gets {@link #UNKNOWN_OUTCOME}, never a silent retry.
 * A command the local leader refused without applying it (stepping down for a leadership
 * transfer, or not ready yet after its election) is tried again after a short wait.
 *
 * <p>Blocking commands wait on the leader of their group, as on the cluster port; forwarded, the
 * forward lasts as long as the wait and is abandoned when the client disconnects.
 */
public final class ProxyDispatcher implements GroupDispatch {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyDispatcher.class);
  /** Most times one command follows a route to another node (or a moved leadership). */
  public static final int MAX_HOPS = 3;
  /** How often the route of a group whose leader could not be reached is looked at again. */
  static final long ROUTE_POLL_MILLIS = 50;
  /**
   * How long a command Ratis refused here (leader stepping down or not ready) waits for the
   * route to change before it is tried again.
   */
  static final Duration REFUSED_WAIT = Duration.ofMillis(500);
  /** A forwarded write that may or may not have been applied on the leader. */
  public static final Reply.Error UNKNOWN_OUTCOME = new Reply.Error(
      "ERR the proxy lost the connection to the slot group's leader while the command was"
          + " running there: it may or may not have been applied");

  private final SlotGroupRouter router;
  private final Duration routeWait;
  private final KeyspaceDispatcher keyspace;
  private final BlockedClients blockedClients;
  private final CommandTable commands;
  private final LongSupplier clientIds;
  /** Forwarded blocking commands of this node's proxy clients, by client id. */
  private final Map<Long, Wait> forwardedWaits = new ConcurrentHashMap<>();
  private volatile Forwarder forwarder = Forwarder.NONE;

  /**
   * @param keyspace       the cluster port's dispatcher (keyspace-wide commands, SCAN)
   * @param blockedClients where blocking commands wait on this node
   * @param commands       looks up forwarded blocking commands
   * @param clientIds      ids for the stand-in clients of forwarded blocking commands
   */
  public ProxyDispatcher(SlotGroupRouter router, Duration routeWait, KeyspaceDispatcher keyspace,
      BlockedClients blockedClients, CommandTable commands, LongSupplier clientIds) {
    this.router = router;
    this.routeWait = routeWait;
    this.keyspace = keyspace;
    this.blockedClients = blockedClients;
    this.commands = commands;
    this.clientIds = clientIds;
  }

  /** The node-to-node transport; until it is set, commands led elsewhere cannot be served. */
  public void forwarder(Forwarder forwarder) {
    this.forwarder = forwarder == null ? Forwarder.NONE : forwarder;
  }

  // ---------------------------------------------------------------- a proxy client's commands

  @Override
  public CompletableFuture<Reply> read(int group, int slot, byte[][] args, boolean resp3) {
    ForwardRequest req = new ForwardRequest(group, new int[] {slot}, List.<byte[][]>of(args),
        resp3, false, 0, ForwardRequest.NOT_BLOCKING);
    return run(req, new Call(null)).thenApply(replies -> replies.get(0));
  }

  @Override
  public CompletableFuture<List<Reply>> write(
      int group, int[] slots, List<byte[][]> commands, boolean resp3) {
    return run(new ForwardRequest(group, slots, commands, resp3, true, 0,
        ForwardRequest.NOT_BLOCKING), new Call(null));
  }

  /** A keyless keyspace-wide command (DBSIZE, KEYS, FLUSHALL …) on every group of the cluster. */
  public CompletableFuture<Reply> allGroups(CommandSpec spec, byte[][] args, boolean resp3) {
    List<Integer> all = new ArrayList<>();
    for (int g = 0; g < router.groupCount(); g++) {
      all.add(g);
    }
    return keyspace.allGroups(this, all, spec, args, resp3);
  }

  /**
   * A keyless command whose effect every slot group must hold (SCRIPT LOAD, SCRIPT FLUSH): a log
   * entry in every group of the cluster, forwarded to each group's leader.
   */
  public CompletableFuture<Reply> everyGroup(CommandSpec spec, byte[][] args, boolean resp3) {
    List<Integer> all = new ArrayList<>();
    for (int g = 0; g < router.groupCount(); g++) {
      all.add(g);
    }
    return keyspace.allGroups(this, all, spec, args, resp3, true);
  }

  /** SCAN over every slot of the cluster. */
  public CompletableFuture<Reply> scan(byte[][] args, boolean resp3) {
    return keyspace.scan(this, keyspace.allRanges(), args, resp3);
  }

  /**
   * A blocking command of a proxy client: waits on the group's leader, here or forwarded, for at
   * most {@code timeoutMillis} (0: forever) in all.
   */
  public CompletableFuture<Reply> blocking(ClientConnection client, KeyspaceCommand command,
      int group, int slot, byte[][] args, int[] keyIndexes, boolean resp3, long timeoutMillis) {
    Wait wait = new Wait(client, command, keyIndexes, timeoutMillis);
    forwardedWaits.put(client.id(), wait);
    ForwardRequest req = new ForwardRequest(group, new int[] {slot}, List.<byte[][]>of(args),
        resp3, command.runsAsWrite(), 0, timeoutMillis);
    return run(req, new Call(wait)).handle((replies, error) -> {
      forwardedWaits.remove(client.id(), wait);
      return error == null ? replies.get(0) : internalError(error);
    });
  }

  /** A proxy client's connection closed: abandon its forwarded blocking command. */
  public void disconnected(ClientConnection client) {
    Wait w = forwardedWaits.remove(client.id());
    if (w != null) {
      w.cancel();
    }
  }

  // ---------------------------------------------------------------- forwarded to this node

  /** A forwarded request being served; {@code cancel} abandons it (the caller went away). */
  public record Served(CompletableFuture<List<Reply>> replies, Runnable cancel) {}

  /** Runs a request another node forwarded, as if it had come on this node's proxy port. */
  public Served serve(ForwardRequest request) {
    if (request.commands().isEmpty() || request.slots().length != request.commands().size()) {
      return new Served(CompletableFuture.completedFuture(
          List.of(new Reply.Error("ERR malformed forwarded request"))), () -> { });
    }
    if (!request.blocking()) {
      CompletableFuture<List<Reply>> f = run(request, new Call(null));
      return new Served(f, () -> { });
    }
    byte[][] args = request.commands().get(0);
    CommandTable.Lookup lookup = commands.lookup(args);
    CommandEntry entry = lookup.entry();
    if (lookup.error() != null || entry == null || entry.keyspace() == null
        || entry.keyspace().blocking() == null) {
      Reply error = lookup.error() != null ? lookup.error()
          : new Reply.Error("ERR forwarded command is not a blocking command");
      return new Served(CompletableFuture.completedFuture(List.of(error)), () -> { });
    }
    int[] keys;
    try {
      keys = entry.keys().keyIndexes(args);
    } catch (RedisError e) {
      return new Served(CompletableFuture.completedFuture(List.of(e.reply())), () -> { });
    }
    ClientConnection standIn = new ClientConnection(clientIds.getAsLong(), null, true);
    Wait wait = new Wait(standIn, entry.keyspace(), keys, request.blockMillis());
    CompletableFuture<List<Reply>> f = run(request, new Call(wait));
    return new Served(f, () -> {
      wait.cancel();
      blockedClients.disconnected(standIn);
    });
  }

  // ---------------------------------------------------------------- routing

  /** A blocking command's context: who waits, on which keys, until when. */
  private static final class Wait {
    final ClientConnection client;
    final KeyspaceCommand command;
    final int[] keys;
    /** System.nanoTime() deadline; Long.MAX_VALUE waits forever. */
    final long deadline;
    volatile CompletableFuture<List<Reply>> forwarded;
    volatile boolean cancelled;

    Wait(ClientConnection client, KeyspaceCommand command, int[] keys, long timeoutMillis) {
      this.client = client;
      this.command = command;
      this.keys = keys;
      this.deadline = timeoutMillis == 0 ? Long.MAX_VALUE
          : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    boolean forever() {
      return deadline == Long.MAX_VALUE;
    }

    /** Milliseconds left (at least 1 while any is left), 0 for forever, -1 when timed out. */
    long remainingMillis() {
      if (forever()) {
        return 0;
      }
      long nanos = deadline - System.nanoTime();
      return nanos <= 0 ? -1 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    void cancel() {
      cancelled = true;
      CompletableFuture<List<Reply>> f = forwarded;
      if (f != null) {
        f.cancel(false);
      }
    }
  }

  /**
   * One request's routing on this node: its blocking context, and until when refusals here
   * (leadership moved or not ready) are retried: the election wait from the first refusal.
   */
  private final class Call {
    final Wait wait;
    /** System.nanoTime() deadline of retries here; 0 before the first refusal. */
    long retryUntil;

    Call(Wait wait) {
      this.wait = wait;
    }

    boolean mayRetry() {
      long now = System.nanoTime();
      if (retryUntil == 0) {
        retryUntil = now + routeWait.toNanos();
      }
      return now < retryUntil;
    }
  }

  private CompletableFuture<List<Reply>> run(ForwardRequest req, Call call) {
    Route route = router.route(req.group());
    if (!(route instanceof Route.Unavailable)) {
      return routed(req, route, call);
    }
    return call(() -> router.awaitRoute(req.group(), routeWait)).handle((r, error) -> {
      Route next = error == null && r != null ? r : new Route.Unavailable("no leader");
      return routed(req, next, call);
    }).thenCompose(Function.identity());
  }

  private CompletableFuture<List<Reply>> routed(ForwardRequest req, Route route, Call call) {
    if (route instanceof Route.Local) {
      return local(req, call);
    }
    if (route instanceof Route.Remote remote) {
      return remote(req, remote, call);
    }
    return answerAll(req, RouteErrors.CLUSTER_DOWN);
  }

  /** Forwards again after a forward failed, one hop further, unless the hops are used up. */
  private CompletableFuture<List<Reply>> again(ForwardRequest req, Call call) {
    if (req.hops() >= MAX_HOPS) {
      return answerAll(req, RouteErrors.TRY_AGAIN);
    }
    return run(req.hop(), call);
  }

  /**
   * Routes again after this node refused the request (it stopped leading the group, or is not
   * ready yet): once the route changed, or after a moment; {@code -TRYAGAIN} once the call's
   * retry time is up.
   */
  private CompletableFuture<List<Reply>> retryHere(ForwardRequest req, Call call) {
    if (!call.mayRetry()) {
      return answerAll(req, RouteErrors.TRY_AGAIN);
    }
    return awaitChange(req.group(), Route.LOCAL, REFUSED_WAIT).thenCompose(v -> run(req, call));
  }

  private CompletableFuture<List<Reply>> local(ForwardRequest req, Call call) {
    Wait wait = call.wait;
    int group = req.group();
    if (wait != null) {
      long left = wait.remainingMillis();
      if (left < 0 || wait.cancelled) {
        return answerAll(req, Reply.NULL_ARRAY);
      }
      byte[][] args = req.commands().get(0);
      CompletableFuture<Reply> waited = blockedClients.run(wait.client, wait.command, group,
          req.slots()[0], args, wait.keys, req.resp3(), left);
      if (wait.cancelled) {
        // Abandoned while it was being started: it must not wait (and pop) for nobody.
        blockedClients.disconnected(wait.client);
      }
      return waited.thenCompose(reply -> {
            // Leadership moved while the client waited here: wait on the new leader instead.
            if (reply instanceof Reply.Error e && !wait.cancelled
                && (e.code().equals("MOVED") || e.code().equals("TRYAGAIN"))) {
              // Refusals before the wait do not use up the retry time of this one.
              return retryHere(req, new Call(wait));
            }
            return CompletableFuture.completedFuture(List.of(reply));
          });
    }
    CompletableFuture<List<Reply>> f = req.write()
        ? call(() -> router.write(group, req.commands(), req.resp3()))
        : call(() -> router.read(group, req.commands().get(0), req.resp3())).thenApply(List::of);
    return f.handle((replies, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(replies);
      }
      Throwable cause = unwrap(error);
      if (cause instanceof NotLeaderException) {
        // Refused by a division that is no longer the leader: follow the leadership, as a
        // cluster client follows the MOVED the cluster port answers here.
        return retryHere(req, call);
      }
      if (cause instanceof RaftUnavailableException) {
        // Refused without being applied (a leader stepping down for a transfer, or not ready
        // yet after its election): give it a moment or its successor, then try again.
        return retryHere(req, call);
      }
      return answerAll(req, failure(cause, group));
    }).thenCompose(Function.identity());
  }

  private CompletableFuture<List<Reply>> remote(ForwardRequest req, Route.Remote to, Call call) {
    Wait wait = call.wait;
    if (req.hops() >= MAX_HOPS) {
      return answerAll(req, RouteErrors.TRY_AGAIN);
    }
    ForwardRequest out = req.hop();
    if (wait != null) {
      long left = wait.remainingMillis();
      if (left < 0 || wait.cancelled) {
        return answerAll(req, Reply.NULL_ARRAY);
      }
      out = out.blockFor(left);
    }
    ForwardRequest sent = out;
    CompletableFuture<List<Reply>> f = call(() -> forwarder.forward(to.nodeId(), sent));
    if (wait != null) {
      wait.forwarded = f;
      if (wait.cancelled) {
        f.cancel(false);
      }
    }
    return f.handle((replies, error) -> {
      if (error == null) {
        if (replies == null || replies.size() != req.commands().size()) {
          return answerAll(req, new Reply.Error("ERR the slot group's leader answered "
              + (replies == null ? 0 : replies.size()) + " replies to " + req.commands().size()
              + " commands"));
        }
        return CompletableFuture.completedFuture(replies);
      }
      Throwable cause = unwrap(error);
      if (cause instanceof CancellationException || (wait != null && wait.cancelled)) {
        // The client went away: nobody reads this reply.
        return answerAll(req, Reply.NULL_ARRAY);
      }
      if (cause instanceof ForwardException fe) {
        if (!fe.delivered() || !req.write()) {
          // Nothing ran, or only a read: once the group's route has moved, follow it.
          LOG.debug("forward to {} for slot group {} failed: {}", to.nodeId(), req.group(),
              fe.getMessage());
          return awaitChange(req.group(), to, routeWait).thenCompose(v -> again(req, call));
        }
        LOG.warn("forwarded write to {} for slot group {} has an unknown outcome: {}",
            to.nodeId(), req.group(), fe.getMessage());
        return answerAll(req, UNKNOWN_OUTCOME);
      }
      return answerAll(req, failure(cause, req.group()));
    }).thenCompose(Function.identity());
  }

  /**
   * Completes once {@code group}'s route is no longer {@code from} (another leader, or leadership
   * came or went here), or after {@code maxWait}.
   */
  private CompletableFuture<Void> awaitChange(int group, Route from, Duration maxWait) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    pollChange(group, from, System.nanoTime() + maxWait.toNanos(), done);
    return done;
  }

  private void pollChange(int group, Route from, long deadline, CompletableFuture<Void> done) {
    if (!sameRoute(router.route(group), from) || System.nanoTime() >= deadline) {
      done.complete(null);
      return;
    }
    Executor later = CompletableFuture.delayedExecutor(ROUTE_POLL_MILLIS, TimeUnit.MILLISECONDS);
    later.execute(() -> pollChange(group, from, deadline, done));
  }

  private static boolean sameRoute(Route a, Route b) {
    if (a instanceof Route.Remote ra && b instanceof Route.Remote rb) {
      return ra.nodeId().equals(rb.nodeId());
    }
    return a.getClass() == b.getClass();
  }

  /** The reply for a failed local call, as the cluster port gives it. */
  private static Reply failure(Throwable cause, int group) {
    if (cause instanceof RedisError e) {
      return e.reply();
    }
    if (cause instanceof RaftUnavailableException) {
      // Ratis refused the request without applying it: the client may safely retry.
      return new Reply.Error("TRYAGAIN " + cause.getMessage());
    }
    LOG.warn("proxied command on slot group {} failed", group, cause);
    return internalError(cause);
  }

  private static Reply internalError(Throwable error) {
    Throwable cause = unwrap(error);
    String message =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new Reply.Error("ERR " + message);
  }

  private static CompletableFuture<List<Reply>> answerAll(ForwardRequest req, Reply reply) {
    return CompletableFuture.completedFuture(Collections.nCopies(req.commands().size(), reply));
  }

  /** Calls a router or forwarder method, turning a synchronous throw into a failed future. */
  private static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> f) {
    try {
      CompletableFuture<T> r = f.get();
      return r != null ? r : CompletableFuture.failedFuture(new IllegalStateException("no future"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
