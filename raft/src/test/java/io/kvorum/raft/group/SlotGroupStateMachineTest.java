package io.kvorum.raft.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.engine.NodeStorage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.ratis.protocol.ClientId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a write cut off by a leadership change learns its fate (see awaitOrphan). */
class SlotGroupStateMachineTest {
  private static final ClientId CLIENT = ClientId.randomId();
  private final NodeStorage storage = new NodeStorage(8 << 20, 8 << 20);
  private final SlotGroupStateMachine machine =
      new SlotGroupStateMachine(storage, (g, l) -> { }, (g, k) -> { });

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void anEntryOfALaterTermProvesAnOrphanWasTruncated() {
    machine.notifyTermIndexUpdated(3, 10);
    CompletableFuture<ReplyMessage> orphan = machine.awaitOrphan(CLIENT, 42, 3);
    machine.notifyTermIndexUpdated(3, 11);
    assertThat(orphan).as("same term: it may still be applied").isNotDone();
    machine.notifyTermIndexUpdated(4, 12);
    assertThat(orphan).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(SlotGroupStateMachine.NotAppliedException.class);
  }

  @Test
  void anOrphanRegisteredAfterALaterTermIsUnknownNotFailed() {
    machine.notifyTermIndexUpdated(5, 20);
    CompletableFuture<ReplyMessage> orphan = machine.awaitOrphan(CLIENT, 7, 4);
    assertThat(orphan).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void aForgottenOrphanIsNotResolvedLater() {
    CompletableFuture<ReplyMessage> orphan = machine.awaitOrphan(CLIENT, 9, 1);
    machine.forgetOrphan(9);
    machine.notifyTermIndexUpdated(2, 1);
    assertThat(orphan).isNotDone();
  }
}
