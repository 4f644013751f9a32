package io.kvorum.storage.generic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GlobPatternTest {

  static boolean m(String pattern, String string) {
    return GlobPattern.matches(b(pattern), b(string));
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void literalsAndWildcards() {
    assertThat(m("", "")).isTrue();
    assertThat(m("", "a")).isFalse();
    assertThat(m("a", "")).isFalse();
    assertThat(m("hello", "hello")).isTrue();
    assertThat(m("hello", "hell")).isFalse();
    assertThat(m("h?llo", "hello")).isTrue();
    assertThat(m("h?llo", "hllo")).isFalse();
    assertThat(m("?", "")).isFalse();
    assertThat(m("h*llo", "hllo")).isTrue();
    assertThat(m("h*llo", "heeeello")).isTrue();
    assertThat(m("h*llo", "hellox")).isFalse();
    assertThat(m("*a", "a")).isTrue();
    assertThat(m("**a", "ba")).isTrue();
    assertThat(m("a*", "a")).isTrue();
    assertThat(m("a*b*", "ab")).isTrue();
    assertThat(m("a*b*c", "abxbxc")).isTrue();
    assertThat(m("*?", "")).isFalse();
    assertThat(m("*?", "x")).isTrue();
  }

  @Test
  void aLoneStarDoesNotMatchTheEmptyString() {
    // stringmatchlen's loop never runs for an empty string; KEYS and SCAN special-case "*".
    assertThat(m("*", "")).isFalse();
    assertThat(m("*", "anything")).isTrue();
  }

  @Test
  void sets() {
    assertThat(m("h[ae]llo", "hello")).isTrue();
    assertThat(m("h[ae]llo", "hallo")).isTrue();
    assertThat(m("h[ae]llo", "hillo")).isFalse();
    assertThat(m("h[^e]llo", "hallo")).isTrue();
    assertThat(m("h[^e]llo", "hello")).isFalse();
    assertThat(m("h[a-b]llo", "hbllo")).isTrue();
    assertThat(m("h[a-b]llo", "hcllo")).isFalse();
    assertThat(m("h[b-a]llo", "hallo")).as("reversed range").isTrue();
    // "[a-]" is the range a..] (reversed: ']' to 'a') in a set that is never closed.
    assertThat(m("[a-]", "-")).isFalse();
    assertThat(m("[a-]", "a")).isTrue();
    assertThat(m("[a-]", "^")).isTrue();
    assertThat(m("[a-]", "]")).isTrue();
    assertThat(m("[]]", "]")).isFalse();
    assertThat(m("[\\]]", "]")).isTrue();
    assertThat(m("[\\-]", "-")).isTrue();
    assertThat(m("[a\\-z]", "b")).isFalse();
  }

  @Test
  void unclosedSetsAndTrailingEscapes() {
    assertThat(m("[abc", "a")).isTrue();
    assertThat(m("[abc", "d")).isFalse();
    assertThat(m("[", "a")).isFalse();
    assertThat(m("[^", "a")).isTrue();
    assertThat(m("[\\", "\\")).isTrue();
    assertThat(m("a[bc", "ab")).isTrue();
    assertThat(m("a\\", "a\\")).as("a lone trailing backslash is literal").isTrue();
    assertThat(m("\\*", "*")).isTrue();
    assertThat(m("\\*", "a")).isFalse();
    assertThat(m("h\\?llo", "hello")).isFalse();
  }

  @Test
  void bytesCompareAsSignedChars() {
    // [\x01-\xff] is the signed range [-1, 1]: it holds 0x00, 0x01 and 0xff, not 'a' or 0x80.
    byte[] pattern = {'[', 0x01, '-', (byte) 0xff, ']'};
    assertThat(GlobPattern.matches(pattern, new byte[] {0x00})).isTrue();
    assertThat(GlobPattern.matches(pattern, new byte[] {(byte) 0xff})).isTrue();
    assertThat(GlobPattern.matches(pattern, new byte[] {'a'})).isFalse();
    assertThat(GlobPattern.matches(pattern, new byte[] {(byte) 0x80})).isFalse();
    assertThat(GlobPattern.matches(new byte[] {'a', 0, '*'}, new byte[] {'a', 0, 'x'})).isTrue();
  }

  @Test
  void noCase() {
    assertThat(GlobPattern.matches(b("HeLLo"), b("hello"), true)).isTrue();
    assertThat(GlobPattern.matches(b("[A-Z]x"), b("qX"), true)).isTrue();
    assertThat(GlobPattern.matches(b("HeLLo"), b("hello"), false)).isFalse();
  }

  @Test
  void nestingLimitAndNoExponentialBlowUp() {
    String key = "a".repeat(1100);
    assertThat(m("*a".repeat(1000), key)).isTrue();
    assertThat(m("*a".repeat(1001), key)).as("deeper than Redis's limit").isFalse();
    long start = System.nanoTime();
    assertThat(m("a*".repeat(30) + "b", "a".repeat(5000))).isFalse();
    assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
  }
}
