package io.kvorum.storage.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.storage.engine.SlotGroupStore;
import io.kvorum.storage.keyspace.KeyspaceEvent;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifications an applied entry carries: none while notifications are off; Redis's events in
 * Redis's order when on, across the commands of one entry, including lazy and active expiry.
 * (Every command's event names are checked against redis-server by the gateway's
 * KeyspaceEventsParityTest.)
 */
class KeyspaceEventRulesTest {
  @TempDir Path dir;
  StoreFixture fx;
  long index = 1_000;

  @BeforeEach
  void open() {
    fx = new StoreFixture(dir);
  }

  @AfterEach
  void close() {
    fx.close();
  }

  private List<String> apply(long now, String... commands) {
    SlotGroupEntry.Builder e = SlotGroupEntry.newBuilder().setTimeMs(now).setRandomSeed(7);
    for (String c : commands) {
      CommandCall.Builder call = CommandCall.newBuilder();
      for (byte[] a : StoreFixture.split(c)) {
        call.addArgs(ByteString.copyFrom(a));
      }
      e.addCalls(call);
    }
    SlotGroupStore.AppliedEntry applied = fx.store().applyTracked(1, ++index, e.build());
    List<String> out = new ArrayList<>();
    for (KeyspaceEvent ev : applied.events()) {
      out.add(ev.type() + ev.event() + ":" + new String(ev.key(), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void nothingIsCollectedWhileNotificationsAreOff() {
    assertThat(apply(fx.now, "SET a 1", "LPUSH l x")).isEmpty();
  }

  @Test
  void oneEntryCarriesEveryCommandsEventsInOrder() {
    fx.store().notifying(true);
    assertThat(apply(fx.now, "SET a 1 EX 10", "LPUSH l x", "LPOP l", "DEL a b", "LPUSH a x"))
        .containsExactly("nnew:a", "$set:a", "gexpire:a", "nnew:l", "llpush:l", "llpop:l",
            "gdel:l", "gdel:a", "nnew:a", "llpush:a");
  }

  @Test
  void failedCommandsAndNoOpsSendNothing() {
    fx.store().notifying(true);
    apply(fx.now, "SET s v");
    assertThat(apply(fx.now, "LPUSH s x", "SET s w NX", "SADD set a")).containsExactly(
        "nnew:set", "ssadd:set");
    assertThat(apply(fx.now, "SADD set a", "HDEL nohash f")).isEmpty();
  }

  @Test
  void expiredKeysAreReportedWhenAWriteFindsThemAndWhenActiveExpiryDeletesThem() {
    fx.store().notifying(true);
    apply(fx.now, "SET t v PX 10", "SET u v PX 10");
    assertThat(apply(fx.now + 100, "INCR t")).containsExactly(
        "xexpired:t", "nnew:t", "$incrby:t");
    assertThat(apply(fx.now + 100, "kvorum.expire-due u")).containsExactly("xexpired:u");
  }
}
