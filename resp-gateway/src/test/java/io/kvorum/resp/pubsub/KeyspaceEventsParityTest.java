package io.kvorum.resp.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.resp.testing.RawClient;
import io.kvorum.resp.testing.RedisOracle;
import io.kvorum.resp.testing.TestServer;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyspace notifications against a real redis-server 7.0: a script of writes (every key in one
 * slot, as Redis Cluster requires of multi-key commands) runs on one connection while another,
 * subscribed to {@code __key*}, records the notifications each command caused. After every
 * command the writer publishes a marker, so each command's notifications are told apart.
 */
class KeyspaceEventsParityTest {
  @TempDir static Path dir;
  static TestServer node;
  static RedisOracle redis;

  @BeforeAll
  static void start() throws Exception {
    node = new TestServer(dir.resolve("kvorum"));
    redis = new RedisOracle(dir.resolve("redis"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (redis != null) {
      redis.close();
    }
    node.close();
  }

  static final List<String> SCRIPT = List.of(
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
      "EVAL \"redis.pcall('incr',KEYS[1]) return redis.call('rpop',KEYS[1])\" 1 {k}e2");

  static List<String> run(int port, String classes) throws InterruptedException {
    List<String> out = new ArrayList<>();
    try (RawClient sub = new RawClient(port); RawClient w = new RawClient(port)) {
      assertThat(w.call("CONFIG", "SET", "notify-keyspace-events", classes)).isEqualTo("+OK\r\n");
      sub.send(RawClient.command("PSUBSCRIBE", "__key*")).readRaw(1);
      sub.send(RawClient.command("SUBSCRIBE", "marker")).readRaw(1);
      int n = 0;
      for (String command : SCRIPT) {
        if (command.equals("SLEEP")) {
          Thread.sleep(20);
          continue;
        }
        w.send(command + "\r\n").readRaw(1);
        w.call("PUBLISH", "marker", Integer.toString(++n));
        StringBuilder events = new StringBuilder(command).append(" =>");
        while (true) {
          List<Reply> frame = ((Reply.Array) sub.readReplies(1).get(0)).items();
          String kind = text(frame.get(0));
          if (kind.equals("message")) {
            break;
          }
          events.append(' ').append(text(frame.get(2))).append('=').append(text(frame.get(3)));
        }
        out.add(events.toString());
      }
      w.call("CONFIG", "SET", "notify-keyspace-events", "");
      w.call("FLUSHALL");
    }
    return out;
  }

  private static String text(Reply r) {
    return new String(((Reply.Bulk) r).value(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void everyClassOfEvents() throws Exception {
    assertThat(run(node.port(), "KEA")).isEqualTo(run(redis.port(), "KEA"));
  }

  @Test
  void onlySomeClassesAndOnlyKeyEvents() throws Exception {
    assertThat(run(node.port(), "El$x")).isEqualTo(run(redis.port(), "El$x"));
  }

  @Test
  void newKeyEvents() throws Exception {
    assertThat(run(node.port(), "KEAn")).isEqualTo(run(redis.port(), "KEAn"));
  }

  @Test
  void configuration() {
    for (int port : new int[] {node.port(), redis.port()}) {
      List<String> got = new ArrayList<>();
      try (RawClient c = new RawClient(port)) {
        for (String v : List.of("KEA", "A", "Eg$lshzxet", "Kx", "KEAm", "KEAn", "Ed", "zyx",
            "AAg", "")) {
          got.add(c.call("CONFIG", "SET", "notify-keyspace-events", v)
              + c.call("CONFIG", "GET", "notify-keyspace-events"));
        }
      }
      if (port == node.port()) {
        expected = got;
      } else {
        assertThat(expected).isEqualTo(got);
      }
    }
  }

  private List<String> expected;
}
