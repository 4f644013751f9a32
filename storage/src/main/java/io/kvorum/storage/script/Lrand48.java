package io.kvorum.storage.script;

/**
 * Redis's {@code redisLrand48} (rand.c), the generator behind a script's {@code math.random}: the
 * 48-bit linear congruential generator of POSIX lrand48, so a script that calls {@code
 * math.randomseed(n)} draws the same numbers as on Redis. Not thread-safe: one per script run.
 */
final class Lrand48 {
  /** REDIS_LRAND48_MAX. */
  static final int MAX = Integer.MAX_VALUE;
  private static final long MULTIPLIER = 0x5DEECE66DL;
  private static final long MASK = (1L << 48) - 1;

  private long x;

  Lrand48(int seed) {
    seed(seed);
  }

  /** redisSrand48: the high 32 bits of the state are the seed, the low 16 bits 0x330E. */
  void seed(int seed) {
    x = (((long) seed & 0xFFFFFFFFL) << 16 | 0x330E) & MASK;
  }

  /** A number in [0, 2^31). */
  int next() {
    x = (x * MULTIPLIER + 0xB) & MASK;
    return (int) (x >>> 17);
  }
}
