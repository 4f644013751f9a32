package io.kvorum.raft.route;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.raftlog.RaftLogIndex;

/**
 * Makes a leader confirm its leadership with a heartbeat round for every linearizable read it
 * submits to Ratis.
 *
 * <p>Ratis 3.3's {@code ReadIndexHeartbeats} skips the round when the read index is at or below
 * {@code ackedCommitIndex}, the highest index a majority ever acknowledged in a round. A leader cut
 * off from its followers commits nothing new, so its read index stays "acknowledged" and it serves
 * reads from its old state until it steps down (2–4 s), while the majority has elected a new leader
 * and acknowledged newer writes: stale reads. Swapping that index for one that never holds a value
 * sends every such read through a real round, as Raft's ReadIndex prescribes.
 *
 * <p>Ratis 3.3's leader lease is not safe either: its gRPC log appender records every append
 * reply's request send time as a fresh heartbeat for the lease before it looks at the result, so
 * a follower's NOT_LEADER refusal of a stale term renews it, and a leader woken after a pause read
 * under that lease while a new leader took writes. The patch sets the lease's timeout to zero, so
 * Ratis never reads under it; the router keeps its own ({@link ReadLease}), renewed only by rounds
 * whose read completed.
 *
 * <p>This reaches into Ratis internals by reflection; {@link #check()} runs when a router is built,
 * so a Ratis upgrade that moves them stops the node at start instead of silently reading stale.
 */
public final class FreshReadIndex {
  private static final Field ROLE = field("org.apache.ratis.server.impl.RaftServerImpl", "role");
  private static final Field LEADER_STATE =
      field("org.apache.ratis.server.impl.RoleInfo", "leaderState");
  private static final Field HEARTBEATS =
      field("org.apache.ratis.server.impl.LeaderStateImpl", "readIndexHeartbeats");
  private static final Field ACKED =
      field("org.apache.ratis.server.impl.ReadIndexHeartbeats", "ackedCommitIndex");

  private static final Field LEASE =
      field("org.apache.ratis.server.impl.LeaderStateImpl", "lease");
  private static final Field LEASE_ENABLED =
      field("org.apache.ratis.server.impl.LeaderLease", "enabled");
  private static final Field LEASE_TIMEOUT =
      field("org.apache.ratis.server.impl.LeaderLease", "leaseTimeoutMs");

  private static final Method APPENDERS =
      method("org.apache.ratis.server.impl.LeaderStateImpl", "getLogAppenders");
  private static final Method HAS_LEASE =
      method("org.apache.ratis.server.impl.LeaderStateImpl", "hasLease");

  private FreshReadIndex() {}

  /** Fails if the pinned Ratis no longer has the internals this class patches. */
  public static void check() {
    if (!RaftLogIndex.class.isAssignableFrom(ACKED.getType())
        || !AtomicReference.class.isAssignableFrom(LEADER_STATE.getType())
        || !Stream.class.isAssignableFrom(APPENDERS.getReturnType())
        || HAS_LEASE.getReturnType() != boolean.class
        || !AtomicBoolean.class.isAssignableFrom(LEASE_ENABLED.getType())
        || LEASE_TIMEOUT.getType() != long.class) {
      throw new IllegalStateException("Ratis read-index internals changed: " + ACKED + ", "
          + LEADER_STATE);
    }
  }

  /**
   * Patches the division's current leader state, if it leads and is not patched yet: its read
   * index, and its lease, whose timeout becomes zero so Ratis never reads under it ({@link
   * ReadLease} is the lease instead). Call before every linearizable read is submitted: a new
   * term brings a new leader state.
   *
   * @return the division's leader state, or null when it does not lead
   */
  public static Object patch(RaftServer.Division division) {
    try {
      Object leader = ((AtomicReference<?>) LEADER_STATE.get(ROLE.get(division))).get();
      if (leader == null) {
        return null;
      }
      Object heartbeats = HEARTBEATS.get(leader);
      if (!(ACKED.get(heartbeats) instanceof NeverAcknowledged)) {
        ACKED.set(heartbeats, new NeverAcknowledged());
      }
      Object lease = LEASE.get(leader);
      if (LEASE_TIMEOUT.getLong(lease) != 0) {
        LEASE_TIMEOUT.setLong(lease, 0);
      }
      return leader;
    } catch (IllegalAccessException | ClassCastException e) {
      throw new IllegalStateException("cannot patch Ratis's read index", e);
    }
  }

