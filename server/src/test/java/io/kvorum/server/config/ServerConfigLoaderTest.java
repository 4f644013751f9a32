package io.kvorum.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void defaultsMatchTheDocumentedContract() {
    ServerConfig c = ServerConfigLoader.load(Map.of(), Map.of(), null);
    assertThat(c.bind()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(6379);
    assertThat(c.raftPort()).isEqualTo(16379);
    assertThat(c.adminPort()).isEqualTo(7379);
    assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
    assertThat(c.protoMaxBulkLen()).isEqualTo(16L << 20);
    assertThat(c.maxClients()).isEqualTo(10000);
    assertThat(c.slotGroups()).isEqualTo(16);
    assertThat(c.announceHost()).isEqualTo("127.0.0.1");
    assertThat(c.announcePort()).isEqualTo(6379);
  }

  @Test
  void flagsBeatEnvironmentWhichBeatsTheFile() throws Exception {
    Path file = dir.resolve("kvorum.conf");
    Files.writeString(file, "# a comment\nport 7000\nraft-port 17000\nadmin-port 8000\n"
        + "proto-max-bulk-len 1mb\nrequirepass \"s3cret\"\n");
    Map<String, String> env = Map.of("KVORUM_RAFT_PORT", "17001", "KVORUM_ADMIN_PORT", "8001");
    Map<String, String> flags = new HashMap<>();
    flags.put("admin-port", "8002");
    flags.put("port", null);
    ServerConfig c = ServerConfigLoader.load(flags, env, file);
    assertThat(c.port()).isEqualTo(7000);
    assertThat(c.raftPort()).isEqualTo(17001);
    assertThat(c.adminPort()).isEqualTo(8002);
    assertThat(c.protoMaxBulkLen()).isEqualTo(1L << 20);
    assertThat(c.requirePass()).isEqualTo("s3cret");
  }

  @Test
  void rejectsUnknownSettingsAndBadValuesWithTheReason() throws Exception {
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, "prot 7000\n");
    assertThatThrownBy(() -> ServerConfigLoader.load(Map.of(), Map.of(), file))
        .hasMessageContaining("unknown setting 'prot'");
    assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("port", "70000"), Map.of(), null))
        .hasMessageContaining("port must be a TCP port");
    assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("proto-max-bulk-len", "lots"), Map.of(), null))
        .hasMessageContaining("proto-max-bulk-len must be a size");
    assertThatThrownBy(() -> ServerConfigLoader.load(
            Map.of("proto-max-bulk-len", "32mb", "client-query-buffer-limit", "16mb"), Map.of(), null))
        .hasMessageContaining("must be at least proto-max-bulk-len");
  }

  @Test
  void theClusterAddressDefaultsToTheClientAddressAndCanDifferFromIt() {
    ServerConfig plain = ServerConfigLoader.load(Map.of("announce-host", "10.1.1.1"), Map.of(), null);
    assertThat(plain.clusterAnnounceHost()).isEqualTo("10.1.1.1");
    ServerConfig container = ServerConfigLoader.load(
        Map.of("bind", "0.0.0.0", "announce-port", "30001"),
        Map.of("KVORUM_CLUSTER_ANNOUNCE_HOST", "node1"), null);
    assertThat(container.announceHost()).isEqualTo("127.0.0.1");
    assertThat(container.announcePort()).isEqualTo(30001);
    assertThat(container.clusterAnnounceHost()).isEqualTo("node1");
  }

  @Test
  void sizesFollowRedisConfUnits() {
    assertThat(ServerConfigLoader.bytes(Map.of("x", "1k"), "x")).isEqualTo(1000);
    assertThat(ServerConfigLoader.bytes(Map.of("x", "1kb"), "x")).isEqualTo(1024);
    assertThat(ServerConfigLoader.bytes(Map.of("x", "2gb"), "x")).isEqualTo(2L << 30);
    assertThat(ServerConfigLoader.bytes(Map.of("x", "512"), "x")).isEqualTo(512);
  }

  @Test
  void theProxyPortIsOffUnlessSetAndMustNotClashWithTheOtherPorts() throws Exception {
    assertThat(ServerConfigLoader.load(Map.of(), Map.of(), null).proxyPort())
        .isEqualTo(ServerConfig.NO_PROXY_PORT);
    assertThat(ServerConfigLoader.load(Map.of("proxy-port", "6400"), Map.of(), null).proxyPort())
        .isEqualTo(6400);
    assertThat(ServerConfigLoader.load(Map.of(), Map.of("KVORUM_PROXY_PORT", "6401"), null)
        .proxyPort()).isEqualTo(6401);
    Path file = dir.resolve("proxy.conf");
    Files.writeString(file, "proxy-port 6402\n");
    assertThat(ServerConfigLoader.load(Map.of(), Map.of(), file).proxyPort()).isEqualTo(6402);
    assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("proxy-port", "6379"), Map.of(), null))
        .hasMessage("proxy-port must differ from port (6379)");
    assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("proxy-port", "7379"), Map.of(), null))
        .hasMessage("proxy-port must differ from admin-port (7379)");
    assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("proxy-port", "99999"), Map.of(), null))
        .hasMessageContaining("proxy-port must be a TCP port");
  }

  @Test
  void theLeaderLeaseIsOnUnlessSwitchedOffWithNo() throws Exception {
    assertThat(ServerConfigLoader.load(Map.of(), Map.of(), null).leaderLease()).isTrue();
    assertThat(ServerConfigLoader.load(Map.of("leader-lease", "no"), Map.of(), null)
        .leaderLease()).isFalse();
    assertThat(ServerConfigLoader.load(Map.of(), Map.of("KVORUM_LEADER_LEASE", "NO"), null)
        .leaderLease()).isFalse();
    assertThat(ServerConfigLoader.load(Map.of("leader-lease", "yes"), Map.of(), null)
        .leaderLease()).isTrue();
    Path file = dir.resolve("lease.conf");
    Files.writeString(file, "leader-lease yes\n");
    assertThat(ServerConfigLoader.load(Map.of("leader-lease", "no"), Map.of(), file)
        .leaderLease()).isFalse();
    assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("leader-lease", "1"), Map.of(), null))
        .hasMessage("leader-lease must be yes or no: 1");
  }

  @Test
  void writeEntriesInFlightDefaultToTwoPerCpuAndZeroLiftsTheBound() throws Exception {
    assertThat(ServerConfigLoader.load(Map.of(), Map.of(), null).writeEntriesInFlight())
        .isEqualTo(2 * Runtime.getRuntime().availableProcessors());
    assertThat(ServerConfigLoader.load(Map.of("write-entries-in-flight", "0"), Map.of(), null)
        .writeEntriesInFlight()).isZero();
    assertThat(ServerConfigLoader.load(
        Map.of(), Map.of("KVORUM_WRITE_ENTRIES_IN_FLIGHT", "12"), null).writeEntriesInFlight())
        .isEqualTo(12);
    Path file = dir.resolve("entries.conf");
    Files.writeString(file, "write-entries-in-flight 3\n");
    assertThat(ServerConfigLoader.load(Map.of(), Map.of(), file).writeEntriesInFlight())
        .isEqualTo(3);
    assertThatThrownBy(() -> ServerConfigLoader.load(
        Map.of("write-entries-in-flight", "-1"), Map.of(), null))
        .hasMessage("write-entries-in-flight must be between 0 and 4096: -1");
    assertThatThrownBy(() -> ServerConfigLoader.load(
        Map.of("write-entries-in-flight", "many"), Map.of(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("write-entries-in-flight");
  }

  @Test
  void ioThreadsDefaultToOnePerCpuWithinRedisBounds() throws Exception {
    assertThat(ServerConfigLoader.load(Map.of(), Map.of(), null).ioThreads())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(ServerConfigLoader.load(Map.of("io-threads", "3"), Map.of(), null).ioThreads())
        .isEqualTo(3);
    assertThat(ServerConfigLoader.load(Map.of(), Map.of("KVORUM_IO_THREADS", "2"), null)
        .ioThreads()).isEqualTo(2);
    Path file = dir.resolve("io.conf");
    Files.writeString(file, "io-threads 4\n");
    assertThat(ServerConfigLoader.load(Map.of(), Map.of(), file).ioThreads()).isEqualTo(4);
    assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("io-threads", "0"), Map.of(), null))
        .hasMessage("io-threads must be between 1 and 128: 0");
    assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("io-threads", "129"), Map.of(), null))
        .hasMessage("io-threads must be between 1 and 128: 129");
    assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("io-threads", "all"), Map.of(), null))
        .hasMessage("io-threads must be an integer: all");
  }

  @Test
  void theMoveRateCapIsASizeDefaulting32MibAndZeroTurnsItOff() throws Exception {
    assertThat(ServerConfigLoader.load(Map.of(), Map.of(), null).moveBytesPerSec())
        .isEqualTo(32L << 20);
    assertThat(ServerConfigLoader.load(Map.of("move-bytes-per-sec", "0"), Map.of(), null)
        .moveBytesPerSec()).isZero();
    assertThat(ServerConfigLoader.load(Map.of("move-bytes-per-sec", "2097152"), Map.of(), null)
        .moveBytesPerSec()).isEqualTo(2L << 20);
    assertThat(ServerConfigLoader.load(Map.of(), Map.of("KVORUM_MOVE_BYTES_PER_SEC", "1gb"), null)
        .moveBytesPerSec()).isEqualTo(1L << 30);
    Path file = dir.resolve("rate.conf");
    Files.writeString(file, "move-bytes-per-sec 8mb\n");
    assertThat(ServerConfigLoader.load(Map.of(), Map.of(), file).moveBytesPerSec())
        .isEqualTo(8L << 20);
    assertThatThrownBy(() -> ServerConfigLoader.load(
        Map.of("move-bytes-per-sec", "fast"), Map.of(), null))
        .hasMessage("move-bytes-per-sec must be a size such as 16mb: fast");
    assertThatThrownBy(() -> ServerConfigLoader.load(
        Map.of("move-bytes-per-sec", "-1"), Map.of(), null))
        .hasMessage("move-bytes-per-sec must be a size such as 16mb: -1");
  }
}
