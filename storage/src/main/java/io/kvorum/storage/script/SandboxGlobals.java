package io.kvorum.storage.script;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

/**
 * The globals of one script run, sealed once the libraries, KEYS and ARGV are in place: a script
 * can neither create nor change a global ("Attempt to modify a readonly table"), and reading an
 * undefined one is an error, as in Redis 7.0.
 */
final class SandboxGlobals extends Globals {
  private boolean sealed;

  void seal() {
    sealed = true;
  }

  /**
   * Sealed empty globals whose every lookup goes through {@code meta}, run by this sandbox's
   * thread and instruction hook (a closure counts and stops by the globals it was made with):
   * the environment of a function library's code.
   */
  SandboxGlobals sharingRunWith(LuaValue meta) {
    SandboxGlobals g = new SandboxGlobals();
    g.running = running;
    g.debuglib = debuglib;
    g.baselib = baselib;
    g.compiler = compiler;
    g.loader = loader;
    g.undumper = undumper;
    g.setmetatable(meta);
    g.seal();
    return g;
  }

  @Override
  public void rawset(int key, LuaValue value) {
    check();
    super.rawset(key, value);
  }

  @Override
  public void rawset(LuaValue key, LuaValue value) {
    check();
    super.rawset(key, value);
  }

  @Override
  public void hashset(LuaValue key, LuaValue value) {
    check();
    super.hashset(key, value);
  }

  @Override
  public LuaValue setmetatable(LuaValue metatable) {
    check();
    return super.setmetatable(metatable);
  }

  private void check() {
    if (sealed) {
      throw new LuaError(ReadOnlyTable.READONLY);
    }
  }
}
