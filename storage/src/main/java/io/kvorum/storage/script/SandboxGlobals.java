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
