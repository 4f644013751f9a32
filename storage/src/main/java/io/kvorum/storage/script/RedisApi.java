package io.kvorum.storage.script;

import io.kvorum.storage.number.PrintfFormat;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/** The {@code redis} table of one run: call, pcall, the reply helpers, log, setresp, … */
final class RedisApi {
  private RedisApi() {}

  static LuaTable create(ScriptRun run) {
    LuaTable t = new LuaTable();
    t.rawset("call", new Call(run, true));
    t.rawset("pcall", new Call(run, false));
    t.rawset("log", fn(a -> {
      if (a.narg() < 2) {
        throw raise("redis.log() requires two arguments or more.");
      }
      if (!a.arg1().isnumber()) {
        throw raise("First argument must be a number (log level).");
      }
      int level = a.arg1().toint();
      if (level < 0 || level > 3) {
        throw raise("Invalid debug level.");
      }
      StringBuilder sb = new StringBuilder();
      for (int j = 2; j <= a.narg(); j++) {
        if (a.arg(j).isstring()) {
          if (j != 2) {
            sb.append(' ');
          }
          sb.append(a.arg(j).tojstring());
        }
      }
      ScriptEngine.log(level, sb.toString());
      return LuaValue.NONE;
    }));
    t.rawset("LOG_DEBUG", 0);
    t.rawset("LOG_VERBOSE", 1);
    t.rawset("LOG_NOTICE", 2);
    t.rawset("LOG_WARNING", 3);
    t.rawset("REDIS_VERSION_NUM", ScriptEngine.REDIS_VERSION_NUM);
    t.rawset("REDIS_VERSION", ScriptEngine.REDIS_VERSION);
    t.rawset("setresp", fn(a -> {
      if (a.narg() != 1) {
        throw raise("redis.setresp() requires one argument.");
      }
      int resp = (int) a.arg1().optdouble(0);
      if (resp != 2 && resp != 3) {
        throw raise("RESP version must be 2 or 3.");
      }
      run.resp3 = resp == 3;
      return LuaValue.NONE;
    }));
    t.rawset("sha1hex", fn(a -> {
      if (a.narg() != 1) {
        throw raise("wrong number of arguments");
      }
      byte[] data = a.arg1().isstring() ? LuaReplies.bytes(a.arg1().checkstring()) : new byte[0];
      return LuaValue.valueOf(LuaScript.sha1hex(data));
    }));
    t.rawset("error_reply", fn(a -> {
      if (a.narg() != 1 || a.arg1().type() != LuaValue.TSTRING) {
        return LuaReplies.errorTable("wrong number or type of arguments");
      }
      String err = a.arg1().tojstring();
      return LuaReplies.errorTable(err.startsWith("-") ? err : "-" + err);
    }));
    t.rawset("status_reply", fn(a -> {
      if (a.narg() != 1 || a.arg1().type() != LuaValue.TSTRING) {
        return LuaReplies.errorTable("wrong number or type of arguments");
      }
      return LuaReplies.single("ok", a.arg1());
    }));
    t.rawset("set_repl", fn(a -> {
      if (a.narg() != 1) {
        throw raise("redis.set_repl() requires two arguments.");
      }
      int flags = (int) a.arg1().optdouble(0);
      if ((flags & ~3) != 0) {
        throw raise("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
      }
      // Kvorum replicates the whole script as one log entry: nothing to switch.
      return LuaValue.NONE;
    }));
    t.rawset("REPL_NONE", 0);
    t.rawset("REPL_AOF", 1);
    t.rawset("REPL_SLAVE", 2);
    t.rawset("REPL_REPLICA", 2);
    t.rawset("REPL_ALL", 3);
    t.rawset("replicate_commands", fn(a -> LuaValue.TRUE));
    return t;
  }

  /** An {@code {err=…}} error raised from a redis.* function. */
  static LuaError raise(String message) {
    return new LuaError(LuaReplies.errorTable(message));
  }

  private interface Body {
    Varargs apply(Varargs args);
  }

  private static VarArgFunction fn(Body body) {
    return new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        return body.apply(args);
      }
    };
  }

  /** redis.call (raises errors) and redis.pcall (returns them as {err=…} tables). */
  private static final class Call extends VarArgFunction {
    private final ScriptRun run;
    private final boolean raise;

    Call(ScriptRun run, boolean raise) {
      this.run = run;
      this.raise = raise;
      this.name = raise ? "call" : "pcall";
    }

    @Override
    public Varargs invoke(Varargs a) {
      int argc = a.narg();
      if (argc == 0) {
        return fail("Please specify at least one argument for this redis lib call");
      }
      byte[][] argv = new byte[argc][];
      for (int j = 0; j < argc; j++) {
        LuaValue v = a.arg(j + 1);
        if (v.type() == LuaValue.TNUMBER) {
          // Redis formats numbers with "%.17g": Lua's own format loses precision.
          argv[j] = PrintfFormat.g17(v.todouble()).getBytes(StandardCharsets.US_ASCII);
        } else if (v.type() == LuaValue.TSTRING) {
          argv[j] = LuaReplies.bytes(v.checkstring());
        } else {
          return fail("Lua redis lib command arguments must be strings or integers");
        }
      }
      Reply reply;
      try {
        reply = run.call(argv);
      } catch (ScriptRun.ScriptCallError e) {
        return fail(e.getMessage());
      }
      if (reply instanceof Reply.Error e && raise) {
        throw new LuaError(LuaReplies.errorTable("-" + e.text()));
      }
      return LuaReplies.toLua(reply, run.resp3);
    }

    private Varargs fail(String message) {
      LuaTable err = LuaReplies.errorTable(message);
      if (raise) {
        throw new LuaError(err);
      }
      return err;
    }
  }
}
