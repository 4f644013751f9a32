package io.kvorum.server.config;

import io.kvorum.raft.node.RaftNodeConfig;
import io.kvorum.resp.server.GatewayConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Merges settings from their sources. The config file uses redis.conf syntax ({@code name value}
 * per line, {@code #} comments); names are the long flag names without dashes prefix, e.g. {@code
 * raft-port 16379}. Environment variables are {@code KVORUM_} + the name upper-cased with
 * underscores, e.g. {@code KVORUM_RAFT_PORT}.
 */
public final class ServerConfigLoader {
  /** Every setting name with its built-in default (null: no default). */
  static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("bind", "127.0.0.1");
    DEFAULTS.put("port", "6379");
    DEFAULTS.put("raft-port", "16379");
    DEFAULTS.put("admin-port", "7379");
    DEFAULTS.put("data-dir", "./data");
    DEFAULTS.put("join", null);
    DEFAULTS.put("node-id", null);
    DEFAULTS.put("announce-host", null);
    DEFAULTS.put("announce-port", null);
    DEFAULTS.put("cluster-announce-host", null);
    DEFAULTS.put("requirepass", null);
    DEFAULTS.put("maxclients", "10000");
    DEFAULTS.put("proto-max-bulk-len", "16mb");
    DEFAULTS.put("client-query-buffer-limit", "17mb");
    DEFAULTS.put("timeout", "0");
    DEFAULTS.put("slot-groups", "16");
    DEFAULTS.put("block-cache-size", "256mb");
    DEFAULTS.put("write-buffer-size", "128mb");
    DEFAULTS.put("proxy-port", null);
    DEFAULTS.put("zone", "");
    DEFAULTS.put("node-down-timeout", "60");
    DEFAULTS.put("max-moves", "4");
    // CockroachDB's kv.snapshot_rebalance.max_rate default; 0 = no cap.
    DEFAULTS.put("move-bytes-per-sec", "32mb");
    DEFAULTS.put("admin-token", null);
    DEFAULTS.put("leader-lease", "yes");
    DEFAULTS.put("write-entries-in-flight", "auto");
    DEFAULTS.put("io-threads", "auto");
  }

  private ServerConfigLoader() {}

  /**
   * @param flags settings given on the command line (names as in {@link #DEFAULTS})
   * @param env   the process environment
   * @param file  the config file, or null
   */
  public static ServerConfig load(Map<String, String> flags, Map<String, String> env, Path file) {
    Map<String, String> merged = new LinkedHashMap<>(DEFAULTS);
    if (file != null) {
      merged.putAll(readFile(file));
    }
    for (String name : DEFAULTS.keySet()) {
      String v = env.get("KVORUM_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
      if (v != null && !v.isEmpty()) {
        merged.put(name, v);
      }
    }
    flags.forEach((k, v) -> {
      if (v != null) {
        merged.put(k, v);
      }
    });
    return build(merged);
  }

  static Map<String, String> readFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read config file " + file, e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    int n = 0;
    for (String raw : lines) {
      n++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+", 2);
      String name = parts[0].toLowerCase(Locale.ROOT);
      if (!DEFAULTS.containsKey(name)) {
        throw new IllegalArgumentException(
            file + ":" + n + ": unknown setting '" + parts[0] + "'");
      }
      String value = parts.length > 1 ? unquote(parts[1].strip()) : "";
      values.put(name, value);
    }
    return values;
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"")
        || v.startsWith("'") && v.endsWith("'"))) {
      return v.substring(1, v.length() - 1);
    }
    return v;
  }

  private static ServerConfig build(Map<String, String> m) {
    String bind = m.get("bind");
    int port = port(m, "port");
    String announceHost = m.get("announce-host") == null ? advertisable(bind) : m.get("announce-host");
    int announcePort = m.get("announce-port") == null ? port : port(m, "announce-port");
    String clusterAnnounceHost = m.get("cluster-announce-host") == null
        || m.get("cluster-announce-host").isBlank() ? announceHost : m.get("cluster-announce-host");
    long bulk = bytes(m, "proto-max-bulk-len");
    long query = bytes(m, "client-query-buffer-limit");
    if (bulk < 1024) {
      throw new IllegalArgumentException("proto-max-bulk-len must be at least 1kb");
    }
    if (query < bulk) {
      throw new IllegalArgumentException(
          "client-query-buffer-limit (" + query + ") must be at least proto-max-bulk-len (" + bulk + ")");
    }
    if (query > (512L << 20)) {
      throw new IllegalArgumentException(
          "client-query-buffer-limit must be at most 512mb: a command is one Raft log entry");
    }
    int groups = integer(m, "slot-groups");
    if (groups < 1 || groups > 1024) {
      throw new IllegalArgumentException("slot-groups must be between 1 and 1024");
    }
    int proxyPort = ServerConfig.NO_PROXY_PORT;
    if (m.get("proxy-port") != null && !m.get("proxy-port").isBlank()) {
      proxyPort = port(m, "proxy-port");
      for (String other : List.of("port", "raft-port", "admin-port")) {
        if (proxyPort != 0 && proxyPort == port(m, other)) {
          throw new IllegalArgumentException("proxy-port must differ from " + other + " ("
              + proxyPort + ")");
        }
      }
    }
    return new ServerConfig(
        bind,
        port,
        port(m, "raft-port"),
        port(m, "admin-port"),
        Path.of(m.get("data-dir")),
        m.get("join"),
        m.get("node-id"),
        announceHost,
        announcePort,
        clusterAnnounceHost,
        m.get("requirepass") == null || m.get("requirepass").isEmpty() ? null : m.get("requirepass"),
        positive(m, "maxclients"),
        bulk,
        query,
        integer(m, "timeout"),
        groups,
        bytes(m, "block-cache-size"),
        bytes(m, "write-buffer-size"),
        proxyPort,
        m.get("zone") == null ? "" : m.get("zone").strip(),
        bounded(m, "node-down-timeout", 1, 86_400),
        bounded(m, "max-moves", 1, 64),
        bytes(m, "move-bytes-per-sec"),
        m.get("admin-token") == null || m.get("admin-token").isEmpty() ? null : m.get("admin-token"),
        yesNo(m, "leader-lease"),
        "auto".equalsIgnoreCase(m.get("write-entries-in-flight").strip())
            ? RaftNodeConfig.defaultWriteEntriesInFlight()
            : bounded(m, "write-entries-in-flight", 0, 4096),
        // Redis's own bounds for io-threads.
        "auto".equalsIgnoreCase(m.get("io-threads").strip())
            ? GatewayConfig.defaultIoThreads()
            : bounded(m, "io-threads", 1, 128));
  }

  /** A wildcard bind address is not an address clients can be sent to. */
  private static String advertisable(String bind) {
    return bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
  }

  private static int port(Map<String, String> m, String name) {
    int p = integer(m, name);
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException(name + " must be a TCP port (0-65535): " + p);
    }
    return p;
  }

  private static int bounded(Map<String, String> m, String name, int min, int max) {
    int v = integer(m, name);
    if (v < min || v > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ": "
          + v);
    }
    return v;
  }

  /** A switch in Redis's config spelling: yes or no. */
  private static boolean yesNo(Map<String, String> m, String name) {
    String v = m.get(name).strip().toLowerCase(java.util.Locale.ROOT);
    if (v.equals("yes")) {
      return true;
    }
    if (v.equals("no")) {
      return false;
    }
    throw new IllegalArgumentException(name + " must be yes or no: " + m.get(name));
  }

  private static int positive(Map<String, String> m, String name) {
    int v = integer(m, name);
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be positive: " + v);
    }
    return v;
  }

  private static int integer(Map<String, String> m, String name) {
    try {
      return Integer.parseInt(m.get(name).trim());
    } catch (NumberFormatException | NullPointerException e) {
      throw new IllegalArgumentException(name + " must be an integer: " + m.get(name));
    }
  }

  /** Parses sizes as redis.conf does: plain bytes, or k/kb/m/mb/g/gb suffixes. */
  static long bytes(Map<String, String> m, String name) {
    String v = m.get(name).trim().toLowerCase(Locale.ROOT);
    long mul = 1;
    String[][] units = {
      {"kb", "1024"}, {"k", "1000"}, {"mb", "1048576"}, {"m", "1000000"},
      {"gb", "1073741824"}, {"g", "1000000000"}
    };
    for (String[] u : units) {
      if (v.endsWith(u[0])) {
        mul = Long.parseLong(u[1]);
        v = v.substring(0, v.length() - u[0].length());
        break;
      }
    }
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(n, mul);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(name + " must be a size such as 16mb: " + m.get(name));
    }
  }
}
