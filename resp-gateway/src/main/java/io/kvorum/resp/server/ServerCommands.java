package io.kvorum.resp.server;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.raft.route.GroupStats;
import io.kvorum.resp.command.GatewayCommand;
import io.kvorum.resp.command.Invocation;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TIME, LASTSAVE, SAVE, BGSAVE, SHUTDOWN, and the fallback entries for DBSIZE and SCAN when the
 * keyspace table does not define them.
 */
public final class ServerCommands {
  private static final Logger LOG = LoggerFactory.getLogger(ServerCommands.class);
  private static final Reply.Status BGSAVE_STARTED = new Reply.Status("Background saving started");

  private ServerCommands() {}

  public static List<GatewayCommand> table() {
    String admin = "@admin @slow @dangerous";
    return List.of(
        GatewayCommand.immediate(of("time", 1, "loading stale fast", 0, 0, 0, "@fast",
            "nondeterministic_output"), ServerCommands::time),
        GatewayCommand.immediate(of("lastsave", 1, "loading stale fast", 0, 0, 0,
            "@admin @fast @dangerous", "nondeterministic_output"),
            c -> Reply.integer(c.gateway().router().lastSnapshotSeconds())),
        GatewayCommand.ordered(of("save", 1, "admin noscript no_async_loading no_multi", 0, 0, 0,
            admin, ""), ServerCommands::save),
        GatewayCommand.ordered(of("bgsave", -1, "admin noscript no_async_loading", 0, 0, 0, admin,
            ""), ServerCommands::bgsave),
        GatewayCommand.ordered(of("shutdown", -1,
            "admin noscript loading stale no_multi allow_busy", 0, 0, 0, admin, ""),
            ServerCommands::shutdown),
        // Used only when the keyspace table has no DBSIZE: counts from the groups' statistics.
        GatewayCommand.ordered(of("dbsize", 1, "readonly fast", 0, 0, 0, "@keyspace @read @fast",
            "request_policy:all_shards response_policy:agg_sum"), ServerCommands::dbsize),
        // SCAN's logic lives in the dispatcher; this entry only supplies Redis's metadata.
        GatewayCommand.ordered(of("scan", -2, "readonly", 0, 0, 0, "@keyspace @read @slow",
            "nondeterministic_output request_policy:special"),
            c -> c.client() != null && c.client().proxy()
                ? c.gateway().proxy().scan(c.args(), c.resp3())
                : c.gateway().dispatcher().scan(c.args(), c.resp3())));
  }

  static Reply time(Invocation c) {
    Instant now = Instant.now();
    return Reply.array(Reply.bulk(Long.toString(now.getEpochSecond())),
        Reply.bulk(Long.toString(now.getNano() / 1000)));
  }

  static CompletableFuture<Reply> save(Invocation c) {
    Gateway gw = c.gateway();
    if (!gw.startSaving()) {
      return CompletableFuture.completedFuture(
          new Reply.Error("ERR Background save already in progress"));
    }
    return snapshot(gw).thenApply(ok -> ok ? (Reply) Reply.OK : new Reply.Error("ERR"));
  }

  static CompletableFuture<Reply> bgsave(Invocation c) {
    if (c.argc() > 1 && !(c.argc() == 2 && c.is(1, "schedule"))) {
      return CompletableFuture.completedFuture(new Reply.Error(RedisError.SYNTAX));
    }
    Gateway gw = c.gateway();
    if (!gw.startSaving()) {
      return CompletableFuture.completedFuture(
          new Reply.Error("ERR Background save already in progress"));
    }
    snapshot(gw);
    return CompletableFuture.completedFuture(BGSAVE_STARTED);
  }

  private static CompletableFuture<Boolean> snapshot(Gateway gw) {
    CompletableFuture<Void> f;
    try {
      f = gw.router().snapshotAll();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.handle((v, e) -> {
      if (e != null) {
        LOG.warn("snapshot failed", e);
      }
      gw.finishSaving(e == null);
      return e == null;
    });
  }

  static CompletableFuture<Reply> shutdown(Invocation c) {
    boolean save = false;
    boolean noSave = false;
    boolean now = false;
    boolean force = false;
    boolean abort = false;
    for (int i = 1; i < c.argc(); i++) {
      switch (c.lower(i)) {
        case "nosave" -> noSave = true;
        case "save" -> save = true;
        case "now" -> now = true;
        case "force" -> force = true;
        case "abort" -> abort = true;
        default -> {
          return CompletableFuture.completedFuture(new Reply.Error(RedisError.SYNTAX));
        }
      }
    }
    if ((abort && (save || noSave || now || force)) || (save && noSave)) {
      return CompletableFuture.completedFuture(new Reply.Error(RedisError.SYNTAX));
    }
    if (abort) {
      return CompletableFuture.completedFuture(new Reply.Error("ERR No shutdown in progress."));
    }
    LOG.warn("SHUTDOWN requested by client {} {}", c.client().id(), c.client().addr());
    CompletableFuture<Void> f;
    try {
      f = c.gateway().shutdownHook().shutdown(new ShutdownHook.Request(save, noSave, now, force));
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.handle((v, e) -> {
      if (e != null) {
        LOG.warn("SHUTDOWN failed", e);
        return new Reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
      }
      // The node is going down: no reply, the connection closes.
      c.client().closeAfterReply();
      return null;
    });
  }

  static CompletableFuture<Reply> dbsize(Invocation c) {
    Set<Integer> led = new HashSet<>(c.gateway().router().ledGroups());
    long keys = 0;
    for (GroupStats g : c.gateway().router().groupStats()) {
      if (led.contains(g.index())) {
        keys += g.keys();
      }
    }
    return CompletableFuture.completedFuture(Reply.integer(keys));
  }
}
