package io.kvorum.storage.hyperloglog;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.bitmap.ProtocolStore;
import io.kvorum.storage.bitmap.RawRespClient;
import io.kvorum.storage.bitmap.WireFormat;
import io.kvorum.storage.testing.RedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One HyperLogLog fed 1,000,000 distinct elements (10,000 per PFADD, one PFADD per log entry),
 * compared with a real redis-server fed the same: the count, the dense bytes, single-element
 * PFADDs afterwards, and DEL leaving nothing behind. No timings are asserted.
 */
class HyperLogLogLargeTest {
  @TempDir Path tmp;

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void millionElementHllMatchesRedisAndDeletes() throws IOException {
    try (RedisServer redis = RedisServer.start(Files.createDirectories(tmp.resolve("redis")));
        RawRespClient r = new RawRespClient(redis.port());
        ProtocolStore store = new ProtocolStore(tmp.resolve("db"))) {
      int perCommand = 10_000;
      for (int batch = 0; batch < 100; batch++) {
        List<byte[]> cmd = new ArrayList<>(perCommand + 2);
        cmd.add(b("pfadd"));
        cmd.add(b("visitors"));
        for (int i = 0; i < perCommand; i++) {
          cmd.add(b("user:" + (batch * perCommand + i)));
        }
        byte[][] args = cmd.toArray(new byte[0][]);
        same(r, store, args);
      }
      same(r, store, b("pfdebug"), b("encoding"), b("visitors"));
      same(r, store, b("get"), b("visitors"));
      // Through the log, so our PFCOUNT caches the count in the value as Redis's does.
      sameInLog(r, store, b("pfcount"), b("visitors"));
      String count = WireFormat.show(WireFormat.encode(
          store.call(false, b("pfcount"), b("visitors")), false));
      long estimate = Long.parseLong(count.substring(1, count.length() - 1));
      assertThat(estimate).isBetween(975_000L, 1_025_000L);

      same(r, store, b("pfadd"), b("visitors"), b("user:1"));
      same(r, store, b("pfadd"), b("visitors"), b("someone new"));
      same(r, store, b("pfadd"), b("visitors"), b("and another one"), b("user:2"));
      same(r, store, b("get"), b("visitors"));
      same(r, store, b("pfmerge"), b("{visitors}copy"), b("visitors"));
      same(r, store, b("pfcount"), b("visitors"), b("{visitors}copy"));

      same(r, store, b("del"), b("visitors"), b("{visitors}copy"));
      same(r, store, b("exists"), b("visitors"));
      same(r, store, b("get"), b("visitors"));
      same(r, store, b("pfcount"), b("visitors"));
      same(r, store, b("dbsize"));
    }
  }

  private static void sameInLog(RawRespClient r, ProtocolStore store, byte[]... cmd)
      throws IOException {
    String expected = WireFormat.show(r.call(cmd));
    String ours = WireFormat.show(WireFormat.encode(store.callInLog(false, cmd), false));
    assertThat(ours).as(WireFormat.show(cmd)).isEqualTo(expected);
  }

  private static void same(RawRespClient r, ProtocolStore store, byte[]... cmd)
      throws IOException {
    String expected = WireFormat.show(r.call(cmd));
    store.fixture().now = System.currentTimeMillis();
    String ours = WireFormat.show(WireFormat.encode(store.call(false, cmd), false));
    assertThat(ours).as(WireFormat.show(java.util.Arrays.copyOf(cmd, Math.min(cmd.length, 3))))
        .isEqualTo(expected);
  }
}
