package io.kvorum.resp.slowlog;

import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The node's slow log, as Redis keeps it: the commands that took at least {@code
 * slowlog-log-slower-than} microseconds (negative: none, 0: all), newest first, at most {@code
 * slowlog-max-len} of them. Each entry keeps an id, the start time, the duration, the arguments
 * (at most 32, each cut to 128 bytes, as Redis stores them) and the client's address and name.
 * The time is what the command took on this node, from its dispatch to its reply, so a write
 * includes its Raft commit; a command waiting while blocked is not logged.
 */
public final class SlowLog {
  /** Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING. */
  static final int MAX_ARGS = 32;
  static final int MAX_STRING = 128;

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long nextId;
  private volatile long slowerThanMicros = 10_000;
  private volatile long maxLength = 128;

  /** One logged command. */
  public record Entry(long id, long startSeconds, long micros, List<byte[]> args, String addr,
      String name) {
    Reply reply() {
      List<Reply> argv = new ArrayList<>(args.size());
      for (byte[] a : args) {
        argv.add(Reply.bulk(a));
      }
      return new Reply.Array(List.of(Reply.integer(id), Reply.integer(startSeconds),
          Reply.integer(micros), new Reply.Array(argv), Reply.bulk(bytes(addr)),
          Reply.bulk(bytes(name))));
    }
  }

  public long slowerThanMicros() {
    return slowerThanMicros;
  }

  public void slowerThanMicros(long micros) {
    slowerThanMicros = micros;
  }

  public long maxLength() {
    return maxLength;
  }

  public synchronized void maxLength(long n) {
    maxLength = n;
    trim();
  }

  /** Whether a command that took {@code micros} belongs in the log. */
  public boolean slow(long micros) {
    long threshold = slowerThanMicros;
    return threshold >= 0 && micros >= threshold;
  }

  /** Logs a command; {@code args} as the client sent them (sensitive ones already redacted). */
  public synchronized void add(byte[][] args, long startMillis, long micros, String addr,
      String name) {
    if (maxLength == 0) {
      return;
    }
    int kept = Math.min(args.length, MAX_ARGS);
    List<byte[]> argv = new ArrayList<>(kept);
    for (int i = 0; i < kept; i++) {
      if (kept != args.length && i == kept - 1) {
        argv.add(bytes("... (" + (args.length - kept + 1) + " more arguments)"));
      } else if (args[i].length > MAX_STRING) {
        byte[] cut = new byte[MAX_STRING];
        System.arraycopy(args[i], 0, cut, 0, MAX_STRING);
        byte[] note = bytes("... (" + (args[i].length - MAX_STRING) + " more bytes)");
        byte[] out = new byte[MAX_STRING + note.length];
        System.arraycopy(cut, 0, out, 0, MAX_STRING);
        System.arraycopy(note, 0, out, MAX_STRING, note.length);
        argv.add(out);
      } else {
        argv.add(args[i]);
      }
    }
    entries.addFirst(new Entry(nextId++, startMillis / 1000, micros, argv, addr,
        name == null ? "" : name));
    trim();
  }

  private void trim() {
    while (entries.size() > maxLength) {
      entries.removeLast();
    }
  }

  /** SLOWLOG GET: the newest {@code count} entries ({@code -1}: all). */
  public synchronized Reply get(long count) {
    List<Reply> out = new ArrayList<>();
    Iterator<Entry> it = entries.iterator();
    while (it.hasNext() && (count < 0 || out.size() < count)) {
      out.add(it.next().reply());
    }
    return new Reply.Array(out);
  }

  public synchronized int length() {
    return entries.size();
  }

  public synchronized void reset() {
    entries.clear();
  }

  /**
   * The arguments as the log keeps them: passwords replaced by {@code (redacted)}, as Redis 7.0
   * redacts AUTH, HELLO's AUTH and CONFIG SET of {@code requirepass}.
   */
  public static byte[][] redacted(String command, byte[][] args) {
    byte[][] out = args;
    switch (command) {
      case "auth" -> {
        out = args.clone();
        for (int i = 1; i < out.length; i++) {
          out[i] = REDACTED;
        }
      }
      case "hello" -> {
        for (int i = 2; i + 2 < args.length; i++) {
          if (new String(args[i], StandardCharsets.UTF_8).equalsIgnoreCase("auth")) {
            out = out == args ? args.clone() : out;
            out[i + 1] = REDACTED;
            out[i + 2] = REDACTED;
          }
        }
      }
      case "config|set" -> {
        for (int i = 2; i + 1 < args.length; i += 2) {
          if (new String(args[i], StandardCharsets.UTF_8).equalsIgnoreCase("requirepass")) {
            out = out == args ? args.clone() : out;
            out[i + 1] = REDACTED;
          }
        }
      }
      default -> { }
    }
    return out;
  }

  private static final byte[] REDACTED = bytes("(redacted)");

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
