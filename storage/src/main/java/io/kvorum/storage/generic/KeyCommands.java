package io.kvorum.storage.generic;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.Arrays;
import java.util.List;

/** The generic key commands: DEL, UNLINK, EXISTS, TYPE, TOUCH, RENAME, RENAMENX, COPY. */
public final class KeyCommands {
  /** Redis's default number of databases; COPY … DB checks its index against it. */
  static final int DATABASES = 16;

  private KeyCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(
            of("del", -2, "write", 1, -1, 1, "@keyspace @write @slow",
                "request_policy:multi_shard response_policy:agg_sum"),
            KeyCommands::del),
        KeyspaceCommand.of(
            of("unlink", -2, "write fast", 1, -1, 1, "@keyspace @write @fast",
                "request_policy:multi_shard response_policy:agg_sum"),
            KeyCommands::del),
        KeyspaceCommand.of(
            of("exists", -2, "readonly fast", 1, -1, 1, "@keyspace @read @fast",
                "request_policy:multi_shard response_policy:agg_sum"),
            KeyCommands::exists),
        KeyspaceCommand.of(of("type", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast", ""),
            KeyCommands::type),
        KeyspaceCommand.of(
            of("touch", -2, "readonly fast", 1, -1, 1, "@keyspace @read @fast",
                "request_policy:multi_shard response_policy:agg_sum"),
            KeyCommands::exists),
        KeyspaceCommand.of(of("rename", 3, "write", 1, 2, 1, "@keyspace @write @slow", ""),
            (ctx, args) -> rename(ctx, args, false)),
        KeyspaceCommand.of(of("renamenx", 3, "write fast", 1, 2, 1, "@keyspace @write @fast", ""),
            (ctx, args) -> rename(ctx, args, true)),
        KeyspaceCommand.of(of("copy", -3, "write denyoom", 1, 2, 1, "@keyspace @write @slow", ""),
            KeyCommands::copy));
  }

  /** DEL and UNLINK (deleting is O(1) for big keys anyway: a range deletion). */
  static Reply del(CommandContext ctx, byte[][] args) {
    long n = 0;
    for (int i = 1; i < args.length; i++) {
      if (ctx.keyspace().delete(args[i])) {
        n++;
      }
    }
    return Reply.integer(n);
  }

  /** EXISTS and TOUCH: how many of the arguments exist, repeated keys counted each time. */
  static Reply exists(CommandContext ctx, byte[][] args) {
    long n = 0;
    for (int i = 1; i < args.length; i++) {
      if (ctx.keyspace().exists(args[i])) {
        n++;
      }
    }
    return Reply.integer(n);
  }

  static Reply type(CommandContext ctx, byte[][] args) {
    KeyMeta meta = ctx.keyspace().lookup(args[1]);
    return Reply.status(meta == null ? "none" : meta.type().typeName());
  }

  /**
   * RENAME and RENAMENX: the value, encoding and TTL move to the new name. Collection members are
   * keyed by the key's name, so they are rewritten under the new name (O(members), unlike Redis).
   */
  static Reply rename(CommandContext ctx, byte[][] args, boolean nx) {
    Keyspace ks = ctx.keyspace();
    byte[] src = args[1];
    byte[] dst = args[2];
    KeyMeta meta = ks.lookup(src);
    if (meta == null) {
      throw new RedisError(RedisError.NO_SUCH_KEY);
    }
    if (Arrays.equals(src, dst)) {
      return nx ? Reply.ZERO : Reply.OK;
    }
    KeyMeta old = ks.lookup(dst);
    if (old != null && nx) {
      return Reply.ZERO;
    }
    ks.copy(src, meta, dst, old, meta.expireAt(), meta.encoding());
    ks.remove(src, meta);
    return nx ? Reply.ONE : Reply.OK;
  }

  /**
   * COPY source destination [DB index] [REPLACE]. Like Redis Cluster, only database 0 exists, so
   * another index is refused with cluster mode's error (after Redis's own range check).
   */
  static Reply copy(CommandContext ctx, byte[][] args) {
    boolean replace = false;
    long db = 0;
    for (int j = 3; j < args.length; j++) {
      int additional = args.length - j - 1;
      if (Keywords.is(args[j], "REPLACE")) {
        replace = true;
      } else if (Keywords.is(args[j], "DB") && additional >= 1) {
        db = RedisNumbers.parseLong(args[j + 1]);
        if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
          throw new RedisError(
              "ERR value is out of range, value must between -2147483648 and 2147483647");
        }
        if (db < 0 || db >= DATABASES) {
          throw new RedisError("ERR DB index is out of range");
        }
        j++;
      } else {
        throw RedisError.syntax();
      }
    }
    if (db != 0) {
      throw new RedisError("ERR Copying to another database is not allowed in cluster mode");
    }
    byte[] src = args[1];
    byte[] dst = args[2];
    if (Arrays.equals(src, dst)) {
      throw new RedisError("ERR source and destination objects are the same");
    }
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(src);
    if (meta == null) {
      return Reply.ZERO;
    }
    KeyMeta old = ks.lookup(dst);
    if (old != null && !replace) {
      return Reply.ZERO;
    }
    // Redis duplicates the value; a shared integer's copy is a private object (refcount 1).
    int encoding = meta.type() == RedisType.STRING && meta.encoding() == KeyMeta.Encoding.INT
        ? KeyMeta.Encoding.INT_UNSHARED
        : meta.encoding();
    ks.copy(src, meta, dst, old, meta.expireAt(), encoding);
    return Reply.ONE;
  }
}
