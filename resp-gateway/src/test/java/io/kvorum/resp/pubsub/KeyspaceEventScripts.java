package io.kvorum.resp.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.resp.testing.RawClient;
import java.util.ArrayList;
import java.util.List;

/**
 * The keyspace-notification script that must give Redis's frames, shared by
 * {@link KeyspaceEventsParityTest} (gateway over in-process stores) and it-tests'
 * RealNodeParityTest (a real {@code bin/kvorum server}): writes (every key in one slot, as Redis
 * Cluster requires of multi-key commands) run on one connection while another, subscribed to
 * {@code __key*}, records the notifications each command caused. After every step the writer
 * publishes a marker, so each step's notifications are told apart.
 */
public final class KeyspaceEventScripts {
  private KeyspaceEventScripts() {}

  /**
   * One write per step; "SLEEP" pauses 20 ms; a step with ';' sends several commands (a
   * transaction) before the marker.
   */
  public static final List<String> SCRIPT = List.of(
      "SET {k}s1 v", "SET {k}s1 v2 EX 100", "SET {k}s1 v3 KEEPTTL", "SET {k}s1 v NX",
      "SET {k}s2 v XX", "SETNX {k}s3 v", "SETEX {k}s4 100 v", "PSETEX {k}s5 100000 v",
      "GETSET {k}s1 x", "GETDEL {k}s3", "GETEX {k}s1 EX 50", "GETEX {k}s1 PERSIST", "GETEX {k}s1",
      "MSET {k}m1 1 {k}m2 2", "MSETNX {k}m3 1 {k}m4 2", "APPEND {k}s1 zz", "INCR {k}c",
      "DECR {k}c", "INCRBY {k}c 5", "DECRBY {k}c 2", "INCRBYFLOAT {k}c 1.5",
      "SETRANGE {k}s1 1 abc", "DEL {k}s1 {k}nokey {k}m1", "UNLINK {k}m2", "EXPIRE {k}m3 100",
      "PEXPIRE {k}m3 100000", "EXPIREAT {k}m3 9999999999", "EXPIRE {k}m3 0",
      "SET {k}p 1 EX 100", "PERSIST {k}p", "RENAME {k}p {k}q", "RENAMENX {k}q {k}r",
      "RENAME {k}r {k}r", "COPY {k}r {k}r2", "SET {k}t v PX 1", "SLEEP", "INCR {k}t",
      "LPUSH {k}l a b c", "RPUSH {k}l d", "LPUSHX {k}l e", "RPUSHX {k}nol e",
      "LINSERT {k}l BEFORE a z", "LSET {k}l 0 y", "LPOP {k}l", "RPOP {k}l 2", "LREM {k}l 1 a",
      "LREM {k}l 1 zzz", "LTRIM {k}l 0 0", "LPUSH {k}l2 a b", "LMOVE {k}l2 {k}l3 LEFT RIGHT",
      "RPOPLPUSH {k}l2 {k}l3", "LMPOP 1 {k}l3 LEFT COUNT 5", "RPUSH {k}l4 a", "BLPOP {k}l4 1",
      "RPUSH {k}l5 a b", "LMOVE {k}l5 {k}l5 LEFT LEFT", "LTRIM {k}l5 1 0",
      "HSET {k}h f v g w", "HSETNX {k}h f x", "HSETNX {k}h n x", "HINCRBY {k}h i 1",
      "HINCRBYFLOAT {k}h j 1.5", "HDEL {k}h zz", "HDEL {k}h f g n i j",
      "SADD {k}st a b c", "SADD {k}st a", "SREM {k}st a", "SADD {k}sp only", "SPOP {k}sp",
      "SMOVE {k}st {k}st2 c", "SMOVE {k}st {k}st2 b", "SMOVE {k}st {k}st2 b",
      "SADD {k}st3 x", "SINTERSTORE {k}dst {k}st3 {k}st3", "SUNIONSTORE {k}dst {k}st3 {k}nokey",
      "SDIFFSTORE {k}dst {k}nokey {k}st3", "SADD {k}sa 1", "SINTERSTORE {k}sa2 {k}sa {k}nokey",
      "ZADD {k}z 1 a 2 b", "ZADD {k}z INCR 5 a", "ZINCRBY {k}z 1 b", "ZREM {k}z a",
      "ZADD {k}z 3 c 4 d 5 e", "ZREMRANGEBYSCORE {k}z 3 3", "ZREMRANGEBYRANK {k}z 0 0",
      "ZREMRANGEBYLEX {k}z - +", "ZADD {k}z 1 a 2 b", "ZPOPMIN {k}z", "ZPOPMAX {k}z",
      "ZADD {k}z2 1 a", "ZUNIONSTORE {k}z3 1 {k}z2", "ZINTERSTORE {k}z3 2 {k}z2 {k}nokey",
      "ZADD {k}z4 1 a", "ZRANGESTORE {k}z5 {k}z4 0 -1", "ZMPOP 1 {k}z4 MIN",
      "XADD {k}x 1-1 f v", "XADD {k}x MAXLEN 1 2-1 f v", "XTRIM {k}x MAXLEN 0",
      "XADD {k}x 3-1 f v", "XDEL {k}x 3-1", "XDEL {k}x 3-1", "XGROUP CREATE {k}x g $",
      "XGROUP CREATECONSUMER {k}x g c", "XGROUP DELCONSUMER {k}x g c", "XGROUP SETID {k}x g 0",
      "XGROUP DESTROY {k}x g", "XSETID {k}x 5-5", "XGROUP CREATE {k}x g2 0", "XADD {k}x 6-1 a b",
      "XREADGROUP GROUP g2 c2 COUNT 1 STREAMS {k}x >", "XAUTOCLAIM {k}x g2 c4 0 0",
      "XGROUP CREATE {k}nx g $ MKSTREAM",
      "SETBIT {k}b 1 1", "BITOP OR {k}b2 {k}b {k}b", "BITFIELD {k}b3 SET u8 0 1",
      "PFADD {k}hl a", "PFADD {k}hl a", "PFMERGE {k}hl2 {k}hl", "PFCOUNT {k}hl",
      "GEOADD {k}g 1 1 m", "RPUSH {k}so 3 1 2", "SORT {k}so STORE {k}so2",
      "SORT {k}nokey STORE {k}so2",
      "EVAL \"redis.call('set',KEYS[1],'v') redis.call('lpush',KEYS[2],'a','b') "
          + "redis.call('expire',KEYS[1],100) return redis.call('del',KEYS[1])\" 2 {k}e1 {k}e2",
      "EVAL \"redis.pcall('incr',KEYS[1]) return redis.call('rpop',KEYS[1])\" 1 {k}e2",
      // Inside MULTI/EXEC (one step: the marker cannot be published inside the transaction):
      // events at EXEC, none for a runtime error, an aborted or a discarded transaction.
      "MULTI;SET {k}tx1 v;LPUSH {k}tx2 a b;EXPIRE {k}tx1 100;DEL {k}tx1;INCR {k}tx3;EXEC",
      "MULTI;SET {k}tx4 v;LPUSH {k}tx4 x;HSET {k}tx5 f v;RPOP {k}tx2 2;EXEC",
      "MULTI;SET {k}tx6 v;FOO;EXEC", "MULTI;SET {k}tx7 v;DISCARD",
      "WATCH {k}tx8;SET {k}tx8 1;MULTI;DEL {k}tx8;EXEC",
      "MULTI;GET {k}tx3;LRANGE {k}tx2 0 -1;EXEC",
      "MULTI;SADD {k}tx9 a;SMOVE {k}tx9 {k}tx10 a;ZADD {k}tx11 1 m;ZINCRBY {k}tx11 1 m;EXEC");

