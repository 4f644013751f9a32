package io.kvorum.storage.dump;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DUMP and RESTORE with Redis 7.0's serialized format ({@link DumpPayload}): a value dumped by
 * Redis restores into Kvorum and the other way round. Replies, errors and the order of the checks
 * follow Redis 7.0.15's {@code dumpCommand} and {@code restoreCommand}.
 */
public final class DumpCommands {
  private static final Logger LOG = LoggerFactory.getLogger(DumpCommands.class);

  static final String BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong";
  static final String BAD_FORMAT = "ERR Bad data format";
  static final String BUSY_KEY = "BUSYKEY Target key name already exists.";
  static final String BAD_TTL = "ERR Invalid TTL value, must be >= 0";

  private DumpCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("dump", 2, "readonly", 1, 1, 1, "@keyspace @read @slow",
            "nondeterministic_output"), DumpCommands::dump),
        KeyspaceCommand.of(of("restore", -4, "write denyoom", 1, 1, 1,
            "@keyspace @write @slow @dangerous", ""), DumpCommands::restore));
  }

  /** DUMP key: the payload, or nil when the key does not exist. */
  static Reply dump(CommandContext ctx, byte[][] args) {
    Keyspace ks = ctx.keyspace();
    KeyMeta meta = ks.lookup(args[1]);
    if (meta == null) {
      return Reply.NULL;
    }
    return Reply.bulk(DumpPayload.encode(DumpValue.of(ks, args[1], meta)));
  }

  /**
   * RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]. A
   * relative TTL counts from the entry's leader clock. IDLETIME and FREQ are checked and then
   * ignored: Kvorum keeps no access times or frequencies (OBJECT IDLETIME answers 0, OBJECT FREQ
   * refuses).
   */
  static Reply restore(CommandContext ctx, byte[][] args) {
    RestoreOptions options = RestoreOptions.parse(args);
    Keyspace ks = ctx.keyspace();
    byte[] key = args[1];
    KeyMeta old = ks.lookup(key);
    if (old != null && !options.replace()) {
      throw new RedisError(BUSY_KEY);
    }
    long ttl = RedisNumbers.parseLong(args[2]);
    if (ttl < 0) {
      throw new RedisError(BAD_TTL);
    }
    byte[] payload = args[3];
    if (!DumpPayload.verify(payload)) {
      throw new RedisError(BAD_PAYLOAD);
    }
    DumpValue value;
    try {
      value = DumpPayload.decode(payload);
    } catch (CorruptPayload e) {
      LOG.debug("RESTORE of a corrupt payload: {}", e.getMessage());
      throw new RedisError(BAD_FORMAT);
    }
    long expireAt = 0;
    if (ttl != 0) {
      // Redis adds the clock without an overflow check; a wrapped deadline is in the past.
      expireAt = options.absTtl() ? ttl : ttl + ctx.now();
      if (expireAt <= ctx.now()) {
        // Already expired: Redis creates nothing, but REPLACE still deletes the old value.
        if (old != null) {
          ks.remove(key, old);
        }
        return Reply.OK;
      }
    }
    value.store(ks, key, old, expireAt);
    return Reply.OK;
  }
}
