package io.kvorum.resp.info;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.raft.route.GroupStats;
import io.kvorum.resp.command.GatewayCommand;
import io.kvorum.resp.command.Invocation;
import io.kvorum.resp.connection.ClientConnection;
import io.kvorum.resp.metrics.CommandStats;
import io.kvorum.resp.metrics.ServerStats;
import io.kvorum.resp.pubsub.ClientSubscriptions;
import io.kvorum.resp.server.Gateway;
import io.kvorum.storage.reply.Reply;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * INFO in Redis's format: {@code # Section} headers, {@code field:value} lines with CRLF, sections
 * separated by an empty line, in Redis's section order whatever order they were asked in. Fields
 * Kvorum has no equivalent for keep Redis's neutral values; {@code kvorum_version} is added.
 */
public final class InfoCommand {
  private static final List<String> ORDER = List.of("server", "clients", "memory", "persistence",
      "stats", "replication", "cpu", "modules", "commandstats", "errorstats", "cluster",
      "keyspace", "raft");
  /** Kvorum's own sections: only when named, so INFO and INFO all look exactly like Redis's. */
  private static final Set<String> EXPLICIT_ONLY = Set.of("raft");
  private static final Set<String> DEFAULT = Set.of("server", "clients", "memory", "persistence",
      "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace");

  private InfoCommand() {}

  public static List<GatewayCommand> table() {
    return List.of(GatewayCommand.immediate(of("info", -1, "loading stale", 0, 0, 0,
        "@slow @dangerous",
        "nondeterministic_output request_policy:all_shards response_policy:special"),
        InfoCommand::info));
  }

  static Reply info(Invocation c) {
    Set<String> wanted = new HashSet<>();
    if (c.argc() == 1) {
      wanted.addAll(DEFAULT);
    }
    for (int i = 1; i < c.argc(); i++) {
      String s = c.lower(i);
      switch (s) {
        case "default" -> wanted.addAll(DEFAULT);
        case "all", "everything" -> ORDER.stream().filter(o -> !EXPLICIT_ONLY.contains(o))
            .forEach(wanted::add);
        default -> wanted.add(s);
      }
    }
    Set<String> sections = new LinkedHashSet<>();
    for (String s : ORDER) {
      if (wanted.contains(s)) {
        sections.add(s);
      }
    }
    String text = render(c.gateway(), sections);
    return new Reply.Verbatim("txt", text.getBytes(StandardCharsets.UTF_8));
  }

  /** The INFO text of the given sections (INFO's bulk reply body). */
  public static String render(Gateway gw, Set<String> sections) {
    StringBuilder out = new StringBuilder();
    for (String s : sections) {
      if (out.length() > 0) {
        out.append("\r\n");
      }
      out.append("# ").append(title(s)).append("\r\n");
      switch (s) {
        case "server" -> server(gw, out);
        case "clients" -> clients(gw, out);
        case "memory" -> memory(out);
        case "persistence" -> persistence(gw, out);
        case "stats" -> stats(gw, out);
        case "replication" -> replication(gw, out);
        case "cpu" -> cpu(out);
        case "modules" -> { }
        case "commandstats" -> commandStats(gw.stats(), out);
        case "errorstats" -> errorStats(gw.stats(), out);
        case "cluster" -> line(out, "cluster_enabled", "1");
        case "keyspace" -> keyspace(gw, out);
        case "raft" -> raft(gw, out);
        default -> { }
      }
    }
    return out.toString();
  }

  private static String title(String section) {
    return switch (section) {
      case "cpu" -> "CPU";
      case "commandstats" -> "Commandstats";
      case "errorstats" -> "Errorstats";
      default -> Character.toUpperCase(section.charAt(0)) + section.substring(1);
    };
  }

  private static void line(StringBuilder out, String field, Object value) {
    out.append(field).append(':').append(value).append("\r\n");
  }

