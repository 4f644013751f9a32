package io.kvorum.resp.command;

/** Redis's glob-style matching ({@code stringmatchlen}): {@code * ? [a-z] [^x] \x}. */
public final class Glob {
  private Glob() {}

  public static boolean matches(String pattern, String string, boolean nocase) {
    return match(pattern, 0, string, 0, nocase, 0);
  }

  private static boolean match(String p, int pi, String s, int si, boolean nocase, int depth) {
    if (depth > 1000) {
      // Redis bounds the recursion of nested '*' the same way (a pathological pattern fails).
      return false;
    }
    int plen = p.length();
    int slen = s.length();
    while (pi < plen && si < slen) {
      char pc = p.charAt(pi);
      switch (pc) {
        case '*':
          while (pi + 1 < plen && p.charAt(pi + 1) == '*') {
            pi++;
          }
          if (pi + 1 == plen) {
            return true;
          }
          for (int k = si; k < slen; k++) {
            if (match(p, pi + 1, s, k, nocase, depth + 1)) {
              return true;
            }
          }
          return false;
        case '?':
          si++;
          break;
        case '[': {
          pi++;
          boolean not = pi < plen && p.charAt(pi) == '^';
          if (not) {
            pi++;
          }
          boolean matched = false;
          while (true) {
            if (pi < plen && p.charAt(pi) == '\\' && pi + 1 < plen) {
              pi++;
              if (eq(p.charAt(pi), s.charAt(si), nocase)) {
                matched = true;
              }
            } else if (pi >= plen) {
              pi--;
              break;
            } else if (p.charAt(pi) == ']') {
              break;
            } else if (pi + 2 < plen && p.charAt(pi + 1) == '-') {
              char start = p.charAt(pi);
              char end = p.charAt(pi + 2);
              char c = s.charAt(si);
              if (start > end) {
                char t = start;
                start = end;
                end = t;
              }
              if (nocase) {
                start = Character.toLowerCase(start);
                end = Character.toLowerCase(end);
                c = Character.toLowerCase(c);
              }
              pi += 2;
              if (c >= start && c <= end) {
                matched = true;
              }
            } else if (eq(p.charAt(pi), s.charAt(si), nocase)) {
              matched = true;
            }
            pi++;
          }
          if (not) {
            matched = !matched;
          }
          if (!matched) {
            return false;
          }
          si++;
          break;
        }
        case '\\':
          if (pi + 1 < plen) {
            pi++;
          }
          if (!eq(p.charAt(pi), s.charAt(si), nocase)) {
            return false;
          }
          si++;
          break;
        default:
          if (!eq(pc, s.charAt(si), nocase)) {
            return false;
          }
          si++;
          break;
      }
      pi++;
      if (si == slen) {
        while (pi < plen && p.charAt(pi) == '*') {
          pi++;
        }
        break;
      }
    }
    return pi == plen && si == slen;
  }

  private static boolean eq(char a, char b, boolean nocase) {
    return nocase ? Character.toLowerCase(a) == Character.toLowerCase(b) : a == b;
  }

  /** True when {@code s} has no glob metacharacters (CONFIG GET treats it as a plain name). */
  public static boolean isLiteral(String s) {
    return s.indexOf('*') < 0 && s.indexOf('?') < 0 && s.indexOf('[') < 0;
  }
}
