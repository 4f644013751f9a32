package io.kvorum.storage.string;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.List;

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: Redis 7.0's dynamic programming and
 * backtracking, so ties between equally long subsequences resolve to the same one and the match
 * ranges come out in the same order.
 *
 * <p>Redis keeps the whole (len1+1)×(len2+1) table of 32-bit lengths for the backtracking walk.
 * The walk only needs, for each cell, whether LCS(i-1,j) &gt; LCS(i,j-1), so this keeps that one
 * bit per cell plus two rows of lengths: 1/32 of the memory for the same path. The size limit is
 * still Redis's, computed on the table Redis would allocate, so the same inputs are refused.
 */
final class LcsCommand {
  private LcsCommand() {}

  static Reply lcs(CommandContext ctx, byte[][] args) {
    KeyMeta metaA = ctx.keyspace().lookup(args[1]);
    KeyMeta metaB = ctx.keyspace().lookup(args[2]);
    if ((metaA != null && metaA.type() != RedisType.STRING)
        || (metaB != null && metaB.type() != RedisType.STRING)) {
      throw new RedisError("ERR The specified keys must contain string values");
    }
    byte[] a = metaA == null ? new byte[0] : metaA.value();
    byte[] b = metaB == null ? new byte[0] : metaB.value();
    boolean getLen = false;
    boolean getIdx = false;
    boolean withMatchLen = false;
    long minMatchLen = 0;
    for (int j = 3; j < args.length; j++) {
      byte[] opt = args[j];
      boolean moreArgs = args.length - 1 - j > 0;
      if (Keywords.is(opt, "IDX")) {
        getIdx = true;
      } else if (Keywords.is(opt, "LEN")) {
        getLen = true;
      } else if (Keywords.is(opt, "WITHMATCHLEN")) {
        withMatchLen = true;
      } else if (Keywords.is(opt, "MINMATCHLEN") && moreArgs) {
        minMatchLen = Math.max(0, RedisNumbers.parseLong(args[j + 1]));
        j++;
      } else {
        throw RedisError.syntax();
      }
    }
    if (getLen && getIdx) {
      throw new RedisError("ERR If you want both the length and indexes, please just use IDX.");
    }
    if (a.length >= 0xFFFFFFFEL || b.length >= 0xFFFFFFFEL) {
      throw new RedisError("ERR String too long for LCS");
    }
    int alen = a.length;
    int blen = b.length;
    long cells = (long) (alen + 1) * (blen + 1);
    if (cells * Integer.BYTES > StringLimits.maxBytes()) {
      throw new RedisError(
          "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    }
    boolean computeLcs = getIdx || !getLen;
    // upBeatsLeft bit of cell (i,j), 1-based: LCS(i-1,j) > LCS(i,j-1), only where a[i-1] != b[j-1].
    long[] upBeatsLeft = computeLcs ? new long[(int) (((long) alen * blen + 63) >>> 6)] : null;
    int[] prev = new int[blen + 1];
    int[] cur = new int[blen + 1];
    for (int i = 1; i <= alen; i++) {
      byte ai = a[i - 1];
      long rowBase = (long) (i - 1) * blen;
      for (int j = 1; j <= blen; j++) {
        if (ai == b[j - 1]) {
          cur[j] = prev[j - 1] + 1;
        } else {
          int up = prev[j];
          int left = cur[j - 1];
          if (up > left) {
            cur[j] = up;
            if (computeLcs) {
              long bit = rowBase + j - 1;
              upBeatsLeft[(int) (bit >>> 6)] |= 1L << bit;
            }
          } else {
            cur[j] = left;
          }
        }
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    int total = prev[blen];

    byte[] result = computeLcs ? new byte[total] : null;
    List<Reply> matches = new ArrayList<>();
    int idx = total;
    int i = alen;
    int j = blen;
    // Redis marks "no range open" with arangeStart == alen.
    int arangeStart = alen;
    int arangeEnd = 0;
    int brangeStart = 0;
    int brangeEnd = 0;
    while (computeLcs && i > 0 && j > 0) {
      boolean emitRange = false;
      if (a[i - 1] == b[j - 1]) {
        result[idx - 1] = a[i - 1];
        if (arangeStart == alen) {
          arangeStart = i - 1;
          arangeEnd = i - 1;
          brangeStart = j - 1;
          brangeEnd = j - 1;
        } else if (arangeStart == i && brangeStart == j) {
          arangeStart--;
          brangeStart--;
        } else {
          emitRange = true;
        }
        if (arangeStart == 0 || brangeStart == 0) {
          emitRange = true;
        }
        idx--;
        i--;
        j--;
      } else {
        long bit = (long) (i - 1) * blen + j - 1;
        if ((upBeatsLeft[(int) (bit >>> 6)] & (1L << bit)) != 0) {
          i--;
        } else {
          j--;
        }
        if (arangeStart != alen) {
          emitRange = true;
        }
      }
      long matchLen = (long) arangeEnd - arangeStart + 1;
      if (emitRange) {
        if (getIdx && (minMatchLen == 0 || matchLen >= minMatchLen)) {
          List<Reply> match = new ArrayList<>(3);
          match.add(Reply.array(Reply.integer(arangeStart), Reply.integer(arangeEnd)));
          match.add(Reply.array(Reply.integer(brangeStart), Reply.integer(brangeEnd)));
          if (withMatchLen) {
            match.add(Reply.integer(matchLen));
          }
          matches.add(Reply.array(match));
        }
        arangeStart = alen;
      }
    }
    if (getIdx) {
      return new Reply.MapReply(List.of(
          Reply.bulk("matches"), Reply.array(matches), Reply.bulk("len"), Reply.integer(total)));
    }
    if (getLen) {
      return Reply.integer(total);
    }
    return Reply.bulk(result);
  }
}
