package io.kvorum.storage.generic;

/**
 * Redis's glob matching ({@code stringmatchlen} in util.c), byte for byte, for KEYS, SCAN MATCH
 * and every other pattern argument: {@code *}, {@code ?}, {@code [abc]}, {@code [^abc]},
 * {@code [a-z]} (reversed ranges allowed), {@code \} escapes, an unclosed {@code [} matching the
 * set read so far. Bytes compare as C's signed {@code char}, which matters for ranges with bytes
 * of 0x80 and above.
 *
 * <p>The C code reads the pattern's terminating NUL at some edges; {@link #at} returns 0 past the
 * end to behave the same.
 */
public final class GlobPattern {
  /**
   * The recursion limit Redis applies against abusive patterns (CVE-2024-31228, present in the
   * reference redis-server 7.0.15 build): deeper {@code *} nesting never matches.
   */
  private static final int MAX_NESTING = 1000;

  private GlobPattern() {}

  /** Whether {@code string} matches {@code pattern}, case-sensitively (KEYS, SCAN). */
  public static boolean matches(byte[] pattern, byte[] string) {
    return matches(pattern, string, false);
  }

  /** Whether {@code string} matches {@code pattern}; {@code noCase} folds ASCII letters. */
  public static boolean matches(byte[] pattern, byte[] string, boolean noCase) {
    return new Matcher(pattern, string, noCase).match(0, pattern.length, 0, string.length, 0);
  }

  private static final class Matcher {
    private final byte[] p;
    private final byte[] s;
    private final boolean noCase;
    /** Set when the rest after a '*' matched nowhere: longer '*' matches cannot help either. */
    private boolean skipLongerMatches;

    Matcher(byte[] pattern, byte[] string, boolean noCase) {
      this.p = pattern;
      this.s = string;
      this.noCase = noCase;
    }

    private int at(int i) {
      return i < p.length ? p[i] : 0;
    }

    private int lower(int c) {
      return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    boolean match(int pi, int plen, int si, int slen, int nesting) {
      if (nesting > MAX_NESTING) {
        return false;
      }
      while (plen > 0 && slen > 0) {
        switch (p[pi]) {
          case '*':
            while (plen > 0 && at(pi + 1) == '*') {
              pi++;
              plen--;
            }
            if (plen == 1) {
              return true;
            }
            while (slen > 0) {
              if (match(pi + 1, plen - 1, si, slen, nesting + 1)) {
                return true;
              }
              if (skipLongerMatches) {
                return false;
              }
              si++;
              slen--;
            }
            skipLongerMatches = true;
            return false;
          case '?':
            si++;
            slen--;
            break;
          case '[': {
            pi++;
            plen--;
            boolean not = at(pi) == '^';
            if (not) {
              pi++;
              plen--;
            }
            boolean matched = false;
            while (true) {
              if (at(pi) == '\\' && plen >= 2) {
                pi++;
                plen--;
                if (p[pi] == s[si]) {
                  matched = true;
                }
              } else if (at(pi) == ']') {
                break;
              } else if (plen == 0) {
                // Unclosed set: step back so the common advance below ends the pattern.
                pi--;
                plen++;
                break;
              } else if (plen >= 3 && p[pi + 1] == '-') {
                int start = p[pi];
                int end = p[pi + 2];
                int c = s[si];
                if (start > end) {
                  int t = start;
                  start = end;
                  end = t;
                }
                if (noCase) {
                  start = lower(start);
                  end = lower(end);
                  c = lower(c);
                }
                pi += 2;
                plen -= 2;
                if (c >= start && c <= end) {
                  matched = true;
                }
              } else if (noCase ? lower(p[pi]) == lower(s[si]) : p[pi] == s[si]) {
                matched = true;
              }
              pi++;
              plen--;
            }
            if (not) {
              matched = !matched;
            }
            if (!matched) {
              return false;
            }
            si++;
            slen--;
            break;
          }
          case '\\':
            if (plen >= 2) {
              pi++;
              plen--;
            }
            if (!literalMatches(pi, si)) {
              return false;
            }
            si++;
            slen--;
            break;
          default:
            if (!literalMatches(pi, si)) {
              return false;
            }
            si++;
            slen--;
            break;
        }
        pi++;
        plen--;
        if (slen == 0) {
          while (at(pi) == '*') {
            pi++;
            plen--;
          }
          break;
        }
      }
      return plen == 0 && slen == 0;
    }

    private boolean literalMatches(int pi, int si) {
      return noCase ? lower(p[pi]) == lower(s[si]) : p[pi] == s[si];
    }
  }
}
