package io.kvorum.resp.pubsub;

import io.kvorum.resp.command.Glob;
import io.kvorum.resp.connection.ClientConnection;
import io.kvorum.resp.pubsub.ClientSubscriptions.Kind;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.slot.HashSlot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

/**
 * The node's subscriptions: who listens to which channel, pattern and shard channel, and
 * delivery of published messages to them. A connection's subscriptions change on its own event
 * loop; messages are handed to each subscriber's connection, which writes them on its loop.
 *
 * <p>As on Redis Cluster, PUBLISH counts the receivers on the node that got it and is carried to
 * every other node ({@link PublishFanout}). Shard channels live on the leader of their slot's
 * group, which is where SPUBLISH runs on the cluster port; a proxy-port connection may subscribe
 * to and publish on any shard channel from any node, so a shard message also reaches the
 * proxy-port subscribers of every node (see {@link #publishShard}).
 */
public final class PubSubHub {
  private final Map<String, Set<ClientConnection>> channels = new ConcurrentHashMap<>();
  private final Map<String, Set<ClientConnection>> patterns = new ConcurrentHashMap<>();
  private final Map<String, Set<ClientConnection>> shardChannels = new ConcurrentHashMap<>();
  private volatile PublishFanout fanout = PublishFanout.NONE;
  private volatile IntPredicate ledSlot = slot -> true;

  /** Sets how messages reach the other nodes (the server's node-to-node transport). */
  public void fanout(PublishFanout fanout) {
    this.fanout = fanout == null ? PublishFanout.NONE : fanout;
  }

  /**
   * Tells the hub which slots this node serves as the leader of their group (a gateway on its own
   * serves all): its cluster-port shard subscribers receive only messages of those slots.
   */
  public void ledSlots(IntPredicate ledSlot) {
    this.ledSlot = ledSlot;
  }

