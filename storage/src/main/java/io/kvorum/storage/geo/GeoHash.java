package io.kvorum.storage.geo;

/**
 * Redis's geohash arithmetic (geohash.c, geohash_helper.c of Redis 7.0), bit for bit: positions
 * are 52-bit interleaved geohashes over longitude [-180, 180] and latitude [-85.05112878,
 * 85.05112878] (the Web-Mercator limits), stored as sorted-set scores; searches cover the center
 * box and its 8 neighbors at a step chosen from the radius; distances use the haversine formula
 * on a sphere of radius 6372797.560856 m. Every operation is done in IEEE doubles in the same
 * order as the C code, so encoded scores and decoded coordinates match Redis bit for bit. The
 * trigonometry is correctly rounded ({@link Trig}); glibc's is too except very close to a
 * rounding midpoint, so about 0.2% of distances differ from Redis's in the last bit, which only
 * shows in the 17 digits of STOREDIST scores (never in GEODIST's or WITHDIST's 4 decimals, unless
 * the value sits on a rounding tie).
 */
public final class GeoHash {
  public static final int STEP_MAX = 26;
  public static final double LAT_MIN = -85.05112878;
  public static final double LAT_MAX = 85.05112878;
  public static final double LONG_MIN = -180;
  public static final double LONG_MAX = 180;

  static final double EARTH_RADIUS_IN_METERS = 6372797.560856;
  static final double MERCATOR_MAX = 20037726.37;
  private static final double D_R = Math.PI / 180.0;

  private GeoHash() {}

  /** A geohash of {@code step} bits per coordinate; {@code step} 0 with bits 0 is "no box". */
  public record Bits(long bits, int step) {
    static final Bits ZERO = new Bits(0, 0);

    boolean isZero() {
      return bits == 0 && step == 0;
    }
  }

  /** The longitude and latitude ranges of a geohash box. */
  record Area(double lonMin, double lonMax, double latMin, double latMax) {}

  /** Interleaves the low 32 bits of x (even positions) and y (odd positions). */
  static long interleave64(long xlo, long ylo) {
    long x = xlo & 0xFFFFFFFFL;
    long y = ylo & 0xFFFFFFFFL;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFL;
    y = (y | (y << 16)) & 0x0000FFFF0000FFFFL;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFL;
    y = (y | (y << 8)) & 0x00FF00FF00FF00FFL;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FL;
    y = (y | (y << 4)) & 0x0F0F0F0F0F0F0F0FL;
    x = (x | (x << 2)) & 0x3333333333333333L;
    y = (y | (y << 2)) & 0x3333333333333333L;
    x = (x | (x << 1)) & 0x5555555555555555L;
    y = (y | (y << 1)) & 0x5555555555555555L;
    return x | (y << 1);
  }

