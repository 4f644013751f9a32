package io.kvorum.resp.routing;

import io.kvorum.raft.route.ClusterTopology;
import io.kvorum.raft.route.NotLeaderException;
import io.kvorum.raft.route.OutcomeUnknownException;
import io.kvorum.raft.route.RaftUnavailableException;
import io.kvorum.raft.route.Route;
import io.kvorum.raft.route.SlotGroupRouter;
import io.kvorum.storage.command.CommandSpec;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
import io.kvorum.storage.transaction.WatchedKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs keyspace commands through the {@link SlotGroupRouter}: a local leader executes them, a
 * remote one earns {@code -MOVED}, a group without a leader is waited for once ({@code
 * awaitRoute}) before {@code -CLUSTERDOWN}. Also the keyspace-wide commands (fan-out to every led
 * group, merged by the command's {@code response_policy}) and SCAN. Never times a command out: a
 * write whose outcome is unknown is not reported as failed.
 */
public final class KeyspaceDispatcher implements GroupDispatch {
  private static final Logger LOG = LoggerFactory.getLogger(KeyspaceDispatcher.class);
  /** Internal read commands the storage module provides for the gateway. */
  public static final String SCAN_COMMAND = "kvorum.scan";
  public static final String COUNT_KEYS_IN_SLOT = "kvorum.countkeysinslot";
  public static final String GET_KEYS_IN_SLOT = "kvorum.getkeysinslot";
  private static final byte[] MATCH = "MATCH".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TYPE = "TYPE".getBytes(StandardCharsets.US_ASCII);
  /** Most slot ranges one SCAN call visits before returning (keeps one call short). */
  private static final int SCAN_MAX_RANGES = 16;
  private static final Set<String> SCAN_TYPES =
      Set.of("string", "list", "set", "zset", "hash", "stream");

  /** How often a write refused during a leadership move looks for the new leader. */
  private static final Duration LEADERSHIP_POLL = Duration.ofMillis(50);
  private final SlotGroupRouter router;
  private final Duration routeWait;
  private final ScanCursors cursors;

  public KeyspaceDispatcher(SlotGroupRouter router, Duration routeWait, int scanCursorCapacity) {
    this.router = router;
    this.routeWait = routeWait;
    this.cursors = new ScanCursors(scanCursorCapacity);
  }

  public SlotGroupRouter router() {
    return router;
  }

  // ---------------------------------------------------------------- single group

  /** A read on the group owning {@code slot}; retried once if leadership moved meanwhile. */
  @Override
  public CompletableFuture<Reply> read(int group, int slot, byte[][] args, boolean resp3) {
    if (router.servesStaleReads(group)) {
      return readLocal(group, slot, args, resp3, false);
    }
    return routed(group, () -> readLocal(group, slot, args, resp3, true),
        refusal -> refusalFor(refusal, slot));
  }

  private CompletableFuture<Reply> readLocal(
      int group, int slot, byte[][] args, boolean resp3, boolean mayRetry) {
    return call(() -> router.read(group, args, resp3)).handle((reply, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(reply);
      }
      Throwable cause = unwrap(error);
      if (cause instanceof NotLeaderException && mayRetry) {
        // Reads have no side effects: follow the new route once.
        return routed(group, () -> readLocal(group, slot, args, resp3, false),
            refusal -> refusalFor(refusal, slot));
      }
      return CompletableFuture.completedFuture(failure(cause, slot, group));
    }).thenCompose(Function.identity());
  }

  /**
   * Writes proposed as one log entry of {@code group}; one reply per command. A write refused
   * because leadership moved (never appended, or appended and then truncated: the router tells
   * those from unknown outcomes) is not retried here, since a connection's pipelined writes
   * could then overtake each other; its error waits for the new leader instead, as a command
   * arriving during an election does: {@code MOVED} to it, or {@code TRYAGAIN} when none is
   * known within the route wait.
   */
  @Override
  public CompletableFuture<List<Reply>> write(
      int group, int[] slots, List<byte[][]> commands, boolean resp3) {
    return routed(group, () -> writeLocal(group, slots, commands, resp3),
        refusal -> refusedWrites(refusal, slots));
  }

  private static List<Reply> refusedWrites(Route refusal, int[] slots) {
    List<Reply> out = new ArrayList<>(slots.length);
    for (int slot : slots) {
      out.add(refusalFor(refusal, slot));
    }
    return out;
  }

  private CompletableFuture<List<Reply>> writeLocal(
      int group, int[] slots, List<byte[][]> commands, boolean resp3) {
    return call(() -> router.write(group, commands, resp3)).handle((replies, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(replies);
      }
      Throwable cause = unwrap(error);
      if (cause instanceof NotLeaderException) {
        return newLeader(group, System.nanoTime() + routeWait.toNanos()).thenApply(route ->
            route instanceof Route.Remote
                ? refusedWrites(route, slots) : failures(cause, slots, group));
      }
      return CompletableFuture.completedFuture(failures(cause, slots, group));
    }).thenCompose(Function.identity());
  }

  private List<Reply> failures(Throwable cause, int[] slots, int group) {
    List<Reply> out = new ArrayList<>(slots.length);
    for (int slot : slots) {
      out.add(failure(cause, slot, group));
    }
    return out;
  }

  /**
   * The group's route once another node leads it, polled every {@link #LEADERSHIP_POLL}: a
   * leader handing over leadership still looks local until its successor is elected. Whatever
   * the route is at {@code deadline} otherwise.
   */
  private CompletableFuture<Route> newLeader(int group, long deadline) {
    Route now = router.route(group);
    if (now instanceof Route.Remote || System.nanoTime() >= deadline) {
      return CompletableFuture.completedFuture(now);
    }
    return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(
            LEADERSHIP_POLL.toMillis(), TimeUnit.MILLISECONDS))
        .thenCompose(x -> newLeader(group, deadline));
  }

  /** Where a WATCH starts, or the error (MOVED, CLUSTERDOWN …) to answer instead. */
  public record Watch(List<WatchedKey> keys, Reply error) {}

  /**
   * WATCH of {@code keys} (all in {@code slot}) on {@code group}'s leader. A successful watch must
   * be ended with {@link SlotGroupRouter#unwatch}.
   */
  public CompletableFuture<Watch> watch(int group, int slot, List<byte[]> keys) {
    return routed(group, () -> call(() -> router.watch(group, keys)).handle((w, error) ->
            error == null ? new Watch(w, null) : new Watch(null, failure(unwrap(error), slot, group))),
        refusal -> new Watch(null, refusalFor(refusal, slot)));
  }

  /**
   * EXEC of a transaction whose keys are all in {@code slot}: the array of replies, a null array
   * when a watched key changed, or the routing error (the transaction did not run).
   */
  public CompletableFuture<Reply> transaction(int group, int slot, List<byte[][]> commands,
      boolean resp3, List<WatchedKey> watched, boolean readOnly) {
    return routed(group, () -> call(() -> router.transaction(group, commands, resp3, watched,
            readOnly)).handle((reply, error) ->
            error == null ? reply : failure(unwrap(error), slot, group)),
        refusal -> refusalFor(refusal, slot));
  }

  /** Reply for a failed router call: the Redis error it carries, MOVED/TRYAGAIN, or ERR. */
  private Reply failure(Throwable cause, int slot, int group) {
    if (cause instanceof RedisError e) {
      return e.reply();
    }
    if (cause instanceof NotLeaderException) {
      Route now = router.route(group);
      return now instanceof Route.Remote r ? RouteErrors.moved(slot, r) : RouteErrors.TRY_AGAIN;
    }
    if (cause instanceof OutcomeUnknownException) {
      LOG.info("closing a client connection: {}", cause.getMessage());
      return RouteErrors.OUTCOME_UNKNOWN;
    }
    if (cause instanceof RaftUnavailableException) {
      // Ratis refused the request without applying it: the client may safely retry.
      return new Reply.Error("TRYAGAIN " + cause.getMessage());
    }
    LOG.warn("command on slot group {} failed", group, cause);
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new Reply.Error("ERR " + message);
  }

  private static Reply refusalFor(Route refusal, int slot) {
    return refusal instanceof Route.Remote r ? RouteErrors.moved(slot, r) : RouteErrors.CLUSTER_DOWN;
  }

  /**
   * Runs {@code local} if this node leads {@code group} now or after waiting up to {@code
   * routeWait} for an election; otherwise answers {@code refused} with the Remote or Unavailable
   * route.
   */
  private <T> CompletableFuture<T> routed(
      int group, Supplier<CompletableFuture<T>> local, Function<Route, T> refused) {
    Route route = router.route(group);
    if (route instanceof Route.Local) {
      return local.get();
    }
    if (route instanceof Route.Remote) {
      return CompletableFuture.completedFuture(refused.apply(route));
    }
    return call(() -> router.awaitRoute(group, routeWait)).handle((r, error) -> {
      Route next = error == null && r != null ? r : new Route.Unavailable("no leader");
      if (next instanceof Route.Local) {
        return local.get();
      }
      return CompletableFuture.completedFuture(refused.apply(next));
    }).thenCompose(Function.identity());
  }

  // ---------------------------------------------------------------- all groups

  /**
   * A keyless keyspace-wide command (DBSIZE, KEYS, FLUSHALL, RANDOMKEY …) on every group this node
   * leads, merged by the spec's {@code response_policy} tip.
   */
  public CompletableFuture<Reply> allGroups(CommandSpec spec, byte[][] args, boolean resp3) {
    return allGroups(this, router.ledGroups(), spec, args, resp3);
  }

  /**
   * A keyless keyspace-wide command on {@code groups} through {@code via} (the proxy port covers
   * every group of the cluster), merged by the spec's {@code response_policy} tip.
   */
  public CompletableFuture<Reply> allGroups(GroupDispatch via, List<Integer> groups,
      CommandSpec spec, byte[][] args, boolean resp3) {
    return allGroups(via, groups, spec, args, resp3, spec.isWrite());
  }

  /** {@link #allGroups(GroupDispatch, List, CommandSpec, byte[][], boolean)} as log entries when {@code write}. */
  public CompletableFuture<Reply> allGroups(GroupDispatch via, List<Integer> groups,
      CommandSpec spec, byte[][] args, boolean resp3, boolean write) {
    List<CompletableFuture<Reply>> parts = new ArrayList<>(groups.size());
    for (int g : groups) {
      if (write) {
        parts.add(via.write(g, new int[] {0}, List.<byte[][]>of(args), resp3)
            .thenApply(l -> l.get(0)));
      } else {
        parts.add(via.read(g, 0, args, resp3));
      }
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).handle((v, e) -> {
      List<Reply> replies = new ArrayList<>(parts.size());
      for (CompletableFuture<Reply> p : parts) {
        replies.add(p.isCompletedExceptionally() ? failure(unwrap(error(p)), 0, -1) : p.join());
      }
      return merge(spec, replies);
    });
  }

  private static Throwable error(CompletableFuture<?> f) {
    try {
      f.get();
      return new IllegalStateException("not failed");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      return e;
    }
  }

  static Reply merge(CommandSpec spec, List<Reply> replies) {
    for (Reply r : replies) {
      if (r instanceof Reply.Error) {
        return r;
      }
    }
    if (spec.hasTip("response_policy:agg_sum")) {
      long sum = 0;
      for (Reply r : replies) {
        if (r instanceof Reply.Int i) {
          sum += i.value();
        }
      }
      return Reply.integer(sum);
    }
    if (spec.hasTip("response_policy:agg_logical_and")) {
      // SCRIPT EXISTS: 1 only where every group answered 1.
      List<Reply> and = null;
      for (Reply r : replies) {
        List<Reply> items = ((Reply.Array) r).items();
        if (and == null) {
          and = new ArrayList<>(items);
        } else {
          for (int i = 0; i < and.size() && i < items.size(); i++) {
            boolean both = and.get(i) instanceof Reply.Int a && a.value() != 0
                && items.get(i) instanceof Reply.Int b && b.value() != 0;
            and.set(i, Reply.integer(both ? 1 : 0));
          }
        }
      }
      return and == null ? Reply.EMPTY_ARRAY : Reply.array(and);
    }
    if (spec.hasTip("response_policy:all_succeeded")) {
      return replies.isEmpty() ? Reply.OK : replies.get(0);
    }
    if (spec.hasTip("nondeterministic_output") && !spec.hasTip("nondeterministic_output_order")) {
      // RANDOMKEY: a random group among those that have keys.
      List<Reply> found = new ArrayList<>();
      for (Reply r : replies) {
        if (!(r instanceof Reply.NullBulk) && !(r instanceof Reply.NullArray)) {
          found.add(r);
        }
      }
      return found.isEmpty() ? Reply.NULL : found.get(ThreadLocalRandom.current().nextInt(found.size()));
    }
    // Concatenation (KEYS and any other array-returning command).
    List<Reply> all = new ArrayList<>();
    boolean arrays = true;
    for (Reply r : replies) {
      if (r instanceof Reply.Array a) {
        all.addAll(a.items());
      } else {
        arrays = false;
      }
    }
    if (arrays) {
      return new Reply.Array(all);
    }
    return replies.isEmpty() ? Reply.OK : replies.get(0);
  }

  // ---------------------------------------------------------------- SCAN

  /** The parsed arguments of SCAN; the errors are Redis's, in Redis's order. */
  /** A parsed SCAN; {@code pattern} and {@code type} are null when not given. */
  record ScanRequest(long cursor, long count, byte[] pattern, byte[] type) {
    static ScanRequest parse(byte[][] args) {
      Long cursor = ScanCursors.parse(args[1]);
      if (cursor == null) {
        throw new RedisError("ERR invalid cursor");
      }
      long count = 10;
      byte[] pattern = null;
      byte[] type = null;
      int i = 2;
      while (i < args.length) {
        String opt = new String(args[i], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        boolean hasValue = args.length - i >= 2;
        if (opt.equals("count") && hasValue) {
          count = RedisNumbers.parseLong(args[i + 1]);
          if (count < 1) {
            throw RedisError.syntax();
          }
        } else if (opt.equals("match") && hasValue) {
          pattern = args[i + 1];
          if (pattern.length == 1 && pattern[0] == '*') {
            pattern = null;
          }
        } else if (opt.equals("type") && hasValue) {
          type = args[i + 1];
        } else {
          throw RedisError.syntax();
        }
        i += 2;
      }
      return new ScanRequest(cursor, count, pattern, type);
    }
  }

  /** An inclusive slot range of one slot group. */
  public record GroupRange(int group, int from, int to) {}

  /**
   * SCAN over the slot ranges this node leads, in slot order, with {@code kvorum.scan} reads.
   * The reply is Redis's: {@code [cursor, [keys…]]}.
   */
  public CompletableFuture<Reply> scan(byte[][] args, boolean resp3) {
    return scan(this, ledRanges(), args, resp3);
  }

  /** SCAN over {@code ranges} (sorted by first slot) through {@code via}. */
  public CompletableFuture<Reply> scan(GroupDispatch via, List<GroupRange> ranges, byte[][] args,
      boolean resp3) {
    ScanRequest req;
    try {
      req = ScanRequest.parse(args);
    } catch (RedisError e) {
      return CompletableFuture.completedFuture(e.reply());
    }
    if (req.type() != null && !SCAN_TYPES.contains(
        new String(req.type(), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT))) {
      // Redis 7.0 accepts an unknown type and matches nothing.
      return CompletableFuture.completedFuture(scanReply(0, List.of()));
    }
    int slot = ScanCursors.slotOf(req.cursor());
    byte[] from = cursors.positionOf(req.cursor());
    List<Reply> keys = new ArrayList<>();
    return scanFrom(via, ranges, slot, from, req, resp3, keys, 0);
  }

  private CompletableFuture<Reply> scanFrom(GroupDispatch via, List<GroupRange> ranges, int slot,
      byte[] from, ScanRequest req, boolean resp3, List<Reply> keys, int visited) {
    GroupRange range = null;
    for (GroupRange r : ranges) {
      if (r.to() >= slot) {
        range = r;
        break;
      }
    }
    if (range == null) {
      return CompletableFuture.completedFuture(scanReply(0, keys));
    }
    if (range.from() > slot) {
      // The cursor's slot is not led here (any more): start at the next led range.
      slot = range.from();
      from = new byte[] {(byte) (slot >>> 8), (byte) slot};
    }
    byte[] to = range.to() + 1 >= HashSlot.COUNT
        ? new byte[0]
        : new byte[] {(byte) ((range.to() + 1) >>> 8), (byte) (range.to() + 1)};
    List<byte[]> args = new ArrayList<>(List.of(
        SCAN_COMMAND.getBytes(StandardCharsets.US_ASCII), from, to,
        RedisNumbers.toBytes(Math.max(1, req.count() - keys.size()))));
    if (req.pattern() != null) {
      args.add(MATCH);
      args.add(req.pattern());
    }
    if (req.type() != null) {
      args.add(TYPE);
      args.add(req.type());
    }
    byte[][] call = args.toArray(byte[][]::new);
    final GroupRange current = range;
    return via.read(range.group(), slot, call, resp3).thenCompose(reply -> {
      if (reply instanceof Reply.Error) {
        return CompletableFuture.completedFuture(reply);
      }
      List<Reply> parts = ((Reply.Array) reply).items();
      keys.addAll(((Reply.Array) parts.get(1)).items());
      byte[] next = parts.get(0) instanceof Reply.Bulk b ? b.value() : new byte[0];
      if (next.length >= 2) {
        return CompletableFuture.completedFuture(scanReply(cursors.cursorFor(next), keys));
      }
      int nextSlot = current.to() + 1;
      GroupRange following = null;
      for (GroupRange r : ranges) {
        if (r.from() >= nextSlot) {
          following = r;
          break;
        }
      }
      if (following == null) {
        return CompletableFuture.completedFuture(scanReply(0, keys));
      }
      if (keys.size() >= req.count() || visited + 1 >= SCAN_MAX_RANGES) {
        return CompletableFuture.completedFuture(scanReply(following.from(), keys));
      }
      byte[] start = {(byte) (following.from() >>> 8), (byte) following.from()};
      return scanFrom(via, ranges, following.from(), start, req, resp3, keys, visited + 1);
    });
  }

  private static Reply scanReply(long cursor, List<Reply> keys) {
    return Reply.array(Reply.bulk(Long.toUnsignedString(cursor)), new Reply.Array(List.copyOf(keys)));
  }

  /** The slot ranges of the groups this node leads, sorted by first slot. */
  List<GroupRange> ledRanges() {
    return ranges(new java.util.HashSet<>(router.ledGroups()));
  }

  /** The slot ranges of every group of the cluster, sorted by first slot. */
  public List<GroupRange> allRanges() {
    return ranges(null);
  }

  /** The slot ranges of {@code groups} (null: all), sorted by first slot. */
  private List<GroupRange> ranges(Set<Integer> groups) {
    List<GroupRange> out = new ArrayList<>();
    ClusterTopology topology = router.topology();
    for (ClusterTopology.Group g : topology.groups()) {
      if (groups == null || groups.contains(g.index())) {
        for (ClusterTopology.SlotRange r : g.slots()) {
          out.add(new GroupRange(g.index(), r.from(), r.to()));
        }
      }
    }
    out.sort(Comparator.comparingInt(GroupRange::from));
    return Collections.unmodifiableList(out);
  }

  // ---------------------------------------------------------------- helpers

  /** Calls a router method, turning a synchronous throw into a failed future. */
  private static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> f) {
    try {
      CompletableFuture<T> r = f.get();
      return r != null ? r : CompletableFuture.failedFuture(new IllegalStateException("router returned null"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
