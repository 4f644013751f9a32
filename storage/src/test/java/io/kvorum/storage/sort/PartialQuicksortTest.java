package io.kvorum.storage.sort;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartialQuicksortTest {
  /** The wanted ranks hold what a full sort puts there, for every size and range. */
  @Test
  void theRequestedRanksAreSorted() {
    Random rnd = new Random(1);
    for (int round = 0; round < 1500; round++) {
      int n = 1 + rnd.nextInt(round < 1000 ? 60 : 400);
      Integer[] values = new Integer[n];
      for (int i = 0; i < n; i++) {
        values[i] = rnd.nextInt(rnd.nextBoolean() ? 5 : 1_000_000);
      }
      int lo = rnd.nextInt(n);
      int hi = lo + rnd.nextInt(n - lo);
      Integer[] partial = values.clone();
      PartialQuicksort.sort(partial, Comparator.naturalOrder(), lo, hi);
      Integer[] full = values.clone();
      Arrays.sort(full);
      assertThat(Arrays.copyOfRange(partial, lo, hi + 1))
          .as("n=%d ranks %d..%d", n, lo, hi).containsExactly(Arrays.copyOfRange(full, lo, hi + 1));
      Integer[] sortedCopy = partial.clone();
      Arrays.sort(sortedCopy);
      assertThat(sortedCopy).as("a permutation").containsExactly(full);
    }
  }

  /** A range covering everything is a full sort. */
  @Test
  void theWholeRangeIsAFullSort() {
    Random rnd = new Random(2);
    Integer[] values = new Integer[1000];
    for (int i = 0; i < values.length; i++) {
      values[i] = rnd.nextInt(100);
    }
    Integer[] partial = values.clone();
    PartialQuicksort.sort(partial, Comparator.naturalOrder(), 0, values.length - 1);
    Arrays.sort(values);
    assertThat(partial).containsExactly(values);
  }

  /**
   * Ties end where Redis 7.0's pqsort leaves them: expected orders recorded from redis-server
   * 7.0.15 ({@code SORT l ALPHA BY w_* LIMIT …}, missing weights first). A partitioning pass that
   * swaps nothing still swaps its pivot to the boundary (Redis 7.0 does not switch to insertion
   * sort there), so seven elements with one weight leave the last element first.
   */
  @Test
  void tiesLandWhereRedisSevenLeavesThem() {
    String[] weights = {null, null, null, "1.5", null, null, null};
    Integer[] order = {0, 1, 2, 3, 4, 5, 6};
    PartialQuicksort.sort(order, byWeight(weights), 1, 6);
    assertThat(order).containsExactly(6, 1, 2, 0, 4, 5, 3);

    String[] many = new String[45];
    for (int i = 0; i < many.length; i++) {
      many[i] = i % 4 == 0 ? null : (i * 7) % 3 % 2 == 0 ? "a" : "b";
    }
    Integer[] all = new Integer[45];
    Arrays.setAll(all, i -> i);
    PartialQuicksort.sort(all, byWeight(many), 0, 43);
    assertThat(all).containsExactly(24, 40, 8, 16, 44, 0, 32, 20, 4, 28, 12, 36, 23, 39, 2, 3, 5,
        6, 9, 11, 14, 15, 17, 18, 21, 26, 27, 29, 30, 33, 35, 38, 41, 42, 7, 43, 25, 13, 37, 22, 1,
        10, 31, 19, 34);
    Integer[] middle = new Integer[45];
    Arrays.setAll(middle, i -> i);
    PartialQuicksort.sort(middle, byWeight(many), 10, 29);
    assertThat(Arrays.copyOfRange(middle, 10, 30)).containsExactly(12, 36, 23, 39, 2, 3, 5, 6, 9,
        11, 14, 15, 17, 18, 21, 26, 27, 29, 30, 33);
  }

  /** Redis's ALPHA BY comparison: a missing weight sorts first, two missing ones tie. */
  private static Comparator<Integer> byWeight(String[] weights) {
    return (x, y) -> {
      String a = weights[x];
      String b = weights[y];
      if (a == null || b == null) {
        return a == b ? 0 : a == null ? -1 : 1;
      }
      return a.compareTo(b);
    };
  }
}
