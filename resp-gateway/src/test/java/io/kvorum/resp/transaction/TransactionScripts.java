package io.kvorum.resp.transaction;

import io.kvorum.resp.testing.RawClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MULTI/EXEC/WATCH step scripts that must give Redis's reply bytes, shared by
 * {@link TransactionParityTest} (gateway over in-process stores) and it-tests' RealNodeParityTest
 * (a real {@code bin/kvorum server}). A step runs on a numbered connection ("1 SET a 1",
 * "2 GET a"); "sleep 200" pauses.
 */
public final class TransactionScripts {
  private TransactionScripts() {}

  public static final List<String> QUEUEING = List.of("1 EXEC", "1 DISCARD", "1 MULTI",
      "1 MULTI", "1 WATCH a", "1 SET {t}a 1", "1 INCR {t}a", "1 LPUSH {t}a x", "1 GET {t}a",
      "1 PING", "1 ECHO hi", "1 EXEC", "1 GET {t}a", "1 MULTI", "1 SET {t}b 1", "1 DISCARD",
      "1 EXISTS {t}b", "1 EXEC");

  public static final List<String> QUEUE_TIME_ERRORS = List.of("1 MULTI", "1 SET {t}a 1",
      "1 FOO bar", "1 EXEC", "1 EXISTS {t}a", "1 MULTI", "1 GET", "1 SET {t}a 1", "1 EXEC",
      "1 MULTI", "1 SAVE", "1 EXEC", "1 MULTI", "1 MSET a 1 b 2", "1 EXEC", "1 EXISTS {t}a");

  public static final List<String> CROSSSLOT = List.of("1 MULTI", "1 SET a 1", "1 SET b 1",
      "1 EXEC", "1 EXISTS a", "1 EXEC");

  public static final List<String> BLOCKING_INSIDE_MULTI = List.of("1 MULTI", "1 BLPOP {q}l 0",
      "1 RPUSH {q}l x", "1 BRPOP {q}l 0", "1 BLMOVE {q}l {q}m LEFT RIGHT 0",
      "1 BRPOPLPUSH {q}l {q}m 0", "1 BZPOPMIN {q}z 0", "1 BLMPOP 0 1 {q}l LEFT", "1 EXEC");

  public static final List<String> BLOCKING_INSIDE_MULTI_RESP3 = List.of("1 HELLO 3",
      "1 MULTI", "1 BLMOVE {q}l {q}m LEFT RIGHT 0", "1 BLPOP {q}l 0", "1 EXEC");

  public static final List<String> READ_ONLY_AND_RUNTIME_ERRORS = List.of("1 SET {r}s str",
      "1 RPUSH {r}l a b", "1 MULTI", "1 GET {r}s", "1 LRANGE {r}l 0 -1", "1 LLEN {r}s",
      "1 GET {r}none", "1 EXEC");

  public static final List<String> WATCH_OTHER_CONNECTION = List.of("1 SET {w}k 1",
      "1 WATCH {w}k", "2 SET {w}other 1", "1 MULTI", "1 INCR {w}k", "1 EXEC", "1 WATCH {w}k",
      "2 INCR {w}k", "1 MULTI", "1 INCR {w}k", "1 EXEC", "1 GET {w}k", "1 WATCH {w}k",
      "1 UNWATCH", "2 INCR {w}k", "1 MULTI", "1 INCR {w}k", "1 EXEC");

  public static final List<String> WATCH_DELETE_RECREATE_OWN = List.of("1 SET {w}k 1",
      "1 WATCH {w}k", "2 DEL {w}k", "1 MULTI", "1 SET {w}x 1", "1 EXEC", "1 WATCH {w}absent",
      "2 SET {w}absent 1", "2 DEL {w}absent", "1 MULTI", "1 SET {w}x 2", "1 EXEC",
      "1 WATCH {w}k", "1 SET {w}k mine", "1 MULTI", "1 GET {w}k", "1 EXEC", "1 WATCH {w}h",
      "2 HSET {w}h f 1", "1 MULTI", "1 HGET {w}h f", "1 EXEC", "1 WATCH {w}h",
      "2 HSET {w}h f 2", "1 MULTI", "1 HGET {w}h f", "1 EXEC");

  public static final List<String> WATCH_EXPIRY_FLUSH = List.of("1 SET {e}k v PX 150",
      "1 WATCH {e}k", "sleep 300", "1 MULTI", "1 SET {e}x 1", "1 EXEC", "1 SET {e}gone v PX 50",
      "sleep 150", "1 WATCH {e}gone", "1 MULTI", "1 SET {e}x 2", "1 EXEC", "1 SET {e}k v",
      "1 WATCH {e}k {e}nokey", "2 FLUSHALL", "1 MULTI", "1 SET {e}x 3", "1 EXEC",
      "1 WATCH {e}nokey", "2 FLUSHALL", "1 MULTI", "1 SET {e}x 4", "1 EXEC");

