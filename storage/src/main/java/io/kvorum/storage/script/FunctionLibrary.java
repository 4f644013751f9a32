package io.kvorum.storage.script;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.number.PrintfFormat;
import io.kvorum.storage.reply.RedisError;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * A FUNCTION library: the name of its {@code #!lua name=…} line, its code and the functions the
 * code registers with {@code redis.register_function}, as Redis 7.0 loads it (functions.c,
 * function_lua.c), errors and their order included.
 *
 * <p>Redis keeps one Lua state whose library code ran once; here a library's code runs again in
 * a fresh sandbox for every FCALL (its functions are closures over that run), so no state
 * survives between calls and every replica computes the same. Loading is pure, so the
 * metadata of a code is cached by its SHA1.
 */
record FunctionLibrary(String name, byte[] code, List<Function> functions) {
  static final String NAME_RULE = "Library names can only contain letters, numbers, or "
      + "underscores(_) and must be at least one character long";
  /** Most Lua instructions a library's code may run while it registers its functions. */
  static final long LOAD_INSTRUCTION_LIMIT = 10_000_000L;
  private static final int CACHE_SIZE = 256;
  private static final Map<String, FunctionLibrary> LOADED =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, FunctionLibrary> e) {
          return size() > CACHE_SIZE;
        }
      };

  /** A registered function: its name as registered, description (null: none) and flags. */
  record Function(String name, String description, Set<ScriptFlag> flags) {}

  /** The shebang line of a library: engine and name, and where the Lua code starts. */
  record Meta(String engine, String name, int bodyOffset) {}

  /** functionExtractLibMetaData, then the name and engine checks of FUNCTION LOAD. */
  static Meta meta(byte[] code) {
    if (code.length < 2 || code[0] != '#' || code[1] != '!') {
      throw new RedisError("ERR Missing library metadata");
    }
    int end = -1;
    for (int i = 0; i < code.length; i++) {
      if (code[i] == '\n') {
        end = i;
        break;
      }
    }
    if (end < 0) {
      throw new RedisError("ERR Invalid library metadata");
    }
    List<String> parts = splitArgs(new String(code, 0, end, StandardCharsets.ISO_8859_1));
    if (parts == null || parts.isEmpty()) {
      throw new RedisError("ERR Invalid library metadata");
    }
    String engine = parts.get(0).length() >= 2 ? parts.get(0).substring(2) : "";
    String name = null;
    for (int i = 1; i < parts.size(); i++) {
      String part = parts.get(i);
      if (part.regionMatches(true, 0, "name=", 0, 5)) {
        if (name != null) {
          throw new RedisError(
              "ERR Invalid metadata value, name argument was given multiple times");
        }
        name = part.substring(5);
        continue;
      }
      throw new RedisError("ERR Invalid metadata value given: " + part);
    }
    if (name == null) {
      throw new RedisError("ERR Library name was not given");
    }
    if (!validName(name)) {
      throw new RedisError("ERR " + NAME_RULE);
    }
    if (!engine.equalsIgnoreCase("lua")) {
      throw new RedisError("ERR Engine '" + engine + "' not found");
    }
    return new Meta(engine, name, end);
  }

  /** Redis's functionsVerifyName: {@code [A-Za-z0-9_]+}. */
  static boolean validName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  /**
   * The library {@code code} defines: parsed, compiled and run to collect its functions, with
   * FUNCTION LOAD's errors. Runs in a sandbox of its own (never the entry's randomness, so a
   * cached load and a fresh one leave the entry's random stream alike).
   */
  static FunctionLibrary load(Keyspace ks, byte[] code) {
    String sha = LuaScript.sha1hex(code);
    synchronized (LOADED) {
      FunctionLibrary lib = LOADED.get(sha);
      if (lib != null) {
        return lib;
      }
    }
    Meta meta = meta(code);
    ScriptRun run = new ScriptRun(new CommandContext(ks, false, new SplittableRandom(0)),
        KeyspaceCommandTable.standard(), script(code, meta, Set.of()), meta.name(), true,
        new byte[0][]);
    ScriptEngine.Sandbox box = ScriptEngine.sandbox(run);
    box.seal();
    List<Function> functions = new ArrayList<>();
    for (Registered r : register(box, code, meta)) {
      functions.add(r.function());
    }
    if (functions.isEmpty()) {
      throw new RedisError("ERR No functions registered");
    }
    FunctionLibrary lib = new FunctionLibrary(meta.name(), code, List.copyOf(functions));
    synchronized (LOADED) {
      LOADED.put(sha, lib);
    }
    return lib;
  }

  /** The library's code as a script (for compiling, and for the rules of its function runs). */
  static LuaScript script(byte[] code, Meta meta, Set<ScriptFlag> flags) {
    return new LuaScript(LuaScript.sha1hex(code), code, true, flags, meta.bodyOffset());
  }

  /** A function the code registered, with its callback bound to the sandbox it ran in. */
  record Registered(Function function, LuaFunction callback) {}

  /**
   * Runs the library's code in {@code box} as FUNCTION LOAD does: while it runs only the load API
   * ({@code redis.register_function}, {@code redis.log}, the version fields) is visible; once
   * it has run, its functions see the sandbox's full globals.
   */
  static List<Registered> register(ScriptEngine.Sandbox box, byte[] code, Meta meta) {
    if (code.length > ScriptEngine.MAX_SCRIPT_BYTES) {
      throw new RedisError("ERR library code is too large (at most "
          + ScriptEngine.MAX_SCRIPT_BYTES + " bytes)");
    }
    Prototype p = ScriptEngine.compile(script(code, meta, Set.of()), "user_function",
        "ERR Error compiling function: ");
    List<Registered> registered = new ArrayList<>();
    boolean[] loading = {true};
    LuaTable loadRedis = new LuaTable();
    loadRedis.rawset("register_function", new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs a) {
        if (!loading[0]) {
          throw RedisApi.raise(
              "redis.register_function can only be called on FUNCTION LOAD command");
        }
        Registered r = readArgs(a);
        for (Registered other : registered) {
          if (other.function().name().equals(r.function().name())) {
            throw RedisApi.raise("Function already exists in the library");
          }
        }
        registered.add(r);
        return NONE;
      }
    });
    LuaValue runtimeRedis = box.globals.rawget("redis");
    for (String field : new String[] {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE",
        "LOG_WARNING", "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
      loadRedis.rawset(field, runtimeRedis.rawget(field));
    }
    LuaTable loadGlobals = new LuaTable();
    loadGlobals.rawset("redis", ReadOnlyTable.copyOf(loadRedis, ScriptEngine.MISSING_GLOBAL));
    LuaValue load = ReadOnlyTable.copyOf(loadGlobals, ScriptEngine.MISSING_GLOBAL);
    LuaTable meta2 = new LuaTable();
    meta2.rawset(LuaValue.INDEX, new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs a) {
        return loading[0] ? load.get(a.arg(2)) : box.globals.get(a.arg(2));
      }
    });
    SandboxGlobals env = box.globals.sharingRunWith(ReadOnlyTable.copyOf(meta2));
    box.guard.limitLoad(LOAD_INSTRUCTION_LIMIT);
    try {
      new LuaClosure(p, env).call();
    } catch (LuaError e) {
      throw new RedisError("ERR Error registering functions: " + ScriptEngine.errorText(e));
    } catch (StackOverflowError e) {
      throw new RedisError("ERR Error registering functions: ERR stack overflow");
    } finally {
      loading[0] = false;
      box.guard.endLoad();
    }
    return registered;
  }

  /** luaRegisterFunctionReadArgs: positional (name, callback) or one table of named arguments. */
  private static Registered readArgs(Varargs a) {
    int argc = a.narg();
    if (argc < 1 || argc > 2) {
      throw RedisApi.raise("wrong number of arguments to redis.register_function");
    }
    String name;
    String desc = null;
    LuaValue callback = null;
    Set<ScriptFlag> flags = EnumSet.noneOf(ScriptFlag.class);
    if (argc == 2) {
      name = string(a.arg1());
      if (name == null) {
        throw RedisApi.raise("first argument to redis.register_function must be a string");
      }
      if (!a.arg(2).isfunction()) {
        throw RedisApi.raise("second argument to redis.register_function must be a function");
      }
      callback = a.arg(2);
    } else {
      if (!a.arg1().istable()) {
        throw RedisApi.raise("calling redis.register_function with a single argument is only "
            + "applicable to Lua table (representing named arguments).");
      }
      name = null;
      LuaValue k = LuaValue.NIL;
      while (true) {
        Varargs n = a.arg1().next(k);
        if ((k = n.arg1()).isnil()) {
          break;
        }
        LuaValue v = n.arg(2);
        if (!k.isstring()) {
          throw RedisApi.raise(
              "named argument key given to redis.register_function is not a string");
        }
        switch (string(k).toLowerCase(Locale.ROOT)) {
          case "function_name" -> {
            if ((name = string(v)) == null) {
              throw RedisApi.raise(
                  "function_name argument given to redis.register_function must be a string");
            }
          }
          case "description" -> {
            if ((desc = string(v)) == null) {
              throw RedisApi.raise(
                  "description argument given to redis.register_function must be a string");
            }
          }
          case "callback" -> {
            if (!v.isfunction()) {
              throw RedisApi.raise(
                  "callback argument given to redis.register_function must be a function");
            }
            callback = v;
          }
          case "flags" -> {
            if (!v.istable()) {
              throw RedisApi.raise("flags argument to redis.register_function must be a table "
                  + "representing function flags");
            }
            for (int j = 1; ; j++) {
              LuaValue f = v.get(j);
              if (f.isnil()) {
                break;
              }
              ScriptFlag flag = f.isstring() ? ScriptFlag.of(string(f).toLowerCase(Locale.ROOT))
                  : null;
              if (flag == null) {
                throw RedisApi.raise("unknown flag given");
              }
              flags.add(flag);
            }
          }
          default -> throw RedisApi.raise("unknown argument given to redis.register_function");
        }
      }
      if (name == null) {
        throw RedisApi.raise("redis.register_function must get a function name argument");
      }
      if (callback == null) {
        throw RedisApi.raise("redis.register_function must get a callback argument");
      }
    }
    if (!validName(name)) {
      throw RedisApi.raise(NAME_RULE);
    }
    return new Registered(new Function(name, desc, Set.copyOf(flags)), (LuaFunction) callback);
  }

  /** lua_tolstring: a string, or a number in Lua's {@code %.14g}; null for anything else. */
  private static String string(LuaValue v) {
    if (v.type() == LuaValue.TNUMBER) {
      return PrintfFormat.g(v.todouble(), 14);
    }
    if (v.type() == LuaValue.TSTRING) {
      return new String(LuaReplies.bytes(v.checkstring()), StandardCharsets.ISO_8859_1);
    }
    return null;
  }

  /** Redis's sdssplitargs of the shebang line; null for unbalanced quotes. */
  static List<String> splitArgs(String line) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = line.length();
    while (true) {
      while (i < n && Character.isWhitespace(line.charAt(i))) {
        i++;
      }
      if (i >= n) {
        return out;
      }
      ByteArrayOutputStream cur = new ByteArrayOutputStream();
      boolean inDq = false;
      boolean inSq = false;
      while (true) {
        if (i >= n) {
          if (inDq || inSq) {
            return null;
          }
          break;
        }
        char c = line.charAt(i);
        if (inDq) {
          if (c == '\\' && i + 1 < n) {
            char e = line.charAt(++i);
            cur.write(switch (e) {
              case 'n' -> '\n';
              case 'r' -> '\r';
              case 't' -> '\t';
              case 'b' -> '\b';
              case 'a' -> 7;
              default -> e;
            });
          } else if (c == '"') {
            if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
              return null;
            }
            inDq = false;
            i++;
            break;
          } else {
            cur.write(c);
          }
        } else if (inSq) {
          if (c == '\\' && i + 1 < n && line.charAt(i + 1) == '\'') {
            cur.write('\'');
            i++;
          } else if (c == '\'') {
            if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
              return null;
            }
            inSq = false;
            i++;
            break;
          } else {
            cur.write(c);
          }
        } else if (Character.isWhitespace(c)) {
          break;
        } else if (c == '"') {
          inDq = true;
        } else if (c == '\'') {
          inSq = true;
        } else {
          cur.write(c);
        }
        i++;
      }
      out.add(cur.toString(StandardCharsets.ISO_8859_1));
    }
  }
}
