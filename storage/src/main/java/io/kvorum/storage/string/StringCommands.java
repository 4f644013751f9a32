package io.kvorum.storage.string;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.List;

/** The string commands: one table entry each, with Redis 7.0's arity, flags and key positions. */
public final class StringCommands {
  private StringCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("get", 2, "readonly fast", 1, 1, 1, "@read @string @fast", ""),
            StringCommands::get),
        KeyspaceCommand.of(of("set", -3, "write denyoom", 1, 1, 1, "@write @string @slow", ""),
            StringCommands::set));
  }

  static Reply get(CommandContext ctx, byte[][] args) {
    return Reply.bulkOrNull(ctx.keyspace().getString(args[1]));
  }

  static Reply set(CommandContext ctx, byte[][] args) {
    SetOptions o = SetOptions.parse(args, 3, "set", ctx.now());
    Keyspace ks = ctx.keyspace();
    KeyMeta old = ks.lookup(args[1]);
    Reply previous = null;
    if (o.get()) {
      if (old != null && old.type() != RedisType.STRING) {
        throw RedisError.wrongType();
      }
      previous = Reply.bulkOrNull(old == null ? null : old.value());
    }
    if ((o.nx() && old != null) || (o.xx() && old == null)) {
      return previous != null ? previous : Reply.NULL;
    }
    long expireAt = o.expireAt();
    if (o.keepTtl() && old != null) {
      expireAt = old.expireAt();
    }
    ks.putString(args[1], old, args[2], StringEncoding.forArgument(args[2]), expireAt);
    return previous != null ? previous : Reply.OK;
  }

  /** The parsed options of SET (and GETEX, which shares Redis's parser). */
  record SetOptions(boolean nx, boolean xx, boolean get, boolean keepTtl, boolean persist,
      long expireAt) {

    /**
     * Parses options from {@code args[from]} on, with Redis's rules for which combinations are a
     * syntax error, and turns EX/PX/EXAT/PXAT into an absolute deadline using {@code now}.
     */
    static SetOptions parse(byte[][] args, int from, String command, long now) {
      boolean nx = false;
      boolean xx = false;
      boolean get = false;
      boolean keepTtl = false;
      boolean persist = false;
      String unit = null;
      byte[] expire = null;
      boolean isSet = command.equals("set");
      for (int j = from; j < args.length; j++) {
        String opt = new String(args[j], java.nio.charset.StandardCharsets.ISO_8859_1)
            .toUpperCase(java.util.Locale.ROOT);
        boolean hasNext = j < args.length - 1;
        if (opt.equals("NX") && !xx && isSet) {
          nx = true;
        } else if (opt.equals("XX") && !nx && isSet) {
          xx = true;
        } else if (opt.equals("GET") && isSet) {
          get = true;
        } else if (opt.equals("KEEPTTL") && !persist && unit == null && isSet) {
          keepTtl = true;
        } else if (opt.equals("PERSIST") && !isSet && unit == null && !keepTtl) {
          persist = true;
        } else if ((opt.equals("EX") || opt.equals("PX") || opt.equals("EXAT")
                || opt.equals("PXAT"))
            && !keepTtl && !persist && unit == null && hasNext) {
          unit = opt;
          expire = args[++j];
        } else {
          throw RedisError.syntax();
        }
      }
      long expireAt = 0;
      if (unit != null) {
        long ms = RedisNumbers.parseLong(expire);
        boolean seconds = unit.equals("EX") || unit.equals("EXAT");
        if (ms <= 0 || (seconds && ms > Long.MAX_VALUE / 1000)) {
          throw invalidExpire(command);
        }
        if (seconds) {
          ms *= 1000;
        }
        if (unit.equals("EX") || unit.equals("PX")) {
          if (ms > Long.MAX_VALUE - now) {
            throw invalidExpire(command);
          }
          ms += now;
        }
        expireAt = ms;
      }
      return new SetOptions(nx, xx, get, keepTtl, persist, expireAt);
    }

    static RedisError invalidExpire(String command) {
      return new RedisError("ERR invalid expire time in '" + command + "' command");
    }
  }
}
