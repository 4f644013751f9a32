package io.kvorum.resp.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.resp.testing.RedisOracle;
import io.kvorum.resp.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pub/sub frame sequences, byte for byte against a real redis-server 7.0 in cluster mode: several
 * connections run a script of commands and each step reads the frames its connection must get
 * (replies and pushes, in order). RESP2 and RESP3, subscribed-mode errors, PUBSUB introspection.
 */
class PubSubParityTest {
  @TempDir static Path dir;
  static TestServer node;
  static RedisOracle redis;

  @BeforeAll
  static void start() throws Exception {
    node = new TestServer(dir.resolve("kvorum"));
    redis = new RedisOracle(dir.resolve("redis"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (redis != null) {
      redis.close();
    }
    node.close();
  }

  static void same(List<PubSubScripts.Step> script) {
    assertThat(PubSubScripts.run(node.port(), script))
        .isEqualTo(PubSubScripts.run(redis.port(), script));
  }

  @Test
  void subscribeUnsubscribeAndMessagesResp2() {
    same(PubSubScripts.SUBSCRIBE_RESP2);
  }

  @Test
  void subscribedResp2ConnectionRefusesOtherCommands() {
    same(PubSubScripts.SUBSCRIBED_RESP2_REFUSES);
  }

  @Test
  void resp3AllowsEverythingWhileSubscribed() {
    same(PubSubScripts.RESP3_SUBSCRIBED);
  }

  @Test
  void shardChannels() {
    same(PubSubScripts.SHARD_CHANNELS);
  }

  @Test
  void shardChannelsResp3() {
    same(PubSubScripts.SHARD_CHANNELS_RESP3);
  }

  @Test
  void introspection() {
    same(PubSubScripts.INTROSPECTION);
  }

  @Test
  void pushesIgnoreClientReplyOff() {
    same(PubSubScripts.CLIENT_REPLY_OFF);
  }
}
