package io.kvorum.it.container;

import io.kvorum.it.container.RoutedClient.Result;
import io.kvorum.it.history.History;
import io.kvorum.it.history.Op;
import io.kvorum.it.history.Op.Kind;
import io.kvorum.it.fixture.RespReply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Several clients running a random mix against a cluster and recording it in a {@link History}:
 * register commands (GET, SET, SET NX, SET XX, DEL) on a few string keys, and SADD / RPUSH of
 * unique elements on a few set and list keys. Every written value is unique, so a read names
 * the write it saw. Keys carry the scenario's prefix, so scenarios sharing a cluster never meet.
 */
final class Workload {
  private final List<Integer> ports;
  private final String prefix;
  private final int clients;
  private final long seed;
  private final long pauseMillis;
  private final History history = new History();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger unexpectedErrors = new AtomicInteger();
  private final List<Thread> threads = new ArrayList<>();

  static final int REGISTERS = 6;
  static final int SETS = 2;
  static final int LISTS = 2;
  static final int TIMEOUT_MILLIS = 5000;

  Workload(List<Integer> ports, String prefix, int clients, long seed, long pauseMillis) {
    this.ports = ports;
    this.prefix = prefix;
    this.clients = clients;
    this.seed = seed;
    this.pauseMillis = pauseMillis;
  }

  /** The register keys (the checker verifies each on its own). */
  List<String> registerKeys() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < REGISTERS; i++) {
      out.add(prefix + ":r" + i);
    }
    return out;
  }

  /** Set keys, then list keys. */
  Map<String, Kind> collectionKeys() {
    Map<String, Kind> out = new LinkedHashMap<>();
    for (int i = 0; i < SETS; i++) {
      out.put(prefix + ":s" + i, Kind.SADD);
    }
    for (int i = 0; i < LISTS; i++) {
      out.put(prefix + ":l" + i, Kind.RPUSH);
    }
    return out;
  }

  void start() {
    for (int p = 0; p < clients; p++) {
      int process = p;
      Thread t = new Thread(() -> run(process), "workload-" + prefix + "-" + p);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /** Stops the clients and waits for their last operations to end. */
  void stop() throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  History history() {
    return history;
  }

  /** Errors that are none of MOVED/TRYAGAIN/CLUSTERDOWN (recorded as unknown outcomes). */
  int unexpectedErrors() {
    return unexpectedErrors.get();
  }

  private void run(int process) {
    Random random = new Random(seed * 31 + process);
    List<String> registers = registerKeys();
    List<String> collections = new ArrayList<>(collectionKeys().keySet());
    long n = 0;
    boolean lastFailed = false;
    try (RoutedClient client = new RoutedClient(ports, TIMEOUT_MILLIS, random)) {
      while (!stop.get()) {
        String value = "p" + process + "-" + n++;
        int dice = random.nextInt(100);
        if (dice < 80) {
          String key = registers.get(random.nextInt(registers.size()));
          Kind kind = dice < 40 ? Kind.GET : dice < 62 ? Kind.SET : dice < 68 ? Kind.SET_NX
              : dice < 74 ? Kind.SET_XX : Kind.DEL;
          String[] args = switch (kind) {
            case GET -> new String[] {"GET", key};
            case SET -> new String[] {"SET", key, value};
            case SET_NX -> new String[] {"SET", key, value, "NX"};
            case SET_XX -> new String[] {"SET", key, value, "XX"};
            default -> new String[] {"DEL", key};
          };
          boolean writes = kind != Kind.GET && kind != Kind.DEL;
          lastFailed = !record(client, process, kind, key, writes ? value : null, args);
        } else {
          String key = collections.get(random.nextInt(collections.size()));
          Kind kind = key.contains(":s") ? Kind.SADD : Kind.RPUSH;
          lastFailed = !record(client, process, kind, key, value,
              new String[] {kind == Kind.SADD ? "SADD" : "RPUSH", key, value});
        }
        // Like a real client, back off a little after a failure instead of spinning on it.
        Thread.sleep(lastFailed ? 100 : pauseMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs and records one operation; true if it succeeded. */
  private boolean record(RoutedClient client, int process, Kind kind, String key, String value,
      String[] args) {
    History.Pending op = history.invoke(process, kind, key, value);
    Result r = client.call(key, args);
    if (r instanceof Result.Ok ok) {
      op.ok(text(ok.reply()));
      return true;
    } else if (r instanceof Result.Refused refused) {
      op.fail(refused.why());
    } else {
      String why = ((Result.Unknown) r).why();
      if (why.startsWith("error ")) {
        unexpectedErrors.incrementAndGet();
      }
      op.unknown(why);
    }
    return false;
  }

  /** A reply as the history keeps it: bulk/simple string or integer as text, nil as null. */
  static String text(RespReply reply) {
    return reply.isNull() ? null : reply.text();
  }

  /** Counts per outcome, for the report. */
  Map<Op.Outcome, Long> outcomes() {
    Map<Op.Outcome, Long> out = new LinkedHashMap<>();
    for (Op.Outcome o : Op.Outcome.values()) {
      out.put(o, history.count(o));
    }
    return out;
  }
}
