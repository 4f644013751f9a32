package io.kvorum.storage.hyperloglog;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * MurmurHash2, 64-bit version, as Redis's hyperloglog.c computes it: words are read
 * little-endian whatever the platform, so the register an element lands in is the same as in
 * Redis.
 */
final class MurmurHash64A {
  private static final VarHandle LITTLE_ENDIAN_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long M = 0xc6a4a7935bd1e995L;
  private static final int R = 47;

  private MurmurHash64A() {}

  /** The hash of {@code key} with a 32-bit {@code seed} (Redis passes an unsigned int). */
  static long hash(byte[] key, long seed) {
    int len = key.length;
    long h = (seed & 0xFFFFFFFFL) ^ ((long) len * M);
    int end = len - (len & 7);
    int i = 0;
    for (; i < end; i += 8) {
      long k = (long) LITTLE_ENDIAN_LONG.get(key, i);
      k *= M;
      k ^= k >>> R;
      k *= M;
      h ^= k;
      h *= M;
    }
    int rest = len & 7;
    if (rest > 0) {
      for (int j = rest - 1; j >= 0; j--) {
        h ^= (key[i + j] & 0xFFL) << (8 * j);
      }
      h *= M;
    }
    h ^= h >>> R;
    h *= M;
    h ^= h >>> R;
    return h;
  }
}