  public static final List<String> WATCH_RULES = List.of("1 WATCH a b", "1 WATCH", "1 MULTI",
      "1 WATCH {t}a", "1 UNWATCH", "1 EXEC", "1 WATCH {t}a", "1 WATCH {t}b", "1 MULTI",
      "1 SET {t}a 1", "1 EXEC");

  public static final List<String> RESP3_REPLIES = List.of("1 HELLO 3", "1 MULTI",
      "1 SET {t}a 1", "1 HGETALL {t}none", "1 ZADD {t}z 1.5 m", "1 ZSCORE {t}z m",
      "1 GET {t}none", "1 EXEC", "1 WATCH {t}a", "2 SET {t}a 2", "1 MULTI", "1 GET {t}a",
      "1 EXEC");

  /** Every script above by name, each to give the same bytes as redis-server. */
  public static final Map<String, List<String>> ALL = all();

  private static Map<String, List<String>> all() {
    Map<String, List<String>> all = new LinkedHashMap<>();
    all.put("queueing", QUEUEING);
    all.put("queue-time errors", QUEUE_TIME_ERRORS);
    all.put("crossslot", CROSSSLOT);
    all.put("blocking inside multi", BLOCKING_INSIDE_MULTI);
    all.put("blocking inside multi resp3", BLOCKING_INSIDE_MULTI_RESP3);
    all.put("read-only and runtime errors", READ_ONLY_AND_RUNTIME_ERRORS);
    all.put("watch, other connection", WATCH_OTHER_CONNECTION);
    all.put("watch, delete/recreate/own", WATCH_DELETE_RECREATE_OWN);
    all.put("watch, expiry/flush", WATCH_EXPIRY_FLUSH);
    all.put("watch rules", WATCH_RULES);
    all.put("resp3 replies", RESP3_REPLIES);
    return java.util.Collections.unmodifiableMap(all);
  }

  /**
   * Kvorum's one difference: watched keys must share the transaction's slot (Redis Cluster only
   * needs them on the same node), because the watch is checked by the slot group's leader.
   */
  public static final List<String> WATCH_OTHER_SLOT = List.of("1 WATCH {t}a", "1 WATCH {u}b",
      "1 MULTI", "1 SET {t}a 1", "1 EXEC", "1 EXISTS {t}a", "1 MULTI", "1 SET {t}a 1",
      "1 EXEC");

  /** What Kvorum answers to {@link #WATCH_OTHER_SLOT}. */
  public static final List<String> WATCH_OTHER_SLOT_REPLIES = List.of("1 WATCH {t}a -> +OK\r\n",
      "1 WATCH {u}b -> +OK\r\n", "1 MULTI -> +OK\r\n", "1 SET {t}a 1 -> +QUEUED\r\n",
      "1 EXEC -> -CROSSSLOT Keys in request don't hash to the same slot\r\n",
      "1 EXISTS {t}a -> :0\r\n", "1 MULTI -> +OK\r\n", "1 SET {t}a 1 -> +QUEUED\r\n",
      "1 EXEC -> *1\r\n+OK\r\n");

  /** A stream with a group whose consumer c has read entry 1-1. */
  private static final String GROUP =
      "XADD {m}k 1-1 f v;XGROUP CREATE {m}k g 0;XREADGROUP GROUP g c STREAMS {m}k >";

