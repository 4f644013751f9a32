package io.kvorum.resp.testing;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.raft.route.ClusterTopology;
import io.kvorum.raft.route.GroupStats;
import io.kvorum.raft.route.KeyspaceEventListener;
import io.kvorum.raft.route.KeysWrittenListener;
import io.kvorum.raft.route.NotLeaderException;
import io.kvorum.raft.route.GroupReplication;
import io.kvorum.raft.route.Route;
import io.kvorum.raft.route.SlotGroupRouter;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.engine.NodeStorage;
import io.kvorum.storage.engine.SlotGroupStore;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
import io.kvorum.storage.transaction.WatchedKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link SlotGroupRouter} over real {@link SlotGroupStore}s in one process, standing in for Raft
 * in gateway tests: each group applies its writes in call order on its own thread (as a log
 * would), reads run on a shared pool. Routes can be overridden per group to test MOVED,
 * CLUSTERDOWN and NotLeader handling. Test scope only.
 */
public final class LocalStoreRouter implements SlotGroupRouter, AutoCloseable {
  public static final String SELF_ID = "0123456789abcdef0123456789abcdef01234567";

  private final NodeStorage node = NodeStorage.withDefaults();
  private final SlotGroupStore[] stores;
  private final ExecutorService[] writers;
  private final ExecutorService readers = Executors.newFixedThreadPool(4);
  private final AtomicLong[] indexes;
  private final Map<Integer, Route> routes = new ConcurrentHashMap<>();
  private final Map<Integer, Route> routesAfterWait = new ConcurrentHashMap<>();
  private final Map<Integer, GroupReplication> replications = new ConcurrentHashMap<>();
  private final Map<Integer, java.util.Queue<RuntimeException>> failNextWrite =
      new ConcurrentHashMap<>();
  private final AtomicLong writeCalls = new AtomicLong();
  private final AtomicLong writtenCommands = new AtomicLong();
  private final List<KeysWrittenListener> keysWrittenListeners = new CopyOnWriteArrayList<>();
  private final List<KeyspaceEventListener> keyspaceEventListeners = new CopyOnWriteArrayList<>();
  /** Delay before each read completes (tests of ordering). */
  private volatile long readDelayMillis;
  private volatile long lastSnapshot = System.currentTimeMillis() / 1000;
  private volatile int port;

  public LocalStoreRouter(Path dir, int groups) {
    this(dir, groups, KeyspaceCommandTable.standard());
  }