  private static void server(Gateway gw, StringBuilder out) {
    long nowMs = System.currentTimeMillis();
    long uptime = (nowMs - gw.startMillis()) / 1000;
    line(out, "redis_version", Gateway.REDIS_VERSION);
    line(out, "redis_git_sha1", "00000000");
    line(out, "redis_git_dirty", 0);
    line(out, "redis_build_id", "0");
    line(out, "redis_mode", "cluster");
    line(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    line(out, "arch_bits", System.getProperty("sun.arch.data.model", "64"));
    line(out, "monotonic_clock", "JVM System.nanoTime");
    line(out, "multiplexing_api", io.netty.channel.epoll.Epoll.isAvailable() ? "epoll" : "nio");
    line(out, "atomicvar_api", "java");
    line(out, "gcc_version", "0.0.0");
    line(out, "process_id", ProcessHandle.current().pid());
    line(out, "process_supervised", "no");
    line(out, "run_id", gw.runId());
    line(out, "tcp_port", gw.boundPort());
    line(out, "server_time_usec", nowMs * 1000);
    line(out, "uptime_in_seconds", uptime);
    line(out, "uptime_in_days", uptime / 86400);
    line(out, "hz", 10);
    line(out, "configured_hz", 10);
    line(out, "lru_clock", (nowMs / 1000) & ((1 << 24) - 1));
    line(out, "executable", "");
    line(out, "config_file", "");
    line(out, "io_threads_active", 0);
    line(out, "kvorum_version", Gateway.KVORUM_VERSION);
  }

  private static void clients(Gateway gw, StringBuilder out) {
    line(out, "connected_clients", gw.clients().size());
    line(out, "cluster_connections", 0);
    line(out, "maxclients", gw.settings().maxClients());
    long maxInput = 0;
    for (ClientConnection c : gw.clients().all()) {
      maxInput = Math.max(maxInput, c.queryBufferBytes());
    }
    line(out, "client_recent_max_input_buffer", maxInput);
    line(out, "client_recent_max_output_buffer", 0);
    line(out, "blocked_clients", gw.blockedClients().blockedCount());
    line(out, "tracking_clients", 0);
    line(out, "clients_in_timeout_table", gw.blockedClients().blockedWithTimeoutCount());
  }

  private static void memory(StringBuilder out) {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
    long used = heap.getUsed() + nonHeap.getUsed();
    long committed = heap.getCommitted() + nonHeap.getCommitted();
    long total = 0;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      total = os.getTotalMemorySize();
    }
    line(out, "used_memory", used);
    line(out, "used_memory_human", human(used));
    line(out, "used_memory_rss", committed);
    line(out, "used_memory_rss_human", human(committed));
    line(out, "used_memory_peak", committed);
    line(out, "used_memory_peak_human", human(committed));
    line(out, "total_system_memory", total);
    line(out, "total_system_memory_human", human(total));
    line(out, "maxmemory", 0);
    line(out, "maxmemory_human", "0B");
    line(out, "maxmemory_policy", "noeviction");
    line(out, "mem_allocator", "jvm");
  }

  /** Redis's bytesToHuman. */
  static String human(long n) {
    double d = n;
    if (n < 1024) {
      return n + "B";
    } else if (n < 1024L * 1024) {
      return String.format(Locale.ROOT, "%.2fK", d / 1024);
    } else if (n < 1024L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.2fM", d / (1024 * 1024));
    } else if (n < 1024L * 1024 * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.2fG", d / (1024L * 1024 * 1024));
    }
    return String.format(Locale.ROOT, "%.2fT", d / (1024L * 1024 * 1024 * 1024));
  }

  private static void persistence(Gateway gw, StringBuilder out) {
    line(out, "loading", 0);
    line(out, "async_loading", 0);
    line(out, "rdb_changes_since_last_save", 0);
    line(out, "rdb_bgsave_in_progress", gw.saving() ? 1 : 0);
    line(out, "rdb_last_save_time", gw.router().lastSnapshotSeconds());
    line(out, "rdb_last_bgsave_status", gw.lastSaveOk() ? "ok" : "err");
    line(out, "aof_enabled", 0);
    line(out, "aof_rewrite_in_progress", 0);
    line(out, "aof_rewrite_scheduled", 0);
    line(out, "aof_last_write_status", "ok");
  }

