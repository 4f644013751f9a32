package io.kvorum.storage.script;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.bitmap.ProtocolStore;
import io.kvorum.storage.bitmap.RawRespClient;
import io.kvorum.storage.bitmap.WireFormat;
import io.kvorum.storage.testing.RedisServer;
import io.kvorum.storage.testing.ReplyText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FUNCTION and FCALL through a real store, every reply compared byte for byte with redis-server
 * 7.0.15 given the same commands, in RESP2 and RESP3.
 */
class FunctionCommandsTest {
  @TempDir static Path tmp;
  static RedisServer redis;
  Path dir;
  ProtocolStore store;
  RawRespClient resp2;
  RawRespClient resp3;
  int run;

  @BeforeAll
  static void startRedis() throws IOException {
    redis = RedisServer.start(Files.createDirectories(tmp.resolve("redis")));
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void open() throws IOException {
    dir = tmp.resolve("db" + System.nanoTime());
    store = new ProtocolStore(dir);
    resp2 = new RawRespClient(redis.port());
    resp3 = new RawRespClient(redis.port());
    resp3.call("hello", "3");
    resp2.call("function", "flush");
    resp2.call("flushall");
  }

  @AfterEach
  void close() throws IOException {
    store.close();
    resp2.close();
    resp3.close();
  }

  /** Runs {@code args} on both servers (as RESP2) and checks the replies are the same bytes. */
  void same(String... args) throws IOException {
    same(false, args);
  }

  void same(boolean asResp3, String... args) throws IOException {
    byte[][] a = bytes(args);
    byte[] expected = (asResp3 ? resp3 : resp2).call(a);
    byte[] ours = WireFormat.encode(store.call(asResp3, a), asResp3);
    assertThat(WireFormat.show(ours)).as(WireFormat.show(a)).isEqualTo(WireFormat.show(expected));
  }

  void sameBytes(byte[]... a) throws IOException {
    byte[] expected = resp2.call(a);
    byte[] ours = WireFormat.encode(store.call(false, a), false);
    assertThat(WireFormat.show(ours)).as(WireFormat.show(a)).isEqualTo(WireFormat.show(expected));
  }

  static byte[][] bytes(String... args) {
    byte[][] a = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      a[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return a;
  }

  String ours(String... args) {
    return ReplyText.of(store.call(false, bytes(args)));
  }

  static final String LIB = "#!lua name=mylib\n"
      + "local function helper(x) return x end\n"
      + "redis.register_function('setit', function(keys, args) return redis.call('set', keys[1], args[1]) end)\n"
      + "redis.register_function{function_name='getit', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads it'}\n"
      + "redis.register_function('err1', function(keys, args) return redis.call('nosuch') end)\n"
      + "redis.register_function('err2', function(keys, args) error('boom') end)\n"
      + "redis.register_function('kg', function(keys, args) return KEYS end)\n"
      + "redis.register_function('ret', function(keys, args) return {keys[1], args[1], #keys, #args, helper(7)} end)\n"
      + "redis.register_function{function_name='wro', callback=function(keys, args) return redis.call('set', keys[1], 'x') end, flags={'no-writes'}}\n"
      + "redis.register_function('setg', function(keys, args) x = 5 end)\n"
      + "redis.register_function('reg', function(keys, args) redis.register_function('z', function() end) end)\n"
      + "redis.register_function('other', function(keys, args) return redis.call('get', '{k}zz') end)\n"
      + "redis.register_function('ver', function(keys, args) return {redis.REDIS_VERSION, type(cjson), type(redis.setresp)} end)\n";

  static final String ONE = "#!lua name=one\n"
      + "redis.register_function{function_name='getit', callback=function(keys, args) return 1 end, flags={'no-writes', 'allow-stale'}, description='reads it'}\n";

  @Test
  void loadCallAndListAsRedisDoes() throws IOException {
    same("function", "load", LIB);
    same("fcall", "setit", "1", "{k}a", "v1");
    same("fcall", "getit", "1", "{k}a");
    same("fcall_ro", "getit", "1", "{k}a");
    same("FCALL", "GETIT", "1", "{k}a");
    same("fcall", "ret", "1", "{k}a", "b");
    same("fcall", "ret", "0");
    same("fcall", "other", "1", "{k}a");
    same("fcall", "ver", "0");
    same("function", "stats");
    // Redis lists libraries and functions in its hash tables' order: one of each compares.
    same("function", "flush");
    same("function", "load", ONE);
    same("function", "list");
    same("function", "list", "withcode");
    same("function", "list", "libraryname", "o*", "withcode");
    same("function", "list", "libraryname", "nomatch");
    same(true, "function", "list");
    same(true, "function", "list", "WITHCODE", "LIBRARYNAME", "one");
    same(true, "function", "stats");
    same("function", "help");
  }

  @Test
  void callErrorsAsRedisReportsThem() throws IOException {
    same("function", "load", LIB);
    // (Lua's own runtime messages, "attempt to call …", are LuaJ's: not compared.)
    for (String f : List.of("err1", "err2", "kg", "setg")) {
      same("fcall", f, "0");
    }
    same("fcall_ro", "setit", "1", "{k}a", "v");
    same("fcall_ro", "wro", "1", "{k}a");
    same("fcall", "wro", "1", "{k}a");
    same("fcall", "nope", "0");
    same("fcall", "nope", "x");
    same("fcall", "setit", "x");
    same("fcall", "setit", "-1");
    same("fcall", "setit", "5", "a");
  }

  @Test
  void loadErrorsAsRedisReportsThem() throws IOException {
    List<String> bad = new ArrayList<>(List.of(
        "return 1",
        "#!lua name=t",
        "#!lua\n",
        "#!lua name=t foo=bar\n",
        "#!lua name=a name=b\n",
        "#!python name=t\n",
        "#!lua name=t-3\nx=1",
        "#!lua name=t\n",
        "#!lua name=t\nreturn string.len('a')",
        "#!lua name=t\nredis.call('ping')",
        "#!lua name=t\nredis.register_function('b-c', function() return 1 end)",
        "#!lua name=t\nredis.register_function('x', function() end) redis.register_function('x', function() end)",
        "#!lua name=t\nredis.register_function()",
        "#!lua name=t\nredis.register_function(1)",
        "#!lua name=t\nredis.register_function('y', 1)",
        "#!lua name=t\nredis.register_function({}, function() end)",
        "#!lua name=t\nredis.register_function{function_name='y', callback=function() end, flags={'bogus'}}",
        "#!lua name=t\nredis.register_function{function_name='y', callback=function() end, flags='no-writes'}",
        "#!lua name=t\nredis.register_function{function_name='y', callback=function() end, foo=1}",
        "#!lua name=t\nredis.register_function{callback=function() end}",
        "#!lua name=t\nredis.register_function{function_name='y'}",
        "#!lua name=t\nredis.register_function{function_name={}, callback=function() end}",
        "#!lua name=t\nredis.register_function{function_name='y', callback=1}",
        "#!lua name=t\nredis.register_function{function_name='y', callback=function() end, description={}}",
        "#!lua name=t\nredis.register_function{function_name='y', callback=function() end, flags={1}}"));
    for (String code : bad) {
      same("function", "load", code);
    }
    // (LuaJ's compiler words syntax errors its own way: only the frame is Redis's.)
    assertThat(ours("function", "load", "#!lua name=t\nsyntax error here"))
        .startsWith("-ERR Error compiling function: user_function:2: ");
    same("function", "load", "replace");
    same("function", "load", "bogus", "#!lua name=t\n");
    same("function", "list", "foo");
    same("function", "list", "libraryname");
    same("function", "delete", "nolib");
    same("function", "flush", "bogus");
    same("function", "flush", "sync", "extra");
    same("function", "list");
  }

  @Test
  void replaceDeleteFlushAndCollisions() throws IOException {
    String a = "#!lua name=liba\nredis.register_function('fa', function() return 'a1' end)";
    String a2 = "#!lua name=liba\nredis.register_function('fa2', function() return 'a2' end)";
    String b = "#!LUA NAME=libb\nredis.register_function{function_name='FA', callback=function() return 'b' end,"
        + " flags={'NO-WRITES', 'allow-oom', 'allow-stale', 'allow-cross-slot-keys'}, description=2}";
    same("function", "load", a);
    same("function", "load", b);
    same("function", "load", a2);
    same("function", "load", "replace", a2);
    same("fcall", "fa", "0");
    same("fcall", "fa2", "0");
    same("function", "load", b);
    same("function", "list", "libraryname", "libb");
    same("function", "delete", "liba");
    same("function", "delete", "liba");
    same("fcall", "fa2", "0");
    same("function", "load", "REPLACE", "REPLACE", a);
    same("fcall", "fa", "0");
    same("function", "flush", "async");
    same("fcall", "fa", "0");
    same("function", "list");
  }

  @Test
  void dumpAndRestoreAsRedisDoes() throws IOException {
    String a = "#!lua name=aa\nredis.register_function('fa', function() return 1 end)";
    String b = "#!lua name=bb\nredis.register_function('fb', function() return 2 end)";
    String c = "#!lua name=cc\nredis.register_function('fa', function() return 3 end)";
    same("function", "dump");
    same("function", "load", a);
    same("function", "dump");
    byte[] onlyA = RawRespClient.bulkPayload(resp2.call("function", "dump"));
    same("function", "load", b);
    byte[] both = RawRespClient.bulkPayload(resp2.call("function", "dump"));
    byte[] ours = RawRespClient.bulkPayload(WireFormat.encode(
        store.call(false, bytes("function", "dump")), false));
    same("function", "flush");
    // Each side's payload restores on the other (Redis's order of libraries may differ).
    sameBytes("function".getBytes(StandardCharsets.US_ASCII),
        "restore".getBytes(StandardCharsets.US_ASCII), ours);
    same("fcall", "fb", "0");
    same("function", "flush");
    sameBytes("function".getBytes(StandardCharsets.US_ASCII),
        "restore".getBytes(StandardCharsets.US_ASCII), both);
    same("fcall", "fa", "0");
    // (One library per payload: Redis names the first colliding one in its hash order.)
    for (String policy : List.of("append", "APPEND", "replace", "flush", "bogus")) {
      sameBytes("function".getBytes(StandardCharsets.US_ASCII),
          "restore".getBytes(StandardCharsets.US_ASCII), onlyA,
          policy.getBytes(StandardCharsets.US_ASCII));
    }
    same("function", "restore", "garbage");
    same("function", "restore", "garbage", "replace", "extra");
    byte[] corrupt = both.clone();
    corrupt[3] ^= 1;
    sameBytes("function".getBytes(StandardCharsets.US_ASCII),
        "restore".getBytes(StandardCharsets.US_ASCII), corrupt);
    // A library whose function another library already registered.
    same("function", "flush");
    same("function", "load", c);
    sameBytes("function".getBytes(StandardCharsets.US_ASCII),
        "restore".getBytes(StandardCharsets.US_ASCII), onlyA,
        "replace".getBytes(StandardCharsets.US_ASCII));
    same("fcall", "fa", "0");
    same("function", "delete", "cc");
    same("function", "dump");
  }

  @Test
  void functionsRunAsShebangScriptsInTheCluster() {
    String lib = "#!lua name=c\n"
        + "redis.register_function('cross', function(keys) return redis.call('get', 'elsewhere') end)\n"
        + "redis.register_function{function_name='cross2', callback=function(keys) return redis.call('get', 'elsewhere') end, flags={'allow-cross-slot-keys'}}\n"
        + "redis.register_function{function_name='nc', callback=function() return 1 end, flags={'no-cluster'}}\n"
        + "redis.register_function('rnd', function() return {math.random(1000), math.random(1000)} end)\n";
    assertThat(ours("function", "load", lib)).isEqualTo("c");
    assertThat(ours("fcall", "cross", "1", "k")).isEqualTo(
        "-ERR Script attempted to access keys that do not hash to the same slot script: cross, on @user_function:2.");
    assertThat(ours("fcall", "cross2", "1", "k")).isEqualTo(
        "-ERR Script attempted to access a non local key in a cluster node script: cross2, on @user_function:3.");
    assertThat(ours("fcall", "nc", "0")).isEqualTo(
        "-ERR Can not run script on cluster, 'no-cluster' flag is set.");
    // Deterministic per entry: the same log entry gives the same numbers on every replica.
    assertThat(ours("fcall", "rnd", "0")).matches("\\[:\\d+, :\\d+\\]");
  }

  @Test
  void broadcastLoadOfTheSameLibraryIsAccepted() {
    String a = "#!lua name=liba\nredis.register_function('fa', function() return 'a1' end)";
    assertThat(ours("function", "load", a)).isEqualTo("liba");
    // The same code again (a client's broadcast reaching a group twice) is not a conflict.
    assertThat(ours("function", "load", a)).isEqualTo("liba");
    assertThat(ours("function", "load", a + " ")).isEqualTo("-ERR Library 'liba' already exists");
  }

  @Test
  void loadIsBoundedLikeRedisLoadTimeout() {
    assertThat(ours("function", "load", "#!lua name=spin\nlocal i = 0 while true do i = i + 1 end"))
        .isEqualTo("-ERR Error registering functions: ERR FUNCTION LOAD timeout");
    byte[] big = new byte[ScriptEngine.MAX_SCRIPT_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    byte[] head = "#!lua name=big\n".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(head, 0, big, 0, head.length);
    assertThat(ReplyText.of(store.call(false, "function".getBytes(StandardCharsets.US_ASCII),
        "load".getBytes(StandardCharsets.US_ASCII), big)))
        .isEqualTo("-ERR library code is too large (at most 4194304 bytes)");
  }

  @Test
  void librariesSurviveReopening() {
    String a = "#!lua name=liba\nredis.register_function('fa', function(keys) return redis.call('incr', keys[1]) end)";
    assertThat(ours("function", "load", a)).isEqualTo("liba");
    store.close();
    store = new ProtocolStore(dir);
    assertThat(ours("fcall", "fa", "1", "n")).isEqualTo(":1");
    assertThat(ours("function", "delete", "liba")).isEqualTo("+OK");
    assertThat(ours("fcall", "fa", "1", "n")).isEqualTo("-ERR Function not found");
  }
}
