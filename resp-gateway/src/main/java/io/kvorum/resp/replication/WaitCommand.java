package io.kvorum.resp.replication;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.raft.route.ClusterTopology;
import io.kvorum.raft.route.GroupReplication;
import io.kvorum.raft.route.SlotGroupRouter;
import io.kvorum.resp.command.GatewayCommand;
import io.kvorum.resp.command.Invocation;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * WAIT numreplicas timeout, with Redis's arguments, errors and blocking, answered from Raft: the
 * number of replicas (besides the leader) that hold everything the slot groups this node leads
 * had committed when WAIT was called, the smallest such number over those groups. A Redis master
 * counts the replicas that acknowledged its replication stream up to the client's last write;
 * here each group has its own followers, and a write acknowledged by Kvorum is already on a
 * majority of its group's replicas, so WAIT mostly tells whether the rest caught up too.
 *
 * <p>On the proxy port the client's writes may have gone to groups other nodes lead, whose
 * followers this node cannot see: each of those counts as what its commit guarantees, the
 * followers of a majority ({@code replicas / 2}). WAIT runs after the connection's earlier
 * commands completed, as it must see their writes committed.
 */
public final class WaitCommand {
  /**
   * How often a blocked WAIT looks at the followers again: first after 5 ms (followers usually
   * catch up within a few), then twice as long each time up to 100 ms, so that clients waiting
   * for a follower that is down cost about ten looks a second each.
   */
  static final long FIRST_POLL_MILLIS = 5;
  static final long MAX_POLL_MILLIS = 100;

  private WaitCommand() {}

  public static List<GatewayCommand> table() {
    return List.of(GatewayCommand.ordered(of("wait", 3, "noscript", 0, 0, 0, "@slow @connection",
        "request_policy:all_shards response_policy:agg_min"), WaitCommand::waitFor));
  }

  static CompletableFuture<Reply> waitFor(Invocation c) {
    // Redis 7.0 reads the count first, then the timeout.
    Long wanted = RedisNumbers.parseLongOrNull(c.arg(1));
    if (wanted == null) {
      return answer(new Reply.Error(RedisError.NOT_INTEGER));
    }
    Long timeout = RedisNumbers.parseLongOrNull(c.arg(2));
    if (timeout == null) {
      return answer(new Reply.Error("ERR timeout is not an integer or out of range"));
    }
    if (timeout < 0) {
      return answer(new Reply.Error("ERR timeout is negative"));
    }
    SlotGroupRouter router = c.gateway().router();
    Targets targets = Targets.now(router, c.client() != null && c.client().proxy());
    int acked = targets.acked(router);
    // Inside a transaction Redis answers the count at once, never blocking.
    if (acked >= wanted || c.inTransaction()) {
      return answer(Reply.integer(acked));
    }
    // 0 waits for ever, and so does a timeout of centuries (Redis 7.0 takes any that fits).
    long nanos = TimeUnit.MILLISECONDS.toNanos(timeout);
    boolean forever = timeout == 0 || nanos > Long.MAX_VALUE / 4;
    long deadline = forever ? 0 : System.nanoTime() + nanos;
    CompletableFuture<Reply> result = new CompletableFuture<>();
    if (c.client() != null) {
      c.client().blocked(true);
      result.whenComplete((r, e) -> c.client().blocked(false));
    }
    schedule(c, router, targets, wanted, forever, deadline, FIRST_POLL_MILLIS, result);
    return result;
  }

  private static void schedule(Invocation c, SlotGroupRouter router, Targets targets, long wanted,
      boolean forever, long deadline, long delayMillis, CompletableFuture<Reply> result) {
    Executor later = CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS);
    later.execute(() -> poll(c, router, targets, wanted, forever, deadline,
        Math.min(MAX_POLL_MILLIS, 2 * delayMillis), result));
  }

  private static void poll(Invocation c, SlotGroupRouter router, Targets targets, long wanted,
      boolean forever, long deadline, long nextDelayMillis, CompletableFuture<Reply> result) {
    int acked = targets.acked(router);
    boolean gone = c.client() != null && c.client().channel() != null
        && !c.client().channel().isActive();
    boolean timedOut = !forever && System.nanoTime() - deadline >= 0;
    if (acked >= wanted || timedOut || gone) {
      result.complete(Reply.integer(acked));
      return;
    }
    long delay = nextDelayMillis;
    if (!forever) {
      // Never sleep past the deadline: the reply is due when the timeout runs out.
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      delay = Math.max(1, Math.min(delay, left));
    }
    schedule(c, router, targets, wanted, forever, deadline, delay, result);
  }

  private static CompletableFuture<Reply> answer(Reply r) {
    return CompletableFuture.completedFuture(r);
  }

  /**
   * What WAIT waits for: per group this node leads, its commit index when WAIT was called; and
   * the quorum guarantee of the groups led elsewhere that the proxy port's writes may have reached.
   */
  private record Targets(int[] groups, long[] indexes, int elsewhere) {

    static Targets now(SlotGroupRouter router, boolean proxy) {
      List<Integer> led = new ArrayList<>();
      List<Long> at = new ArrayList<>();
      for (int g : router.ledGroups()) {
        GroupReplication r = router.replication(g);
        if (r != null) {
          led.add(g);
          at.add(r.commitIndex());
        }
      }
      int elsewhere = Integer.MAX_VALUE;
      if (proxy) {
        for (ClusterTopology.Group g : router.topology().groups()) {
          if (!led.contains(g.index())) {
            elsewhere = Math.min(elsewhere, g.replicas().size() / 2);
          }
        }
      }
      int[] groups = new int[led.size()];
      long[] indexes = new long[led.size()];
      for (int i = 0; i < groups.length; i++) {
        groups[i] = led.get(i);
        indexes[i] = at.get(i);
      }
      return new Targets(groups, indexes, elsewhere);
    }

    /** Replicas holding every target: the fewest over the groups; 0 when there is none. */
    int acked(SlotGroupRouter router) {
      int min = elsewhere;
      for (int i = 0; i < groups.length; i++) {
        GroupReplication r = router.replication(groups[i]);
        // Leadership moved since: the entries were committed, so a majority holds them.
        int n = r != null ? r.holding(indexes[i]) : quorumFollowers(router, groups[i]);
        min = Math.min(min, n);
      }
      return min == Integer.MAX_VALUE ? 0 : min;
    }

    private static int quorumFollowers(SlotGroupRouter router, int group) {
      for (ClusterTopology.Group g : router.topology().groups()) {
        if (g.index() == group) {
          return g.replicas().size() / 2;
        }
      }
      return 0;
    }
  }
}