  private static void stats(Gateway gw, StringBuilder out) {
    ServerStats s = gw.stats();
    line(out, "total_connections_received", s.connectionsReceived());
    line(out, "total_commands_processed", s.commandsProcessed());
    line(out, "instantaneous_ops_per_sec", s.instantaneousOpsPerSec());
    line(out, "total_net_input_bytes", s.netInputBytes());
    line(out, "total_net_output_bytes", s.netOutputBytes());
    line(out, "rejected_connections", s.connectionsRejected());
    line(out, "expired_keys", 0);
    line(out, "evicted_keys", 0);
    line(out, "keyspace_hits", 0);
    line(out, "keyspace_misses", 0);
    line(out, "pubsub_channels", gw.pubsub().size(ClientSubscriptions.Kind.CHANNEL));
    line(out, "pubsub_patterns", gw.pubsub().size(ClientSubscriptions.Kind.PATTERN));
    line(out, "pubsubshard_channels", gw.pubsub().size(ClientSubscriptions.Kind.SHARD));
    line(out, "total_error_replies", s.errorReplies());
  }

  private static void replication(Gateway gw, StringBuilder out) {
    line(out, "role", "master");
    line(out, "connected_slaves", 0);
    line(out, "master_failover_state", "no-failover");
    line(out, "master_replid", gw.runId());
    line(out, "master_replid2", "0000000000000000000000000000000000000000");
    line(out, "master_repl_offset", 0);
    line(out, "second_repl_offset", -1);
    line(out, "repl_backlog_active", 0);
    line(out, "repl_backlog_size", 1048576);
    line(out, "repl_backlog_first_byte_offset", 0);
    line(out, "repl_backlog_histlen", 0);
  }

  private static void cpu(StringBuilder out) {
    long cpuNanos = 0;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      cpuNanos = Math.max(0, os.getProcessCpuTime());
    }
    String user = String.format(Locale.ROOT, "%d.%06d", cpuNanos / 1_000_000_000,
        (cpuNanos / 1000) % 1_000_000);
    line(out, "used_cpu_sys", "0.000000");
    line(out, "used_cpu_user", user);
    line(out, "used_cpu_sys_children", "0.000000");
    line(out, "used_cpu_user_children", "0.000000");
  }

  private static void commandStats(ServerStats stats, StringBuilder out) {
    Map<String, CommandStats> sorted = new TreeMap<>(stats.commands());
    for (CommandStats cs : sorted.values()) {
      if (!cs.used()) {
        continue;
      }
      long calls = cs.calls();
      long usec = cs.usec();
      out.append("cmdstat_").append(cs.name()).append(":calls=").append(calls)
          .append(",usec=").append(usec)
          .append(",usec_per_call=")
          .append(String.format(Locale.ROOT, "%.2f", calls == 0 ? 0.0 : (double) usec / calls))
          .append(",rejected_calls=").append(cs.rejectedCalls())
          .append(",failed_calls=").append(cs.failedCalls()).append("\r\n");
    }
  }

  private static void errorStats(ServerStats stats, StringBuilder out) {
    stats.errorCounts().forEach((code, n) ->
        out.append("errorstat_").append(code).append(":count=").append(n).append("\r\n"));
  }

  private static void keyspace(Gateway gw, StringBuilder out) {
    Set<Integer> led = new HashSet<>(gw.router().ledGroups());
    long keys = 0;
    for (GroupStats g : gw.router().groupStats()) {
      if (led.contains(g.index())) {
        keys += g.keys();
      }
    }
    if (keys > 0) {
      line(out, "db0", "keys=" + keys + ",expires=0,avg_ttl=0");
    }
  }

  /** One line per slot group this node holds a replica of: its Raft state here. */
  private static void raft(Gateway gw, StringBuilder out) {
    for (GroupStats g : gw.router().groupStats()) {
      line(out, "group_" + g.index(), "role=" + g.role()
          + ",leader=" + (g.leader() == null ? "" : g.leader())
          + ",term=" + g.term()
          + ",commit_index=" + g.commitIndex()
          + ",applied_index=" + g.appliedIndex()
          + ",keys=" + g.keys());
    }
  }
}
