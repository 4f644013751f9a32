package io.kvorum.storage.sort;

import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.slot.HashSlot;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of {@code SORT key [BY pattern] [LIMIT offset count] [GET pattern …] [ASC|DESC]
 * [ALPHA] [STORE destination]} (and of SORT_RO, which has no STORE), parsed as Redis 7.0's
 * {@code sortCommandGeneric} parses them: left to right, the first bad option answering, LIMIT's
 * numbers checked where they appear, later options overriding earlier ones.
 *
 * <p>As in Redis Cluster, a BY or GET pattern must not reach keys outside the sorted key's hash
 * slot. Redis 7.0 in cluster mode refuses every BY pattern with a '*' and every GET; Kvorum allows
 * the patterns whose keys provably share the key's slot (a hash tag before the '*', as Redis 8
 * does, or GET #) and refuses the others with Redis 7.0's error.
 *
 * @param dontSort   a BY pattern without '*' was given: keep the source order (sticky, as in Redis)
 * @param by         the last BY pattern, or null
 * @param limitStart 0 when no LIMIT
 * @param limitCount -1 when no LIMIT
 * @param store      the STORE destination, or null
 */
record SortRequest(boolean desc, boolean alpha, boolean dontSort, byte[] by, long limitStart,
    long limitCount, List<byte[]> gets, byte[] store) {

  static final String BY_DENIED = "ERR BY option of SORT denied in Cluster mode.";
  static final String GET_DENIED = "ERR GET option of SORT denied in Cluster mode.";

  static SortRequest parse(byte[][] args, boolean readOnly) {
    boolean desc = false;
    boolean alpha = false;
    boolean dontSort = false;
    byte[] by = null;
    long limitStart = 0;
    long limitCount = -1;
    List<byte[]> gets = new ArrayList<>();
    byte[] store = null;
    int slot = HashSlot.of(args[1]);
    for (int j = 2; j < args.length; j++) {
      int left = args.length - j - 1;
      if (Keywords.is(args[j], "asc")) {
        desc = false;
      } else if (Keywords.is(args[j], "desc")) {
        desc = true;
      } else if (Keywords.is(args[j], "alpha")) {
        alpha = true;
      } else if (Keywords.is(args[j], "limit") && left >= 2) {
        limitStart = RedisNumbers.parseLong(args[j + 1]);
        limitCount = RedisNumbers.parseLong(args[j + 2]);
        j += 2;
      } else if (!readOnly && Keywords.is(args[j], "store") && left >= 1) {
        store = args[++j];
      } else if (Keywords.is(args[j], "by") && left >= 1) {
        by = args[++j];
        if (!SortPattern.hasStar(by)) {
          dontSort = true;
        } else if (SortPattern.slot(by) != slot) {
          throw new RedisError(BY_DENIED);
        }
      } else if (Keywords.is(args[j], "get") && left >= 1) {
        byte[] pattern = args[++j];
        if (!SortPattern.isElement(pattern) && SortPattern.slot(pattern) != slot) {
          throw new RedisError(GET_DENIED);
        }
        gets.add(pattern);
      } else {
        throw RedisError.syntax();
      }
    }
    return new SortRequest(desc, alpha, dontSort, by, limitStart, limitCount, gets, store);
  }

  /**
   * The keys of a SORT invocation as Redis's {@code sortGetKeys} finds them: the sorted key, and
   * the argument after the last STORE. Options are skipped by their argument counts (LIMIT 2, GET
   * and BY 1), anything else by itself, exactly as Redis scans, so the destination CROSSSLOT
   * checks see is the one SORT writes.
   */
  static int[] keys(byte[][] args) {
    int store = -1;
    for (int i = 2; i < args.length; i++) {
      if (Keywords.is(args[i], "limit")) {
        i += 2;
      } else if (Keywords.is(args[i], "get") || Keywords.is(args[i], "by")) {
        i += 1;
      } else if (Keywords.is(args[i], "store") && i + 1 < args.length) {
        store = i + 1;
      }
    }
    return store < 0 ? new int[] {1} : new int[] {1, store};
  }
}
