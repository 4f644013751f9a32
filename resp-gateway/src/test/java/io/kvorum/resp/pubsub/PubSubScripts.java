package io.kvorum.resp.pubsub;

import io.kvorum.resp.testing.RawClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pub/sub frame scripts that must give Redis's bytes, shared by {@link PubSubParityTest} (gateway
 * over in-process stores) and it-tests' RealNodeParityTest (a real {@code bin/kvorum server}):
 * several connections run a script of commands and each step reads the frames its connection
 * must get (replies and pushes, in order).
 */
public final class PubSubScripts {
  private PubSubScripts() {}

  /** Send {@code command} (inline) on connection {@code conn}, then read {@code frames} on it. */
  public record Step(String conn, String command, int frames, String readOn) {}

  static Step on(String conn, String command, int frames) {
    return new Step(conn, command, frames, conn);
  }

  /** Reads {@code frames} more on {@code conn} without sending. */
  static Step read(String conn, int frames) {
    return new Step(conn, null, frames, conn);
  }

  public static final List<Step> SUBSCRIBE_RESP2 = List.of(
      on("a", "SUBSCRIBE news", 1),
      on("a", "SUBSCRIBE news sport", 2),
      on("b", "PUBLISH news hello", 1),
      read("a", 1),
      on("b", "PUBLISH nothing x", 1),
      on("a", "PSUBSCRIBE n* s?ort", 2),
      on("b", "PUBLISH news again", 1),
      read("a", 2),
      on("b", "PUBLISH sport goal", 1),
      read("a", 2),
      on("a", "UNSUBSCRIBE news", 1),
      on("a", "PUNSUBSCRIBE", 2),
      on("a", "PUNSUBSCRIBE", 1),
      on("a", "UNSUBSCRIBE", 1),
      on("a", "UNSUBSCRIBE", 1),
      on("a", "UNSUBSCRIBE never", 1),
      on("a", "GET x", 1));

  public static final List<Step> SUBSCRIBED_RESP2_REFUSES = List.of(
      on("a", "SUBSCRIBE c", 1),
      on("a", "GET x", 1),
      on("a", "SET x 1", 1),
      on("a", "CLIENT LIST", 1),
      on("a", "PUBLISH c x", 1),
      on("a", "PUBSUB NUMSUB c", 1),
      on("a", "FOO", 1),
      on("a", "SUBSCRIBE", 1),
      on("a", "PING", 1),
      on("a", "PING hi", 1),
      on("a", "PING a b", 1),
      on("a", "SSUBSCRIBE {c}1", 1),
      on("a", "UNSUBSCRIBE", 1),
      on("a", "GET x", 1),
      on("a", "SUNSUBSCRIBE", 1),
      on("a", "GET x", 1),
      on("a", "PING", 1),
      on("a", "SUBSCRIBE c", 1),
      on("a", "RESET", 1),
      on("a", "GET x", 1),
      on("b", "PUBSUB NUMSUB c", 1),
      on("a", "SUBSCRIBE c", 1),
      on("a", "QUIT", 1));

  public static final List<Step> RESP3_SUBSCRIBED = List.of(
      on("a", "HELLO 3", 1),
      on("a", "SUBSCRIBE c", 1),
      on("a", "GET x", 1),
      on("a", "PING", 1),
      on("a", "PUBLISH c self", 2),
      on("a", "PSUBSCRIBE c*", 1),
      on("a", "PUBLISH c both", 3),
      on("b", "PUBLISH c other", 1),
      read("a", 2),
      on("a", "UNSUBSCRIBE nope", 1),
      on("a", "RESET", 1),
      on("b", "PUBLISH c gone", 1),
      on("a", "UNSUBSCRIBE", 1));

  public static final List<Step> SHARD_CHANNELS = List.of(
      on("a", "SSUBSCRIBE {u}1 {u}2", 2),
      on("a", "SSUBSCRIBE {u}1 other", 1),
      on("b", "SPUBLISH {u}1 hi", 1),
      read("a", 1),
      on("b", "PUBLISH {u}1 not-shard", 1),
      on("b", "SPUBLISH nobody x", 1),
      // Several names come in Redis's hash order: list one at a time.
      on("b", "PUBSUB SHARDCHANNELS *2", 1),
      on("b", "PUBSUB SHARDNUMSUB {u}2 {u}3", 1),
      on("b", "PUBSUB SHARDCHANNELS {u}1", 1),
      on("a", "SUNSUBSCRIBE {u}2 x", 1),
      on("a", "SUNSUBSCRIBE {u}2", 1),
      on("a", "SUNSUBSCRIBE", 1),
      on("a", "SUNSUBSCRIBE", 1),
      on("b", "PUBSUB SHARDCHANNELS", 1));

