package io.kvorum.storage.generic;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.engine.Bytes;
import io.kvorum.storage.engine.Column;
import io.kvorum.storage.engine.DataView;
import io.kvorum.storage.keyspace.KeyCodec;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.List;

/**
 * MEMORY USAGE key [SAMPLES count] and MEMORY HELP. Redis answers the bytes a key takes in its
 * memory; a Kvorum key lives in RocksDB, so this answers the bytes of its records there (keys and
 * values, before compression): its metadata record, its expiry index record, and its members'
 * records. As Redis does for collections, it reads {@code count} members (default 5, 0 = all)
 * and scales their average to the whole key. {@code redis-cli --memkeys} and memory tools rank
 * keys by it; the figures are not Redis's.
 */
public final class MemoryCommands {
  static final int DEFAULT_SAMPLES = 5;

  private static final List<String> HELP = List.of(
      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
      "HELP",
      "    Prints this help.");

  private MemoryCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("memory", -2, "", 0, 0, 0, "@slow", ""), null),
        KeyspaceCommand.of(of("memory|help", 2, "loading stale", 0, 0, 0, "@slow", ""),
            MemoryCommands::help),
        KeyspaceCommand.of(of("memory|usage", -3, "readonly", 2, 2, 1, "@read @slow",
            ""), MemoryCommands::usage));
  }

  static Reply help(CommandContext ctx, byte[][] args) {
    return Reply.statusLines(HELP);
  }

  static Reply usage(CommandContext ctx, byte[][] args) {
    long samples = DEFAULT_SAMPLES;
    for (int i = 3; i < args.length; i++) {
      if (Keywords.is(args[i], "samples") && i + 1 < args.length) {
        Long n = RedisNumbers.parseLongOrNull(args[i + 1]);
        if (n == null) {
          throw RedisError.notInteger();
        }
        if (n < 0) {
          throw RedisError.syntax();
        }
        samples = n == 0 ? Long.MAX_VALUE : n;
        i++;
      } else {
        throw RedisError.syntax();
      }
    }
    byte[] key = args[2];
    KeyMeta meta = ctx.keyspace().lookup(key);
    if (meta == null) {
      return Reply.NULL;
    }
    byte[] metaKey = KeyCodec.metaKey(key);
    long bytes = metaKey.length + meta.encode().length;
    if (meta.hasExpire()) {
      bytes += KeyCodec.expireKey(meta.expireAt(), metaKey).length;
    }
    if (meta.type() != RedisType.STRING) {
      DataView data = ctx.keyspace().data();
      byte[] prefix = KeyCodec.subKeyPrefix(key, meta.version());
      bytes += sampled(data, Column.DATA, prefix, samples, meta.size());
      if (meta.type() == RedisType.ZSET) {
        bytes += sampled(data, Column.SCORE, prefix, samples, meta.size());
      }
    }
    return Reply.integer(bytes);
  }

  /**
   * The records under {@code prefix} in {@code column}: summed when all of them are read, else
   * the average of the first {@code samples} times {@code count} (the key's member count).
   */
  private static long sampled(DataView data, Column column, byte[] prefix, long samples,
      long count) {
    long read = 0;
    long sum = 0;
    try (DataView.Cursor c = data.scan(column, prefix, Bytes.prefixEnd(prefix), false)) {
      for (; c.valid() && read < samples; c.next()) {
        sum += c.key().length + c.value().length;
        read++;
      }
      if (!c.valid() || read == 0) {
        return sum;
      }
    }
    return Math.round((double) sum / read * Math.max(count, read));
  }
}