  /** Bytes as a map key: one char per byte, so any channel name round-trips. */
  public static String name(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  static byte[] bytes(String name) {
    return name.getBytes(StandardCharsets.ISO_8859_1);
  }

  private Map<String, Set<ClientConnection>> map(Kind kind) {
    return switch (kind) {
      case CHANNEL -> channels;
      case PATTERN -> patterns;
      case SHARD -> shardChannels;
    };
  }

  /** Subscribes {@code client} and answers the confirmation frame Redis sends. */
  public Reply.Push subscribe(ClientConnection client, Kind kind, String name) {
    ClientSubscriptions subs = client.subscriptions();
    if (subs.add(kind, name)) {
      map(kind).computeIfAbsent(name, k -> ConcurrentHashMap.newKeySet()).add(client);
    }
    return frame(kind.subscribed, Reply.bulk(bytes(name)), count(subs, kind));
  }

  /** Unsubscribes {@code client} from one name (subscribed or not) and answers the frame. */
  public Reply.Push unsubscribe(ClientConnection client, Kind kind, String name) {
    ClientSubscriptions subs = client.subscriptions();
    if (subs.remove(kind, name)) {
      detach(kind, name, client);
    }
    return frame(kind.unsubscribed, Reply.bulk(bytes(name)), count(subs, kind));
  }

  /**
   * Unsubscribes {@code client} from every name of {@code kind}: one frame per name, or one with a
   * null name when there was none (UNSUBSCRIBE without arguments).
   */
  public List<Reply.Push> unsubscribeAll(ClientConnection client, Kind kind) {
    List<String> names = client.subscriptions().list(kind);
    List<Reply.Push> frames = new ArrayList<>(Math.max(1, names.size()));
    for (String n : names) {
      frames.add(unsubscribe(client, kind, n));
    }
    if (frames.isEmpty()) {
      frames.add(frame(kind.unsubscribed, Reply.NULL, count(client.subscriptions(), kind)));
    }
    return frames;
  }

  /** Drops every subscription of a connection that closed or was RESET (no frames). */
  public void disconnected(ClientConnection client) {
    ClientSubscriptions subs = client.subscriptions();
    for (Kind kind : Kind.values()) {
      for (String n : subs.list(kind)) {
        subs.remove(kind, n);
        detach(kind, n, client);
      }
    }
  }

  private void detach(Kind kind, String name, ClientConnection client) {
    map(kind).computeIfPresent(name, (k, set) -> {
      set.remove(client);
      return set.isEmpty() ? null : set;
    });
  }

  private static Reply count(ClientSubscriptions subs, Kind kind) {
    return Reply.integer(kind == Kind.SHARD ? subs.shardCount() : subs.count());
  }

  private static Reply.Push frame(String type, Reply name, Reply count) {
    return new Reply.Push(List.of(Reply.bulk(bytes(type)), name, count));
  }

  /** PUBLISH from a client of this node: delivered here and sent to every other node. */
  public long publish(byte[] channel, byte[] message) {
    long receivers = deliver(channel, message);
    fanout.publish(channel, message);
    return receivers;
  }

  /**
   * Delivers a message to this node's channel and pattern subscribers only (what another node
   * published); answers how many received it.
   */
  public long deliver(byte[] channel, byte[] message) {
    String name = name(channel);
    long receivers = 0;
    Set<ClientConnection> direct = channels.get(name);
    if (direct != null && !direct.isEmpty()) {
      Reply.Push frame = new Reply.Push(
          List.of(Reply.bulk(bytes("message")), Reply.bulk(channel), Reply.bulk(message)));
      for (ClientConnection c : direct) {
        c.push(frame);
        receivers++;
      }
    }
    if (!patterns.isEmpty()) {
      for (Map.Entry<String, Set<ClientConnection>> e : patterns.entrySet()) {
        if (!Glob.matches(e.getKey(), name, false) || e.getValue().isEmpty()) {
          continue;
        }
        Reply.Push frame = new Reply.Push(List.of(Reply.bulk(bytes("pmessage")),
            Reply.bulk(bytes(e.getKey())), Reply.bulk(channel), Reply.bulk(message)));
        for (ClientConnection c : e.getValue()) {
          c.push(frame);
          receivers++;
        }
      }
    }
    return receivers;
  }

  /**
   * SPUBLISH from a client of this node: delivered to this node's shard subscribers, and carried
   * to the other nodes that may have some: the slot's leader ({@code leaderNodeId}, null when none
   * is known or it is this node) and the nodes with a proxy port. Answers the receivers on this
   * node, as PUBLISH does.
   */
  public long publishShard(byte[] channel, byte[] message, String leaderNodeId) {
    long receivers = deliverShard(channel, message);
    fanout.publishShard(channel, message, leaderNodeId);
    return receivers;
  }

  /**
   * Delivers a shard message (published here or on another node) to this node's proxy-port
   * subscribers of the channel, and to its cluster-port ones while it leads the channel's slot
   * (a cluster-port subscriber elsewhere is about to get {@code sunsubscribe}); answers how many
   * received it.
   */
  public long deliverShard(byte[] channel, byte[] message) {
    Set<ClientConnection> subs = shardChannels.get(name(channel));
    if (subs == null || subs.isEmpty()) {
      return 0;
    }
    Reply.Push frame = new Reply.Push(
        List.of(Reply.bulk(bytes("smessage")), Reply.bulk(channel), Reply.bulk(message)));
    boolean led = ledSlot.test(HashSlot.of(channel));
    long receivers = 0;
    for (ClientConnection c : subs) {
      if (led || c.proxy()) {
        c.push(frame);
        receivers++;
      }
    }
    return receivers;
  }

  /**
   * Unsubscribes, with Redis 7's {@code sunsubscribe} frames, every cluster-port shard subscriber
   * of a channel whose slot this node no longer leads (see {@link #ledSlots}), as Redis does when
   * a slot moves away. Proxy-port subscribers stay: their messages follow the leader (see {@link
   * #deliverShard}). Each connection is changed on its own event loop. Answers how many channels'
   * subscribers were dropped.
   */
  public int dropShardChannels() {
    IntPredicate led = ledSlot;
    int dropped = 0;
    for (Map.Entry<String, Set<ClientConnection>> e : shardChannels.entrySet()) {
      String name = e.getKey();
      if (led.test(HashSlot.of(bytes(name)))) {
        continue;
      }
      boolean any = false;
      for (ClientConnection c : e.getValue()) {
        if (c.proxy()) {
          continue;
        }
        any = true;
        c.onLoop(() -> {
          if (c.subscriptions().has(Kind.SHARD, name)) {
            c.push(unsubscribe(c, Kind.SHARD, name));
          }
        });
      }
      if (any) {
        dropped++;
      }
    }
    return dropped;
  }

  /** PUBSUB CHANNELS / SHARDCHANNELS: active names matching {@code pattern} (null: all). */
  public List<byte[]> names(Kind kind, String pattern) {
    List<byte[]> out = new ArrayList<>();
    for (Map.Entry<String, Set<ClientConnection>> e : map(kind).entrySet()) {
      if (!e.getValue().isEmpty() && (pattern == null || Glob.matches(pattern, e.getKey(), false))) {
        out.add(bytes(e.getKey()));
      }
    }
    return out;
  }

  /** PUBSUB NUMSUB / SHARDNUMSUB: subscribers of one name. */
  public long subscribers(Kind kind, String name) {
    Set<ClientConnection> s = map(kind).get(name);
    return s == null ? 0 : s.size();
  }

  /** Distinct channels (INFO pubsub_channels) or patterns (PUBSUB NUMPAT, pubsub_patterns). */
  public long size(Kind kind) {
    return map(kind).size();
  }
}