  public static final List<Step> INTROSPECTION = List.of(
      on("x", "PUBSUB", 1),
      on("x", "PUBSUB HELP", 1),
      on("x", "PUBSUB FOO", 1),
      on("x", "PUBSUB NUMPAT", 1),
      on("x", "PUBSUB NUMPAT x", 1),
      on("x", "PUBSUB CHANNELS", 1),
      on("x", "PUBSUB CHANNELS a b", 1),
      on("x", "PUBSUB SHARDCHANNELS a b", 1),
      on("x", "PUBSUB NUMSUB", 1),
      on("a", "SUBSCRIBE one", 1),
      on("b", "SUBSCRIBE one", 1),
      on("b", "PSUBSCRIBE o* t*", 2),
      on("c", "PSUBSCRIBE o*", 1),
      on("x", "PUBSUB NUMSUB one two", 1),
      on("x", "PUBSUB CHANNELS", 1),
      on("x", "PUBSUB CHANNELS o*", 1),
      on("x", "PUBSUB CHANNELS [o]ne", 1),
      on("x", "PUBSUB CHANNELS z*", 1),
      on("x", "PUBSUB NUMPAT", 1),
      on("x", "PUBLISH one m", 1),
      read("a", 1),
      read("b", 2),
      read("c", 1),
      on("x", "HELLO 3", 1),
      on("x", "PUBSUB NUMSUB one", 1),
      on("x", "PUBSUB CHANNELS", 1),
      on("x", "PUBLISH", 1),
      on("x", "SPUBLISH a", 1));

  public static final List<Step> CLIENT_REPLY_OFF = List.of(
      on("a", "CLIENT REPLY SKIP", 0),
      on("a", "SUBSCRIBE c", 1),
      on("a", "PING", 1),
      on("b", "HELLO 3", 1),
      on("b", "CLIENT REPLY OFF", 0),
      on("b", "SUBSCRIBE c", 1),
      on("b", "PUBLISH c m", 1),
      read("a", 1),
      on("b", "CLIENT REPLY ON", 1),
      on("b", "PUBLISH c n", 2),
      read("a", 1));

  /** SSUBSCRIBE/SMESSAGE/SUNSUBSCRIBE as RESP3 pushes, interleaved with ordinary replies. */
  public static final List<Step> SHARD_CHANNELS_RESP3 = List.of(
      on("a", "HELLO 3", 1),
      on("b", "HELLO 3", 1),
      on("a", "SSUBSCRIBE {u}1 {u}2", 2),
      on("a", "SSUBSCRIBE {u}1 other", 1),
      on("b", "SPUBLISH {u}1 hi", 1),
      read("a", 1),
      on("a", "SPUBLISH {u}2 self", 2),
      on("a", "GET {u}1", 1),
      on("a", "PUBSUB SHARDNUMSUB {u}1 {u}2", 1),
      on("a", "SUBSCRIBE plain", 1),
      on("b", "PUBLISH plain p", 1),
      read("a", 1),
      on("a", "SUNSUBSCRIBE {u}2 x", 1),
      on("a", "SUNSUBSCRIBE {u}2", 1),
      on("a", "SUNSUBSCRIBE", 1),
      on("a", "SUNSUBSCRIBE", 1),
      on("b", "SPUBLISH {u}1 gone", 1),
      on("a", "SSUBSCRIBE {u}3", 1),
      on("a", "RESET", 1),
      on("b", "PUBSUB SHARDCHANNELS", 1),
      on("b", "PUBSUB NUMSUB plain", 1));

  /** Every script above by name, each to give the same frames as redis-server. */
  public static final Map<String, List<Step>> ALL = all();

  private static Map<String, List<Step>> all() {
    Map<String, List<Step>> all = new LinkedHashMap<>();
    all.put("subscribeUnsubscribeAndMessagesResp2", SUBSCRIBE_RESP2);
    all.put("subscribedResp2ConnectionRefusesOtherCommands", SUBSCRIBED_RESP2_REFUSES);
    all.put("resp3AllowsEverythingWhileSubscribed", RESP3_SUBSCRIBED);
    all.put("shardChannels", SHARD_CHANNELS);
    all.put("introspection", INTROSPECTION);
    all.put("pushesIgnoreClientReplyOff", CLIENT_REPLY_OFF);
    all.put("shardChannelsResp3", SHARD_CHANNELS_RESP3);
    return java.util.Collections.unmodifiableMap(all);
  }

  /** Runs a script; each step with the frames it read, then whether each connection is silent. */
  public static List<String> run(int port, List<Step> script) {
    Map<String, RawClient> conns = new HashMap<>();
    List<String> out = new ArrayList<>();
    try {
      for (Step s : script) {
        RawClient c = conns.computeIfAbsent(s.conn(), k -> new RawClient(port));
        if (s.command() != null) {
          c.send(s.command() + "\r\n");
        }
        String got = s.frames() == 0 ? "" : conns.get(s.readOn()).readRaw(s.frames());
        out.add(s.conn() + "> " + s.command() + " -> " + mask(got));
      }
      // Nothing more may be waiting on any connection.
      for (Map.Entry<String, RawClient> e : conns.entrySet()) {
        out.add(e.getKey() + " silent: " + e.getValue().silentFor(150));
      }
    } finally {
      conns.values().forEach(RawClient::close);
    }
    return out;
  }

  /** HELLO's client id differs between servers. */
  static String mask(String reply) {
    return reply.replaceAll("id\r\n:[0-9]+\r\n", "id\r\n:<id>\r\n");
  }
}
