package io.kvorum.resp.config;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.resp.command.GatewayCommand;
import io.kvorum.resp.command.Glob;
import io.kvorum.resp.command.HelpText;
import io.kvorum.resp.command.Invocation;
import io.kvorum.resp.pubsub.KeyspaceNotifications;
import io.kvorum.resp.server.Gateway;
import io.kvorum.resp.server.GatewaySettings;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * CONFIG GET/SET/RESETSTAT/HELP over the settings a Kvorum node has, with Redis 7.0's parsing,
 * ranges and error texts. Read-only parameters report what Redis clients look for (databases 1,
 * cluster-enabled yes …).
 */
public final class ConfigCommands {
  private ConfigCommands() {}

  /** How a parameter's value is parsed. */
  private enum Kind { INTEGER, MEMORY, STRING, BUFFER_LIMITS, KEYSPACE_EVENTS }

  /** One parameter; {@code set} is null for read-only ones. */
  private record Param(String name, Kind kind, long min, long max,
      Function<Gateway, String> get, BiConsumer<GatewaySettings, String> set,
      BiConsumer<Gateway, String> setOnGateway) {
    Param(String name, Kind kind, long min, long max, Function<Gateway, String> get,
        BiConsumer<GatewaySettings, String> set) {
      this(name, kind, min, max, get, set, null);
    }
  }

  private static final List<Param> PARAMS = List.of(
      new Param("maxclients", Kind.INTEGER, 1, 4294967295L,
          g -> Long.toString(g.settings().maxClients()),
          (s, v) -> s.maxClients(Long.parseLong(v))),
      new Param("proto-max-bulk-len", Kind.MEMORY, 1024 * 1024, Long.MAX_VALUE,
          g -> Long.toString(g.settings().protoMaxBulkLength()),
          (s, v) -> s.protoMaxBulkLength(Long.parseLong(v))),
      new Param("client-query-buffer-limit", Kind.MEMORY, 1024 * 1024, Long.MAX_VALUE,
          g -> Long.toString(g.settings().clientQueryBufferLimit()),
          (s, v) -> s.clientQueryBufferLimit(Long.parseLong(v))),
      new Param("requirepass", Kind.STRING, 0, 0,
          g -> g.settings().requirepass(), GatewaySettings::requirepass),
      new Param("timeout", Kind.INTEGER, 0, Integer.MAX_VALUE,
          g -> Long.toString(g.settings().timeoutSeconds()),
          (s, v) -> s.timeoutSeconds(Long.parseLong(v))),
      new Param("client-output-buffer-limit", Kind.BUFFER_LIMITS, 0, 0,
          g -> "normal " + g.settings().normalBufferLimit()
              + " slave " + g.settings().replicaBufferLimit()
              + " pubsub " + g.settings().pubsubBufferLimit(),
          ConfigCommands::setBufferLimits),
      new Param("notify-keyspace-events", Kind.KEYSPACE_EVENTS, 0, 0,
          g -> g.notifications().current(), (s, v) -> { },
          (g, v) -> g.notifications().configure(v)),
      new Param("busy-reply-threshold", Kind.INTEGER, 0, Long.MAX_VALUE,
          g -> Long.toString(g.settings().busyReplyThresholdMillis()),
          (s, v) -> s.busyReplyThresholdMillis(Long.parseLong(v))),
      // Redis 7.0's older name of busy-reply-threshold; both are listed.
      new Param("lua-time-limit", Kind.INTEGER, 0, Long.MAX_VALUE,
          g -> Long.toString(g.settings().busyReplyThresholdMillis()),
          (s, v) -> s.busyReplyThresholdMillis(Long.parseLong(v))),
      new Param("slowlog-log-slower-than", Kind.INTEGER, -1, Long.MAX_VALUE,
          g -> Long.toString(g.slowLog().slowerThanMicros()), (s, v) -> { },
          (g, v) -> g.slowLog().slowerThanMicros(Long.parseLong(v))),
      new Param("slowlog-max-len", Kind.INTEGER, 0, Long.MAX_VALUE,
          g -> Long.toString(g.slowLog().maxLength()), (s, v) -> { },
          (g, v) -> g.slowLog().maxLength(Long.parseLong(v))),
      readOnly("port", g -> Integer.toString(g.boundPort())),
      readOnly("bind", g -> g.config().bindAddress()),
      readOnly("databases", g -> "1"),
      readOnly("io-threads", g -> Integer.toString(g.config().eventLoopThreads())),
      readOnly("cluster-enabled", g -> "yes"),
      // Every acknowledged write is on a majority's disks, the closest Redis notion is an AOF
      // fsynced always; there are no RDB save points.
      readOnly("appendonly", g -> "yes"),
      readOnly("appendfsync", g -> "always"),
      readOnly("save", g -> ""),
      readOnly("maxmemory", g -> "0"),
      readOnly("maxmemory-policy", g -> "noeviction"));

