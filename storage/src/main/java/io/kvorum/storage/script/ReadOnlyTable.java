package io.kvorum.storage.script;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A library table a script can read but not change, as Redis 7.0 makes every global table
 * readonly: any write, {@code rawset} included, fails with Redis's text.
 */
final class ReadOnlyTable extends LuaTable {
  static final String READONLY = "Attempt to modify a readonly table";
  private boolean sealed;

  /** A sealed copy of {@code source}'s entries. */
  static ReadOnlyTable copyOf(LuaTable source) {
    ReadOnlyTable t = new ReadOnlyTable();
    LuaValue k = LuaValue.NIL;
    while (true) {
      org.luaj.vm2.Varargs n = source.next(k);
      if ((k = n.arg1()).isnil()) {
        break;
      }
      t.rawset(k, n.arg(2));
    }
    t.sealed = true;
    return t;
  }

  /** A sealed copy of {@code source}'s entries with metatable {@code meta}. */
  static ReadOnlyTable copyOf(LuaTable source, LuaTable meta) {
    ReadOnlyTable t = copyOf(source);
    t.sealed = false;
    t.setmetatable(meta);
    t.sealed = true;
    return t;
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
      throw new LuaError(READONLY);
    }
  }
}
