package io.kvorum.raft.expiry;

import io.kvorum.raft.group.SlotGroupStateMachine;
import io.kvorum.raft.route.RaftSlotGroupRouter;
import io.kvorum.storage.engine.SlotGroupStore;
import io.kvorum.storage.expiry.ExpiryCommands;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active expiry on the leader: every 100 ms, for each slot group this node leads, up to
 * {@value #BATCH} keys past their deadline are proposed for deletion as one log entry, so every
 * replica deletes them at the same log position. At most one proposal per group is in flight.
 */
public final class ActiveExpiry {
  private static final Logger LOG = LoggerFactory.getLogger(ActiveExpiry.class);
  static final int BATCH = 128;
  private static final long WARNING_INTERVAL_MS = 60_000;
  private static final byte[] COMMAND = ExpiryCommands.EXPIRE_DUE.getBytes(StandardCharsets.US_ASCII);

  private final RaftSlotGroupRouter router;
  private final ScheduledExecutorService scheduler;
  private final java.util.Map<Integer, AtomicBoolean> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Map<Integer, Long> lastWarning = new java.util.concurrent.ConcurrentHashMap<>();
  private ScheduledFuture<?> task;

  public ActiveExpiry(RaftSlotGroupRouter router, ScheduledExecutorService scheduler) {
    this.router = router;
    this.scheduler = scheduler;
  }

  public void start() {
    task = scheduler.scheduleWithFixedDelay(this::sweep, 100, 100, TimeUnit.MILLISECONDS);
  }

  public void stop() {
    if (task != null) {
      task.cancel(false);
    }
  }

  private void sweep() {
    long now = System.currentTimeMillis();
    for (int group : router.ledGroups()) {
      try {
        sweep(group, now);
      } catch (RuntimeException e) {
        // A broken store fails every 100 ms tick: say so once a minute, not ten times a second.
        Long last = lastWarning.get(group);
        if (last == null || now - last >= WARNING_INTERVAL_MS) {
          lastWarning.put(group, now);
          LOG.warn("active expiry on group {} failed (repeats are logged once a minute)", group, e);
        }
      }
    }
  }

  private void sweep(int group, long now) {
    SlotGroupStateMachine m = router.machine(group);
    SlotGroupStore store = m == null ? null : m.store();
    AtomicBoolean busy = inFlight.computeIfAbsent(group, g -> new AtomicBoolean());
    if (store == null || busy.get()) {
      return;
    }
    List<byte[]> due = store.dueForExpiry(now, BATCH);
    if (due.isEmpty()) {
      return;
    }
    byte[][] args = new byte[due.size() + 1][];
    args[0] = COMMAND;
    for (int i = 0; i < due.size(); i++) {
      args[i + 1] = due.get(i);
    }
    busy.set(true);
    router.write(group, List.<byte[][]>of(args), false)
        .whenComplete((r, e) -> {
          busy.set(false);
          if (e != null) {
            LOG.debug("active expiry on group {} failed: {}", group, e.toString());
          }
        });
  }
}
