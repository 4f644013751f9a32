package io.kvorum.storage.script;

import io.kvorum.storage.number.PrintfFormat;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The {@code cjson} library Redis ships (lua-cjson 2.1 defaults): {@code encode}, {@code decode}
 * and {@code null}. Numbers are written with "%.14g"; a table whose keys are 1..n is an array,
 * any other table an object; '/' is escaped as lua-cjson does.
 */
final class Cjson {
  /** cjson.null: a JSON null inside decoded tables. */
  static final LuaValue NULL = new LuaUserdata(new Object());
  static final LuaTable TABLE;
  private static final int MAX_DEPTH = 1000;

  static {
    LuaTable t = new LuaTable();
    t.rawset("encode", new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs a) {
        LuaValue v = oneArgument(a, "encode");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        encode(v, out, 0);
        return LuaString.valueOf(out.toByteArray());
      }
    });
    t.rawset("decode", new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs a) {
        LuaValue v = oneArgument(a, "decode");
        if (!v.isstring()) {
          // luaL_checklstring's wording (Lua 5.1), not LuaJ's.
          throw new LuaError("bad argument #1 to 'decode' (string expected, got "
              + v.typename() + ")");
        }
        byte[] s = LuaReplies.bytes(v.checkstring());
        int[] pos = {0};
        LuaValue r = decode(s, pos, 0);
        skip(s, pos);
        if (pos[0] != s.length) {
          throw new LuaError("Expected the end but found invalid token at character " + (pos[0] + 1));
        }
        return r;
      }
    });
    t.rawset("null", NULL);
    TABLE = ReadOnlyTable.copyOf(t);
  }

  private Cjson() {}

  private static void encode(LuaValue v, ByteArrayOutputStream out, int depth) {
    if (depth > MAX_DEPTH) {
      throw new LuaError("Cannot serialise, excessive nesting (1001)");
    }
    switch (v.type()) {
      case LuaValue.TNIL -> write(out, "null");
      case LuaValue.TBOOLEAN -> write(out, v.toboolean() ? "true" : "false");
      case LuaValue.TNUMBER -> {
        double d = v.todouble();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new LuaError("Cannot serialise number: must not be NaN or Inf");
        }
        write(out, PrintfFormat.g(d, 14));
      }
      case LuaValue.TSTRING -> string(LuaReplies.bytes(v.checkstring()), out);
      case LuaValue.TTABLE -> table((LuaTable) v, out, depth);
      default -> {
        if (v == NULL) {
          write(out, "null");
        } else {
          throw new LuaError("Cannot serialise " + v.typename() + ": type not supported");
        }
      }
    }
  }

  private static void table(LuaTable t, ByteArrayOutputStream out, int depth) {
    int max = 0;
    int count = 0;
    boolean array = true;
    LuaValue k = LuaValue.NIL;
    while (true) {
      Varargs n = t.next(k);
      if ((k = n.arg1()).isnil()) {
        break;
      }
      count++;
      if (k.type() == LuaValue.TNUMBER && k.todouble() == Math.floor(k.todouble())
          && k.todouble() >= 1) {
        max = Math.max(max, (int) Math.min(k.todouble(), Integer.MAX_VALUE));
      } else {
        array = false;
      }
    }
    // lua-cjson's sparse-array rule (ratio 2, safe 10): too sparse arrays are an error.
    if (array && count > 0 && max > 10 && max > count * 2) {
      throw new LuaError("Cannot serialise table: excessively sparse array");
    }
    if (array && count > 0) {
      out.write('[');
      for (int i = 1; i <= max; i++) {
        if (i > 1) {
          out.write(',');
        }
        encode(t.rawget(i), out, depth + 1);
      }
      out.write(']');
      return;
    }
    out.write('{');
    boolean first = true;
    k = LuaValue.NIL;
    while (true) {
      Varargs n = t.next(k);
      if ((k = n.arg1()).isnil()) {
        break;
      }
      if (!first) {
        out.write(',');
      }
      first = false;
      if (k.type() == LuaValue.TSTRING) {
        string(LuaReplies.bytes(k.checkstring()), out);
      } else if (k.type() == LuaValue.TNUMBER) {
        string(PrintfFormat.g(k.todouble(), 14).getBytes(StandardCharsets.US_ASCII), out);
      } else {
        throw new LuaError("Cannot serialise " + k.typename() + ": table key must be a number or string");
      }
      out.write(':');
      encode(n.arg(2), out, depth + 1);
    }
    out.write('}');
  }

  private static void string(byte[] s, ByteArrayOutputStream out) {
    out.write('"');
    for (byte b : s) {
      int c = b & 0xFF;
      switch (c) {
        case '"' -> write(out, "\\\"");
        case '\\' -> write(out, "\\\\");
        case '/' -> write(out, "\\/");
        case '\b' -> write(out, "\\b");
        case '\f' -> write(out, "\\f");
        case '\n' -> write(out, "\\n");
        case '\r' -> write(out, "\\r");
        case '\t' -> write(out, "\\t");
        default -> {
          if (c < 0x20 || c == 0x7F) {
            write(out, String.format("\\u%04x", c));
          } else {
            out.write(c);
          }
        }
      }
    }
    out.write('"');
  }

  private static void write(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static void skip(byte[] s, int[] pos) {
    while (pos[0] < s.length && (s[pos[0]] == ' ' || s[pos[0]] == '\t' || s[pos[0]] == '\n'
        || s[pos[0]] == '\r')) {
      pos[0]++;
    }
  }

  private static LuaError invalid(byte[] s, int[] pos) {
    return new LuaError("Expected value but found invalid token at character " + (pos[0] + 1));
  }

  private static LuaValue decode(byte[] s, int[] pos, int depth) {
    if (depth > MAX_DEPTH) {
      throw new LuaError("Found too many nested data structures (1001) at character " + (pos[0] + 1));
    }
    skip(s, pos);
    if (pos[0] >= s.length) {
      throw new LuaError("Expected value but found T_END at character " + (pos[0] + 1));
    }
    byte c = s[pos[0]];
    if (c == '{') {
      pos[0]++;
      LuaTable t = new LuaTable();
      skip(s, pos);
      if (pos[0] < s.length && s[pos[0]] == '}') {
        pos[0]++;
        return t;
      }
      while (true) {
        skip(s, pos);
        if (pos[0] >= s.length || s[pos[0]] != '"') {
          throw new LuaError("Expected object key string but found invalid token at character "
              + (pos[0] + 1));
        }
        LuaValue key = decode(s, pos, depth + 1);
        skip(s, pos);
        if (pos[0] >= s.length || s[pos[0]] != ':') {
          throw new LuaError("Expected colon but found invalid token at character " + (pos[0] + 1));
        }
        pos[0]++;
        t.rawset(key, decode(s, pos, depth + 1));
        skip(s, pos);
        if (pos[0] < s.length && s[pos[0]] == ',') {
          pos[0]++;
        } else if (pos[0] < s.length && s[pos[0]] == '}') {
          pos[0]++;
          return t;
        } else {
          throw new LuaError("Expected comma or object end but found invalid token at character "
              + (pos[0] + 1));
        }
      }
    }
    if (c == '[') {
      pos[0]++;
      LuaTable t = new LuaTable();
      skip(s, pos);
      if (pos[0] < s.length && s[pos[0]] == ']') {
        pos[0]++;
        return t;
      }
      for (int i = 1; ; i++) {
        t.rawset(i, decode(s, pos, depth + 1));
        skip(s, pos);
        if (pos[0] < s.length && s[pos[0]] == ',') {
          pos[0]++;
        } else if (pos[0] < s.length && s[pos[0]] == ']') {
          pos[0]++;
          return t;
        } else {
          throw new LuaError("Expected comma or array end but found invalid token at character "
              + (pos[0] + 1));
        }
      }
    }
    if (c == '"') {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      pos[0]++;
      while (pos[0] < s.length && s[pos[0]] != '"') {
        byte b = s[pos[0]++];
        if (b != '\\') {
          out.write(b);
          continue;
        }
        if (pos[0] >= s.length) {
          break;
        }
        byte e = s[pos[0]++];
        switch (e) {
          case 'b' -> out.write('\b');
          case 'f' -> out.write('\f');
          case 'n' -> out.write('\n');
          case 'r' -> out.write('\r');
          case 't' -> out.write('\t');
          case 'u' -> {
            if (pos[0] + 4 > s.length) {
              throw invalid(s, pos);
            }
            int cp = Integer.parseInt(new String(s, pos[0], 4, StandardCharsets.US_ASCII), 16);
            pos[0] += 4;
            out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
          }
          default -> out.write(e);
        }
      }
      if (pos[0] >= s.length) {
        throw new LuaError("Expected value but found invalid token at character " + (pos[0] + 1));
      }
      pos[0]++;
      return LuaString.valueOf(out.toByteArray());
    }
    if (match(s, pos, "true")) {
      return LuaValue.TRUE;
    }
    if (match(s, pos, "false")) {
      return LuaValue.FALSE;
    }
    if (match(s, pos, "null")) {
      return NULL;
    }
    int start = pos[0];
    while (pos[0] < s.length && "+-0123456789.eE".indexOf(s[pos[0]]) >= 0) {
      pos[0]++;
    }
    if (start == pos[0]) {
      throw invalid(s, pos);
    }
    try {
      return LuaValue.valueOf(Double.parseDouble(
          new String(s, start, pos[0] - start, StandardCharsets.US_ASCII)));
    } catch (NumberFormatException e) {
      pos[0] = start;
      throw invalid(s, pos);
    }
  }

  private static boolean match(byte[] s, int[] pos, String word) {
    int n = word.length();
    if (pos[0] + n > s.length) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (s[pos[0] + i] != word.charAt(i)) {
        return false;
      }
    }
    pos[0] += n;
    return true;
  }

  /** lua_cjson's {@code luaL_argcheck(l, lua_gettop(l) == 1, 1, "expected 1 argument")}. */
  private static LuaValue oneArgument(Varargs a, String function) {
    if (a.narg() != 1) {
      throw new LuaError("bad argument #1 to '" + function + "' (expected 1 argument)");
    }
    return a.arg1();
  }
}
