package io.kvorum.it.differential;

import io.kvorum.it.differential.CommandGenerator.Family;
import io.kvorum.it.differential.CommandGenerator.Template;
import java.util.ArrayList;
import java.util.List;

/**
 * EVAL / EVAL_RO / EVALSHA / SCRIPT and FUNCTION / FCALL for the differential test: scripts
 * returning every Lua type, redis.call and redis.pcall errors, error_reply and status_reply,
 * cjson round trips, bit operations, redis.log (levels and argument errors), KEYS and ARGV, RESP3
 * replies inside scripts.
 *
 * <p>What the generator leaves out, on purpose: scripts touching keys they did not declare in
 * another slot (Redis's one-node cluster serves every slot, Kvorum's slot groups do not),
 * math.random and TIME (random and time-dependent on both servers), syntax errors and Lua's own
 * runtime messages (LuaJ words them its own way), EVALSHA of a script only EVAL'd and SCRIPT
 * EXISTS of it (Kvorum caches an EVAL'd script in the slot group it ran in only), FUNCTION LOAD
 * without REPLACE of a library already loaded (Kvorum accepts the same code again, see the
 * README) and FUNCTION LIST of several libraries or functions (Redis lists them in hash order).
 */
final class ScriptingTemplates {

  private ScriptingTemplates() {
  }

  /** Scripts run with one or two keys of one slot and a few values as ARGV. */
  static final String[] SCRIPTS = {
      "return 1",
      "return -3.7",
      "return 3.99",
      "return 'hello'",
      "return true",
      "return false",
      "return nil",
      "return {1, 'two', 3.9, true, false, nil, 'after'}",
      "return {1, {2, {3, {'x'}}}, 'y'}",
      "return {1.5, -2.5, {}}",
      "local t = {} t[1] = 'a' t[2] = 'b' t[4] = 'd' return t",
      "return {err='My Error'}",
      "return {err='WRONGTYPE fake'}",
      "return {ok='fine'}",
      "return {ok='two\\r\\nlines'}",
      "return redis.error_reply('custom failure')",
      "return redis.error_reply('MYCODE with code')",
      "return redis.error_reply('-DASH code')",
      "return redis.status_reply('ALLGOOD')",
      "return redis.call('SET', KEYS[1], ARGV[1])",
      "return redis.call('GET', KEYS[1])",
      "return redis.call('INCR', KEYS[1])",
      "return redis.pcall('INCR', KEYS[1])",
      "local r = redis.pcall('INCR', KEYS[1]) if type(r) == 'table' and r.err then return 'caught: ' .. r.err end return r",
      "return redis.call('nosuchcmd', KEYS[1])",
      "return redis.pcall('nosuchcmd')",
      "return redis.call('GET')",
      "return redis.pcall('GET')",
      "return redis.call('SET', KEYS[1])",
      "return redis.call('HSET', KEYS[1], 'f', ARGV[1])",
      "return redis.call('HGETALL', KEYS[1])",
      "redis.setresp(3) return redis.call('HGETALL', KEYS[1])",
      "redis.setresp(3) local m = redis.call('HGETALL', KEYS[1]) return type(m)",
      "return redis.call('ZADD', KEYS[1], ARGV[1], 'm')",
      "return redis.call('ZSCORE', KEYS[1], 'm')",
      "redis.setresp(3) return redis.call('ZSCORE', KEYS[1], 'm')",
      "redis.setresp(3) local s = redis.call('ZSCORE', KEYS[1], 'm') if type(s) == 'table' then return tostring(s.double) end return s",
      "return redis.call('LPUSH', KEYS[1], ARGV[1], ARGV[1]), redis.call('LRANGE', KEYS[1], 0, -1)",
      "return redis.call('LRANGE', KEYS[1], 0, -1)",
      "return redis.call('SADD', KEYS[1], ARGV[1])",
      "return redis.call('SMEMBERS', KEYS[1])",
      "return redis.call('TYPE', KEYS[1])",
      "return redis.call('DEL', KEYS[1])",
      "return redis.call('EXISTS', KEYS[1], KEYS[2] or KEYS[1])",
      "return redis.call('GETDEL', KEYS[1])",
      "return type(redis.call('GET', KEYS[1]))",
      "return redis.call('PING')",
      "return redis.call('ECHO', ARGV[1] or 'none')",
      "return redis.call('INCRBYFLOAT', KEYS[1], 1.5)",
      "return redis.call('SET', KEYS[1], 12345678901234)",
      "return redis.call('SET', KEYS[1], 0.1)",
      "return redis.call('SET', KEYS[1], true)",
      "return redis.call('APPEND', KEYS[1], ARGV[1]) + 0.5",
      "return cjson.encode({1, 2, 'three', {a=1}, {}})",
      "return cjson.encode({x={y={z='deep'}}})",
      "return cjson.encode(cjson.decode(ARGV[1]))",
      "return cjson.decode(ARGV[1])",
      "return cjson.decode('[1,2,3,\"x\",true,null]')",
      "return cjson.encode('quote\" slash/ \\n tab\\t')",
      "return cjson.encode(3.25)",
      "return {bit.band(0xFF, 0x0F), bit.bor(1, 2), bit.bxor(5, 3), bit.lshift(1, 10)}",
      "return {bit.rshift(-1, 28), bit.arshift(-256, 4), bit.bnot(0), bit.rol(1, 33), bit.ror(1, 1)}",
      "return {bit.tohex(255), bit.tohex(-1, 4), bit.tobit(4294967297), bit.bswap(1)}",
      "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}",
      "return redis.sha1hex(ARGV[1] or '')",
      "return tostring(12.5) .. ' ' .. tostring(1e15) .. ' ' .. tostring(-0.1) .. ' ' .. tostring(1/3)",
      "return {tonumber('0x10'), tonumber('  12  '), tonumber('1e2'), tonumber('z', 36)}",
      "return tonumber(ARGV[1])",
      "return string.format('%d-%s-%x', 42, 'x', 255)",
      "return table.concat({'a', 'b', 'c'}, ',')",
      "return select('#', 1, nil, 3)",
      "return {unpack({1, 2, 3})}",
      "return string.rep('ab', 3) .. string.upper('x') .. string.sub('hello', 2, 3)",
      "return {math.floor(-3.5), math.ceil(3.2), math.abs(-4), math.max(1, 9, 3), math.fmod(7, 3)}",
      "return {string.byte('A'), string.char(72, 105), string.len(ARGV[1] or '')}",
      "return {string.find('hello world', 'o w'), string.match('key:42', '%d+')}",
      "return string.gsub('hello', 'l', 'L')",
      "return #KEYS[1]",
      "error('plain error')",
      "error({err='ERR table error'})",
      "error({err='CUSTOM table error'})",
      "return undefined_fn()",
      "undefined_global = 1",
      "local t = {} t.x = 1 return t.x",
      "return redis.REDIS_VERSION",
      "return redis.call('GET', KEYS[1]) == false",
      "local ok, e = pcall(function() return redis.call('nosuch') end) return {tostring(ok), e}",
      "local ok, e = pcall(function() error({err='X inner'}) end) return e",
      "return redis.status_reply(redis.call('SET', KEYS[1], 'v').ok)",
      "return redis.call('GET', KEYS[1]) or 'missing'",
      "return {redis.call('MGET', KEYS[1], KEYS[2] or KEYS[1])}",
      "#!lua flags=no-writes\nreturn redis.call('GET', KEYS[1])",
      "#!lua flags=no-writes\nreturn redis.call('SET', KEYS[1], 'x')",
      "#!lua\nreturn redis.call('SET', KEYS[1], 'x')",
      "#!lua flags=allow-oom,allow-stale\nreturn 'flags ok'",
      "#!lua flags=no-cluster\nreturn 1",
      "#!lua flags=bogus\nreturn 1",
      "#!lua name=x\nreturn 1",
      "#!luajit\nreturn 1",
      "redis.log(redis.LOG_WARNING, 'from a script') return 'logged'",
      "return redis.log(redis.LOG_DEBUG, ARGV[1] or 'x', 1, 2.5)",
      "redis.log(redis.LOG_NOTICE, {}, 'a', nil, true) return redis.LOG_VERBOSE",
      "redis.log(2.7, 'truncated level') return 1",
      "redis.log(redis.LOG_NOTICE)",
      "redis.log()",
      "redis.log(99, 'x')",
      "redis.log(-1, 'x')",
      "redis.log('x', 'y')",
      "local ok, e = pcall(redis.log, 99, 'x') return {tostring(ok), e}",
  };

