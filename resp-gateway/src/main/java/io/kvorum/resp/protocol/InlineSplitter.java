package io.kvorum.resp.protocol;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an inline command line into arguments exactly as Redis's {@code sdssplitargs} does:
 * blanks separate arguments, "double quotes" understand {@code \n \r \t \b \a \xHH} and {@code \\},
 * 'single quotes' only {@code \'}, and a closing quote must be followed by a blank or the end.
 */
public final class InlineSplitter {
  private InlineSplitter() {}

  /** The arguments of {@code line}, or null when its quotes are unbalanced. */
  public static byte[][] split(byte[] line) {
    List<byte[]> args = new ArrayList<>();
    // sdssplitargs works on a C string: the first NUL byte ends the line.
    int len = 0;
    while (len < line.length && line[len] != 0) {
      len++;
    }
    int p = 0;
    ByteArrayOutputStream current = new ByteArrayOutputStream();
    while (true) {
      while (p < len && isSpace(line[p])) {
        p++;
      }
      if (p >= len) {
        return args.toArray(new byte[0][]);
      }
      boolean inDouble = false;
      boolean inSingle = false;
      boolean done = false;
      current.reset();
      while (!done) {
        int c = p < len ? line[p] & 0xFF : 0;
        int next = p + 1 < len ? line[p + 1] & 0xFF : 0;
        if (inDouble) {
          if (c == '\\' && next == 'x' && isHex(at(line, len, p + 2))
              && isHex(at(line, len, p + 3))) {
            current.write(hex(at(line, len, p + 2)) * 16 + hex(at(line, len, p + 3)));
            p += 3;
          } else if (c == '\\' && next != 0) {
            p++;
            int e = line[p] & 0xFF;
            switch (e) {
              case 'n' -> current.write('\n');
              case 'r' -> current.write('\r');
              case 't' -> current.write('\t');
              case 'b' -> current.write('\b');
              case 'a' -> current.write(7);
              default -> current.write(e);
            }
          } else if (c == '"') {
            if (next != 0 && !isSpace((byte) next)) {
              return null;
            }
            done = true;
          } else if (c == 0) {
            return null;
          } else {
            current.write(c);
          }
        } else if (inSingle) {
          if (c == '\\' && next == '\'') {
            p++;
            current.write('\'');
          } else if (c == '\'') {
            if (next != 0 && !isSpace((byte) next)) {
              return null;
            }
            done = true;
          } else if (c == 0) {
            return null;
          } else {
            current.write(c);
          }
        } else {
          switch (c) {
            case ' ', '\n', '\r', '\t', 0 -> done = true;
            case '"' -> inDouble = true;
            case '\'' -> inSingle = true;
            default -> current.write(c);
          }
        }
        if (p < len) {
          p++;
        }
      }
      args.add(current.toByteArray());
    }
  }

  private static int at(byte[] line, int len, int i) {
    return i < len ? line[i] & 0xFF : 0;
  }

  /** C's isspace in the "C" locale. */
  static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0B || b == 0x0C;
  }

  private static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static int hex(int c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    return (c | 0x20) - 'a' + 10;
  }
}