  private static Param readOnly(String name, Function<Gateway, String> get) {
    return new Param(name, Kind.STRING, 0, 0, get, null);
  }

  private static final Map<String, Param> BY_NAME = new HashMap<>();

  static {
    for (Param p : PARAMS) {
      BY_NAME.put(p.name(), p);
    }
  }

  public static List<GatewayCommand> table() {
    String admin = "@admin @slow @dangerous";
    String flags = "admin noscript loading stale";
    return List.of(
        GatewayCommand.container(of("config", -2, "", 0, 0, 0, "@slow", "")),
        GatewayCommand.immediate(of("config|get", -3, flags, 0, 0, 0, admin, ""),
            ConfigCommands::get),
        GatewayCommand.immediate(of("config|set", -4, flags, 0, 0, 0, admin,
            "request_policy:all_nodes response_policy:all_succeeded"), ConfigCommands::set),
        GatewayCommand.immediate(of("config|resetstat", 2, flags, 0, 0, 0, admin, ""), c -> {
          c.gateway().stats().reset();
          return Reply.OK;
        }),
        // The server module owns the configuration file; like a Redis started without one.
        GatewayCommand.immediate(of("config|rewrite", 2, flags, 0, 0, 0, admin, ""),
            c -> new Reply.Error("ERR The server is running without a config file")),
        GatewayCommand.immediate(of("config|help", 2, "loading stale", 0, 0, 0, "@slow", ""),
            c -> HelpText.reply("CONFIG", HELP)));
  }

