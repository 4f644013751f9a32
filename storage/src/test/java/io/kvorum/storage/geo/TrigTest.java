package io.kvorum.storage.geo;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Trig} is correctly rounded, and so agrees with glibc where StrictMath does not. */
class TrigTest {
  private static final MathContext MC = new MathContext(50);
  private static final BigDecimal TINY = new BigDecimal("1e-60");

  /** Values printed by glibc 2.36 (Debian 12), where StrictMath is one ulp off. */
  @Test
  void agreesWithGlibcWhereStrictMathDoesNot() {
    double[][] sinCos = {
      {1.213731379530168, 0.9369267344905133, 0.3495258133485183},
      {0.6968012689138278, 0.6417678711528915, 0.7668989500291975},
      {-0.8376095407637195, -0.74304545125917, 0.6692409561309413},
      {0.8413914137407347, 0.7455711157920818, 0.6664260733919031}};
    for (double[] v : sinCos) {
      assertThat(Trig.sin(v[0])).isEqualTo(v[1]);
      assertThat(Trig.cos(v[0])).isEqualTo(v[2]);
    }
    double[][] asin = {{0.5444642379645686, 0.575750245673038},
        {0.44590493898939343, 0.46218502081190077}, {0.5045095198664953, 0.5288137951693045},
        {0.8114622491148324, 0.9466499029848522}};
    for (double[] v : asin) {
      assertThat(Trig.asin(v[0])).isEqualTo(v[1]);
    }
  }

  @Test
  void roundsCorrectlyOverTheGeoRanges() {
    Random rnd = new Random(17);
    for (int i = 0; i < 1500; i++) {
      double x = (rnd.nextDouble() * 2 - 1) * (i % 3 == 0 ? 3.3 : i % 3 == 1 ? 0.01 : 1e-6);
      assertThat(Trig.sin(x)).as("sin %s", x).isEqualTo(sin(new BigDecimal(x)).doubleValue());
      assertThat(Trig.cos(x)).as("cos %s", x).isEqualTo(cos(new BigDecimal(x)).doubleValue());
      double y = rnd.nextDouble() * (i % 2 == 0 ? 1 : 1e-3);
      assertThat(Trig.asin(y)).as("asin %s", y).isEqualTo(asin(y).doubleValue());
    }
    assertThat(Trig.asin(1.0)).isEqualTo(Math.PI / 2);
    assertThat(Trig.asin(1.0000000000000002)).isNaN();
    assertThat(Trig.sin(Math.PI)).isEqualTo(1.2246467991473532e-16);
    assertThat(Trig.cos(-0.0)).isEqualTo(1.0);
  }

  private static BigDecimal sin(BigDecimal x) {
    BigDecimal term = x;
    BigDecimal sum = x;
    BigDecimal x2 = x.multiply(x, MC);
    for (int n = 1; term.abs().compareTo(TINY) > 0; n++) {
      term = term.multiply(x2, MC).divide(BigDecimal.valueOf((2L * n) * (2L * n + 1)), MC)
          .negate();
      sum = sum.add(term, MC);
    }
    return sum;
  }

  private static BigDecimal cos(BigDecimal x) {
    BigDecimal term = BigDecimal.ONE;
    BigDecimal sum = BigDecimal.ONE;
    BigDecimal x2 = x.multiply(x, MC);
    for (int n = 1; term.abs().compareTo(TINY) > 0; n++) {
      term = term.multiply(x2, MC).divide(BigDecimal.valueOf((2L * n - 1) * (2L * n)), MC)
          .negate();
      sum = sum.add(term, MC);
    }
    return sum;
  }

  /** asin by Newton's method on the series above. */
  private static BigDecimal asin(double y) {
    BigDecimal target = new BigDecimal(y);
    BigDecimal z = new BigDecimal(StrictMath.asin(y));
    for (int i = 0; i < 5; i++) {
      z = z.subtract(sin(z).subtract(target, MC).divide(cos(z), MC), MC);
    }
    return z;
  }
}
