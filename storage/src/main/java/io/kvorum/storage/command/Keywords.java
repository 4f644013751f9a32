package io.kvorum.storage.command;

import java.nio.charset.StandardCharsets;

/**
 * Option keywords as Redis reads them. Redis compares options with {@code strcasecmp} on the
 * argument's C string, so an argument is cut at its first NUL byte: {@code "NX\0junk"} is NX.
 * Error texts that quote an argument with {@code %s} are cut the same way.
 */
public final class Keywords {
  private Keywords() {}

  /** Whether {@code arg} is {@code keyword} (ASCII, case-insensitive, C-string semantics). */
  public static boolean is(byte[] arg, String keyword) {
    int n = cStringLength(arg);
    if (n != keyword.length()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      int a = arg[i] & 0xFF;
      int k = keyword.charAt(i);
      if (lower(a) != lower(k)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The argument up to its first NUL byte, as text for an error message: one char per byte
   * (ISO-8859-1), which the RESP encoder writes back as the same bytes, as Redis echoes them.
   */
  public static String cString(byte[] arg) {
    return new String(arg, 0, cStringLength(arg), StandardCharsets.ISO_8859_1);
  }

  /** Like {@link #cString(byte[])}, at most {@code maxBytes} bytes (printf's {@code %.Ns}). */
  public static String cString(byte[] arg, int maxBytes) {
    return new String(arg, 0, Math.min(cStringLength(arg), maxBytes), StandardCharsets.ISO_8859_1);
  }

  /** The argument as upper-case text (for messages such as "Try OBJECT HELP."). */
  public static String upper(byte[] arg) {
    byte[] up = new byte[cStringLength(arg)];
    for (int i = 0; i < up.length; i++) {
      byte b = arg[i];
      up[i] = b >= 'a' && b <= 'z' ? (byte) (b - ('a' - 'A')) : b;
    }
    return new String(up, StandardCharsets.ISO_8859_1);
  }

  private static int cStringLength(byte[] arg) {
    for (int i = 0; i < arg.length; i++) {
      if (arg[i] == 0) {
        return i;
      }
    }
    return arg.length;
  }

  private static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
  }
}
