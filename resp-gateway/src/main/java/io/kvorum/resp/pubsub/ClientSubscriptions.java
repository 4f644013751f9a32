package io.kvorum.resp.pubsub;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The channels, patterns and shard channels one connection is subscribed to. Changed only on the
 * connection's event loop; the counts are also read by other connections (CLIENT LIST, INFO),
 * hence volatile. Names are byte strings held one char per byte (ISO-8859-1).
 */
public final class ClientSubscriptions {
  private final Set<String> channels = new LinkedHashSet<>();
  private final Set<String> patterns = new LinkedHashSet<>();
  private final Set<String> shardChannels = new LinkedHashSet<>();
  private volatile int channelCount;
  private volatile int patternCount;
  private volatile int shardCount;

  /** SUBSCRIBE/PSUBSCRIBE count: channels plus patterns, shard channels aside (as Redis). */
  public int count() {
    return channelCount + patternCount;
  }

  public int channelCount() {
    return channelCount;
  }

  public int patternCount() {
    return patternCount;
  }

  public int shardCount() {
    return shardCount;
  }

  /** Subscribed to anything: the connection is in Redis's pub/sub context (flag {@code P}). */
  public boolean any() {
    return channelCount + patternCount + shardCount > 0;
  }

  boolean add(Kind kind, String name) {
    boolean added = set(kind).add(name);
    recount();
    return added;
  }

  boolean remove(Kind kind, String name) {
    boolean removed = set(kind).remove(name);
    recount();
    return removed;
  }

  /** A copy, in subscription order. */
  List<String> list(Kind kind) {
    return new ArrayList<>(set(kind));
  }

  boolean has(Kind kind, String name) {
    return set(kind).contains(name);
  }

  private Set<String> set(Kind kind) {
    return switch (kind) {
      case CHANNEL -> channels;
      case PATTERN -> patterns;
      case SHARD -> shardChannels;
    };
  }

  private void recount() {
    channelCount = channels.size();
    patternCount = patterns.size();
    shardCount = shardChannels.size();
  }

  /** The three kinds of subscription. */
  public enum Kind {
    CHANNEL("subscribe", "unsubscribe", "message"),
    PATTERN("psubscribe", "punsubscribe", "pmessage"),
    SHARD("ssubscribe", "sunsubscribe", "smessage");

    final String subscribed;
    final String unsubscribed;
    final String message;

    Kind(String subscribed, String unsubscribed, String message) {
      this.subscribed = subscribed;
      this.unsubscribed = unsubscribed;
      this.message = message;
    }
  }
}