  /**
   * Which writes count as touching a watched key: (setup; write by another connection) pairs,
   * after each of which EXEC must abort (or not) exactly when Redis's does.
   */
  public static final String[][] WATCHED_WRITES = {
      {"RPUSH {m}k a b c", "LSET {m}k 0 z"}, {"RPUSH {m}k a b c", "LINSERT {m}k BEFORE b z"},
      {"RPUSH {m}k a b c", "LREM {m}k 1 b"}, {"RPUSH {m}k a b c", "LTRIM {m}k 0 1"},
      {"RPUSH {m}k a b c", "LTRIM {m}k 0 -1"}, {"RPUSH {m}k a b c", "LPOP {m}k"},
      {"RPUSH {m}k a", "LMOVE {m}k {m}k2 LEFT LEFT"}, {"RPUSH {m}k a", "LPUSHX {m}k b"},
      {"SET {m}k abc", "SETRANGE {m}k 1 z"}, {"SET {m}k abc", "APPEND {m}k z"},
      {"SET {m}k abc", "SETBIT {m}k 1 1"}, {"SET {m}k 1", "BITFIELD {m}k SET u8 0 5"},
      {"SET {m}k abc", "GETEX {m}k EX 100"}, {"SET {m}k abc", "GETEX {m}k"},
      {"SET {m}k abc", "GETDEL {m}k"}, {"SET {m}k abc", "EXPIRE {m}k 100"},
      {"SET {m}k abc EX 100", "PERSIST {m}k"}, {"SET {m}k abc", "PERSIST {m}k"},
      {"SET {m}k abc", "RENAME {m}k {m}k2"}, {"SET {m}k2 abc", "RENAME {m}k2 {m}k"},
      {"SET {m}k2 abc", "COPY {m}k2 {m}k"}, {"SET {m}k abc", "SET {m}k abc"},
      {"SET {m}k abc", "SETNX {m}k x"}, {"SET {m}k abc", "SET {m}k x XX"},
      {"HSET {m}k f 1", "HINCRBY {m}k f 1"}, {"HSET {m}k f 1", "HINCRBYFLOAT {m}k f 1.5"},
      {"HSET {m}k f 1", "HSETNX {m}k f 2"}, {"HSET {m}k f 1", "HDEL {m}k g"},
      {"SADD {m}k a", "SADD {m}k a"}, {"SADD {m}k a b", "SREM {m}k a"},
      {"SADD {m}k a", "SPOP {m}k"}, {"SADD {m}k a b", "SMOVE {m}k {m}k2 a"},
      {"ZADD {m}k 1 a", "ZINCRBY {m}k 2 a"}, {"ZADD {m}k 1 a", "ZADD {m}k 1 a"},
      {"ZADD {m}k 1 a", "ZADD {m}k 3 a"}, {"ZADD {m}k 1 a 2 b", "ZPOPMIN {m}k"},
      {"ZADD {m}k 1 a 2 b", "ZREMRANGEBYSCORE {m}k 5 6"},
      {"XADD {m}k 1-1 f v", "XADD {m}k 2-1 f v"}, {"XADD {m}k 1-1 f v", "XDEL {m}k 1-1"},
      {"XADD {m}k 1-1 f v", "XTRIM {m}k MAXLEN 0"}, {"XADD {m}k 1-1 f v", "XSETID {m}k 5-0"},
      {"XADD {m}k 1-1 f v", "XGROUP CREATE {m}k g 0"},
      {"PFADD {m}k a", "PFADD {m}k b"}, {"PFADD {m}k a", "PFADD {m}k a"},
      {"RPUSH {m}k2 3 1 2", "SORT {m}k2 STORE {m}k"}, {"SET {m}k 1", "DEL {m}nothing"},
      {"SET {m}k 5", "INCR {m}k"}, {"SET {m}k 5", "DECRBY {m}k 0"},
      {"SET {m}k a", "SETBIT {m}k 0 1"}, {"SET {m}k a", "SETRANGE {m}k 0 \"\""},
      {GROUP, "XGROUP SETID {m}k g 0"}, {GROUP, "XGROUP DESTROY {m}k g"},
      {GROUP, "XGROUP CREATECONSUMER {m}k g c2"}, {GROUP, "XGROUP DELCONSUMER {m}k g c"},
      {GROUP, "XACK {m}k g 1-1"}, {GROUP, "XCLAIM {m}k g c2 0 1-1"},
      {GROUP, "XREADGROUP GROUP g c COUNT 1 STREAMS {m}k >"},
      {GROUP, "XAUTOCLAIM {m}k g c2 0 0"}, {GROUP, "XADD {m}k 2-1 f v"}};

  /** Runs every {@link #WATCHED_WRITES} case on a flushed server; the steps with their replies. */
  public static List<String> runWatchedWrites(int port, boolean resp3)
      throws InterruptedException {
    List<String> out = new ArrayList<>();
    for (String[] c : WATCHED_WRITES) {
      flush(port);
      List<String> steps = new ArrayList<>();
      for (String setup : c[0].split(";")) {
        steps.add("1 " + setup);
      }
      steps.addAll(List.of("1 WATCH {m}k", "2 " + c[1], "1 MULTI", "1 PING", "1 EXEC"));
      out.addAll(run(port, steps, resp3));
    }
    return out;
  }

  public static void flush(int port) {
    try (RawClient c = new RawClient(port)) {
      c.call("FLUSHALL");
    }
  }

  /**
   * Runs steps on two connections (each switched to RESP3 first when {@code resp3}) and returns
   * each step with its raw reply.
   */
  public static List<String> run(int port, List<String> steps, boolean resp3)
      throws InterruptedException {
    List<String> out = new ArrayList<>();
    RawClient[] clients = {new RawClient(port), new RawClient(port)};
    try {
      if (resp3) {
        for (RawClient c : clients) {
          c.call("HELLO", "3");
        }
      }
      for (String step : steps) {
        if (step.startsWith("sleep ")) {
          Thread.sleep(Long.parseLong(step.substring(6)));
          continue;
        }
        RawClient c = clients[step.charAt(0) - '1'];
        c.send(step.substring(2) + "\r\n");
        // HELLO reports the connection id, which differs between the servers.
        out.add(step + " -> " + c.readRaw(1).replaceAll("\\$2\r\nid\r\n:\\d+", "id"));
      }
    } finally {
      for (RawClient c : clients) {
        c.close();
      }
    }
    return out;
  }
}
