package io.kvorum.resp.pubsub;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.raft.route.Route;
import io.kvorum.raft.route.SlotGroupRouter;
import io.kvorum.resp.command.GatewayCommand;
import io.kvorum.resp.command.HelpText;
import io.kvorum.resp.command.Invocation;
import io.kvorum.resp.pubsub.ClientSubscriptions.Kind;
import io.kvorum.resp.routing.RouteErrors;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
import java.util.ArrayList;
import java.util.List;

/**
 * SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH
 * and PUBSUB (Redis 7.0). Confirmations are push frames sent one per channel, like Redis; the
 * command itself then has no reply of its own. Shard commands name channels as keys: they must
 * share a slot ({@code CROSSSLOT}) and, on the cluster port, run on the leader of its group
 * ({@code MOVED} elsewhere). On the proxy port they run on any node, which hides where the
 * channel's slot is led, as it does for keys.
 */
public final class PubSubCommands {
  private PubSubCommands() {}

  public static List<GatewayCommand> table() {
    String flags = "pubsub noscript loading stale";
    String slow = "@pubsub @slow";
    String sub = "pubsub loading stale";
    return List.of(
        GatewayCommand.immediate(of("subscribe", -2, flags, 0, 0, 0, slow, ""),
            c -> subscribe(c, Kind.CHANNEL)),
        GatewayCommand.immediate(of("unsubscribe", -1, flags, 0, 0, 0, slow, ""),
            c -> unsubscribe(c, Kind.CHANNEL)),
        GatewayCommand.immediate(of("psubscribe", -2, flags, 0, 0, 0, slow, ""),
            c -> subscribe(c, Kind.PATTERN)),
        GatewayCommand.immediate(of("punsubscribe", -1, flags, 0, 0, 0, slow, ""),
            c -> unsubscribe(c, Kind.PATTERN)),
        GatewayCommand.immediate(of("ssubscribe", -2, flags, 1, -1, 1, slow, ""),
            c -> subscribe(c, Kind.SHARD)),
        GatewayCommand.immediate(of("sunsubscribe", -1, flags, 1, -1, 1, slow, ""),
            c -> unsubscribe(c, Kind.SHARD)),
        GatewayCommand.immediate(of("publish", 3, "pubsub loading stale fast", 0, 0, 0,
            "@pubsub @fast", ""), c -> Reply.integer(c.gateway().pubsub().publish(c.arg(1),
            c.arg(2)))),
        GatewayCommand.immediate(of("spublish", 3, "pubsub loading stale fast", 1, 1, 1,
            "@pubsub @fast", ""), PubSubCommands::spublish),
        GatewayCommand.container(of("pubsub", -2, "", 0, 0, 0, "@slow", "")),
        GatewayCommand.immediate(of("pubsub|channels", -2, sub, 0, 0, 0, slow, ""),
            c -> names(c, Kind.CHANNEL)),
        GatewayCommand.immediate(of("pubsub|numsub", -2, sub, 0, 0, 0, slow, ""),
            c -> numsub(c, Kind.CHANNEL)),
        GatewayCommand.immediate(of("pubsub|numpat", 2, sub, 0, 0, 0, slow, ""),
            c -> Reply.integer(c.gateway().pubsub().size(Kind.PATTERN))),
        GatewayCommand.immediate(of("pubsub|shardchannels", -2, sub, 0, 0, 0, slow, ""),
            c -> names(c, Kind.SHARD)),
        GatewayCommand.immediate(of("pubsub|shardnumsub", -2, sub, 0, 0, 0, slow, ""),
            c -> numsub(c, Kind.SHARD)),
        GatewayCommand.immediate(of("pubsub|help", 2, "loading stale", 0, 0, 0, "@slow", ""),
            c -> HelpText.reply("PUBSUB", HELP)));
  }

  private static final List<String> HELP = List.of(
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)");

  private static Reply subscribe(Invocation c, Kind kind) {
    if (kind == Kind.SHARD) {
      Reply.Error refused = shardRoute(c, 1);
      if (refused != null) {
        return refused;
      }
    }
    PubSubHub hub = c.gateway().pubsub();
    for (int i = 1; i < c.argc(); i++) {
      c.client().push(hub.subscribe(c.client(), kind, PubSubHub.name(c.arg(i))));
    }
    return null;
  }

  private static Reply unsubscribe(Invocation c, Kind kind) {
    PubSubHub hub = c.gateway().pubsub();
    if (c.argc() == 1) {
      for (Reply.Push frame : hub.unsubscribeAll(c.client(), kind)) {
        c.client().push(frame);
      }
      return null;
    }
    if (kind == Kind.SHARD) {
      Reply.Error refused = shardRoute(c, 1);
      if (refused != null) {
        return refused;
      }
    }
    for (int i = 1; i < c.argc(); i++) {
      c.client().push(hub.unsubscribe(c.client(), kind, PubSubHub.name(c.arg(i))));
    }
    return null;
  }

  private static Reply spublish(Invocation c) {
    Reply.Error refused = shardRoute(c, 1);
    if (refused != null) {
      return refused;
    }
    SlotGroupRouter router = c.gateway().router();
    Route route = router.route(router.groupOf(HashSlot.of(c.arg(1))));
    String leader = route instanceof Route.Remote remote ? remote.nodeId() : null;
    return Reply.integer(c.gateway().pubsub().publishShard(c.arg(1), c.arg(2), leader));
  }

  /**
   * Redis Cluster's routing of shard channels: one slot for all channels from {@code first} on
   * (the last one for SPUBLISH is the message, hence SPUBLISH passes only its channel), served
   * by this node as the leader of the slot's group; on the proxy port, served by any node. Null
   * when the command may run here.
   */
  private static Reply.Error shardRoute(Invocation c, int first) {
    int last = c.is(0, "spublish") ? 1 : c.argc() - 1;
    int slot = -1;
    for (int i = first; i <= last; i++) {
      int s = HashSlot.of(c.arg(i));
      if (slot >= 0 && s != slot) {
        return RouteErrors.CROSSSLOT;
      }
      slot = s;
    }
    if (c.client().proxy()) {
      return null;
    }
    Route route = c.gateway().router().route(c.gateway().router().groupOf(slot));
    if (route instanceof Route.Remote remote) {
      return RouteErrors.moved(slot, remote);
    }
    if (route instanceof Route.Unavailable) {
      return RouteErrors.CLUSTER_DOWN;
    }
    return null;
  }

  private static Reply names(Invocation c, Kind kind) {
    if (c.argc() > 3) {
      return new Reply.Error("ERR unknown subcommand or wrong number of arguments for '"
          + c.text(1) + "'. Try PUBSUB HELP.");
    }
    String pattern = c.argc() == 3 ? PubSubHub.name(c.arg(2)) : null;
    List<Reply> out = new ArrayList<>();
    for (byte[] n : c.gateway().pubsub().names(kind, pattern)) {
      out.add(Reply.bulk(n));
    }
    return new Reply.Array(out);
  }

  private static Reply numsub(Invocation c, Kind kind) {
    List<Reply> out = new ArrayList<>();
    for (int i = 2; i < c.argc(); i++) {
      out.add(Reply.bulk(c.arg(i)));
      out.add(Reply.integer(c.gateway().pubsub().subscribers(kind, PubSubHub.name(c.arg(i)))));
    }
    // A flat array in RESP3 too, as Redis 7.0 replies.
    return new Reply.Array(out);
  }
}