  /** JSON texts for cjson round trips (ARGV[1] of some scripts). */
  static final String[] JSON = {
      "[1,2,3]", "{\"a\":[1,2,{\"b\":null}]}", "\"str\"", "3.5", "true", "[]", "{}", "[[[]]]",
      "{\"k\":\"v\"}", "bad json", "[1,", "1e5", "\"\\u00e9\"", "[true,false,null]",
  };

  /** A function library: every function reads or writes its first key. */
  static final String LIBRARY = "#!lua name=difflib\n"
      + "redis.register_function('dset', function(keys, args) return redis.call('SET', keys[1], args[1]) end)\n"
      + "redis.register_function{function_name='dget', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}\n"
      + "redis.register_function('dlist', function(keys, args) return {keys[1], args[1], #keys, #args} end)\n"
      + "redis.register_function('derr', function(keys) return redis.call('INCR', keys[1]) end)\n"
      + "redis.register_function{function_name='dro', callback=function(keys) return redis.call('DEL', keys[1]) end, flags={'no-writes'}}\n";
  private static final String[] FUNCTIONS = {"dset", "dget", "dlist", "derr", "dro", "DGET", "nofn"};

  static void addTo(List<Template> t) {
    Family s = Family.SCRIPTING;
    t.add(new Template(s, 12, g -> eval(g, g.name("EVAL"))));
    t.add(new Template(s, 3, g -> eval(g, g.name("EVAL_RO"))));
    t.add(new Template(s, 3, ScriptingTemplates::evalsha));
    t.add(new Template(s, 1, g -> g.cmd("EVALSHA", g.pick("ffffffffffffffffffffffffffffffffffffffff", "abc", ""), "0")));
    t.add(new Template(s, 1, g -> g.cmd("EVAL", "return 1", g.pick("abc", "-1", "3", "1.5", ""))));
    t.add(new Template(s, 0.5, g -> g.cmd("SCRIPT", g.name("FLUSH"))));
    t.add(new Template(s, 1, g -> g.cmd("SCRIPT", g.name("EXISTS"), "ffffffffffffffffffffffffffffffffffffffff")));
    t.add(new Template(s, 1.5, ScriptingTemplates::fcall));
    t.add(new Template(s, 0.5, g -> g.cmd("FUNCTION", g.name("DELETE"), g.pick("difflib", "nolib"))));
    t.add(new Template(s, 0.3, g -> g.cmd("FUNCTION", g.name("FLUSH"))));
    t.add(new Template(s, 0.5, g -> g.cmd("FUNCTION", g.name("STATS"))));
  }

