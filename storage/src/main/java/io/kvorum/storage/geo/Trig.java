package io.kvorum.storage.geo;

/**
 * {@code sin}, {@code cos} and {@code asin} rounded correctly (to the double nearest the exact
 * value), computed in double-double arithmetic (about 106 significant bits). Redis calls glibc's
 * functions, which are correctly rounded except within a few thousandths of an ulp of a midpoint;
 * Java's {@code StrictMath} (fdlibm) is off by one ulp far more often (about 1% for sin and cos,
 * 3% for asin), which shows in the 17 digits of GEO distances stored as scores. Everything here is
 * exact IEEE arithmetic ({@code fma}, {@code sqrt}, StrictMath for starting points), so every
 * replica computes the same bits.
 */
final class Trig {
  /** π/2 in 33-bit pieces (k × piece is exact for k < 2^20) and the remainder (fdlibm's values). */
  private static final double PIO2_1 = 1.57079632673412561417e+00;
  private static final double PIO2_2 = 6.07710050630396597660e-11;
  private static final double PIO2_3 = 2.02226624871116645580e-21;
  private static final double PIO2_3T = 8.47842766036889956997e-32;
  /** π/2 as a double-double. */
  private static final double PIO2_HI = 1.5707963267948966;
  private static final double PIO2_LO = 6.123233995736766e-17;
  /** Arguments this large are reduced with StrictMath instead (no GEO computation needs them). */
  private static final double MAX_REDUCED = (1 << 19) * PIO2_HI;
  private static final int TERMS = 15;

  private Trig() {}

  static double sin(double x) {
    if (x == 0 || !Double.isFinite(x) || Math.abs(x) > MAX_REDUCED) {
      return StrictMath.sin(x);
    }
    return sinCos(x, 0, false);
  }

  static double cos(double x) {
    if (!Double.isFinite(x) || Math.abs(x) > MAX_REDUCED) {
      return StrictMath.cos(x);
    }
    return sinCos(x, 0, true);
  }

  static double asin(double y) {
    if (Double.isNaN(y) || y > 1 || y < -1) {
      return Double.NaN;
    }
    if (y == 0) {
      return y;
    }
    if (y < 0) {
      return -asin(-y);
    }
    double[] z;
    if (y <= 0.5) {
      z = asinSmall(y, 0);
    } else {
      // asin(y) = π/2 - 2 asin(sqrt((1 - y) / 2)); 1 - y and the halving are exact here.
      double t = (1 - y) / 2;
      double s = Math.sqrt(t);
      double sLo = s == 0 ? 0 : Math.fma(-s, s, t) / (2 * s);
      double[] w = asinSmall(s, sLo);
      z = add(PIO2_HI, PIO2_LO, -2 * w[0], -2 * w[1]);
    }
    return z[0] + z[1];
  }

  /** asin of the double-double (y, yLo), 0 ≤ y ≤ 0.5: Newton's method on sin from fdlibm's value. */
  private static double[] asinSmall(double y, double yLo) {
    double zHi = StrictMath.asin(y);
    double zLo = 0;
    for (int i = 0; i < 2; i++) {
      double[] sc = sinCosDd(zHi, zLo);
      // z -= (sin z - y) / cos z
      double[] f = add(sc[0], sc[1], -y, -yLo);
      double[] q = div(f[0], f[1], sc[2], sc[3]);
      double[] z = add(zHi, zLo, -q[0], -q[1]);
      zHi = z[0];
      zLo = z[1];
    }
    return new double[] {zHi, zLo};
  }

  /** sin (or cos) of a double, rounded. */
  private static double sinCos(double x, double xLo, boolean cosine) {
    double[] sc = sinCosDd(x, xLo);
    return cosine ? sc[2] + sc[3] : sc[0] + sc[1];
  }

  /** {sin hi, sin lo, cos hi, cos lo} of the double-double (x, xLo), |x| ≤ MAX_REDUCED. */
  private static double[] sinCosDd(double x, double xLo) {
    double k = Math.rint(x / PIO2_HI);
    double[] r = {x, xLo};
    if (k != 0) {
      r = add(r[0], r[1], -k * PIO2_1, 0);
      r = add(r[0], r[1], -k * PIO2_2, 0);
      r = add(r[0], r[1], -k * PIO2_3, -k * PIO2_3T);
    }
    double[] r2 = mul(r[0], r[1], r[0], r[1]);
    // Horner form of the Taylor series: sin r = r (1 - r²/(2·3) (1 - r²/(4·5) (1 - …))).
    double[] s = {1, 0};
    double[] c = {1, 0};
    for (int n = TERMS; n >= 1; n--) {
      double[] ts = mul(s[0], s[1], r2[0], r2[1]);
      ts = divSmall(ts[0], ts[1], (2.0 * n) * (2.0 * n + 1));
      s = add(1, 0, -ts[0], -ts[1]);
      double[] tc = mul(c[0], c[1], r2[0], r2[1]);
      tc = divSmall(tc[0], tc[1], (2.0 * n - 1) * (2.0 * n));
      c = add(1, 0, -tc[0], -tc[1]);
    }
    s = mul(s[0], s[1], r[0], r[1]);
    int quadrant = (int) (((long) k) & 3);
    return switch (quadrant) {
      case 0 -> new double[] {s[0], s[1], c[0], c[1]};
      case 1 -> new double[] {c[0], c[1], -s[0], -s[1]};
      case 2 -> new double[] {-s[0], -s[1], -c[0], -c[1]};
      default -> new double[] {-c[0], -c[1], s[0], s[1]};
    };
  }

  // ---- double-double arithmetic ---------------------------------------------------------------

  private static double[] twoSum(double a, double b) {
    double s = a + b;
    double bb = s - a;
    return new double[] {s, (a - (s - bb)) + (b - bb)};
  }

  private static double[] quickTwoSum(double a, double b) {
    double s = a + b;
    return new double[] {s, b - (s - a)};
  }

  /** (aHi, aLo) + (bHi, bLo), accurate even when the sum cancels. */
  static double[] add(double aHi, double aLo, double bHi, double bLo) {
    double[] s = twoSum(aHi, bHi);
    double[] t = twoSum(aLo, bLo);
    double lo = s[1] + t[0];
    double[] u = quickTwoSum(s[0], lo);
    lo = u[1] + t[1];
    return quickTwoSum(u[0], lo);
  }

  static double[] mul(double aHi, double aLo, double bHi, double bLo) {
    double p = aHi * bHi;
    double e = Math.fma(aHi, bHi, -p);
    e += aHi * bLo + aLo * bHi;
    return quickTwoSum(p, e);
  }

  static double[] div(double aHi, double aLo, double bHi, double bLo) {
    double q1 = aHi / bHi;
    double[] p = mul(q1, 0, bHi, bLo);
    double[] r = add(aHi, aLo, -p[0], -p[1]);
    double q2 = r[0] / bHi;
    p = mul(q2, 0, bHi, bLo);
    r = add(r[0], r[1], -p[0], -p[1]);
    double q3 = r[0] / bHi;
    double[] q = quickTwoSum(q1, q2);
    return add(q[0], q[1], q3, 0);
  }

  /** Division by a double that is an exact small integer. */
  private static double[] divSmall(double aHi, double aLo, double b) {
    double q1 = aHi / b;
    double p = q1 * b;
    double e = Math.fma(q1, b, -p);
    double r = ((aHi - p) - e + aLo) / b;
    return quickTwoSum(q1, r);
  }
}