  /**
   * Runs {@link #SCRIPT} with {@code notify-keyspace-events} set to {@code classes}, both
   * connections in RESP3 when {@code resp3}; per step, the writer's raw replies and the raw
   * notification frames it caused. Leaves the server flushed with notifications off.
   */
  public static List<String> run(int port, String classes, boolean resp3)
      throws InterruptedException {
    List<String> out = new ArrayList<>();
    try (RawClient sub = new RawClient(port); RawClient w = new RawClient(port)) {
      if (resp3) {
        sub.call("HELLO", "3");
        w.call("HELLO", "3");
      }
      assertThat(w.call("CONFIG", "SET", "notify-keyspace-events", classes)).isEqualTo("+OK\r\n");
      sub.send(RawClient.command("PSUBSCRIBE", "__key*")).readRaw(1);
      sub.send(RawClient.command("SUBSCRIBE", "marker")).readRaw(1);
      int n = 0;
      for (String step : SCRIPT) {
        if (step.equals("SLEEP")) {
          Thread.sleep(20);
          continue;
        }
        StringBuilder events = new StringBuilder(step).append(" ->");
        for (String command : step.split(";")) {
          events.append(' ').append(w.send(command + "\r\n").readRaw(1));
        }
        w.call("PUBLISH", "marker", Integer.toString(++n));
        events.append(" =>");
        while (true) {
          String frame = sub.readRaw(1);
          // "*3\r\n" or ">3\r\n", then the kind: the marker is the one plain message.
          if (frame.startsWith("$7\r\nmessage\r\n", 4)) {
            break;
          }
          events.append(' ').append(frame);
        }
        out.add(events.toString());
      }
      w.call("CONFIG", "SET", "notify-keyspace-events", "");
      w.call("FLUSHALL");
    }
    return out;
  }

  /** Kvorum's steps equal Redis's, reported at the first step that differs. */
  public static void assertSameSteps(List<String> kvorum, List<String> redis) {
    for (int i = 0; i < Math.min(kvorum.size(), redis.size()); i++) {
      assertThat(kvorum.get(i)).as("step %d", i).isEqualTo(redis.get(i));
    }
    assertThat(kvorum).hasSameSizeAs(redis);
  }
}
