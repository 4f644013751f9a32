package io.kvorum.resp.connection;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.resp.command.GatewayCommand;
import io.kvorum.resp.command.Invocation;
import io.kvorum.resp.server.Gateway;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.List;

/** PING, ECHO, HELLO, AUTH, SELECT, QUIT, RESET, READONLY, READWRITE, ASKING (Redis 7.0). */
public final class ConnectionCommands {
  static final Reply.Error WRONGPASS =
      new Reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
  private static final Reply.Status RESET = new Reply.Status("RESET");

  private ConnectionCommands() {}

  public static List<GatewayCommand> table() {
    return List.of(
        GatewayCommand.immediate(of("ping", -1, "fast", 0, 0, 0, "@fast @connection",
            "request_policy:all_shards response_policy:all_succeeded"), ConnectionCommands::ping),
        GatewayCommand.immediate(of("echo", 2, "loading stale fast", 0, 0, 0,
            "@fast @connection", ""), c -> Reply.bulk(c.arg(1))),
        GatewayCommand.immediate(of("hello", -1, "noscript loading stale fast no_auth allow_busy",
            0, 0, 0, "@fast @connection", ""), ConnectionCommands::hello),
        GatewayCommand.immediate(of("auth", -2, "noscript loading stale fast no_auth allow_busy",
            0, 0, 0, "@fast @connection", ""), ConnectionCommands::auth),
        GatewayCommand.immediate(of("select", 2, "loading stale fast", 0, 0, 0,
            "@fast @connection", ""), ConnectionCommands::select),
        GatewayCommand.immediate(of("quit", -1, "noscript loading stale fast no_auth allow_busy",
            0, 0, 0, "@fast @connection", ""), ConnectionCommands::quit),
        GatewayCommand.immediate(of("reset", 1, "noscript loading stale fast no_auth allow_busy",
            0, 0, 0, "@fast @connection", ""), ConnectionCommands::reset),
        GatewayCommand.immediate(of("readonly", 1, "loading stale fast", 0, 0, 0,
            "@fast @connection", ""), c -> {
              c.client().readonly(true);
              return Reply.OK;
            }),
        GatewayCommand.immediate(of("readwrite", 1, "loading stale fast", 0, 0, 0,
            "@fast @connection", ""), c -> {
              c.client().readonly(false);
              return Reply.OK;
            }),
        GatewayCommand.immediate(of("asking", 1, "fast", 0, 0, 0, "@fast @connection", ""),
            c -> Reply.OK));
  }

  static Reply ping(Invocation c) {
    if (c.argc() > 2) {
      return io.kvorum.resp.command.CommandTable.wrongArity("ping");
    }
    if (!c.resp3() && c.client().subscriptions().any()) {
      // RESP2 in pub/sub context: Redis answers in the shape of a message.
      return new Reply.Array(List.of(Reply.bulk("pong"),
          Reply.bulk(c.argc() == 1 ? new byte[0] : c.arg(1))));
    }
    return c.argc() == 1 ? Reply.PONG : Reply.bulk(c.arg(1));
  }

  static Reply hello(Invocation c) {
    long version = 0;
    int next = 1;
    if (c.argc() >= 2) {
      Long v = RedisNumbers.parseLongOrNull(c.arg(next++));
      if (v == null) {
        return new Reply.Error("ERR Protocol version is not an integer or out of range");
      }
      version = v;
      if (version < 2 || version > 3) {
        return new Reply.Error("NOPROTO unsupported protocol version");
      }
    }
    byte[] user = null;
    byte[] pass = null;
    String name = null;
    for (int j = next; j < c.argc(); j++) {
      int more = c.argc() - 1 - j;
      if (c.is(j, "AUTH") && more >= 2) {
        user = c.arg(j + 1);
        pass = c.arg(j + 2);
        j += 2;
      } else if (c.is(j, "SETNAME") && more >= 1) {
        name = c.text(j + 1);
        j++;
      } else {
        return new Reply.Error("ERR Syntax error in HELLO option '" + c.text(j) + "'");
      }
    }
    ClientConnection client = c.client();
    if (user != null) {
      if (!authenticate(c, user, pass)) {
        return WRONGPASS;
      }
      client.authenticated(true);
    }
    if (!client.authenticated()) {
      return new Reply.Error("NOAUTH HELLO must be called with the client already authenticated, "
          + "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the "
          + "client and select the RESP protocol version at the same time");
    }
    if (name != null) {
      ClientNames.validate(name);
      client.name(name);
    }
    if (version != 0) {
      client.resp((int) version);
    }
    return new Reply.MapReply(List.of(
        Reply.bulk("server"), Reply.bulk("redis"),
        Reply.bulk("version"), Reply.bulk(Gateway.REDIS_VERSION),
        Reply.bulk("proto"), Reply.integer(client.resp()),
        Reply.bulk("id"), Reply.integer(client.id()),
        Reply.bulk("mode"), Reply.bulk("cluster"),
        Reply.bulk("role"), Reply.bulk("master"),
        Reply.bulk("modules"), Reply.EMPTY_ARRAY));
  }

  static Reply auth(Invocation c) {
    if (c.argc() > 3) {
      return new Reply.Error(RedisError.SYNTAX);
    }
    byte[] user;
    byte[] pass;
    if (c.argc() == 2) {
      if (!c.gateway().settings().passwordRequired()) {
        return new Reply.Error("ERR AUTH <password> called without any password configured for "
            + "the default user. Are you sure your configuration is correct?");
      }
      user = DEFAULT_USER;
      pass = c.arg(1);
    } else {
      user = c.arg(1);
      pass = c.arg(2);
    }
    if (!authenticate(c, user, pass)) {
      return WRONGPASS;
    }
    c.client().authenticated(true);
    return Reply.OK;
  }

  private static final byte[] DEFAULT_USER = {'d', 'e', 'f', 'a', 'u', 'l', 't'};

  /**
   * Kvorum has Redis's {@code default} user only: it accepts any password while no requirepass is
   * set ({@code nopass}), else exactly requirepass. Compared in constant time.
   */
  static boolean authenticate(Invocation c, byte[] user, byte[] pass) {
    if (!java.util.Arrays.equals(user, DEFAULT_USER)) {
      return false;
    }
    String required = c.gateway().settings().requirepass();
    if (required.isEmpty()) {
      return true;
    }
    return java.security.MessageDigest.isEqual(
        required.getBytes(java.nio.charset.StandardCharsets.UTF_8), pass);
  }

  static Reply select(Invocation c) {
    Long id = RedisNumbers.parseLongOrNull(c.arg(1));
    if (id == null || id < Integer.MIN_VALUE || id > Integer.MAX_VALUE) {
      return new Reply.Error(RedisError.NOT_INTEGER);
    }
    if (id != 0) {
      return new Reply.Error("ERR SELECT is not allowed in cluster mode");
    }
    return Reply.OK;
  }

  static Reply quit(Invocation c) {
    c.client().closeAfterReply();
    return Reply.OK;
  }

  static Reply reset(Invocation c) {
    io.kvorum.resp.transaction.TransactionCommands.disconnected(c.gateway(), c.client());
    c.client().reset(c.gateway().settings().passwordRequired());
    // Redis's RESET unsubscribes without sending unsubscribe frames.
    c.gateway().pubsub().disconnected(c.client());
    return RESET;
  }
}
