package io.kvorum.storage.script;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kvorum.storage.bitmap.ProtocolStore;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.ReplyText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * EVAL and friends through a real store: writes as log entries, EVAL_RO as reads. Expected
 * texts were taken from redis-server 7.0.15 for the same scripts.
 */
class ScriptCommandsTest {
  @TempDir Path tmp;
  ProtocolStore store;

  @BeforeEach
  void open() {
    store = new ProtocolStore(tmp.resolve("db"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  String r(String... args) {
    byte[][] a = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      a[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return ReplyText.of(store.call(false, a));
  }

  Reply raw(boolean resp3, String... args) {
    byte[][] a = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      a[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return store.call(resp3, a);
  }

  static String sha(String body) {
    return LuaScript.sha1hex(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void returnsEveryLuaTypeAsRedisConvertsIt() {
    assertThat(r("eval", "return {1,2.7,'a',true,false,nil,3}", "0")).isEqualTo("[:1, :2, a, :1, (nil)]");
    assertThat(r("eval", "return 3.99", "0")).isEqualTo(":3");
    assertThat(r("eval", "return {err='a b'}", "0")).isEqualTo("-a b");
    assertThat(r("eval", "return {ok='a\\r\\nb'}", "0")).isEqualTo("+a  b");
    assertThat(r("eval", "return {1,{2,{3}},'x'}", "0")).isEqualTo("[:1, [:2, [:3]], x]");
    assertThat(r("eval", "return redis.error_reply('x y')", "0")).isEqualTo("-x y");
    assertThat(r("eval", "return redis.error_reply('boom')", "0")).isEqualTo("-ERR boom");
    assertThat(r("eval", "return redis.status_reply('fine')", "0")).isEqualTo("+fine");
    assertThat(r("eval", "local t = {} t[1]=1 t[3]=3 return t", "0")).isEqualTo("[:1]");
    assertThat(r("eval", "return string.upper", "0")).isEqualTo("(nil)");
    assertThat(r("eval", "return {double=1.5}", "0")).isEqualTo("1.5");
  }

  @Test
  void keysAndArgvAndRedisCall() {
    assertThat(r("eval", "return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v")).isEqualTo("+OK");
    assertThat(r("eval", "return redis.call('get', KEYS[1])", "1", "k")).isEqualTo("v");
    assertThat(r("eval", "return redis.call('incr', KEYS[1])", "1", "n")).isEqualTo(":1");
    assertThat(r("eval", "return redis.call('incrby', KEYS[1], 2.5 * 2)", "1", "n")).isEqualTo(":6");
    assertThat(r("eval", "return redis.call('get', KEYS[1])", "1", "missing")).isEqualTo("(nil)");
    assertThat(r("eval", "return tostring(redis.call('get', KEYS[1]))", "1", "missing")).isEqualTo("false");
    assertThat(r("eval_ro", "return redis.call('get', KEYS[1])", "1", "k")).isEqualTo("v");
  }

  @Test
  void errorsInsideScriptsHaveRedisText() {
    r("set", "k", "a");
    String s = "return redis.call('incr', KEYS[1])";
    assertThat(r("eval", s, "1", "k")).isEqualTo(
        "-ERR value is not an integer or out of range script: " + sha(s) + ", on @user_script:1.");
    assertThat(r("eval", "return redis.pcall('incr', KEYS[1])", "1", "k"))
        .isEqualTo("-ERR value is not an integer or out of range");
    s = "return foo";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR user_script:1: Script attempted to access "
        + "nonexistent global variable 'foo' script: " + sha(s) + ", on @user_script:1.");
    s = "x=1";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR user_script:1: Attempt to modify a readonly "
        + "table script: " + sha(s) + ", on @user_script:1.");
    s = "error('boom')";
    assertThat(r("eval", s, "0"))
        .isEqualTo("-ERR user_script:1: boom script: " + sha(s) + ", on @user_script:1.");
    s = "error({err='MY boom'})";
    assertThat(r("eval", s, "0")).isEqualTo("-MY boom script: " + sha(s) + ", on @user_script:1.");
    s = "return redis.call('nosuch')";
    assertThat(r("eval", s, "0")).isEqualTo(
        "-ERR Unknown Redis command called from script script: " + sha(s) + ", on @user_script:1.");
    s = "return redis.call('get')";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR Wrong number of args calling Redis command "
        + "from script script: " + sha(s) + ", on @user_script:1.");
    s = "return redis.call()";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR Please specify at least one argument for this "
        + "redis lib call script: " + sha(s) + ", on @user_script:1.");
    s = "return redis.call('set','a',{})";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR Lua redis lib command arguments must be "
        + "strings or integers script: " + sha(s) + ", on @user_script:1.");
    s = "return redis.call('blpop','nol',0)";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR This Redis command is not allowed from script "
        + "script: " + sha(s) + ", on @user_script:1.");
    s = "return redis.setresp(4)";
    assertThat(r("eval", s, "0")).isEqualTo(
        "-ERR RESP version must be 2 or 3. script: " + sha(s) + ", on @user_script:1.");
    s = "local ok, e = pcall(redis.call, 'incr', KEYS[1]) return e";
    assertThat(r("eval", s, "1", "k")).isEqualTo("ERR value is not an integer or out of range");
  }

  @Test
  void readOnlyScriptsRefuseWrites() {
    String s = "return redis.call('set','a','b')";
    assertThat(r("eval_ro", s, "1", "a")).isEqualTo("-ERR Write commands are not allowed from "
        + "read-only scripts. script: " + sha(s) + ", on @user_script:1.");
    s = "#!lua flags=no-writes\nreturn redis.call('set','a','b')";
    assertThat(r("eval", s, "1", "a")).isEqualTo("-ERR Write commands are not allowed from "
        + "read-only scripts. script: " + sha(s) + ", on @user_script:2.");
    assertThat(r("get", "a")).isEqualTo("(nil)");
    // A shebang without no-writes declares a writer: EVAL_RO refuses it before it runs.
    assertThat(r("eval_ro", "#!lua\nreturn 1", "0"))
        .isEqualTo("-ERR Can not execute a script with write flag using *_ro command.");
    assertThat(r("eval_ro", "#!lua flags=no-writes\nreturn 1", "0")).isEqualTo(":1");
  }

  @Test
  void theGlobalsMetatableIsReadonlyToo() {
    // Shared by every run: a script changing it would change the next ones.
    String s = "getmetatable(_G).__index = nil return 1";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR user_script:1: Attempt to modify a readonly "
        + "table script: " + sha(s) + ", on @user_script:1.");
    s = "return nosuch";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR user_script:1: Script attempted to access "
        + "nonexistent global variable 'nosuch' script: " + sha(s) + ", on @user_script:1.");
  }

  @Test
  void numbersConvertAsCLuaAndX86Do() {
    // Values from redis-server 7.0.15: tonumber is strtod, and (long long) of a double out of
    // range (or NaN) is the smallest long on x86-64.
    String[][] cases = {{"-inf", ":-9223372036854775808", "-inf"}, {" 12 ", ":12", "12"},
        {"0x10", ":16", "16"}, {"1e2", ":100", "100"}, {"nan", ":-9223372036854775808", "nan"},
        {"12abc", "(nil)", "nil"}, {"", "(nil)", "nil"}, {"  ", "(nil)", "nil"},
        {"infinity", ":-9223372036854775808", "inf"},
        {"9223372036854775807", ":-9223372036854775808", "9.2233720368548e+18"},
        {"5e-324", ":0", "4.9406564584125e-324"}, {"0x", "(nil)", "nil"}};
    for (String[] c : cases) {
      assertThat(r("eval", "return tonumber(ARGV[1])", "0", c[0])).as(c[0]).isEqualTo(c[1]);
      assertThat(r("eval", "return tostring(tonumber(ARGV[1]))", "0", c[0])).as(c[0])
          .isEqualTo(c[2]);
    }
    assertThat(r("eval", "return {1e300, -1e300, 0/0, -2.5}", "0"))
        .isEqualTo("[:-9223372036854775808, :-9223372036854775808, :-9223372036854775808, :-2]");
  }

  @Test
  void libraryErrorsInTailCallsNameTheLineAsCLuaDoes() {
    String s = "return cjson.decode(ARGV[1])";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR user_script:1: bad argument #1 to 'decode' "
        + "(string expected, got nil) script: " + sha(s) + ", on @user_script:1.");
    assertThat(r("eval", s, "0", "[1,")).isEqualTo("-ERR user_script:1: Expected value but "
        + "found T_END at character 4 script: " + sha(s) + ", on @user_script:1.");
    s = "return cjson.decode()";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR user_script:1: bad argument #1 to 'decode' "
        + "(expected 1 argument) script: " + sha(s) + ", on @user_script:1.");
    s = "return cjson.decode({})";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR user_script:1: bad argument #1 to 'decode' "
        + "(string expected, got table) script: " + sha(s) + ", on @user_script:1.");
    assertThat(r("eval", "return cjson.decode(5)", "0")).isEqualTo(":5");
    // error(msg, 0) asks for no position, in a tail call too.
    s = "return error('bare', 0)";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR bare script: " + sha(s) + ", on @user_script:1.");
  }

  @Test
  void shebangErrors() {
    assertThat(r("eval", "#!lua flags=bogus\nreturn 1", "0"))
        .isEqualTo("-ERR Unexpected flag in script shebang: bogus");
    assertThat(r("eval", "#!lua name=x\nreturn 1", "0"))
        .isEqualTo("-ERR Unknown lua shebang option: name=x");
    assertThat(r("eval", "#!luax\nreturn 1", "0"))
        .isEqualTo("-ERR Unexpected engine in script shebang: #!luax");
    assertThat(r("eval", "#!lua flags=no-cluster\nreturn 1", "0"))
        .isEqualTo("-ERR Can not run script on cluster, 'no-cluster' flag is set.");
  }

  @Test
  void numkeysErrors() {
    assertThat(r("eval", "return 1", "-1")).isEqualTo("-ERR Number of keys can't be negative");
    assertThat(r("eval", "return 1", "3", "a"))
        .isEqualTo("-ERR Number of keys can't be greater than number of args");
    assertThat(r("eval", "return 1", "x")).isEqualTo("-ERR value is not an integer or out of range");
    assertThat(r("eval", "syntax error here", "0"))
        .startsWith("-ERR Error compiling script (new function): user_script:1:");
  }

  @Test
  void scriptCacheLoadExistsFlushAndEvalsha() {
    String s = "return 'hi'";
    assertThat(r("evalsha", sha(s), "0")).isEqualTo("-NOSCRIPT No matching script. Please use EVAL.");
    assertThat(r("evalsha", "abc", "0")).isEqualTo("-NOSCRIPT No matching script. Please use EVAL.");
    assertThat(r("script", "load", s)).isEqualTo(sha(s));
    assertThat(r("evalsha", sha(s), "0")).isEqualTo("hi");
    assertThat(r("evalsha", sha(s).toUpperCase(), "0")).isEqualTo("hi");
    assertThat(r("evalsha_ro", sha(s), "0")).isEqualTo("hi");
    assertThat(r("script", "exists", sha(s), "nope")).isEqualTo("[:1, :0]");
    assertThat(r("eval", "return 2", "0")).isEqualTo(":2");
    assertThat(r("script", "exists", sha("return 2"))).isEqualTo("[:1]");
    assertThat(r("script", "flush", "bogus")).isEqualTo("-ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    assertThat(r("script", "flush")).isEqualTo("+OK");
    assertThat(r("script", "exists", sha(s), sha("return 2"))).isEqualTo("[:0, :0]");
    assertThat(r("script", "load", "return +")).startsWith("-ERR Error compiling script");
  }

  @Test
  void sandboxAsRedis() {
    assertThat(r("eval", "return _VERSION", "0")).isEqualTo("Lua 5.1");
    assertThat(r("eval", "return redis.REDIS_VERSION", "0")).isEqualTo("7.0.15");
    assertThat(r("eval", "return unpack({1,2})", "0")).isEqualTo(":1");
    assertThat(r("eval", "return loadstring('return 5')()", "0")).isEqualTo(":5");
    assertThat(r("eval", "return redis.sha1hex('')", "0")).isEqualTo("da39a3ee5e6b4b0d3255bfef95601890afd80709");
    assertThat(r("eval", "return cjson.encode({1,2,{a=1}})", "0")).isEqualTo("[1,2,{\"a\":1}]");
    assertThat(r("eval", "return cjson.decode('[1,{\"a\":\"x\"}]')[2].a", "0")).isEqualTo("x");
    assertThat(r("eval", "return bit.band(0xff, 0x0f) + bit.bor(1, 2)", "0")).isEqualTo(":18");
    assertThat(r("eval", "return bit.tohex(255)", "0")).isEqualTo("000000ff");
    assertThat(r("eval", "return tostring(1e15)..' '..tostring(0.1)..' '..tostring(1/3)", "0"))
        .isEqualTo("1e+15 0.1 0.33333333333333");
    for (String g : new String[] {"os", "io", "debug", "dofile", "loadfile", "require", "print"}) {
      assertThat(r("eval", "return " + g, "0")).contains("nonexistent global variable '" + g + "'");
    }
    assertThat(r("eval", "string.upper = nil", "0")).contains("Attempt to modify a readonly table");
    assertThat(r("eval", "rawset(_G, 'x', 1)", "0")).contains("Attempt to modify a readonly table");
    assertThat(r("eval", "return string.upper('a')", "0")).isEqualTo("A");
  }

  @Test
  void mathRandomIsRedisLrand48AndFixedByTheEntry() {
    // Same draws as redis-server 7.0.15 after math.randomseed(7).
    assertThat(r("eval", "math.randomseed(7) return math.random(1000000)", "0")).isEqualTo(":266445");
    String a = r("eval", "redis.call('set', KEYS[1], math.random(1000000)) return redis.call('get', KEYS[1])", "1", "r");
    assertThat(a).matches("\\d+");
  }

  @Test
  void resp3RepliesAndSetresp() {
    r("hset", "h", "f", "v");
    Reply map = raw(true, "eval", "redis.setresp(3) return redis.call('hgetall', KEYS[1])", "1", "h");
    assertThat(map).isInstanceOf(Reply.MapReply.class);
    assertThat(ReplyText.of(map)).isEqualTo("[f, v]");
    assertThat(r("eval", "return redis.call('hgetall', KEYS[1])", "1", "h")).isEqualTo("[f, v]");
    assertThat(raw(true, "eval", "redis.setresp(3) return true", "0")).isEqualTo(new Reply.Bool(true));
    assertThat(raw(true, "eval", "return true", "0")).isEqualTo(Reply.ONE);
    assertThat(raw(true, "eval", "redis.setresp(3) return redis.call('get', 'x{h}') == nil", "1", "h"))
        .isEqualTo(new Reply.Bool(true));
  }

  @Test
  void keysOutsideTheDeclaredSlotAreRefused() {
    String s = "return redis.call('get', 'other')";
    assertThat(r("eval", s, "1", "k")).isEqualTo("-ERR Script attempted to access a non local "
        + "key in a cluster node script: " + sha(s) + ", on @user_script:1.");
    s = "#!lua\nreturn redis.call('get', 'other')";
    assertThat(r("eval", s, "1", "k")).isEqualTo("-ERR Script attempted to access keys that do "
        + "not hash to the same slot script: " + sha(s) + ", on @user_script:2.");
    assertThat(r("eval", "return redis.call('get', 'x{k}')", "1", "k")).isEqualTo("(nil)");
    assertThat(r("eval", "return redis.call('get', 'k')", "0")).contains("non local key");
    assertThat(r("eval", "return redis.call('time')[1] + 0 > 0", "0")).isEqualTo(":1");
  }

  @Test
  void limits() {
    assertThat(r("eval", "local function f(n) return 1 + f(n + 1) end return f(1)", "0"))
        .contains("stack overflow");
    String deep = "local t = {} local c = t for i = 1, 2000 do c[1] = {} c = c[1] end return t";
    assertThat(r("eval", deep, "0")).isEqualTo("-" + LuaReplies.STACK_LIMIT);
    long before = ScriptEngine.applyInstructionLimit;
    ScriptEngine.applyInstructionLimit = 100_000;
    try {
      String loop = "local i = 0 while true do i = i + 1 end";
      assertThat(r("eval", loop, "0")).isEqualTo("-ERR Script exceeded the limit of 100000 Lua "
          + "instructions of a replicated script script: " + sha(loop) + ", on @user_script:1.");
      // A pcall cannot catch it and go on.
      String caught = "pcall(function() while true do end end) return 1";
      assertThat(r("eval", caught, "0")).startsWith("-ERR Script exceeded the limit");
    } finally {
      ScriptEngine.applyInstructionLimit = before;
    }
    String big = "return '" + "x".repeat(ScriptEngine.MAX_SCRIPT_BYTES) + "'";
    assertThat(r("eval", big, "0")).startsWith("-ERR script is too large");
  }

  /** redis.log: Redis's levels and argument checks (texts from redis-server 7.0.15). */
  @Test
  void redisLogWritesAtRedisLevelsAndChecksItsArguments() {
    Logger logger = (Logger) LoggerFactory.getLogger(ScriptEngine.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Level before = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    logger.addAppender(logged);
    try {
      assertThat(r("eval", "redis.log(redis.LOG_WARNING, 'from a script') return 'logged'", "0"))
          .isEqualTo("logged");
      assertThat(r("eval", "return redis.log(redis.LOG_DEBUG, 'x', 1, 2.5)", "0"))
          .isEqualTo("(nil)");
      // Only strings and numbers are logged, after a space from the second argument on (so
      // " a b" here, as Redis logs it); the level is truncated to an integer.
      assertThat(r("eval", "redis.log(redis.LOG_NOTICE, {}, 'a', nil, true, 'b') return 1", "0"))
          .isEqualTo(":1");
      assertThat(r("eval", "redis.log(2.7, 'frac') return 1", "0")).isEqualTo(":1");
      assertThat(r("eval", "redis.log('1', 'numeric string level') return 1", "0"))
          .isEqualTo(":1");
      assertThat(r("eval",
          "return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}", "0"))
          .isEqualTo("[:0, :1, :2, :3]");
      assertThat(logged.list).extracting(e -> e.getLevel() + " " + e.getFormattedMessage())
          .containsExactly("WARN script: from a script", "DEBUG script: x 1 2.5",
              "INFO script:  a b", "INFO script: frac", "INFO script: numeric string level");
    } finally {
      logger.detachAppender(logged);
      logger.setLevel(before);
    }
    String s = "redis.log(redis.LOG_NOTICE)";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR redis.log() requires two arguments or more. "
        + "script: " + sha(s) + ", on @user_script:1.");
    s = "redis.log()";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR redis.log() requires two arguments or more. "
        + "script: " + sha(s) + ", on @user_script:1.");
    s = "redis.log(99, 'x')";
    assertThat(r("eval", s, "0"))
        .isEqualTo("-ERR Invalid debug level. script: " + sha(s) + ", on @user_script:1.");
    s = "redis.log(-1, 'x')";
    assertThat(r("eval", s, "0"))
        .isEqualTo("-ERR Invalid debug level. script: " + sha(s) + ", on @user_script:1.");
    s = "redis.log('x', 'y')";
    assertThat(r("eval", s, "0")).isEqualTo("-ERR First argument must be a number (log level). "
        + "script: " + sha(s) + ", on @user_script:1.");
    assertThat(r("eval", "local ok, e = pcall(redis.log, 99, 'x') return {tostring(ok), e}",
        "0")).isEqualTo("[false, ERR Invalid debug level.]");
  }
}