  private static final List<String> HELP = List.of(
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.");

  static Reply get(Invocation c) {
    Map<Param, String> found = new LinkedHashMap<>();
    for (int i = 2; i < c.argc(); i++) {
      String pattern = c.text(i);
      if (Glob.isLiteral(pattern)) {
        Param p = BY_NAME.get(pattern.toLowerCase(Locale.ROOT));
        if (p != null) {
          // Redis echoes a literal name as the client spelled it.
          found.putIfAbsent(p, pattern);
        }
      } else {
        for (Param p : PARAMS) {
          if (Glob.matches(pattern, p.name(), true)) {
            found.putIfAbsent(p, p.name());
          }
        }
      }
    }
    List<Reply> out = new ArrayList<>();
    found.forEach((p, name) -> {
      out.add(Reply.bulk(name.getBytes(StandardCharsets.ISO_8859_1)));
      out.add(bulk(p.get().apply(c.gateway())));
    });
    return new Reply.MapReply(out);
  }

  static Reply set(Invocation c) {
    if ((c.argc() & 1) == 1) {
      return new Reply.Error(RedisError.SYNTAX);
    }
    List<Param> params = new ArrayList<>();
    List<String> values = new ArrayList<>();
    Set<Param> seen = new LinkedHashSet<>();
    for (int i = 2; i < c.argc(); i += 2) {
      String given = c.text(i);
      Param p = BY_NAME.get(given.toLowerCase(Locale.ROOT));
      if (p == null) {
        return new Reply.Error(
            "ERR Unknown option or number of arguments for CONFIG SET - '" + given + "'");
      }
      if (p.set() == null) {
        return failed(given, "can't set immutable config");
      }
      if (!seen.add(p)) {
        return failed(given, "duplicate parameter");
      }
      params.add(p);
    }
    for (int i = 0; i < params.size(); i++) {
      Param p = params.get(i);
      String raw = c.text(3 + 2 * i);
      String error = null;
      // Strings (requirepass) are kept as UTF-8 text, the way the server's own configuration is.
      String value = new String(c.arg(3 + 2 * i), StandardCharsets.UTF_8);
      if (p.kind() == Kind.INTEGER) {
        Long v = RedisNumbers.parseLongOrNull(c.arg(3 + 2 * i));
        if (v == null) {
          error = "argument couldn't be parsed into an integer";
        } else if (v < p.min() || v > p.max()) {
          error = range(p);
        } else {
          value = Long.toString(v);
        }
      } else if (p.kind() == Kind.MEMORY) {
        Long v = memory(raw);
        if (v == null) {
          error = "argument must be a memory value";
        } else if (v < p.min() || v > p.max()) {
          error = range(p);
        } else {
          value = Long.toString(v);
        }
      }
      if (p.kind() == Kind.BUFFER_LIMITS) {
        error = bufferLimitsError(raw);
      } else if (p.kind() == Kind.KEYSPACE_EVENTS && KeyspaceNotifications.parse(raw) < 0) {
        error = KeyspaceNotifications.INVALID;
      }
      if (error != null) {
        return failed(c.text(2 + 2 * i), error);
      }
      values.add(value);
    }
    GatewaySettings settings = c.gateway().settings();
    for (int i = 0; i < params.size(); i++) {
      params.get(i).set().accept(settings, values.get(i));
      if (params.get(i).setOnGateway() != null) {
        params.get(i).setOnGateway().accept(c.gateway(), values.get(i));
      }
    }
    return Reply.OK;
  }

  /**
   * Why a {@code client-output-buffer-limit} value is invalid (Redis's texts), or null: groups of
   * {@code class hard soft seconds}, class normal/replica/slave/pubsub, memory values for the limits.
   */
  static String bufferLimitsError(String value) {
    String[] a = value.trim().isEmpty() ? new String[0] : value.trim().split(" +");
    if (a.length % 4 != 0) {
      return "Wrong number of arguments in buffer limit configuration.";
    }
    for (int j = 0; j < a.length; j += 4) {
      String cls = a[j].toLowerCase(Locale.ROOT);
      if (!cls.equals("normal") && !cls.equals("replica") && !cls.equals("slave")
          && !cls.equals("pubsub")) {
        return "Invalid client class specified in buffer limit configuration.";
      }
      Long hard = memory(a[j + 1]);
      Long soft = memory(a[j + 2]);
      Long seconds = RedisNumbers.parseLongOrNull(a[j + 3].getBytes(StandardCharsets.ISO_8859_1));
      if (hard == null || soft == null || seconds == null || seconds < 0) {
        return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
      }
    }
    return null;
  }

  /** Applies a value {@link #bufferLimitsError} accepted; classes not named keep their limits. */
  private static void setBufferLimits(GatewaySettings s, String value) {
    String[] a = value.trim().isEmpty() ? new String[0] : value.trim().split(" +");
    for (int j = 0; j + 3 < a.length; j += 4) {
      GatewaySettings.BufferLimit limit = new GatewaySettings.BufferLimit(memory(a[j + 1]),
          memory(a[j + 2]), Long.parseLong(a[j + 3]));
      switch (a[j].toLowerCase(Locale.ROOT)) {
        case "normal" -> s.normalBufferLimit(limit);
        case "replica", "slave" -> s.replicaBufferLimit(limit);
        default -> s.pubsubBufferLimit(limit);
      }
    }
  }

  private static String range(Param p) {
    return "argument must be between " + p.min() + " and " + p.max() + " inclusive";
  }

  private static Reply failed(String name, String why) {
    return new Reply.Error("ERR CONFIG SET failed (possibly related to argument '" + name
        + "') - " + why);
  }

  /** Redis's memtoull: digits with an optional b/k/kb/m/mb/g/gb unit; null when invalid. */
  static Long memory(String s) {
    int u = 0;
    if (s.startsWith("-")) {
      return null;
    }
    while (u < s.length() && Character.isDigit(s.charAt(u)) && s.charAt(u) < 128) {
      u++;
    }
    long mul;
    switch (s.substring(u).toLowerCase(Locale.ROOT)) {
      case "", "b" -> mul = 1;
      case "k" -> mul = 1000;
      case "kb" -> mul = 1024;
      case "m" -> mul = 1000 * 1000;
      case "mb" -> mul = 1024 * 1024;
      case "g" -> mul = 1000L * 1000 * 1000;
      case "gb" -> mul = 1024L * 1024 * 1024;
      default -> {
        return null;
      }
    }
    String digits = s.substring(0, u);
    long v;
    try {
      v = digits.isEmpty() ? 0 : Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return null;
    }
    if (v > Long.MAX_VALUE / mul) {
      return null;
    }
    return v * mul;
  }

  private static Reply bulk(String s) {
    return Reply.bulk(s.getBytes(StandardCharsets.UTF_8));
  }
}