  /** Stores that run {@code table}'s commands (tests of commands outside the standard table). */
  public LocalStoreRouter(Path dir, int groups, KeyspaceCommandTable table) {
    stores = new SlotGroupStore[groups];
    writers = new ExecutorService[groups];
    indexes = new AtomicLong[groups];
    for (int g = 0; g < groups; g++) {
      stores[g] = SlotGroupStore.open(dir.resolve("group-" + g), node, table);
      int group = g;
      writers[g] = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "group-" + group + "-apply");
        t.setDaemon(true);
        return t;
      });
      indexes[g] = new AtomicLong(stores[g].applied().index());
    }
  }

  /** The RESP port this node announces (the gateway's). */
  public void port(int port) {
    this.port = port;
  }

  public void route(int group, Route route) {
    if (route == null) {
      routes.remove(group);
    } else {
      routes.put(group, route);
    }
  }

  /** What {@link #replication} reports for a group this router serves (followers, WAIT). */
  public void replication(int group, GroupReplication replication) {
    replications.put(group, replication);
  }

  /** The route {@link #awaitRoute} reports for a group (election outcome). */
  public void routeAfterWait(int group, Route route) {
    routesAfterWait.put(group, route);
  }

  public void failNextWrite(int group) {
    failNextWrite(group, new NotLeaderException(group, "leadership lost"));
  }

  /** A further write to {@code group} fails with {@code error} without being applied. */
  public void failNextWrite(int group, RuntimeException error) {
    failNextWrite.computeIfAbsent(group, g -> new java.util.concurrent.ConcurrentLinkedQueue<>())
        .add(error);
  }

  /** Writes to {@code group} succeed again. */
  public void clearWriteFailures(int group) {
    failNextWrite.remove(group);
  }

  public void readDelay(long millis) {
    readDelayMillis = millis;
  }

  /** Number of {@link #write} calls (log entries) so far. */
  public long writeCalls() {
    return writeCalls.get();
  }

  public long writtenCommands() {
    return writtenCommands.get();
  }

  @Override
  public int groupCount() {
    return stores.length;
  }

  @Override
  public int groupOf(int slot) {
    return (int) ((long) slot * stores.length / HashSlot.COUNT);
  }

  private int firstSlot(int group) {
    return (int) (((long) group * HashSlot.COUNT + stores.length - 1) / stores.length);
  }

  @Override
  public Route route(int group) {
    return routes.getOrDefault(group, Route.LOCAL);
  }

  @Override
  public CompletableFuture<Route> awaitRoute(int group, Duration maxWait) {
    Route after = routesAfterWait.remove(group);
    if (after != null) {
      routes.remove(group);
      if (after instanceof Route.Local) {
        routes.remove(group);
      } else {
        routes.put(group, after);
      }
      return CompletableFuture.supplyAsync(() -> after,
          CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
    }
    Route now = route(group);
    return CompletableFuture.supplyAsync(() -> now,
        CompletableFuture.delayedExecutor(Math.min(100, maxWait.toMillis()), TimeUnit.MILLISECONDS));
  }

  @Override
  public CompletableFuture<List<Reply>> write(int group, List<byte[][]> commands, boolean resp3) {
    if (!(route(group) instanceof Route.Local)) {
      return CompletableFuture.failedFuture(new NotLeaderException(group, "not leader"));
    }
    writeCalls.incrementAndGet();
    writtenCommands.addAndGet(commands.size());
    SlotGroupEntry.Builder entry = SlotGroupEntry.newBuilder()
        .setTimeMs(System.currentTimeMillis())
        .setRandomSeed(ThreadLocalRandom.current().nextLong());
    for (byte[][] args : commands) {
      CommandCall.Builder call = CommandCall.newBuilder().setResp3(resp3);
      for (byte[] a : args) {
        call.addArgs(ByteString.copyFrom(a));
      }
      entry.addCalls(call);
    }
    SlotGroupEntry e = entry.build();
    java.util.Queue<RuntimeException> failures = failNextWrite.get(group);
    RuntimeException failure = failures == null ? null : failures.poll();
    if (failure != null) {
      return CompletableFuture.failedFuture(failure);
    }
    return CompletableFuture.supplyAsync(() -> {
      SlotGroupStore.AppliedEntry applied =
          stores[group].applyTracked(1, indexes[group].incrementAndGet(), e);
      if (!applied.writtenKeys().isEmpty()) {
        for (KeysWrittenListener l : keysWrittenListeners) {
          l.keysWritten(group, applied.writtenKeys());
        }
      }
      if (!applied.events().isEmpty()) {
        for (KeyspaceEventListener l : keyspaceEventListeners) {
          l.keyspaceEvents(group, applied.events());
        }
      }
      return applied.replies();
    }, writers[group]);
  }

  @Override
  public void onKeyspaceEvents(KeyspaceEventListener listener) {
    keyspaceEventListeners.add(listener);
  }

  @Override
  public void keyspaceEventsEnabled(boolean enabled) {
    for (SlotGroupStore s : stores) {
      s.notifying(enabled);
    }
  }

  @Override
  public void onKeysWritten(KeysWrittenListener listener) {
    keysWrittenListeners.add(listener);
  }

  @Override
  public CompletableFuture<Reply> read(int group, byte[][] args, boolean resp3) {
    if (!(route(group) instanceof Route.Local)) {
      return CompletableFuture.failedFuture(new NotLeaderException(group, "not leader"));
    }
    long delay = readDelayMillis;
    return CompletableFuture.supplyAsync(() -> {
      if (delay > 0) {
        try {
          Thread.sleep(delay);
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      }
      return stores[group].read(args, resp3, System.currentTimeMillis());
    }, readers);
  }

  @Override
  public CompletableFuture<List<WatchedKey>> watch(int group, List<byte[]> keys) {
    if (!(route(group) instanceof Route.Local)) {
      return CompletableFuture.failedFuture(new NotLeaderException(group, "not leader"));
    }
    return CompletableFuture.supplyAsync(() -> {
      SlotGroupStore.WatchState state = stores[group].watch(keys, System.currentTimeMillis());
      List<WatchedKey> out = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        out.add(new WatchedKey(keys.get(i), state.index(), state.live()[i]));
      }
      return out;
    }, readers);
  }

  @Override
  public void unwatch(int group) {
    stores[group].unwatch();
  }

  @Override
  public CompletableFuture<Reply> transaction(int group, List<byte[][]> commands, boolean resp3,
      List<WatchedKey> watched, boolean readOnly) {
    if (!(route(group) instanceof Route.Local)) {
      return CompletableFuture.failedFuture(new NotLeaderException(group, "not leader"));
    }
    if (readOnly) {
      return CompletableFuture.supplyAsync(() -> stores[group].readTransaction(
          commands, resp3, System.currentTimeMillis(), watched), readers);
    }
    return CompletableFuture.supplyAsync(() -> {
      // The writer thread applies in order: everything earlier is applied, as the leader's queue
      // guarantees before it checks a watched transaction.
      io.kvorum.proto.slotgroup.Transaction.Builder tx =
          io.kvorum.proto.slotgroup.Transaction.newBuilder();
      if (!watched.isEmpty()) {
        long at = stores[group].checkWatched(watched);
        if (at < 0) {
          return Reply.NULL_ARRAY;
        }
        tx.setGuarded(true).setAppliedIndex(at);
      }
      for (WatchedKey w : watched) {
        if (w.live()) {
          tx.addLiveKeys(ByteString.copyFrom(w.key()));
        }
      }
      for (byte[][] args : commands) {
        CommandCall.Builder call = CommandCall.newBuilder().setResp3(resp3);
        for (byte[] a : args) {
          call.addArgs(ByteString.copyFrom(a));
        }
        tx.addCommands(call);
      }
      writeCalls.incrementAndGet();
      SlotGroupEntry e = SlotGroupEntry.newBuilder()
          .setTimeMs(System.currentTimeMillis())
          .setRandomSeed(ThreadLocalRandom.current().nextLong())
          .addCalls(CommandCall.newBuilder().setResp3(resp3).setTransaction(tx))
          .build();
      SlotGroupStore.AppliedEntry applied =
          stores[group].applyTracked(1, indexes[group].incrementAndGet(), e);
      if (!applied.writtenKeys().isEmpty()) {
        for (KeysWrittenListener l : keysWrittenListeners) {
          l.keysWritten(group, applied.writtenKeys());
        }
      }
      // As the real state machine does for every entry it proposed, a transaction included.
      if (!applied.events().isEmpty()) {
        for (KeyspaceEventListener l : keyspaceEventListeners) {
          l.keyspaceEvents(group, applied.events());
        }
      }
      return applied.replies().get(0);
    }, writers[group]);
  }

  /** A group this router serves has one replica, so no followers, unless a test set some. */
  @Override
  public GroupReplication replication(int group) {
    if (!(route(group) instanceof Route.Local)) {
      return null;
    }
    return replications.getOrDefault(group, new GroupReplication(0, new long[0]));
  }

  @Override
  public List<Integer> ledGroups() {
    List<Integer> out = new ArrayList<>();
    for (int g = 0; g < stores.length; g++) {
      if (route(g) instanceof Route.Local) {
        out.add(g);
      }
    }
    return out;
  }

  @Override
  public ClusterTopology topology() {
    List<ClusterTopology.Group> groups = new ArrayList<>();
    for (int g = 0; g < stores.length; g++) {
      int to = g + 1 == stores.length ? HashSlot.COUNT - 1 : firstSlot(g + 1) - 1;
      Route r = route(g);
      String leader = r instanceof Route.Local ? SELF_ID
          : r instanceof Route.Remote remote ? remote.nodeId() : null;
      groups.add(new ClusterTopology.Group(g, List.of(new ClusterTopology.SlotRange(firstSlot(g), to)),
          leader, leader == null ? List.of(SELF_ID) : List.of(leader)));
    }
    List<ClusterTopology.Node> nodes = new ArrayList<>();
    nodes.add(new ClusterTopology.Node(SELF_ID, "127.0.0.1", port, true));
    for (Route r : routes.values()) {
      if (r instanceof Route.Remote remote
          && nodes.stream().noneMatch(n -> n.id().equals(remote.nodeId()))) {
        nodes.add(new ClusterTopology.Node(remote.nodeId(), remote.host(), remote.port(), true));
      }
    }
    return new ClusterTopology(SELF_ID, 0, nodes, groups);
  }

  @Override
  public CompletableFuture<Void> snapshotAll() {
    return CompletableFuture.runAsync(() -> {
      for (SlotGroupStore s : stores) {
        s.flush();
      }
      lastSnapshot = System.currentTimeMillis() / 1000;
    }, readers);
  }

  @Override
  public long lastSnapshotSeconds() {
    return lastSnapshot;
  }

  @Override
  public List<GroupStats> groupStats() {
    List<GroupStats> out = new ArrayList<>();
    for (int g = 0; g < stores.length; g++) {
      SlotGroupStore s = stores[g];
      out.add(new GroupStats(g, "group-" + g, "LEADER", SELF_ID, 1, s.applied().index(),
          s.applied().index(), s.keyCount(), 0));
    }
    return out;
  }

  @Override
  public void close() {
    for (ExecutorService w : writers) {
      w.shutdown();
    }
    readers.shutdown();
    try {
      for (ExecutorService w : writers) {
        w.awaitTermination(5, TimeUnit.SECONDS);
      }
      readers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SlotGroupStore s : stores) {
      s.close();
    }
    node.close();
  }
}
