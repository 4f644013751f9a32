package io.kvorum.storage.script;

import io.kvorum.storage.number.PrintfFormat;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Redis's conversions between command replies and Lua values (script_lua.c): a reply becomes a
 * Lua value as the script's protocol ({@code redis.setresp}) shapes it, and a script's return
 * value becomes the client's reply.
 */
final class LuaReplies {
  /** Deepest nesting of a returned table; deeper (or cyclic) tables get Redis's stack error. */
  static final int MAX_REPLY_DEPTH = 1000;
  static final String STACK_LIMIT = "ERR reached lua stack limit";

  private LuaReplies() {}

  // ---------------------------------------------------------------- reply -> Lua

  /** A command's reply as redis.call hands it to the script. */
  static LuaValue toLua(Reply reply, boolean resp3) {
    if (reply instanceof Reply.Status s) {
      return single("ok", LuaValue.valueOf(s.text()));
    } else if (reply instanceof Reply.Error e) {
      return errorTable("-" + e.text());
    } else if (reply instanceof Reply.Int i) {
      return LuaValue.valueOf((double) i.value());
    } else if (reply instanceof Reply.Bulk b) {
      return LuaString.valueOf(b.value());
    } else if (reply instanceof Reply.NullBulk || reply instanceof Reply.NullArray) {
      return resp3 ? LuaValue.NIL : LuaValue.FALSE;
    } else if (reply instanceof Reply.Array a) {
      return array(a.items(), resp3);
    } else if (reply instanceof Reply.Push p) {
      return array(p.items(), resp3);
    } else if (reply instanceof Reply.MapReply m) {
      return resp3 ? map(m.keysAndValues()) : array(m.keysAndValues(), false);
    } else if (reply instanceof Reply.SetReply s) {
      return resp3 ? set(s.items()) : array(s.items(), false);
    } else if (reply instanceof Reply.Double d) {
      return resp3
          ? single("double", LuaValue.valueOf(parseDouble(d.text())))
          : LuaValue.valueOf(d.text());
    } else if (reply instanceof Reply.Bool b) {
      return resp3 ? LuaValue.valueOf(b.value()) : LuaValue.valueOf(b.value() ? 1 : 0);
    } else if (reply instanceof Reply.Verbatim v) {
      return resp3 ? verbatim(v) : LuaString.valueOf(v.value());
    } else if (reply instanceof Reply.BigNumber n) {
      return resp3
          ? single("big_number", LuaValue.valueOf(n.digits()))
          : LuaValue.valueOf(n.digits());
    }
    throw new IllegalArgumentException("unknown reply " + reply);
  }

  private static LuaTable array(List<Reply> items, boolean resp3) {
    LuaTable t = new LuaTable(items.size(), 0);
    int i = 1;
    for (Reply r : items) {
      t.rawset(i++, toLua(r, resp3));
    }
    return t;
  }

  private static LuaTable map(List<Reply> kv) {
    LuaTable inner = new LuaTable();
    for (int i = 0; i + 1 < kv.size(); i += 2) {
      inner.rawset(toLua(kv.get(i), true), toLua(kv.get(i + 1), true));
    }
    return single("map", inner);
  }

  private static LuaTable set(List<Reply> items) {
    LuaTable inner = new LuaTable();
    for (Reply r : items) {
      inner.rawset(toLua(r, true), LuaValue.TRUE);
    }
    return single("set", inner);
  }

  private static LuaTable verbatim(Reply.Verbatim v) {
    LuaTable inner = new LuaTable();
    inner.rawset("string", LuaString.valueOf(v.value()));
    inner.rawset("format", LuaValue.valueOf(v.format()));
    return single("verbatim_string", inner);
  }

  private static double parseDouble(String text) {
    return switch (text) {
      case "inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      case "nan", "-nan" -> Double.NaN;
      default -> Double.parseDouble(text);
    };
  }

  /**
   * C's {@code (long long)} of a double as x86-64 computes it (Redis converts a script's number
   * reply so): NaN and values outside the long range give the smallest long.
   */
  static long cLong(double d) {
    if (Double.isNaN(d) || d >= 0x1p63 || d < -0x1p63) {
      return Long.MIN_VALUE;
    }
    return (long) d;
  }

  /** Lua 5.1's luaO_str2d: strtod on the C string, spaces allowed after it; nil otherwise. */
  static LuaValue str2d(byte[] s) {
    io.kvorum.storage.zset.Strtod.Result r = io.kvorum.storage.zset.Strtod.parse(s, 0);
    if (r.end() == 0) {
      return LuaValue.NIL;
    }
    int i = r.end();
    while (i < s.length && s[i] != 0 && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) {
      i++;
    }
    if (i < s.length && s[i] != 0) {
      return LuaValue.NIL;
    }
    return LuaValue.valueOf(r.value());
  }

  static LuaTable single(String field, LuaValue value) {
    LuaTable t = new LuaTable();
    t.rawset(field, value);
    return t;
  }

