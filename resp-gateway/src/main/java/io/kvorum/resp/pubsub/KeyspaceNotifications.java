package io.kvorum.resp.pubsub;

import io.kvorum.raft.route.SlotGroupRouter;
import io.kvorum.storage.keyspace.KeyspaceEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code notify-keyspace-events}: which classes of keyspace notifications this node publishes,
 * in Redis's flag letters, and their publication. The storage collects the notifications while a
 * group applies an entry; the leader that proposed the entry hands them here once, and they are
 * published like a PUBLISH from this node ({@code __keyspace@0__:<key>} → event, then
 * {@code __keyevent@0__:<event>} → key), so subscribers on every node receive each write's
 * notifications once. As on Redis Cluster, each node's setting governs the groups it leads.
 */
public final class KeyspaceNotifications {
  private static final String LETTERS = "g$lshzxeKEtmdn";
  private static final int KEYSPACE = bit('K');
  private static final int KEYEVENT = bit('E');
  /** {@code A}: every class but key-miss and new-key events. */
  private static final int ALL = bits("g$lshzxetd");

  private final PubSubHub hub;
  private final SlotGroupRouter router;
  private volatile int flags;

  public KeyspaceNotifications(PubSubHub hub, SlotGroupRouter router) {
    this.hub = hub;
    this.router = router;
    router.onKeyspaceEvents(this::publish);
  }

  private static int bit(char c) {
    return 1 << LETTERS.indexOf(c);
  }

  private static int bits(String s) {
    int b = 0;
    for (char c : s.toCharArray()) {
      b |= bit(c);
    }
    return b;
  }

  /** Redis's keyspaceEventsStringToFlags; -1 for a character that names no class. */
  public static int parse(String classes) {
    int f = 0;
    for (char c : classes.toCharArray()) {
      if (c == 'A') {
        f |= ALL;
      } else if (LETTERS.indexOf(c) >= 0) {
        f |= bit(c);
      } else {
        return -1;
      }
    }
    return f;
  }

  /** Redis 7.0's keyspaceEventsFlagsToString (which, like Redis 7.0, never shows {@code n}). */
  public static String format(int f) {
    StringBuilder out = new StringBuilder();
    if ((f & ALL) == ALL) {
      out.append('A');
    } else {
      for (char c : "g$lshzxetd".toCharArray()) {
        if ((f & bit(c)) != 0) {
          out.append(c);
        }
      }
    }
    for (char c : "KEm".toCharArray()) {
      if ((f & bit(c)) != 0) {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The error text CONFIG SET gives for an invalid value. */
  public static final String INVALID = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

  /** CONFIG GET notify-keyspace-events. */
  public String current() {
    return format(flags);
  }

  /** CONFIG SET notify-keyspace-events (already validated by {@link #parse}). */
  public void configure(String classes) {
    int f = parse(classes);
    if (f < 0) {
      throw new IllegalArgumentException(INVALID);
    }
    flags = f;
    // Storage collects only while something would be published.
    router.keyspaceEventsEnabled((f & (KEYSPACE | KEYEVENT)) != 0 && (f & ~(KEYSPACE | KEYEVENT)) != 0);
  }

  /** Publishes the notifications of one applied entry (on the group's apply thread). */
  void publish(int group, List<KeyspaceEvent> events) {
    int f = flags;
    if ((f & (KEYSPACE | KEYEVENT)) == 0) {
      return;
    }
    for (KeyspaceEvent e : events) {
      if ((f & bit(e.type())) == 0) {
        continue;
      }
      byte[] event = e.event().getBytes(StandardCharsets.US_ASCII);
      if ((f & KEYSPACE) != 0) {
        hub.publish(concat("__keyspace@0__:", e.key()), event);
      }
      if ((f & KEYEVENT) != 0) {
        hub.publish(concat("__keyevent@0__:", event), e.key());
      }
    }
  }

  private static byte[] concat(String prefix, byte[] tail) {
    byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[p.length + tail.length];
    System.arraycopy(p, 0, out, 0, p.length);
    System.arraycopy(tail, 0, out, p.length, tail.length);
    return out;
  }
}