  /** The inverse of {@link #interleave64}: even bits in the low word, odd bits in the high. */
  static long deinterleave64(long interleaved) {
    long x = interleaved;
    long y = interleaved >>> 1;
    x = x & 0x5555555555555555L;
    y = y & 0x5555555555555555L;
    x = (x | (x >>> 1)) & 0x3333333333333333L;
    y = (y | (y >>> 1)) & 0x3333333333333333L;
    x = (x | (x >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
    y = (y | (y >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
    x = (x | (x >>> 4)) & 0x00FF00FF00FF00FFL;
    y = (y | (y >>> 4)) & 0x00FF00FF00FF00FFL;
    x = (x | (x >>> 8)) & 0x0000FFFF0000FFFFL;
    y = (y | (y >>> 8)) & 0x0000FFFF0000FFFFL;
    x = (x | (x >>> 16)) & 0x00000000FFFFFFFFL;
    y = (y | (y >>> 16)) & 0x00000000FFFFFFFFL;
    return x | (y << 32);
  }

  /**
   * {@code geohashEncode} over the given ranges; null when the point is outside the Web-Mercator
   * limits or the ranges.
   */
  static Bits encode(double lonMin, double lonMax, double latMin, double latMax,
      double longitude, double latitude, int step) {
    if (longitude > LONG_MAX || longitude < LONG_MIN || latitude > LAT_MAX
        || latitude < LAT_MIN) {
      return null;
    }
    if (latitude < latMin || latitude > latMax || longitude < lonMin || longitude > lonMax) {
      return null;
    }
    double latOffset = (latitude - latMin) / (latMax - latMin);
    double longOffset = (longitude - lonMin) / (lonMax - lonMin);
    latOffset *= (double) (1L << step);
    longOffset *= (double) (1L << step);
    // C converts the doubles to uint32_t parameters: truncation toward zero.
    return new Bits(interleave64((long) latOffset, (long) longOffset), step);
  }

  /** {@code geohashEncodeWGS84}. */
  public static Bits encodeWgs84(double longitude, double latitude, int step) {
    return encode(LONG_MIN, LONG_MAX, LAT_MIN, LAT_MAX, longitude, latitude, step);
  }

  /** {@code geohashDecode} over the given ranges. */
  static Area decode(double lonMin, double lonMax, double latMin, double latMax, Bits hash) {
    int step = hash.step();
    long sep = deinterleave64(hash.bits());
    double latScale = latMax - latMin;
    double longScale = lonMax - lonMin;
    long ilato = sep & 0xFFFFFFFFL;
    long ilono = (sep >>> 32) & 0xFFFFFFFFL;
    double divisor = (double) (1L << step);
    // uint32_t + 1 wraps at 2^32 in C.
    long ilato1 = (ilato + 1) & 0xFFFFFFFFL;
    long ilono1 = (ilono + 1) & 0xFFFFFFFFL;
    return new Area(
        lonMin + (ilono * 1.0 / divisor) * longScale,
        lonMin + (ilono1 * 1.0 / divisor) * longScale,
        latMin + (ilato * 1.0 / divisor) * latScale,
        latMin + (ilato1 * 1.0 / divisor) * latScale);
  }

  static Area decodeWgs84(Bits hash) {
    return decode(LONG_MIN, LONG_MAX, LAT_MIN, LAT_MAX, hash);
  }

  /** {@code geohashDecodeAreaToLongLat}: the box center, clamped to the limits. */
  static double[] center(Area area) {
    double lon = (area.lonMin() + area.lonMax()) / 2;
    if (lon > LONG_MAX) {
      lon = LONG_MAX;
    }
    if (lon < LONG_MIN) {
      lon = LONG_MIN;
    }
    double lat = (area.latMin() + area.latMax()) / 2;
    if (lat > LAT_MAX) {
      lat = LAT_MAX;
    }
    if (lat < LAT_MIN) {
      lat = LAT_MIN;
    }
    return new double[] {lon, lat};
  }

  /**
   * {@code decodeGeohash}: the position a sorted-set score stands for. C converts the score to
   * {@code uint64_t}; on x86-64 that is a truncating conversion below 2^63 (negative values wrap,
   * values at or below -2^63 give 2^63) and a conversion of score - 2^63 with the top bit flipped
   * above it (infinite and too large values give 0).
   */
  public static double[] decodeScore(double score) {
    return center(decodeWgs84(new Bits(scoreBits(score), STEP_MAX)));
  }

  static long scoreBits(double score) {
    if (score < 9223372036854775808.0) {
      return score > -9223372036854775808.0 ? (long) score : Long.MIN_VALUE;
    }
    double shifted = score - 9223372036854775808.0;
    long truncated = shifted < 9223372036854775808.0 ? (long) shifted : Long.MIN_VALUE;
    return truncated ^ Long.MIN_VALUE;
  }

  /** {@code geohashAlign52Bits}: the 52-bit score of a hash. */
  public static long align52Bits(Bits hash) {
    return hash.bits() << (52 - hash.step() * 2);
  }

  private static long moveX(Bits hash, int d) {
    long bits = hash.bits();
    if (d == 0) {
      return bits;
    }
    long x = bits & 0xaaaaaaaaaaaaaaaaL;
    long y = bits & 0x5555555555555555L;
    long zz = 0x5555555555555555L >>> (64 - hash.step() * 2);
    if (d > 0) {
      x = x + (zz + 1);
    } else {
      x = x | zz;
      x = x - (zz + 1);
    }
    x &= (0xaaaaaaaaaaaaaaaaL >>> (64 - hash.step() * 2));
    return x | y;
  }

  private static long moveY(Bits hash, int d) {
    long bits = hash.bits();
    if (d == 0) {
      return bits;
    }
    long x = bits & 0xaaaaaaaaaaaaaaaaL;
    long y = bits & 0x5555555555555555L;
    long zz = 0xaaaaaaaaaaaaaaaaL >>> (64 - hash.step() * 2);
    if (d > 0) {
      y = y + (zz + 1);
    } else {
      y = y | zz;
      y = y - (zz + 1);
    }
    y &= (0x5555555555555555L >>> (64 - hash.step() * 2));
    return x | y;
  }

  private static Bits move(Bits hash, int dx, int dy) {
    Bits moved = new Bits(moveX(hash, dx), hash.step());
    return new Bits(moveY(moved, dy), hash.step());
  }

  /**
   * The 9 boxes of a search in Redis's order: center, north, south, east, west, north-east,
   * north-west, south-east, south-west. Boxes the search cannot reach are {@link Bits#ZERO}.
   */
  static Bits[] searchAreas(Shape shape) {
    double[] bounds = shape.boundingBox();
    double minLon = bounds[0];
    double minLat = bounds[1];
    double maxLon = bounds[2];
    double maxLat = bounds[3];
    double longitude = shape.longitude();
    double latitude = shape.latitude();
    double radiusMeters = shape.coveringRadius() * shape.conversion();
    int steps = estimateStepsByRadius(radiusMeters, latitude);

    Bits hash = encodeWgs84(longitude, latitude, steps);
    Bits[] n = neighbors(hash);
    Area area = decodeWgs84(hash);

    boolean decreaseStep = false;
    Area north = decodeWgs84(n[1]);
    Area south = decodeWgs84(n[2]);
    Area east = decodeWgs84(n[3]);
    Area west = decodeWgs84(n[4]);
    if (north.latMax() < maxLat) {
      decreaseStep = true;
    }
    if (south.latMin() > minLat) {
      decreaseStep = true;
    }
    if (east.lonMax() < maxLon) {
      decreaseStep = true;
    }
    if (west.lonMin() > minLon) {
      decreaseStep = true;
    }
    if (steps > 1 && decreaseStep) {
      steps--;
      hash = encodeWgs84(longitude, latitude, steps);
      n = neighbors(hash);
      area = decodeWgs84(hash);
    }
    if (steps >= 2) {
      if (area.latMin() < minLat) {
        n[2] = Bits.ZERO; // south
        n[8] = Bits.ZERO; // south-west
        n[7] = Bits.ZERO; // south-east
      }
      if (area.latMax() > maxLat) {
        n[1] = Bits.ZERO; // north
        n[5] = Bits.ZERO; // north-east
        n[6] = Bits.ZERO; // north-west
      }
      if (area.lonMin() < minLon) {
        n[4] = Bits.ZERO; // west
        n[8] = Bits.ZERO;
        n[6] = Bits.ZERO;
      }
      if (area.lonMax() > maxLon) {
        n[3] = Bits.ZERO; // east
        n[7] = Bits.ZERO;
        n[5] = Bits.ZERO;
      }
    }
    return n;
  }

  /** Center plus neighbors, indexed as {@link #searchAreas} returns them. */
  private static Bits[] neighbors(Bits hash) {
    return new Bits[] {
      hash,
      move(hash, 0, 1),   // north
      move(hash, 0, -1),  // south
      move(hash, 1, 0),   // east
      move(hash, -1, 0),  // west
      move(hash, 1, 1),   // north-east
      move(hash, -1, 1),  // north-west
      move(hash, 1, -1),  // south-east
      move(hash, -1, -1), // south-west
    };
  }

  /** {@code geohashEstimateStepsByRadius}. */
  static int estimateStepsByRadius(double rangeMeters, double lat) {
    if (rangeMeters == 0) {
      return 26;
    }
    int step = 1;
    while (rangeMeters < MERCATOR_MAX) {
      rangeMeters *= 2;
      step++;
    }
    step -= 2;
    if (lat > 66 || lat < -66) {
      step--;
      if (lat > 80 || lat < -80) {
        step--;
      }
    }
    if (step < 1) {
      step = 1;
    }
    if (step > 26) {
      step = 26;
    }
    return step;
  }

  static double degRad(double ang) {
    return ang * D_R;
  }

  static double radDeg(double ang) {
    return ang / D_R;
  }

  /**
   * {@code geohashGetLatDistance}: the distance along a meridian (the haversine formula
   * simplified for equal longitudes).
   */
  static double latDistance(double lat1d, double lat2d) {
    return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
  }

  /** {@code geohashGetDistance}: haversine great-circle distance in meters. */
  public static double distance(double lon1d, double lat1d, double lon2d, double lat2d) {
    double lon1r = degRad(lon1d);
    double lon2r = degRad(lon2d);
    double v = Trig.sin((lon2r - lon1r) / 2);
    if (v == 0.0) {
      return latDistance(lat1d, lat2d);
    }
    double lat1r = degRad(lat1d);
    double lat2r = degRad(lat2d);
    double u = Trig.sin((lat2r - lat1r) / 2);
    double a = u * u + Trig.cos(lat1r) * Trig.cos(lat2r) * v * v;
    return 2.0 * EARTH_RADIUS_IN_METERS * Trig.asin(Math.sqrt(a));
  }
}
