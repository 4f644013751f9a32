package io.kvorum.server.launch;

import io.kvorum.proto.admin.NodeTransfer;
import io.kvorum.proto.admin.StatusReply;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Bytes replica moves have copied since a CLI operation (join, leave, rebalance) started: the
 * growth of each node's snapshot-sent counter in successive statuses. A node is counted from the
 * first status it answers in; a counter that went down (its node restarted) counts again from
 * zero, keeping what was counted before. Raft log catch-up is not in the counters.
 */
final class Progress {
  /** One node's counter as seen so far. */
  private static final class Counter {
    /** The value counting starts from (0 after a restart). */
    long base;
    /** Bytes counted before the node restarted. */
    long carried;
    long last;

    Counter(long sent) {
      base = sent;
      last = sent;
    }
  }

  private final Map<String, Counter> nodes = new HashMap<>();

  Progress(StatusReply start) {
    for (NodeTransfer t : start.getTransfersList()) {
      nodes.put(t.getNodeId(), new Counter(t.getSnapshotBytesSent()));
    }
  }

  /** Bytes copied since the start, as of {@code now} (a node missing from it adds nothing). */
  long copiedBytes(StatusReply now) {
    for (NodeTransfer t : now.getTransfersList()) {
      long sent = t.getSnapshotBytesSent();
      Counter c = nodes.computeIfAbsent(t.getNodeId(), k -> new Counter(sent));
      if (sent < c.last) {
        c.carried += c.last - c.base;
        c.base = 0;
      }
      c.last = sent;
    }
    long total = 0;
    for (Counter c : nodes.values()) {
      total += c.carried + c.last - c.base;
    }
    return total;
  }

  /** ", 12.5 MiB copied" for a progress line. */
  String copied(StatusReply now) {
    return ", " + bytes(copiedBytes(now)) + " copied";
  }

  /** A byte count for people: "0 B", "512 B", "1.5 KiB", "12.5 MiB", "3.0 GiB". */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
