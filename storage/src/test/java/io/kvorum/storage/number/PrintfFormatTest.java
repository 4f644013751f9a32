package io.kvorum.storage.number;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrintfFormatTest {

  @Test
  void formatsLikeGlibcPercentG17() {
    assertThat(PrintfFormat.g17(0.1)).isEqualTo("0.10000000000000001");
    assertThat(PrintfFormat.g17(1.0)).isEqualTo("1");
    assertThat(PrintfFormat.g17(1.5)).isEqualTo("1.5");
    assertThat(PrintfFormat.g17(1e17)).isEqualTo("1e+17");
    assertThat(PrintfFormat.g17(1e16)).isEqualTo("10000000000000000");
    assertThat(PrintfFormat.g17(1e-5)).isEqualTo("1.0000000000000001e-05");
    assertThat(PrintfFormat.g17(0.0001)).isEqualTo("0.0001");
    assertThat(PrintfFormat.g17(-0.0)).isEqualTo("-0");
    assertThat(PrintfFormat.g17(0.0)).isEqualTo("0");
    assertThat(PrintfFormat.g17(Double.POSITIVE_INFINITY)).isEqualTo("inf");
    assertThat(PrintfFormat.g17(Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
    assertThat(PrintfFormat.g17(Double.NaN)).isEqualTo("nan");
    assertThat(PrintfFormat.g17(Double.MIN_VALUE)).isEqualTo("4.9406564584124654e-324");
    assertThat(PrintfFormat.g17(Double.MAX_VALUE)).isEqualTo("1.7976931348623157e+308");
  }

  @Test
  void otherPrecisions() {
    assertThat(PrintfFormat.g(2.5, 1)).isEqualTo("2");
    assertThat(PrintfFormat.g(3.5, 1)).isEqualTo("4");
    assertThat(PrintfFormat.g(123456, 6)).isEqualTo("123456");
    assertThat(PrintfFormat.g(1234567, 6)).isEqualTo("1.23457e+06");
    assertThat(PrintfFormat.g(0.5, 0)).isEqualTo("0.5");
    assertThat(PrintfFormat.g(9.9999, 3)).isEqualTo("10");
  }

  @Test
  void matchesGlibcOnGeneratedVectors() throws IOException {
    List<String> failures = new ArrayList<>();
    int n = 0;
    for (String line : LongDoubleTest.lines("g17-vectors.txt")) {
      String[] f = line.split("\\|", -1);
      double d = Double.longBitsToDouble(Long.parseUnsignedLong(f[0], 16));
      String got = PrintfFormat.g17(d);
      n++;
      if (!got.equals(f[1])) {
        failures.add(f[0] + " (" + d + "): expected " + f[1] + " got " + got);
      }
    }
    assertThat(n).isGreaterThan(3000);
    assertThat(failures).isEmpty();
  }
}