  /** Keys for a script: usually one or two of one slot, sometimes across slots (CROSSSLOT). */
  private static List<String> keys(CommandGenerator g) {
    List<String> keys = new ArrayList<>();
    int n = g.chance(0.1) ? 0 : g.chance(0.7) ? 1 : 2;
    for (int i = 0; i < n; i++) {
      keys.add(g.pick(CommandGenerator.TAG_T));
    }
    if (g.chance(0.03)) {
      keys.add(g.pick(CommandGenerator.TAG_U));
    }
    return keys;
  }

  private static List<String> argv(CommandGenerator g, String script) {
    List<String> args = new ArrayList<>();
    int n = g.random.nextInt(3);
    for (int i = 0; i < n; i++) {
      args.add(script.contains("cjson") && i == 0 ? g.pick(JSON) : g.value());
    }
    return args;
  }

  private static GeneratedCommand eval(CommandGenerator g, String name) {
    String script = g.pick(SCRIPTS);
    return invoke(g, name, script);
  }

  private static GeneratedCommand invoke(CommandGenerator g, String name, String scriptOrSha) {
    List<String> keys = keys(g);
    if (keys.isEmpty() && scriptOrSha.contains("KEYS[1]")) {
      keys.add(g.pick(CommandGenerator.TAG_T)); // keyless runs may not touch keys in a cluster
    }
    List<String> args = new ArrayList<>(List.of(name, scriptOrSha, String.valueOf(keys.size())));
    args.addAll(keys);
    args.addAll(argv(g, scriptOrSha));
    return new GeneratedCommand(args, checkFor(scriptOrSha));
  }

  /**
   * A script handing back HGETALL or SMEMBERS as they came: Redis leaves their order
   * unspecified, as when they are called directly.
   */
  private static Check checkFor(String script) {
    if (script.contains("return redis.call('HGETALL'")) {
      return Check.UNORDERED_PAIRS;
    }
    if (script.contains("return redis.call('SMEMBERS'")) {
      return Check.UNORDERED;
    }
    return Check.EXACT;
  }

  /** SCRIPT LOAD of a script (every slot group has it then), followed by EVALSHA of it. */
  private static GeneratedCommand evalsha(CommandGenerator g) {
    String script = g.pick(SCRIPTS);
    String sha = sha1(script);
    GeneratedCommand call = invoke(g, g.name(g.pick("EVALSHA", "EVALSHA_RO")), script);
    List<String> args = new ArrayList<>(call.args());
    args.set(1, g.chance(0.8) ? sha : sha.toUpperCase(java.util.Locale.ROOT));
    g.followUp(new GeneratedCommand(args, checkFor(script)));
    if (g.chance(0.3)) {
      g.followUp(g.cmd("SCRIPT", g.name("EXISTS"), sha, "0000000000000000000000000000000000000000"));
    }
    return g.cmd("SCRIPT", g.name("LOAD"), script);
  }

  /** FUNCTION LOAD REPLACE of the library, then an FCALL or FCALL_RO of one of its functions. */
  private static GeneratedCommand fcall(CommandGenerator g) {
    String fn = g.pick(FUNCTIONS);
    List<String> keys = new ArrayList<>(List.of(g.pick(CommandGenerator.TAG_T)));
    if (g.chance(0.1)) {
      keys.add(g.pick(CommandGenerator.TAG_U));
    }
    List<String> args = new ArrayList<>(List.of(g.name(g.pick("FCALL", "FCALL_RO")), fn,
        String.valueOf(keys.size())));
    args.addAll(keys);
    args.addAll(argv(g, ""));
    g.followUp(new GeneratedCommand(args, Check.EXACT));
    return g.cmd("FUNCTION", g.name("LOAD"), g.name("REPLACE"), LIBRARY);
  }

  private static String sha1(String script) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-1")
          .digest(script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder();
      for (byte b : d) {
        sb.append(String.format("%02x", b));
      }
      return sb.toString();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
