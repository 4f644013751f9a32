package io.kvorum.resp.transaction;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.raft.route.Route;
import io.kvorum.resp.command.CommandEntry;
import io.kvorum.resp.command.GatewayCommand;
import io.kvorum.resp.command.Invocation;
import io.kvorum.resp.connection.ClientConnection;
import io.kvorum.resp.routing.KeyspaceDispatcher;
import io.kvorum.resp.routing.RouteErrors;
import io.kvorum.resp.server.Gateway;
import io.kvorum.storage.command.CommandFlag;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
import io.kvorum.storage.transaction.WatchedKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis 7.0, Redis Cluster rules). Commands sent after MULTI
 * are checked and queued on the event loop as they arrive ({@link #queue}); EXEC runs the queue as
 * one transaction on the slot group of its keys: one unit of one log entry (or, when every queued
 * command only reads, one snapshot read through the linearizable read path). Gateway commands in
 * the queue (PING, CLIENT …) run after that unit, their replies in their place.
 *
 * <p>State changes that later commands of a pipeline depend on (MULTI open or closed, what EXEC
 * runs) happen when the command is read ({@link #onRead}); the work happens in order with the
 * connection's other commands, so a WATCH sees the connection's earlier writes.
 */
public final class TransactionCommands {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionCommands.class);
  static final Reply.Error EXECABORT =
      new Reply.Error("EXECABORT Transaction discarded because of previous errors.");
  static final Reply.Error NOT_IN_MULTI =
      new Reply.Error("ERR Command not allowed inside a transaction");
  private static final String ACL = "@fast @transaction";

  private TransactionCommands() {}

  public static List<GatewayCommand> table() {
    return List.of(
        GatewayCommand.immediate(of("multi", 1, "noscript loading stale fast allow_busy",
            0, 0, 0, ACL, ""), TransactionCommands::multi),
        GatewayCommand.ordered(of("exec", 1, "noscript loading stale skip_slowlog",
            0, 0, 0, "@slow @transaction", ""), TransactionCommands::exec),
        GatewayCommand.ordered(of("discard", 1, "noscript loading stale fast allow_busy",
            0, 0, 0, ACL, ""), TransactionCommands::releaseWatches),
        GatewayCommand.ordered(of("watch", -2, "noscript loading stale fast allow_busy",
            1, -1, 1, ACL, ""), TransactionCommands::watch),
        GatewayCommand.ordered(of("unwatch", 1, "noscript loading stale fast allow_busy",
            0, 0, 0, ACL, ""), TransactionCommands::releaseWatches));
  }

  /** True for the commands that act on MULTI itself and are never queued (as in Redis). */
  public static boolean controls(CommandEntry entry) {
    return switch (entry.name()) {
      case "multi", "exec", "discard", "watch", "quit", "reset" -> true;
      default -> false;
    };
  }

  /**
   * The part of MULTI/EXEC/DISCARD/WATCH decided when the command is read: an error to answer at
   * once, or null to run the command (in order) as usual.
   */
  public static Reply onRead(CommandEntry entry, ClientConnection client) {
    MultiState m = client.multi();
    switch (entry.name()) {
      case "exec" -> {
        if (!m.active()) {
          return new Reply.Error("ERR EXEC without MULTI");
        }
        m.capture(client.resp3());
        m.end();
      }
      case "discard" -> {
        if (!m.active()) {
          return new Reply.Error("ERR DISCARD without MULTI");
        }
        m.end();
      }
      case "watch" -> {
        if (m.active()) {
          return new Reply.Error("ERR WATCH inside MULTI is not allowed");
        }
      }
      case "reset" -> m.end();
      default -> { }
    }
    return null;
  }

  /**
   * Queues a command read while MULTI is open: {@code +QUEUED}, or the error Redis Cluster gives
   * at queue time (which also makes EXEC answer EXECABORT): a command refused in transactions,
   * CROSSSLOT, MOVED for keys led by another node, or a full queue.
   */
  public static Reply queue(Gateway gateway, ClientConnection client, CommandEntry entry,
      byte[][] args) {
    MultiState m = client.multi();
    if (entry.spec().has(CommandFlag.NO_MULTI)) {
      m.flag();
      return NOT_IN_MULTI;
    }
    int slot = -1;
    if (entry.kind() == CommandEntry.Kind.KEYSPACE) {
      int[] keys;
      try {
        keys = entry.keys().keyIndexes(args);
      } catch (RedisError e) {
        // Redis queues it; running it gives this error inside EXEC's reply.
        keys = new int[0];
      }
      for (int k : keys) {
        int s = HashSlot.of(args[k]);
        if (slot >= 0 && s != slot) {
          m.flag();
          return RouteErrors.CROSSSLOT;
        }
        slot = s;
      }
      if (slot >= 0) {
        Route route = gateway.router().route(gateway.router().groupOf(slot));
        if (route instanceof Route.Remote r) {
          m.flag();
          return RouteErrors.moved(slot, r);
        }
      }
    }
    if (!m.queue(entry, args, slot, gateway.settings().clientQueryBufferLimit())) {
      m.flag();
      return new Reply.Error("ERR Transaction too large: at most " + MultiState.MAX_COMMANDS
          + " commands and client-query-buffer-limit bytes of arguments");
    }
    return Reply.QUEUED;
  }

  static Reply multi(Invocation c) {
    MultiState m = c.client().multi();
    if (m.active()) {
      return new Reply.Error("ERR MULTI calls can not be nested");
    }
    m.begin();
    return Reply.OK;
  }

  /** UNWATCH and DISCARD: every watched key is forgotten. */
  static CompletableFuture<Reply> releaseWatches(Invocation c) {
    release(c.gateway(), c.client().multi().takeWatches());
    return CompletableFuture.completedFuture(Reply.OK);
  }

  /** Ends every WATCH of a connection that is closed or RESET. */
  public static void disconnected(Gateway gateway, ClientConnection client) {
    release(gateway, client.multi().takeWatches());
  }

  private static void release(Gateway gateway, Map<Integer, Integer> watches) {
    for (Map.Entry<Integer, Integer> e : watches.entrySet()) {
      for (int i = 0; i < e.getValue(); i++) {
        gateway.router().unwatch(e.getKey());
      }
    }
  }

  static CompletableFuture<Reply> watch(Invocation c) {
    int slot = -1;
    List<byte[]> keys = new ArrayList<>();
    for (int i = 1; i < c.argc(); i++) {
      int s = HashSlot.of(c.arg(i));
      if (slot >= 0 && s != slot) {
        return CompletableFuture.completedFuture(RouteErrors.CROSSSLOT);
      }
      slot = s;
      keys.add(c.arg(i));
    }
    int group = c.gateway().router().groupOf(slot);
    int s = slot;
    ClientConnection client = c.client();
    return c.gateway().dispatcher().watch(group, slot, keys).thenApplyAsync(w -> {
      if (w.error() != null) {
        return w.error();
      }
      if (!client.channel().isActive()) {
        // Closed while the watch was under way: nobody will release it later.
        c.gateway().router().unwatch(group);
      } else {
        client.multi().watched(group, s, w.keys());
      }
      return Reply.OK;
    }, client.channel().eventLoop());
  }

  /** EXEC: runs what {@link #onRead} captured. */
  static CompletableFuture<Reply> exec(Invocation c) {
    ClientConnection client = c.client();
    Gateway gateway = c.gateway();
    MultiState m = client.multi();
    MultiState.Captured tx = m.takeCaptured();
    List<WatchedKey> watched = List.copyOf(m.watchedKeys());
    int watchedSlot = m.watchedSlot();
    // Watches end with EXEC, but only once the transaction has been checked against them.
    Map<Integer, Integer> watches = m.takeWatches();
    if (tx.dirty()) {
      release(gateway, watches);
      return CompletableFuture.completedFuture(EXECABORT);
    }
    int slot = watchedSlot;
    for (MultiState.Queued q : tx.queued()) {
      if (q.slot() >= 0 && slot != -2) {
        slot = slot == -1 || slot == q.slot() ? q.slot() : -2;
      }
    }
    CompletableFuture<Reply> result;
    if (slot == -2) {
      result = CompletableFuture.completedFuture(RouteErrors.CROSSSLOT);
    } else if (slot == -1) {
      result = inOrder(c, tx.queued(), 0, new ArrayList<>());
    } else {
      result = atomically(c, tx, slot, watched);
    }
    return result.whenComplete((r, e) -> release(gateway, watches));
  }

  /**
   * A transaction with keys (or watched keys) in {@code slot}: its keyspace commands as one unit
   * on the slot's group, then its gateway commands, replies spliced in queue order.
   */
  private static CompletableFuture<Reply> atomically(
      Invocation c, MultiState.Captured tx, int slot, List<WatchedKey> watched) {
    KeyspaceDispatcher dispatcher = c.gateway().dispatcher();
    int group = c.gateway().router().groupOf(slot);
    List<byte[][]> unit = new ArrayList<>();
    boolean readOnly = true;
    for (MultiState.Queued q : tx.queued()) {
      if (inUnit(q.entry())) {
        unit.add(q.args());
        readOnly &= !q.entry().isWrite();
      }
    }
    Executor loop = c.client().channel().eventLoop();
    return dispatcher.transaction(group, slot, unit, tx.resp3(), watched, readOnly)
        .thenComposeAsync(reply -> {
          if (!(reply instanceof Reply.Array a)) {
            // Aborted by WATCH (null), or not run at all (MOVED, CLUSTERDOWN …).
            return CompletableFuture.completedFuture(reply);
          }
          Reply[] replies = new Reply[tx.queued().size()];
          int next = 0;
          for (int i = 0; i < replies.length; i++) {
            if (inUnit(tx.queued().get(i).entry())) {
              replies[i] = a.items().get(next++);
            }
          }
          return fillGateway(c, tx.queued(), replies, 0);
        }, loop);
  }

  /** Keyspace commands run inside the unit; the gateway's own run beside it. */
  private static boolean inUnit(CommandEntry entry) {
    return entry.kind() == CommandEntry.Kind.KEYSPACE
        || entry.kind() == CommandEntry.Kind.ALL_GROUPS;
  }

  private static CompletableFuture<Reply> fillGateway(
      Invocation c, List<MultiState.Queued> queued, Reply[] replies, int from) {
    for (int i = from; i < replies.length; i++) {
      if (replies[i] == null) {
        int at = i;
        return runOne(c, queued.get(i)).thenComposeAsync(r -> {
          replies[at] = r;
          return fillGateway(c, queued, replies, at + 1);
        }, c.client().channel().eventLoop());
      }
    }
    return CompletableFuture.completedFuture(new Reply.Array(Arrays.asList(replies)));
  }

  /** A transaction without keys: its commands one after another (there is nothing to lock). */
  private static CompletableFuture<Reply> inOrder(
      Invocation c, List<MultiState.Queued> queued, int from, List<Reply> replies) {
    if (from == queued.size()) {
      return CompletableFuture.completedFuture(new Reply.Array(replies));
    }
    return runOne(c, queued.get(from)).thenComposeAsync(r -> {
      replies.add(r);
      return inOrder(c, queued, from + 1, replies);
    }, c.client().channel().eventLoop());
  }

  /** Runs one queued command outside a unit, as it would run outside MULTI. */
  private static CompletableFuture<Reply> runOne(Invocation c, MultiState.Queued q) {
    CommandEntry entry = q.entry();
    Invocation call = new Invocation(c.gateway(), c.client(), q.args(), true);
    boolean resp3 = c.client().resp3();
    KeyspaceDispatcher dispatcher = c.gateway().dispatcher();
    try {
      return switch (entry.kind()) {
        case IMMEDIATE -> CompletableFuture.completedFuture(entry.gateway().immediate().execute(call));
        case ORDERED -> entry.gateway().ordered().execute(call);
        case ALL_GROUPS -> dispatcher.allGroups(entry.spec(), q.args(), resp3);
        case EVERY_GROUP -> c.gateway().proxy().everyGroup(entry.spec(), q.args(), resp3);
        case SCAN -> dispatcher.scan(q.args(), resp3);
        case KEYSPACE -> {
          List<Integer> led = c.gateway().router().ledGroups();
          int group = led.isEmpty() ? 0 : led.get(0);
          yield entry.isWrite()
              ? dispatcher.write(group, new int[] {0}, List.<byte[][]>of(q.args()), resp3)
                  .thenApply(l -> l.get(0))
              : dispatcher.read(group, 0, q.args(), resp3);
        }
        case CONTAINER -> CompletableFuture.completedFuture(
            new Reply.Error("ERR wrong number of arguments for '" + entry.name() + "' command"));
      };
    } catch (RedisError e) {
      return CompletableFuture.completedFuture(e.reply());
    } catch (RuntimeException e) {
      LOG.warn("{} inside EXEC failed", entry.name(), e);
      return CompletableFuture.completedFuture(new Reply.Error("ERR " + e.getMessage()));
    }
  }
}
