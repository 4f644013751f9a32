package io.kvorum.storage.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Error texts quote client bytes; the RESP encoder writes a text of chars 0-255 back byte for
 * byte, so the text must hold one char per byte, never decoded UTF-8 (Redis echoes the bytes).
 */
class KeywordsTest {

  @Test
  void anErrorTextKeepsEveryByteOfANonAsciiArgument() {
    byte[] group = "grüppe".getBytes(StandardCharsets.UTF_8);
    String text = Keywords.cString(group);
    assertThat(text.getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(group);
    assertThat(Keywords.cString(group, 4).getBytes(StandardCharsets.ISO_8859_1))
        .isEqualTo(new byte[] {'g', 'r', (byte) 0xC3, (byte) 0xBC});
    byte[] invalid = {'x', (byte) 0xFF, (byte) 0xFE};
    assertThat(Keywords.cString(invalid).getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(invalid);
  }

  @Test
  void textStopsAtTheFirstNulAsCsPercentSDoes() {
    assertThat(Keywords.cString("NX\0junk".getBytes(StandardCharsets.US_ASCII))).isEqualTo("NX");
    assertThat(Keywords.upper("xinfo\0".getBytes(StandardCharsets.US_ASCII))).isEqualTo("XINFO");
    assertThat(Keywords.upper("ünï".getBytes(StandardCharsets.UTF_8)).getBytes(StandardCharsets.ISO_8859_1))
        .isEqualTo("üNï".getBytes(StandardCharsets.UTF_8));
    assertThat(Keywords.is("nx\0junk".getBytes(StandardCharsets.US_ASCII), "NX")).isTrue();
  }
}
