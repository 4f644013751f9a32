package io.kvorum.resp.connection;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.resp.command.GatewayCommand;
import io.kvorum.resp.command.HelpText;
import io.kvorum.resp.command.Invocation;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * CLIENT ID/SETNAME/GETNAME/LIST/INFO/KILL/UNBLOCK/REPLY/NO-EVICT/HELP as in Redis 7.0, plus SETINFO and
 * NO-TOUCH from Redis 7.2 (clients send SETINFO on connect). CLIENT LIST lines keep Redis 7.2's
 * field order: 7.0's fields followed by lib-name and lib-ver.
 */
public final class ClientCommands {
  private ClientCommands() {}

  public static List<GatewayCommand> table() {
    String conn = "@slow @connection";
    String adminConn = "@admin @slow @dangerous @connection";
    return List.of(
        GatewayCommand.container(of("client", -2, "", 0, 0, 0, "@slow", "")),
        GatewayCommand.immediate(of("client|id", 2, "noscript loading stale", 0, 0, 0, conn, ""),
            c -> Reply.integer(c.client().id())),
        GatewayCommand.immediate(of("client|setname", 3, "noscript loading stale", 0, 0, 0, conn,
            ""), ClientCommands::setName),
        GatewayCommand.immediate(of("client|getname", 2, "noscript loading stale", 0, 0, 0, conn,
            ""), c -> c.client().name().isEmpty() ? Reply.NULL : latin1(c.client().name())),
        GatewayCommand.immediate(of("client|list", -2, "admin noscript loading stale", 0, 0, 0,
            adminConn, "nondeterministic_output"), ClientCommands::list),
        GatewayCommand.immediate(of("client|info", 2, "noscript loading stale", 0, 0, 0, conn,
            "nondeterministic_output"),
            c -> text(c, describe(c.client(), System.currentTimeMillis()) + "\n")),
        GatewayCommand.immediate(of("client|kill", -3, "admin noscript loading stale", 0, 0, 0,
            adminConn, ""), ClientCommands::kill),
        GatewayCommand.ordered(of("client|unblock", -3, "admin noscript loading stale", 0, 0, 0,
            adminConn, ""), ClientCommands::unblock),
        GatewayCommand.immediate(of("client|reply", 3, "noscript loading stale", 0, 0, 0, conn,
            ""), ClientCommands::reply),
        GatewayCommand.immediate(of("client|no-evict", 3, "admin noscript loading stale", 0, 0, 0,
            adminConn, ""), c -> onOff(c, v -> c.client().noEvict(v))),
        GatewayCommand.immediate(of("client|no-touch", 3, "noscript loading stale", 0, 0, 0,
            conn, ""), c -> onOff(c, v -> c.client().noTouch(v))),
        GatewayCommand.immediate(of("client|setinfo", 4, "noscript loading stale", 0, 0, 0, conn,
            "request_policy:all_nodes response_policy:all_succeeded"), ClientCommands::setInfo),
        GatewayCommand.immediate(of("client|help", 2, "loading stale", 0, 0, 0, conn, ""),
            c -> HelpText.reply("CLIENT", HELP)));
  }

  private static final List<String> HELP = List.of(
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "SETINFO <option> <value>",
      "    Set client meta attr. Options are:",
      "    * LIB-NAME: the client lib name.",
      "    * LIB-VER: the client lib version.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "NO-TOUCH (ON|OFF)",
      "    Will not touch LRU/LFU stats when this mode is on.");

  static Reply setName(Invocation c) {
    String name = c.text(2);
    ClientNames.validate(name);
    c.client().name(name);
    return Reply.OK;
  }

  static Reply setInfo(Invocation c) {
    String attr = c.lower(2);
    String value = c.text(3);
    if (!attr.equals("lib-name") && !attr.equals("lib-ver")) {
      return new Reply.Error("ERR Unrecognized option '" + c.text(2) + "'");
    }
    if (!ClientNames.valid(value)) {
      return new Reply.Error("ERR " + c.text(2) + " cannot contain spaces, newlines or special characters.");
    }
    if (attr.equals("lib-name")) {
      c.client().libName(value);
    } else {
      c.client().libVer(value);
    }
    return Reply.OK;
  }

