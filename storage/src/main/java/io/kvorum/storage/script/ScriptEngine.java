package io.kvorum.storage.script;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommandTable;
import io.kvorum.storage.number.PrintfFormat;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.BaseLib;
import org.luaj.vm2.lib.CoroutineLib;
import org.luaj.vm2.lib.DebugLib;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;
import org.luaj.vm2.lib.jse.JseMathLib;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Lua scripts as Redis 7.0 does, in a sandbox built fresh for every run (so no state leaks
 * between runs and replicas stay identical): Redis's globals (redis.*, string, table, math, bit,
 * coroutine, the Lua 5.1 base functions), all of them readonly; no os, io, debug, dofile,
 * loadfile, print or require. Compiled scripts are cached by SHA1.
 */
public final class ScriptEngine {
  private static final Logger LOG = LoggerFactory.getLogger(ScriptEngine.class);
  /** REDIS_VERSION and REDIS_VERSION_NUM as Redis 7.0.15 reports them. */
  static final String REDIS_VERSION = "7.0.15";
  static final int REDIS_VERSION_NUM = 0x0007000f;
  /** Deepest nesting of Lua function calls; deeper recursion fails with "stack overflow". */
  public static final int MAX_CALL_DEPTH = 200;
  /**
   * Most Lua instructions a script run inside a log entry may execute. A replicated script
   * cannot be killed on one replica alone, so the bound must be a count (the same on every
   * replica), never a time. About ten seconds of work.
   */
  public static final long APPLY_INSTRUCTION_LIMIT = 500_000_000L;
  /** The limit in force (tests lower it). */
  static volatile long applyInstructionLimit = APPLY_INSTRUCTION_LIMIT;
  /** Largest script body accepted (EVAL, SCRIPT LOAD), with Redis's style of error. */
  public static final int MAX_SCRIPT_BYTES = 4 * 1024 * 1024;
  private static final int CACHE_SIZE = 1024;
  private static final Pattern FILELINE =
      Pattern.compile("^@?([^\\s:]*):(\\d+|\\?) (.*)$", Pattern.DOTALL);
  private static final Map<String, Prototype> COMPILED =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Prototype> e) {
          return size() > CACHE_SIZE;
        }
      };

  /** Library tables without per-run state, shared (readonly) by every run. */
  private static final LuaTable STRING;
  private static final LuaTable TABLE;
  private static final LuaTable BIT;

  static {
    Globals g = new Globals();
    g.load(new BaseLib());
    g.load(new PackageLib());
    g.load(new StringLib());
    g.load(new TableLib());
    STRING = ReadOnlyTable.copyOf((LuaTable) g.rawget("string"));
    LuaTable tableLib = (LuaTable) g.rawget("table");
    // Lua 5.1's table.getn/maxn/foreach/foreachi and the global unpack.
    tableLib.rawset("getn", new OneArgFunction() {
      @Override
      public LuaValue call(LuaValue t) {
        return LuaValue.valueOf(t.checktable().length());
      }
    });
    tableLib.rawset("maxn", new OneArgFunction() {
      @Override
      public LuaValue call(LuaValue t) {
        double max = 0;
        LuaValue k = LuaValue.NIL;
        while (true) {
          Varargs n = t.checktable().next(k);
          if ((k = n.arg1()).isnil()) {
            break;
          }
          if (k.type() == LuaValue.TNUMBER && k.todouble() > max) {
            max = k.todouble();
          }
        }
        return LuaValue.valueOf(max);
      }
    });
    TABLE = ReadOnlyTable.copyOf(tableLib);
    BIT = ReadOnlyTable.copyOf(BitLib.create());
    LuaTable stringMeta = new LuaTable();
    stringMeta.rawset(LuaValue.INDEX, STRING);
    LuaString.s_metatable = ReadOnlyTable.copyOf(stringMeta);
  }

  /**
   * The metatable of Redis's protected globals: reading an undefined name is an error. Shared by
   * every run, hence readonly (getmetatable(_G) hands it to scripts).
   */
  static final LuaTable MISSING_GLOBAL;

  static {
    LuaTable meta = new LuaTable();
    meta.rawset(LuaValue.INDEX, new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs a) {
        throw new LuaError("Script attempted to access nonexistent global variable '"
            + a.arg(2).tojstring() + "'");
      }
    });
    MISSING_GLOBAL = ReadOnlyTable.copyOf(meta);
  }

  private ScriptEngine() {}

  private static final java.lang.reflect.Field ERROR_LEVEL;
  private static final java.lang.reflect.Field ERROR_FILELINE;

  static {
    try {
      ERROR_LEVEL = LuaError.class.getDeclaredField("level");
      ERROR_LEVEL.setAccessible(true);
      ERROR_FILELINE = LuaError.class.getDeclaredField("fileline");
      ERROR_FILELINE.setAccessible(true);
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException("LuaJ 3.0.1's LuaError has level and fileline", e);
    }
  }

  /**
   * Whether Lua would have prefixed the error's message with a position (level above 0, as
   * error(msg) and library errors are; error(msg, 0) is not) although LuaJ did not.
   */
  static boolean positioned(LuaError e) {
    try {
      return ERROR_LEVEL.getInt(e) > 0 && ERROR_FILELINE.get(e) == null;
    } catch (IllegalAccessException ex) {
      return false;
    }
  }

  /**
   * The text Redis reports for an error a script raised: the {@code err} field of an error
   * table, or {@code ERR} and Lua's message in Lua 5.1's {@code source:line: text} form.
   */
  static String errorText(LuaError e) {
    LuaValue obj = e.getMessageObject();
    if (obj != null && obj.istable()) {
      LuaValue err = obj.rawget("err");
      return err.isstring() ? err.tojstring() : "ERR unknown error";
    }
    String text = obj == null ? "execution failure" : obj.tojstring();
    Matcher m = FILELINE.matcher(text);
    if (m.matches()) {
      text = m.group(1) + ":" + m.group(2) + ": " + m.group(3);
    }
    return "ERR " + text;
  }

  /** The compiled body of {@code script}; Redis's compile error otherwise. */
  static Prototype compile(LuaScript script, String chunk, String errorPrefix) {
    synchronized (COMPILED) {
      Prototype p = COMPILED.get(chunk + script.sha());
      if (p != null) {
        return p;
      }
    }
    byte[] body = script.body();
    Prototype p;
    try {
      p = LuaC.instance.compile(new ByteArrayInputStream(body, script.bodyOffset(),
          body.length - script.bodyOffset()), "@" + chunk);
    } catch (LuaError e) {
      throw new RedisError(errorPrefix + e.getMessage());
    } catch (IOException e) {
      throw new RedisError(errorPrefix + e.getMessage());
    }
    synchronized (COMPILED) {
      COMPILED.put(chunk + script.sha(), p);
    }
    return p;
  }

  /** Compiles an EVAL script, with Redis's error for a script that does not compile. */
  public static Prototype compileEval(LuaScript script) {
    if (script.body().length > MAX_SCRIPT_BYTES) {
      throw new RedisError("ERR script is too large (at most " + MAX_SCRIPT_BYTES + " bytes)");
    }
    return compile(script, "user_script", "ERR Error compiling script (new function): ");
  }

  /**
   * EVAL / EVALSHA / EVAL_RO / EVALSHA_RO of a parsed script with its declared keys and
   * arguments.
   */
  public static Reply eval(CommandContext ctx, KeyspaceCommandTable table, LuaScript script,
      byte[][] keys, byte[][] args, boolean roCommand) {
    Prototype p = compileEval(script);
    ScriptRun run = new ScriptRun(ctx, table, script, script.sha(),
        roCommand || script.noWrites(), keys);
    Sandbox box = sandbox(run);
    box.globals.rawset("KEYS", array(keys));
    box.globals.rawset("ARGV", array(args));
    box.seal();
    return box.run(new LuaClosure(p, box.globals), "@user_script", LuaValue.NONE);
  }

  /**
   * FCALL / FCALL_RO of function {@code fn} of {@code lib}: the library's code runs in a fresh
   * sandbox to register its functions, then the function's callback runs with the keys and
   * arguments as its two parameters (functions have no KEYS or ARGV globals).
   */
  static Reply fcall(CommandContext ctx, KeyspaceCommandTable table, FunctionLibrary lib,
      FunctionLibrary.Function fn, byte[][] keys, byte[][] args, boolean roCommand) {
    FunctionLibrary.Meta meta = FunctionLibrary.meta(lib.code());
    ScriptRun run = new ScriptRun(ctx, table, FunctionLibrary.script(lib.code(), meta, fn.flags()),
        fn.name(), roCommand || fn.flags().contains(ScriptFlag.NO_WRITES), keys);
    Sandbox box = sandbox(run);
    box.seal();
    LuaFunction callback = null;
    try {
      for (FunctionLibrary.Registered r : FunctionLibrary.register(box, lib.code(), meta)) {
        if (r.function().name().equals(fn.name())) {
          callback = r.callback();
        }
      }
    } catch (RedisError e) {
      return e.reply();
    }
    if (callback == null) {
      return Reply.error("ERR Function not found");
    }
    return box.run(callback, "@user_function", LuaValue.varargsOf(array(keys), array(args)));
  }

  static LuaTable array(byte[][] items) {
    LuaTable t = new LuaTable(items.length, 0);
    for (int i = 0; i < items.length; i++) {
      t.rawset(i + 1, LuaString.valueOf(items[i]));
    }
    return t;
  }

  /** A sandbox for {@code run}: unsealed, so the caller can add KEYS/ARGV or library state. */
  static Sandbox sandbox(ScriptRun run) {
    SandboxGlobals g = new SandboxGlobals();
    g.load(new BaseLib());
    g.load(new PackageLib());
    g.load(new JseMathLib());
    g.load(new CoroutineLib());
    LuaC.install(g);
    Guard guard = new Guard(run);
    g.load(guard);
    for (String removed : new String[] {"dofile", "loadfile", "print", "debug", "require",
        "module", "package", "rawlen"}) {
      g.rawset(removed, LuaValue.NIL);
    }
    g.rawset("string", STRING);
    g.rawset("table", TABLE);
    g.rawset("bit", BIT);
    g.rawset("cjson", Cjson.TABLE);
    g.rawset("_VERSION", LuaValue.valueOf("Lua 5.1"));
    g.rawset("unpack", TABLE.rawget("unpack"));
    LuaValue load = g.rawget("load");
    g.rawset("loadstring", new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs a) {
        return load.invoke(varargsOf(a.checkstring(1), a.optvalue(2, a.arg1()), valueOf("t")));
      }
    });
    LuaValue tonumber = g.rawget("tonumber");
    g.rawset("tonumber", new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs a) {
        // Lua 5.1 reads base-10 strings with C's strtod (inf, nan, hex, spaces around).
        if (a.arg1().type() == TSTRING && (a.isnoneornil(2) || a.arg(2).eq_b(valueOf(10)))) {
          return LuaReplies.str2d(LuaReplies.bytes(a.arg1().checkstring()));
        }
        return tonumber.invoke(a);
      }
    });
    LuaValue tostring = g.rawget("tostring");
    g.rawset("tostring", new OneArgFunction() {
      @Override
      public LuaValue call(LuaValue v) {
        // Lua 5.1 prints numbers with "%.14g"; LuaJ's own spelling differs.
        return v.type() == TNUMBER ? valueOf(PrintfFormat.g(v.todouble(), 14)) : tostring.call(v);
      }
    });
    // Never a JVM-wide garbage collection on behalf of a script.
    g.rawset("collectgarbage", new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs a) {
        String opt = a.optjstring(1, "collect");
        return opt.equals("count") ? valueOf(Runtime.getRuntime().totalMemory() / 1024.0) : ZERO;
      }
    });
    g.rawset("gcinfo", new ZeroArgFunction() {
      @Override
      public LuaValue call() {
        return valueOf((int) (Runtime.getRuntime().totalMemory() / 1024));
      }
    });
    LuaTable math = (LuaTable) g.rawget("math");
    math.rawset("random", new MathRandom(run));
    math.rawset("randomseed", new OneArgFunction() {
      @Override
      public LuaValue call(LuaValue seed) {
        run.random.seed(seed.checkint());
        return NONE;
      }
    });
    math.rawset("mod", math.rawget("fmod"));
    g.rawset("math", ReadOnlyTable.copyOf(math));
    g.rawset("coroutine", ReadOnlyTable.copyOf((LuaTable) g.rawget("coroutine")));
    g.rawset("redis", ReadOnlyTable.copyOf(RedisApi.create(run)));
    LuaValue pcall = g.rawget("pcall");
    g.rawset("pcall", new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs a) {
        // Redis 7.0's pcall hands an {err=…} error table to the script as its message.
        Varargs r = pcall.invoke(a);
        if (!r.arg1().toboolean() && r.arg(2).istable()) {
          LuaValue err = r.arg(2).rawget("err");
          if (err.isstring()) {
            return varargsOf(FALSE, err);
          }
        }
        return r;
      }
    });
    g.setmetatable(MISSING_GLOBAL);
    return new Sandbox(g, run, guard);
  }

  /** A prepared sandbox: its globals, the run it serves and the guard counting instructions. */
  static final class Sandbox {
    final SandboxGlobals globals;
    final ScriptRun run;
    final Guard guard;

    Sandbox(SandboxGlobals globals, ScriptRun run, Guard guard) {
      this.globals = globals;
      this.run = run;
      this.guard = guard;
    }

    void seal() {
      globals.seal();
      globals.running.errorfunc = new OneArgFunction() {
        @Override
        public LuaValue call(LuaValue msg) {
          // "@user_script:3 text" (LuaJ) becomes Lua 5.1's "user_script:3: text"; the line
          // is kept for the error reply's "on @user_script:3".
          Matcher m = FILELINE.matcher(msg.tojstring());
          if (!m.matches()) {
            return msg;
          }
          guard.errorLine = m.group(2);
          return valueOf(m.group(1) + ":" + m.group(2) + ": " + m.group(3));
        }
      };
    }

    /** Calls {@code f} and converts its result or error into the client's reply. */
    Reply run(LuaFunction f, String source, Varargs args) {
      RunningScripts.Running running =
          RunningScripts.started(run, source.equals("@user_function"));
      try {
        LuaValue result = f.invoke(args).arg1();
        return LuaReplies.toReply(result, run.resp3);
      } catch (LuaError e) {
        return errorReply(e, source);
      } catch (StackOverflowError e) {
        return Reply.error("ERR Error running script " + run.name + ", stack overflow");
      } finally {
        RunningScripts.finished(running);
      }
    }

    private Reply errorReply(LuaError e, String source) {
      LuaValue obj = e.getMessageObject();
      String msg;
      if (obj != null && obj.istable()) {
        LuaValue err = obj.rawget("err");
        msg = err.isstring() ? err.tojstring() : "ERR unknown error";
      } else {
        String text = obj == null ? "execution failure" : obj.tojstring();
        Matcher m = FILELINE.matcher(text);
        if (m.matches()) {
          guard.errorLine = m.group(2);
          text = m.group(1) + ":" + m.group(2) + ": " + m.group(3);
        } else if (obj != null && positioned(e) && guard.lastLine() != null) {
          // Raised by a library function called in tail position ("return cjson.decode(x)"):
          // LuaJ has left the caller's frame, C Lua still names its line.
          text = source.substring(1) + ":" + guard.lastLine() + ": " + text;
        }
        msg = "ERR " + text;
      }
      String line = guard.errorLine != null ? guard.errorLine : guard.lastLine();
      if (line != null) {
        msg = msg + " script: " + run.name + ", on " + source + ":" + line + ".";
      }
      return Reply.error(msg);
    }
  }

  /**
   * Watches every instruction of a run: stops it when killed or over its instruction budget,
   * and bounds the call depth so deep recursion fails the same way on every replica.
   */
  static final class Guard extends DebugLib {
    private final ScriptRun run;
    private final long limit;
    private long count;
    private int depth;
    private boolean stopped;
    String errorLine;
    /** The functions being run, innermost last, and the last instruction executed. */
    private final java.util.ArrayDeque<Object> frames = new java.util.ArrayDeque<>();
    private static final Object JAVA_FRAME = new Object();
    private Prototype lastProto;
    private int lastPc;

    /** While a library's code registers its functions: the count it may not pass. */
    private long loadLimit = Long.MAX_VALUE;

    /** Bounds the next {@code n} instructions, as Redis bounds FUNCTION LOAD by a timeout. */
    void limitLoad(long n) {
      loadLimit = count + n;
    }

    void endLoad() {
      loadLimit = Long.MAX_VALUE;
      stopped = false;
    }

    Guard(ScriptRun run) {
      this.run = run;
      this.limit = run.ctx.keyspace().writable() ? applyInstructionLimit : Long.MAX_VALUE;
    }

    @Override
    public void onInstruction(int pc, Varargs v, int top) {
      if (frames.peekLast() instanceof LuaClosure current) {
        lastProto = current.p;
        lastPc = pc;
      }
      if ((++count & 0x3FF) != 0 && !stopped) {
        return;
      }
      if (run.killed() || stopped) {
        // Stays stopped: a pcall cannot catch the kill and go on.
        stopped = true;
        run.checkKilled();
      }
      if (count > loadLimit) {
        stopped = true;
        throw new LuaError(LuaReplies.errorTable("FUNCTION LOAD timeout"));
      }
      if (count > limit) {
        stopped = true;
        throw new LuaError(LuaReplies.errorTable("Script exceeded the limit of " + limit
            + " Lua instructions of a replicated script"));
      }
    }

    @Override
    public void onCall(LuaFunction f) {
      enter();
      frames.addLast(JAVA_FRAME);
    }

    @Override
    public void onCall(LuaClosure c, Varargs varargs, LuaValue[] stack) {
      enter();
      frames.addLast(c);
    }

    /**
     * The line of the last instruction run: where a tail call ({@code return redis.call(…)})
     * failed, since LuaJ leaves the caller's frame before running it.
     */
    String lastLine() {
      if (lastProto == null || lastProto.lineinfo == null || lastPc >= lastProto.lineinfo.length) {
        return null;
      }
      return Integer.toString(lastProto.lineinfo[lastPc]);
    }

    private void enter() {
      if (++depth > MAX_CALL_DEPTH) {
        depth--;
        throw new LuaError("stack overflow");
      }
    }

    @Override
    public void onReturn() {
      depth--;
      frames.pollLast();
    }
  }

  /** Redis's math.random (the Lua 5.1 algorithm on {@link Lrand48}). */
  private static final class MathRandom extends VarArgFunction {
    private final ScriptRun run;

    MathRandom(ScriptRun run) {
      this.run = run;
      this.name = "random";
    }

    @Override
    public Varargs invoke(Varargs a) {
      double r = (double) (run.random.next() % Lrand48.MAX) / (double) Lrand48.MAX;
      switch (a.narg()) {
        case 0:
          return valueOf(r);
        case 1: {
          int u = a.checkint(1);
          if (u < 1) {
            argerror(1, "interval is empty");
          }
          return valueOf(Math.floor(r * u) + 1);
        }
        case 2: {
          int l = a.checkint(1);
          int u = a.checkint(2);
          if (l > u) {
            argerror(2, "interval is empty");
          }
          return valueOf(Math.floor(r * (u - l + 1)) + l);
        }
        default:
          throw new LuaError("wrong number of arguments");
      }
    }
  }

  static void log(int level, String text) {
    switch (level) {
      case 0 -> LOG.debug("script: {}", text);
      case 1 -> LOG.info("script: {}", text);
      case 2 -> LOG.info("script: {}", text);
      default -> LOG.warn("script: {}", text);
    }
  }
}
