package io.kvorum.storage.script;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The {@code bit} library Redis ships (LuaBitOp): 32-bit two's-complement operations on Lua
 * numbers, results normalised to signed 32-bit values.
 */
final class BitLib {
  private BitLib() {}

  static LuaTable create() {
    LuaTable t = new LuaTable();
    String[] names = {"tobit", "bnot", "band", "bor", "bxor", "lshift", "rshift", "arshift",
        "rol", "ror", "bswap", "tohex"};
    for (int i = 0; i < names.length; i++) {
      t.rawset(names[i], new Op(names[i], i));
    }
    return t;
  }

  /** LuaBitOp's barg: the number modulo 2^32 (via the 2^52+2^51 trick), as an int. */
  static int bitArg(Varargs args, int i) {
    double d = args.checkdouble(i);
    double shifted = d + 6755399441055744.0;
    return (int) Double.doubleToRawLongBits(shifted);
  }

  private static final class Op extends VarArgFunction {
    private final int op;

    Op(String name, int op) {
      this.name = name;
      this.op = op;
    }

    @Override
    public Varargs invoke(Varargs args) {
      int r;
      switch (op) {
        case 0 -> r = bitArg(args, 1);
        case 1 -> r = ~bitArg(args, 1);
        case 2, 3, 4 -> {
          r = bitArg(args, 1);
          for (int i = 2; i <= args.narg(); i++) {
            int b = bitArg(args, i);
            r = op == 2 ? r & b : op == 3 ? r | b : r ^ b;
          }
        }
        case 5 -> r = bitArg(args, 1) << (bitArg(args, 2) & 31);
        case 6 -> r = bitArg(args, 1) >>> (bitArg(args, 2) & 31);
        case 7 -> r = bitArg(args, 1) >> (bitArg(args, 2) & 31);
        case 8 -> r = Integer.rotateLeft(bitArg(args, 1), bitArg(args, 2) & 31);
        case 9 -> r = Integer.rotateRight(bitArg(args, 1), bitArg(args, 2) & 31);
        case 10 -> r = Integer.reverseBytes(bitArg(args, 1));
        default -> {
          return tohex(args);
        }
      }
      return LuaValue.valueOf(r);
    }

    private static LuaValue tohex(Varargs args) {
      int b = bitArg(args, 1);
      int n = args.isnoneornil(2) ? 8 : bitArg(args, 2);
      String digits = "0123456789abcdef";
      if (n < 0) {
        n = -n;
        digits = "0123456789ABCDEF";
      }
      if (n > 8) {
        n = 8;
      }
      char[] buf = new char[n];
      for (int i = n - 1; i >= 0; i--) {
        buf[i] = digits.charAt(b & 15);
        b >>>= 4;
      }
      return LuaValue.valueOf(new String(buf));
    }
  }
}
