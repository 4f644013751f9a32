package io.kvorum.storage.testing;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.engine.Bytes;
import io.kvorum.storage.engine.Column;
import io.kvorum.storage.engine.DataView;
import io.kvorum.storage.keyspace.KeyCodec;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.List;

/**
 * Minimal list and hash commands for tests only (LPUSH, LRANGE key 0 -1, HSET, HGET), so generic
 * commands meet keys of other types (WRONGTYPE, TYPE, RENAME and COPY of members) before the real
 * list and hash features exist. Replies match Redis for the forms used.
 */
public final class FakeCollections {
  private FakeCollections() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("lpush", -3, "write denyoom fast", 1, 1, 1, "", ""),
            FakeCollections::lpush),
        KeyspaceCommand.of(of("lrange", 4, "readonly", 1, 1, 1, "", ""),
            FakeCollections::lrange),
        KeyspaceCommand.of(of("hset", -4, "write denyoom fast", 1, 1, 1, "", ""),
            FakeCollections::hset),
        KeyspaceCommand.of(of("hget", 3, "readonly fast", 1, 1, 1, "", ""),
            FakeCollections::hget),
        KeyspaceCommand.of(of("test.datacount", 1, "readonly", 0, 0, 0, "", ""),
            FakeCollections::dataCount));
  }

  static Reply lpush(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(args[1], RedisType.LIST);
    long version = old == null ? ks.newVersion() : old.version();
    long size = old == null ? 0 : old.size();
    // The tail keeps the next head position; positions count down so LPUSH order is key order.
    long head = old == null ? Long.MAX_VALUE / 2 : Bytes.getLong(old.tail(), 0);
    byte[] prefix = KeyCodec.subKeyPrefix(args[1], version);
    for (int i = 2; i < args.length; i++) {
      ks.data().put(Column.DATA, KeyCodec.subKey(prefix, Bytes.longBytes(head--)), args[i]);
      size++;
    }
    KeyMeta meta = KeyMeta.collection(RedisType.LIST, KeyMeta.Encoding.QUICKLIST,
        old == null ? 0 : old.expireAt(), version, size, Bytes.longBytes(head));
    ks.put(args[1], old, meta);
    return Reply.integer(size);
  }

  static Reply lrange(CommandContext ctx, byte[][] args) {
    KeyMeta meta = ctx.keyspace().lookup(args[1], RedisType.LIST);
    if (meta == null) {
      return Reply.EMPTY_ARRAY;
    }
    byte[] prefix = KeyCodec.subKeyPrefix(args[1], meta.version());
    List<Reply> out = new ArrayList<>();
    try (DataView.Cursor c =
        ctx.keyspace().data().scan(Column.DATA, prefix, Bytes.prefixEnd(prefix), false)) {
      for (; c.valid(); c.next()) {
        out.add(Reply.bulk(c.value()));
      }
    }
    return Reply.array(out);
  }

  static Reply hset(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(args[1], RedisType.HASH);
    if (args.length % 2 != 0) {
      return Reply.error("ERR wrong number of arguments for 'hset' command");
    }
    long version = old == null ? ks.newVersion() : old.version();
    long size = old == null ? 0 : old.size();
    byte[] prefix = KeyCodec.subKeyPrefix(args[1], version);
    long added = 0;
    for (int i = 2; i < args.length; i += 2) {
      byte[] sub = KeyCodec.subKey(prefix, args[i]);
      if (ks.data().get(Column.DATA, sub) == null) {
        added++;
        size++;
      }
      ks.data().put(Column.DATA, sub, args[i + 1]);
    }
    ks.put(args[1], old, KeyMeta.collection(RedisType.HASH, KeyMeta.Encoding.LISTPACK,
        old == null ? 0 : old.expireAt(), version, size, new byte[0]));
    return Reply.integer(added);
  }

  static Reply hget(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1], RedisType.HASH);
    if (meta == null) {
      return Reply.NULL;
    }
    byte[] prefix = KeyCodec.subKeyPrefix(args[1], meta.version());
    return Reply.bulkOrNull(ks.data().get(Column.DATA, KeyCodec.subKey(prefix, args[2])));
  }

  /** Entries in the DATA column: shows whether deleted incarnations left members behind. */
  static Reply dataCount(CommandContext ctx, byte[][] args) {
    long n = 0;
    try (DataView.Cursor c = ctx.keyspace().data().scan(Column.DATA, new byte[0], null, false)) {
      for (; c.valid(); c.next()) {
        n++;
      }
    }
    return Reply.integer(n);
  }
}