  /**
   * Whether this leader state may read under a lease at all: the lease is configured on and no
   * leadership transfer is under way (Ratis turns it off for the transfer, since the transferee is
   * elected without waiting out an election timeout).
   *
   * @param leader what {@link #patch} returned
   */
  public static boolean leaseAllowed(Object leader) {
    try {
      return ((AtomicBoolean) LEASE_ENABLED.get(LEASE.get(leader))).get();
    } catch (IllegalAccessException | ClassCastException e) {
      throw new IllegalStateException("cannot reach Ratis's leader lease", e);
    }
  }

  /**
   * Whether Ratis makes a read on this leader state wait for a heartbeat round: always, once
   * patched, unless the group's only voter is this replica.
   *
   * @param leader what {@link #patch} returned
   */
  public static boolean needsRound(Object leader) {
    try {
      return !(boolean) HAS_LEASE.invoke(leader);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot reach Ratis's leader lease", e);
    }
  }

  /**
   * Asks every follower for another heartbeat, once a read waits on a round. Ratis's listener
   * triggers the heartbeat before it notes the call id the acknowledgement must reach; when the
   * appender sends in between, that reply does not count and the read waits for the next regular
   * heartbeat (half the election timeout, ~500 ms). The heartbeat asked for here is numbered after
   * the note.
   *
   * @param leader what {@link #patch} returned
   */
  public static void heartbeatAgain(Object leader) {
    try {
      @SuppressWarnings("unchecked")
      Stream<LogAppender> appenders = (Stream<LogAppender>) APPENDERS.invoke(leader);
      appenders.forEach(LogAppender::triggerHeartbeat);
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalStateException("cannot reach Ratis's log appenders", e);
    }
  }

  /** Whether the division's current leader state (if any) is patched; for tests. */
  static boolean isPatched(RaftServer.Division division) {
    try {
      Object leader = ((AtomicReference<?>) LEADER_STATE.get(ROLE.get(division))).get();
      return leader != null && ACKED.get(HEARTBEATS.get(leader)) instanceof NeverAcknowledged
          && LEASE_TIMEOUT.getLong(LEASE.get(leader)) == 0;
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Field field(String className, String name) {
    try {
      Field f = Class.forName(className).getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(
          "Ratis internals changed, cannot find " + className + "." + name + ": " + e);
    }
  }

  private static Method method(String className, String name) {
    try {
      Method m = Class.forName(className).getDeclaredMethod(name);
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(
          "Ratis internals changed, cannot find " + className + "." + name + "(): " + e);
    }
  }

  /** An acknowledged index that never holds one, so no read index counts as acknowledged. */
  static final class NeverAcknowledged extends RaftLogIndex {
    NeverAcknowledged() {
      super("ackedCommitIndex(never)", RaftLog.INVALID_LOG_INDEX);
    }

    @Override
    public long get() {
      return RaftLog.INVALID_LOG_INDEX;
    }

    @Override
    public boolean setUnconditionally(long newIndex, Consumer<Object> log) {
      return false;
    }

    @Override
    public boolean updateUnconditionally(LongUnaryOperator update, Consumer<Object> log) {
      return false;
    }

    @Override
    public boolean updateIncreasingly(long newIndex, Consumer<Object> log) {
      return false;
    }

    @Override
    public boolean updateToMax(long newIndex, Consumer<Object> log) {
      return false;
    }

    @Override
    public long incrementAndGet(Consumer<Object> log) {
      return RaftLog.INVALID_LOG_INDEX;
    }
  }
}