  /**
   * luaPushErrorBuff: {@code "-CODE msg"} keeps its code, a text without the dash gets {@code
   * ERR}; trailing CR/LF are trimmed. The result is the {@code {err=…}} table.
   */
  static LuaTable errorTable(String error) {
    String code;
    String msg;
    if (error.startsWith("-")) {
      int space = error.indexOf(' ');
      if (space < 0) {
        code = "ERR";
        msg = error.substring(1);
      } else {
        code = error.substring(1, space);
        msg = error.substring(space + 1);
      }
    } else {
      code = "ERR";
      msg = error;
    }
    msg = trimCrLf(msg);
    return single("err", LuaValue.valueOf(code + " " + msg));
  }

  private static String trimCrLf(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && (s.charAt(from) == '\r' || s.charAt(from) == '\n')) {
      from++;
    }
    while (to > from && (s.charAt(to - 1) == '\r' || s.charAt(to - 1) == '\n')) {
      to--;
    }
    return s.substring(from, to);
  }

  // ---------------------------------------------------------------- Lua -> reply

  /** A script's return value as the client's reply (luaReplyToRedisReply). */
  static Reply toReply(LuaValue v, boolean scriptResp3) {
    return toReply(v, scriptResp3, 0);
  }

  private static Reply toReply(LuaValue v, boolean resp3, int depth) {
    if (depth > MAX_REPLY_DEPTH) {
      return Reply.error(STACK_LIMIT);
    }
    switch (v.type()) {
      case LuaValue.TSTRING:
        return Reply.bulk(bytes(v.checkstring()));
      case LuaValue.TBOOLEAN:
        if (resp3) {
          return new Reply.Bool(v.toboolean());
        }
        return v.toboolean() ? Reply.ONE : Reply.NULL;
      case LuaValue.TNUMBER:
        return Reply.integer(cLong(v.todouble()));
      case LuaValue.TTABLE:
        return tableReply((LuaTable) v, resp3, depth);
      default:
        return Reply.NULL;
    }
  }

  private static Reply tableReply(LuaTable t, boolean resp3, int depth) {
    LuaValue err = t.rawget("err");
    if (err.type() == LuaValue.TSTRING) {
      return Reply.error(err.tojstring());
    }
    LuaValue ok = t.rawget("ok");
    if (ok.type() == LuaValue.TSTRING) {
      return Reply.status(ok.tojstring().replace('\r', ' ').replace('\n', ' '));
    }
    LuaValue dbl = t.rawget("double");
    if (dbl.type() == LuaValue.TNUMBER) {
      return new Reply.Double(PrintfFormat.g17(dbl.todouble()));
    }
    LuaValue big = t.rawget("big_number");
    if (big.type() == LuaValue.TSTRING) {
      return new Reply.BigNumber(big.tojstring().replace('\r', ' ').replace('\n', ' '));
    }
    LuaValue verbatim = t.rawget("verbatim_string");
    if (verbatim.type() == LuaValue.TTABLE) {
      LuaValue format = verbatim.rawget("format");
      LuaValue string = verbatim.rawget("string");
      if (format.type() == LuaValue.TSTRING && string.type() == LuaValue.TSTRING) {
        return new Reply.Verbatim(format.tojstring(), bytes(string.checkstring()));
      }
    }
    LuaValue map = t.rawget("map");
    if (map.type() == LuaValue.TTABLE) {
      List<Reply> kv = new ArrayList<>();
      LuaValue k = LuaValue.NIL;
      while (true) {
        Varargs n = map.next(k);
        if ((k = n.arg1()).isnil()) {
          break;
        }
        kv.add(toReply(k, resp3, depth + 1));
        kv.add(toReply(n.arg(2), resp3, depth + 1));
      }
      return new Reply.MapReply(kv);
    }
    LuaValue set = t.rawget("set");
    if (set.type() == LuaValue.TTABLE) {
      List<Reply> items = new ArrayList<>();
      LuaValue k = LuaValue.NIL;
      while (true) {
        Varargs n = set.next(k);
        if ((k = n.arg1()).isnil()) {
          break;
        }
        items.add(toReply(k, resp3, depth + 1));
      }
      return new Reply.SetReply(items);
    }
    List<Reply> items = new ArrayList<>();
    for (int j = 1; ; j++) {
      LuaValue e = t.rawget(j);
      if (e.isnil()) {
        break;
      }
      Reply r = toReply(e, resp3, depth + 1);
      if (r instanceof Reply.Error x && x.text().equals(STACK_LIMIT)) {
        return r;
      }
      items.add(r);
    }
    return Reply.array(items);
  }

  /** The bytes of a Lua string (Lua strings are byte strings). */
  static byte[] bytes(LuaString s) {
    byte[] out = new byte[s.m_length];
    System.arraycopy(s.m_bytes, s.m_offset, out, 0, s.m_length);
    return out;
  }

  static String latin1(LuaString s) {
    return new String(bytes(s), StandardCharsets.ISO_8859_1);
  }
}
