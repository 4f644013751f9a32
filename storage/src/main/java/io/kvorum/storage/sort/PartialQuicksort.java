package io.kvorum.storage.sort;

import java.util.Comparator;

/**
 * Redis's {@code pqsort}: the NetBSD quicksort (Bentley and McIlroy's) that skips partitions
 * lying wholly outside the range of ranks [lrange, rrange], used by SORT BY … LIMIT. It is not
 * stable, so among elements that compare equal the order it leaves is the one its exact sequence
 * of swaps produces; this port makes the same comparisons and swaps, so SORT answers ties like
 * Redis does.
 *
 * <p>Redis 7.0's copy lacks the switch to insertion sort that NetBSD makes after a partitioning
 * pass that swapped nothing: such a pass still moves the pivot to the partition boundary and
 * recurses, and that is visible in where ties end up.
 */
final class PartialQuicksort {
  private PartialQuicksort() {}

  /** Sorts {@code v} enough that positions {@code lrange..rrange} hold what a full sort puts there. */
  static <T> void sort(T[] v, Comparator<? super T> cmp, int lrange, int rrange) {
    sort(v, 0, v.length, cmp, lrange, rrange);
  }

  private static <T> void sort(T[] v, int a, int n, Comparator<? super T> cmp, int lrange,
      int rrange) {
    while (true) {
      if (n < 7) {
        insertion(v, a, n, cmp);
        return;
      }
      int pm = a + n / 2;
      if (n > 7) {
        int pl = a;
        int pn = a + n - 1;
        if (n > 40) {
          int d = n / 8;
          pl = med3(v, pl, pl + d, pl + 2 * d, cmp);
          pm = med3(v, pm - d, pm, pm + d, cmp);
          pn = med3(v, pn - 2 * d, pn - d, pn, cmp);
        }
        pm = med3(v, pl, pm, pn, cmp);
      }
      swap(v, a, pm);
      int pa = a + 1;
      int pb = a + 1;
      int pc = a + n - 1;
      int pd = a + n - 1;
      while (true) {
        int r;
        while (pb <= pc && (r = cmp.compare(v[pb], v[a])) <= 0) {
          if (r == 0) {
            swap(v, pa, pb);
            pa++;
          }
          pb++;
        }
        while (pb <= pc && (r = cmp.compare(v[pc], v[a])) >= 0) {
          if (r == 0) {
            swap(v, pc, pd);
            pd--;
          }
          pc--;
        }
        if (pb > pc) {
          break;
        }
        swap(v, pb, pc);
        pb++;
        pc--;
      }
      int pn = a + n;
      int r = Math.min(pa - a, pb - pa);
      vecswap(v, a, pb - r, r);
      r = Math.min(pd - pc, pn - pd - 1);
      vecswap(v, pb, pn - r, r);
      r = pb - pa;
      if (r > 1 && overlaps(a, r, lrange, rrange)) {
        sort(v, a, r, cmp, lrange, rrange);
      }
      r = pd - pc;
      if (r > 1) {
        // Iterate rather than recurse on the second partition, as the C code does.
        a = pn - r;
        n = r;
        if (overlaps(a, n, lrange, rrange)) {
          continue;
        }
      }
      return;
    }
  }

  /** Whether [a, a + n) is not wholly before or wholly after the wanted ranks. */
  private static boolean overlaps(int a, int n, int lrange, int rrange) {
    return !((lrange < a && rrange < a) || (lrange >= a + n && rrange >= a + n));
  }

  private static <T> void insertion(T[] v, int a, int n, Comparator<? super T> cmp) {
    for (int pm = a + 1; pm < a + n; pm++) {
      for (int pl = pm; pl > a && cmp.compare(v[pl - 1], v[pl]) > 0; pl--) {
        swap(v, pl, pl - 1);
      }
    }
  }

  private static <T> int med3(T[] v, int a, int b, int c, Comparator<? super T> cmp) {
    return cmp.compare(v[a], v[b]) < 0
        ? (cmp.compare(v[b], v[c]) < 0 ? b : (cmp.compare(v[a], v[c]) < 0 ? c : a))
        : (cmp.compare(v[b], v[c]) > 0 ? b : (cmp.compare(v[a], v[c]) < 0 ? a : c));
  }

  private static <T> void swap(T[] v, int i, int j) {
    T t = v[i];
    v[i] = v[j];
    v[j] = t;
  }

  private static <T> void vecswap(T[] v, int i, int j, int n) {
    for (int k = 0; k < n; k++) {
      swap(v, i + k, j + k);
    }
  }
}
