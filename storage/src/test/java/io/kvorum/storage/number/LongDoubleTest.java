package io.kvorum.storage.number;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LongDoubleTest {

  static LongDouble ld(String s) {
    return LongDouble.parse(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  static String incrbyfloat(String value, String increment) {
    LongDouble a = ld(value);
    LongDouble b = ld(increment);
    if (a == null || b == null) {
      return "!float";
    }
    LongDouble sum = a.add(b);
    return sum.isFinite() ? sum.toHumanString() : "!naninf";
  }

  @Test
  void addsInExtendedPrecisionLikeRedis() {
    assertThat(incrbyfloat("10.5", "0.1")).isEqualTo("10.6");
    // Redis 7.0.15 really prints this: 10.6 is not exact in 64 bits, and 5010.6 has fewer spare bits.
    assertThat(incrbyfloat("10.6", "5.0e3")).isEqualTo("5010.60000000000000009");
    assertThat(incrbyfloat("10.5", "5.0e3")).isEqualTo("5010.5");
    assertThat(incrbyfloat("0", "0.1")).isEqualTo("0.1");
    assertThat(incrbyfloat("0.1", "0.2")).isEqualTo("0.3");
    assertThat(incrbyfloat("3", "1.5")).isEqualTo("4.5");
    assertThat(incrbyfloat("1", "-1")).isEqualTo("0");
    assertThat(incrbyfloat("1", "-1.00000000000000000001")).isEqualTo("0");
    assertThat(incrbyfloat("-0", "-0")).isEqualTo("0");
    // 1e20 + 1 needs 67 bits: the 1 is rounded away.
    assertThat(incrbyfloat("1e20", "1")).isEqualTo("100000000000000000000");
    assertThat(incrbyfloat("1e18", "1")).isEqualTo("1000000000000000001");
  }

  @Test
  void parsesLikeStrtoldWithRedisRules() {
    assertThat(ld("")).isNull();
    assertThat(ld(" 1")).isNull();
    assertThat(ld("1 ")).isNull();
    assertThat(ld("nan")).isNull();
    assertThat(ld("-NaN")).isNull();
    assertThat(ld("abc")).isNull();
    assertThat(ld(".")).isNull();
    assertThat(ld("1e")).isNull();
    assertThat(ld("0x")).isNull();
    assertThat(ld("1e5000")).as("overflow").isNull();
    assertThat(ld("1e-5000")).as("underflow to zero").isNull();
    assertThat(ld("0x1p-16446")).as("rounds to zero").isNull();
    assertThat(ld("0x1p-16445")).as("smallest subnormal").isNotNull();
    assertThat(ld("0e99999999999999999999")).isNotNull();
    assertThat(ld("1\0")).isNull();
    assertThat(ld("1".repeat(5120))).as("Redis's buffer limit").isNull();
    assertThat(ld("0".repeat(5118) + "1").toBigDecimal()).isEqualByComparingTo("1");
    assertThat(ld("1".repeat(5119))).as("overflow").isNull();
    assertThat(ld("inf").isFinite()).isFalse();
    assertThat(ld("-Infinity").isFinite()).isFalse();
    assertThat(ld("infinit")).isNull();
    assertThat(ld("0x1.8p1").toBigDecimal()).isEqualByComparingTo("3");
    assertThat(ld(".5").toBigDecimal()).isEqualByComparingTo("0.5");
    assertThat(ld("5.").toBigDecimal()).isEqualByComparingTo("5");
    assertThat(ld("+1").toBigDecimal()).isEqualByComparingTo("1");
  }

  @Test
  void roundsToSixtyFourBitsTiesToEven() {
    // 2^64 + 1 is halfway between 2^64 and 2^64 + 2: the even significand wins.
    assertThat(ld("18446744073709551617").toBigDecimal())
        .isEqualByComparingTo(new BigDecimal("18446744073709551616"));
    assertThat(ld("18446744073709551619").toBigDecimal())
        .isEqualByComparingTo(new BigDecimal("18446744073709551620"));
    assertThat(ld("18446744073709551615").toBigDecimal())
        .as("2^64 - 1 fits").isEqualByComparingTo(new BigDecimal("18446744073709551615"));
    assertThat(ld("36893488147419103231").toBigDecimal())
        .isEqualByComparingTo(new BigDecimal("36893488147419103232"));
  }

  @Test
  void infinitiesAndNanFromAddition() {
    assertThat(incrbyfloat("inf", "1")).isEqualTo("!naninf");
    assertThat(incrbyfloat("inf", "-inf")).isEqualTo("!naninf");
    assertThat(ld("inf").add(ld("-inf")).isNaN()).isTrue();
    assertThat(incrbyfloat("0x1.fffffffffffffffep16383", "0x1.fffffffffffffffep16383"))
        .isEqualTo("!naninf");
  }

  @Test
  void matchesGlibcOnGeneratedVectors() throws IOException {
    List<String> failures = new ArrayList<>();
    int n = 0;
    for (String line : lines("incrbyfloat-vectors.txt")) {
      String[] f = line.split("\\|", -1);
      String got = incrbyfloat(f[0], f[1]);
      n++;
      if (!got.equals(f[2])) {
        failures.add(f[0] + " + " + f[1] + ": expected " + f[2] + " got " + got);
      }
    }
    assertThat(n).isGreaterThan(2000);
    assertThat(failures).isEmpty();
  }

  static List<String> lines(String resource) throws IOException {
    List<String> lines = new ArrayList<>();
    try (InputStream in = LongDoubleTest.class.getResourceAsStream(resource);
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.startsWith("#")) {
          lines.add(line);
        }
      }
    }
    return lines;
  }
}
