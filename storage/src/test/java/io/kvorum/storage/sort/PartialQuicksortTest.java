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
}
