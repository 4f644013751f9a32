package io.kvorum.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.admin.JoinClusterReply;
import io.kvorum.proto.admin.JoinClusterRequest;
import io.kvorum.proto.admin.JoinReply;
import io.kvorum.proto.admin.JoinRequest;
import io.kvorum.proto.admin.KvorumAdminGrpc;
import io.kvorum.proto.admin.StatusReply;
import io.kvorum.proto.admin.StatusRequest;
import io.kvorum.server.config.ServerConfig;
import io.kvorum.server.config.ServerConfigLoader;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/** A whole node started in-process (Raft, RocksDB, RESP, admin), driven by Jedis and Lettuce. */
class KvorumNodeTest {
  @TempDir Path dir;
  private KvorumNode node;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private ServerConfig config() throws IOException {
    Map<String, String> flags = new HashMap<>();
    flags.put("port", Integer.toString(freePort()));
    flags.put("raft-port", Integer.toString(freePort()));
    flags.put("admin-port", Integer.toString(freePort()));
    flags.put("data-dir", dir.toString());
    return ServerConfigLoader.load(flags, Map.of(), null);
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void jedisWritesSurviveARestartOnTheSameDataDir() throws IOException {
    ServerConfig cfg = config();
    node = KvorumNode.start(cfg);
    try (Jedis jedis = new Jedis("127.0.0.1", node.respPort())) {
      assertThat(jedis.set("greeting", "hello")).isEqualTo("OK");
      assertThat(jedis.incr("hits")).isEqualTo(1);
      assertThat(jedis.incr("hits")).isEqualTo(2);
      jedis.setex("session", 60, "abc");
      Pipeline p = jedis.pipelined();
      for (int i = 0; i < 500; i++) {
        p.set("{batch}k" + i, "v" + i);
      }
      Response<List<String>> all = p.mget("{batch}k0", "{batch}k499");
      p.sync();
      assertThat(all.get()).containsExactly("v0", "v499");
      assertThat(jedis.ttl("session")).isBetween(58L, 60L);
      assertThat(jedis.dbSize()).isEqualTo(503);
    }
    String id = node.raft().nodeId();
    node.close();
    node = KvorumNode.start(cfg);
    assertThat(node.raft().nodeId()).isEqualTo(id);
    try (Jedis jedis = new Jedis("127.0.0.1", node.respPort())) {
      assertThat(jedis.get("greeting")).isEqualTo("hello");
      assertThat(jedis.get("hits")).isEqualTo("2");
      assertThat(jedis.get("{batch}k250")).isEqualTo("v250");
      assertThat(jedis.ttl("session")).isBetween(1L, 60L);
    }
  }

  @Test
  void lettuceStandaloneAndClusterClientsWork() throws IOException {
    node = KvorumNode.start(config());
    RedisClient client = RedisClient.create("redis://127.0.0.1:" + node.respPort());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> cmd = c.sync();
      assertThat(cmd.set("lettuce", "1")).isEqualTo("OK");
      assertThat(cmd.incrby("lettuce", 41)).isEqualTo(42);
      assertThat(cmd.clusterKeyslot("lettuce")).isBetween(0L, 16383L);
    } finally {
      client.shutdown();
    }
    RedisClusterClient cluster =
        RedisClusterClient.create("redis://127.0.0.1:" + node.respPort());
    try (StatefulRedisClusterConnection<String, String> c = cluster.connect()) {
      for (int i = 0; i < 200; i++) {
        c.sync().set("cluster:" + i, Integer.toString(i));
      }
      for (int i = 0; i < 200; i++) {
        assertThat(c.sync().get("cluster:" + i)).isEqualTo(Integer.toString(i));
      }
      assertThat(c.getPartitions().size()).isEqualTo(1);
    } finally {
      cluster.shutdown();
    }
  }
  @Test
  void aJoinRefusedAfterTheRestartLeavesAFreshStandaloneNodeOnTheSamePorts() throws Exception {
    // A seed that says which cluster it is in, then refuses the node's Join.
    io.grpc.Server seed = io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forPort(0)
        .addService(new KvorumAdminGrpc.KvorumAdminImplBase() {
          @Override
          public void status(StatusRequest request, StreamObserver<StatusReply> response) {
            response.onNext(StatusReply.newBuilder().setClusterId("seed-cluster").build());
            response.onCompleted();
          }

          @Override
          public void join(JoinRequest request, StreamObserver<JoinReply> response) {
            response.onError(Status.FAILED_PRECONDITION.withDescription("not today")
                .asException());
          }
        }).build().start();
    ServerConfig cfg = config();
    node = KvorumNode.start(cfg);
    String id = node.raft().nodeId();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", cfg.adminPort())
        .usePlaintext().build();
    try {
      String before = status(channel).getClusterId();
      JoinClusterReply r = KvorumAdminGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS).joinCluster(JoinClusterRequest.newBuilder()
              .setSeedAdmin("127.0.0.1:" + seed.getPort()).build());
      assertThat(r.getNodeId()).isEqualTo(id);
      assertThat(r.getClusterId()).isEqualTo("seed-cluster");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      StatusReply after = null;
      while (System.nanoTime() < deadline) {
        try {
          after = status(channel);
          if (!after.getClusterId().isEmpty() && !after.getClusterId().equals(before)) {
            break;
          }
        } catch (StatusRuntimeException e) {
          // restarting
        }
        Thread.sleep(200);
      }
      assertThat(after).isNotNull();
      assertThat(after.getClusterId()).isNotEqualTo(before).isNotEqualTo("seed-cluster")
          .isNotEmpty();
      assertThat(after.getNodeId()).isEqualTo(id);
      assertThat(after.getNodesCount()).isEqualTo(1);
      try (Jedis jedis = new Jedis("127.0.0.1", cfg.port())) {
        assertThat(jedis.set("after", "join")).isEqualTo("OK");
        assertThat(jedis.get("after")).isEqualTo("join");
      }
    } finally {
      channel.shutdownNow();
      seed.shutdownNow();
    }
  }

  private static StatusReply status(ManagedChannel channel) {
    return KvorumAdminGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .status(StatusRequest.newBuilder().setLocalOnly(true).build());
  }
}