  static Reply reply(Invocation c) {
    String mode = c.lower(2);
    switch (mode) {
      case "on" -> {
        c.client().replyOff(false);
        c.client().skipNextReply(false);
        return Reply.OK;
      }
      case "off" -> {
        c.client().replyOff(true);
        return null;
      }
      case "skip" -> {
        if (!c.client().replyOff()) {
          c.client().skipNextReply(true);
        }
        return null;
      }
      default -> {
        return new Reply.Error(RedisError.SYNTAX);
      }
    }
  }

  /**
   * CLIENT UNBLOCK id [TIMEOUT|ERROR]: the reason is checked before the id, as Redis does. Runs in
   * order with the caller's commands, on the blocked clients' own thread.
   */
  static CompletableFuture<Reply> unblock(Invocation c) {
    if (c.argc() > 4) {
      return CompletableFuture.completedFuture(new Reply.Error(
          "ERR unknown subcommand or wrong number of arguments for '" + c.text(1) + "'. Try "
              + c.text(0).toUpperCase(java.util.Locale.ROOT) + " HELP."));
    }
    boolean error = false;
    if (c.argc() == 4) {
      if (c.is(3, "error")) {
        error = true;
      } else if (!c.is(3, "timeout")) {
        return CompletableFuture.completedFuture(
            new Reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
      }
    }
    Long id = RedisNumbers.parseLongOrNull(c.arg(2));
    if (id == null) {
      return CompletableFuture.completedFuture(new Reply.Error(RedisError.NOT_INTEGER));
    }
    return c.gateway().blockedClients().unblock(id, error);
  }

  private static Reply onOff(Invocation c, java.util.function.Consumer<Boolean> set) {
    if (c.is(2, "on")) {
      set.accept(true);
    } else if (c.is(2, "off")) {
      set.accept(false);
    } else {
      return new Reply.Error(RedisError.SYNTAX);
    }
    return Reply.OK;
  }

  static Reply list(Invocation c) {
    Set<Long> ids = null;
    Boolean pubsubType = null;
    boolean noneByType = false;
    if (c.argc() == 4 && c.is(2, "type")) {
      String type = c.lower(3);
      switch (type) {
        case "normal" -> pubsubType = false;
        case "pubsub" -> pubsubType = true;
        case "master", "replica", "slave" -> noneByType = true;
        default -> {
          return new Reply.Error("ERR Unknown client type '" + c.text(3) + "'");
        }
      }
    } else if (c.argc() > 3 && c.is(2, "id")) {
      ids = new HashSet<>();
      for (int j = 3; j < c.argc(); j++) {
        Long id = RedisNumbers.parseLongOrNull(c.arg(j));
        if (id == null || id <= 0) {
          return new Reply.Error("ERR Invalid client ID");
        }
        ids.add(id);
      }
    } else if (c.argc() != 2) {
      return new Reply.Error(RedisError.SYNTAX);
    }
    StringBuilder out = new StringBuilder();
    long now = System.currentTimeMillis();
    if (!noneByType) {
      for (ClientConnection client : c.gateway().clients().all()) {
        if ((ids == null || ids.contains(client.id()))
            && (pubsubType == null || pubsubType == client.subscriptions().any())) {
          out.append(describe(client, now)).append('\n');
        }
      }
    }
    return text(c, out.toString());
  }

  /** One CLIENT LIST line in Redis's field order. */
  static String describe(ClientConnection c, long nowMillis) {
    StringBuilder flags = new StringBuilder();
    if (c.blocked()) {
      flags.append('b');
    }
    if (c.readonly()) {
      flags.append('r');
    }
    if (c.noEvict()) {
      flags.append('e');
    }
    if (c.noTouch()) {
      flags.append('T');
    }
    if (c.subscriptions().any()) {
      flags.append('P');
    }
    if (flags.length() == 0) {
      flags.append('N');
    }
    long qbuf = c.queryBufferBytes();
    int oll = c.pendingReplies();
    return "id=" + c.id()
        + " addr=" + c.addr()
        + " laddr=" + c.laddr()
        + " fd=" + fd(c.channel())
        + " name=" + c.name()
        + " age=" + (nowMillis - c.createdMillis()) / 1000
        + " idle=" + Math.max(0, nowMillis - c.lastInteractionMillis()) / 1000
        + " flags=" + flags
        + " db=0 sub=" + c.subscriptions().channelCount()
        + " psub=" + c.subscriptions().patternCount()
        + " ssub=" + c.subscriptions().shardCount()
        + " multi=-1"
        + " qbuf=" + qbuf
        + " qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0"
        + " oll=" + oll
        + " omem=0 tot-mem=0"
        + " events=r"
        + " cmd=" + c.lastCommand()
        + " user=default redir=-1"
        + " resp=" + c.resp()
        + " lib-name=" + c.libName()
        + " lib-ver=" + c.libVer();
  }

  /** The socket's file descriptor when the native transport is used, else -1. */
  private static int fd(Channel ch) {
    if (ch instanceof io.netty.channel.unix.UnixChannel u) {
      return u.fd().intValue();
    }
    return -1;
  }

  static Reply kill(Invocation c) {
    ClientConnection self = c.client();
    if (c.argc() == 3) {
      // Old form: CLIENT KILL ip:port.
      String addr = c.text(2);
      for (ClientConnection other : c.gateway().clients().all()) {
        if (other.addr().equals(addr)) {
          killOne(self, other);
          return Reply.OK;
        }
      }
      return new Reply.Error("ERR No such client");
    }
    if (c.argc() % 2 != 0) {
      return new Reply.Error(RedisError.SYNTAX);
    }
    Long id = null;
    String addr = null;
    String laddr = null;
    String user = null;
    boolean typeNone = false;
    Boolean pubsubType = null;
    boolean skipMe = true;
    for (int i = 2; i < c.argc(); i += 2) {
      String opt = c.lower(i);
      switch (opt) {
        case "id" -> {
          Long v = RedisNumbers.parseLongOrNull(c.arg(i + 1));
          if (v == null || v <= 0) {
            return new Reply.Error("ERR client-id should be greater than 0");
          }
          id = v;
        }
        case "type" -> {
          String type = c.lower(i + 1);
          switch (type) {
            case "normal" -> pubsubType = false;
            case "pubsub" -> pubsubType = true;
            case "master", "replica", "slave" -> typeNone = true;
            default -> {
              return new Reply.Error("ERR Unknown client type '" + c.text(i + 1) + "'");
            }
          }
        }
        case "addr" -> addr = c.text(i + 1);
        case "laddr" -> laddr = c.text(i + 1);
        case "user" -> {
          user = c.text(i + 1);
          if (!user.equals("default")) {
            return new Reply.Error("ERR No such user '" + user + "'");
          }
        }
        case "skipme" -> {
          if (c.is(i + 1, "yes")) {
            skipMe = true;
          } else if (c.is(i + 1, "no")) {
            skipMe = false;
          } else {
            return new Reply.Error(RedisError.SYNTAX);
          }
        }
        default -> {
          return new Reply.Error(RedisError.SYNTAX);
        }
      }
    }
    long killed = 0;
    if (!typeNone) {
      List<ClientConnection> victims = new ArrayList<>();
      for (ClientConnection other : c.gateway().clients().all()) {
        if ((id != null && other.id() != id) || (addr != null && !other.addr().equals(addr))
            || (laddr != null && !other.laddr().equals(laddr)) || (skipMe && other == self)
            || (pubsubType != null && pubsubType != other.subscriptions().any())) {
          continue;
        }
        victims.add(other);
      }
      for (ClientConnection v : victims) {
        killOne(self, v);
        killed++;
      }
    }
    return Reply.integer(killed);
  }

  private static void killOne(ClientConnection self, ClientConnection victim) {
    if (victim == self) {
      self.closeAfterReply();
    } else {
      victim.kill();
    }
  }

  /** A text reply: verbatim ({@code txt}) in RESP3, a bulk string in RESP2, as Redis does. */
  static Reply text(Invocation c, String s) {
    return new Reply.Verbatim("txt", s.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static Reply latin1(String s) {
    return Reply.bulk(s.getBytes(StandardCharsets.ISO_8859_1));
  }
}
