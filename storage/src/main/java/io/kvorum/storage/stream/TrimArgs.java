package io.kvorum.storage.stream;

import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;

/**
 * The options XADD and XTRIM share, parsed as Redis 7.0's {@code
 * streamParseAddOrTrimArgsOrReply} does: {@code MAXLEN|MINID [=|~] threshold [LIMIT count]},
 * and for XADD also {@code NOMKSTREAM} and the ID, which ends the options.
 *
 * @param limit       at most this many entries trimmed (0: no limit); approximate trimming without
 *                    LIMIT gets Redis's default of 100 × stream-node-max-entries
 * @param idIndex     XADD: the index of the ID argument (fields follow it)
 * @param id          XADD: the ID given, null for {@code *}
 * @param seqGiven    XADD: false for {@code <ms>-*}
 */
record TrimArgs(
    Strategy strategy,
    long maxlen,
    StreamId minId,
    boolean approximate,
    long limit,
    boolean noMkStream,
    int idIndex,
    StreamId id,
    boolean seqGiven) {

  /** How a stream is trimmed. */
  enum Strategy {
    NONE,
    MAXLEN,
    MINID
  }

  static final String BOTH_STRATEGIES =
      "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";

  /** Parses the options of XADD ({@code xadd}) or XTRIM, from argument 2 on. */
  static TrimArgs parse(byte[][] args, boolean xadd) {
    Strategy strategy = Strategy.NONE;
    long maxlen = -1;
    StreamId minId = StreamId.MIN;
    boolean approximate = false;
    long limit = 0;
    boolean limitGiven = false;
    boolean noMkStream = false;
    StreamId id = null;
    boolean seqGiven = true;
    int i = 2;
    for (; i < args.length; i++) {
      int moreArgs = args.length - 1 - i;
      byte[] opt = args[i];
      if (xadd && Keywords.is(opt, "*")) {
        break;
      } else if (Keywords.is(opt, "maxlen") && moreArgs > 0) {
        if (strategy != Strategy.NONE) {
          throw new RedisError(BOTH_STRATEGIES);
        }
        approximate = false;
        if (moreArgs >= 2 && Keywords.is(args[i + 1], "~")) {
          approximate = true;
          i++;
        } else if (moreArgs >= 2 && Keywords.is(args[i + 1], "=")) {
          i++;
        }
        maxlen = RedisNumbers.parseLong(args[i + 1]);
        if (maxlen < 0) {
          throw new RedisError("ERR The MAXLEN argument must be >= 0.");
        }
        i++;
        strategy = Strategy.MAXLEN;
      } else if (Keywords.is(opt, "minid") && moreArgs > 0) {
        if (strategy != Strategy.NONE) {
          throw new RedisError(BOTH_STRATEGIES);
        }
        approximate = false;
        if (moreArgs >= 2 && Keywords.is(args[i + 1], "~")) {
          approximate = true;
          i++;
        } else if (moreArgs >= 2 && Keywords.is(args[i + 1], "=")) {
          i++;
        }
        minId = StreamId.parse(args[i + 1], 0, true);
        i++;
        strategy = Strategy.MINID;
      } else if (Keywords.is(opt, "limit") && moreArgs > 0) {
        limit = RedisNumbers.parseLong(args[i + 1]);
        if (limit < 0) {
          throw new RedisError("ERR The LIMIT argument must be >= 0.");
        }
        limitGiven = true;
        i++;
      } else if (xadd && Keywords.is(opt, "nomkstream")) {
        noMkStream = true;
      } else if (xadd) {
        StreamId.Parsed p = StreamId.parseForAdd(opt);
        id = p.id();
        seqGiven = p.seqGiven();
        break;
      } else {
        throw RedisError.syntax();
      }
    }
    if (limit != 0 && strategy == Strategy.NONE) {
      throw new RedisError(
          "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    }
    if (!xadd && strategy == Strategy.NONE) {
      throw new RedisError("ERR syntax error, XTRIM must be called with a trimming strategy");
    }
    if (limitGiven) {
      if (!approximate) {
        throw new RedisError("ERR syntax error, LIMIT cannot be used without the special ~ option");
      }
    } else {
      limit = approximate ? 100 * StoredStream.NODE_MAX_ENTRIES : 0;
    }
    return new TrimArgs(strategy, maxlen, minId, approximate, limit, noMkStream, i, id, seqGiven);
  }
}
