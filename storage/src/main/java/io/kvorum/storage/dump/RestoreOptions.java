package io.kvorum.storage.dump;

import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;

/**
 * The options of {@code RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds]
 * [FREQ frequency]}, parsed and checked in Redis 7.0's order ({@code restoreCommand}). IDLETIME and
 * FREQ exclude each other: once one is given, the other is a syntax error.
 *
 * @param idleSeconds -1 when not given
 * @param frequency   -1 when not given
 */
record RestoreOptions(boolean replace, boolean absTtl, long idleSeconds, long frequency) {

  static RestoreOptions parse(byte[][] args) {
    boolean replace = false;
    boolean absTtl = false;
    long idle = -1;
    long freq = -1;
    for (int j = 4; j < args.length; j++) {
      int additional = args.length - j - 1;
      if (Keywords.is(args[j], "REPLACE")) {
        replace = true;
      } else if (Keywords.is(args[j], "ABSTTL")) {
        absTtl = true;
      } else if (Keywords.is(args[j], "IDLETIME") && additional >= 1 && freq == -1) {
        idle = RedisNumbers.parseLong(args[++j]);
        if (idle < 0) {
          throw new RedisError("ERR Invalid IDLETIME value, must be >= 0");
        }
      } else if (Keywords.is(args[j], "FREQ") && additional >= 1 && idle == -1) {
        freq = RedisNumbers.parseLong(args[++j]);
        if (freq < 0 || freq > 255) {
          throw new RedisError("ERR Invalid FREQ value, must be >= 0 and <= 255");
        }
      } else {
        throw RedisError.syntax();
      }
    }
    return new RestoreOptions(replace, absTtl, idle, freq);
  }
}
