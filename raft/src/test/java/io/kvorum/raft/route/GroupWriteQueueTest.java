package io.kvorum.raft.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.raft.group.ReplyMessage;
import io.kvorum.storage.engine.SlotGroupStore;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GroupWriteQueueTest {
  /** Stands in for the Raft division: records entries and completes them when told to. */
  private final List<SlotGroupEntry> entries = new ArrayList<>();
  private final List<CompletableFuture<ReplyMessage>> results = new ArrayList<>();

  private CompletableFuture<ReplyMessage> submit(SlotGroupEntry entry) {
    entries.add(entry);
    CompletableFuture<ReplyMessage> f = new CompletableFuture<>();
    results.add(f);
    return f;
  }

  /** Applies entry {@code i}: each command's reply is its first argument as a status. */
  private void apply(int i) {
    List<Reply> replies = new ArrayList<>();
    for (CommandCall call : entries.get(i).getCallsList()) {
      replies.add(new Reply.Status(call.hasTransaction() ? "tx" : call.getArgs(0).toStringUtf8()));
    }
    results.get(i).complete(new ReplyMessage(replies));
  }

  private static List<byte[][]> commands(String... names) {
    List<byte[][]> out = new ArrayList<>();
    for (String n : names) {
      out.add(new byte[][] {n.getBytes(StandardCharsets.UTF_8)});
    }
    return out;
  }

  private static List<String> names(SlotGroupEntry e) {
    return e.getCallsList().stream().map(c -> c.hasTransaction()
        ? "tx" + c.getTransaction().getCommandsList().stream()
            .map(t -> t.getArgs(0).toStringUtf8()).toList()
        : c.getArgs(0).toStringUtf8()).toList();
  }

  @Test
  void anUnwatchedTransactionIsOneCallAmongOtherWritesWithOneReply() {
    GroupWriteQueue q = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20);
    q.enqueue(commands("a"), false);
    CompletableFuture<List<Reply>> before = q.enqueue(commands("b"), false);
    CompletableFuture<Reply> tx = q.enqueueTransaction(commands("x", "y"), false, List.of(), null);
    CompletableFuture<List<Reply>> after = q.enqueue(commands("c"), false);
    apply(0);
    assertThat(names(entries.get(1))).containsExactly("b", "tx[x, y]", "c");
    assertThat(entries.get(1).getCalls(1).getTransaction().getGuarded()).isFalse();
    apply(1);
    assertThat(before).isCompletedWithValue(List.of(new Reply.Status("b")));
    assertThat(tx).isCompletedWithValue(new Reply.Status("tx"));
    assertThat(after).isCompletedWithValue(List.of(new Reply.Status("c")));
  }

  @Test
  void aWatchedTransactionIsCheckedOnlyWhenNothingIsInFlightAndLeadsItsEntryWithTheGuard() {
    GroupWriteQueue q = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20);
    List<Integer> checkedWithEntries = new ArrayList<>();
    q.enqueue(commands("a"), false);
    q.enqueue(commands("b"), false);
    CompletableFuture<Reply> tx = q.enqueueTransaction(commands("x"), true,
        List.of("k".getBytes(StandardCharsets.UTF_8)), () -> {
          checkedWithEntries.add(entries.size());
          return 41;
        });
    q.enqueue(commands("c"), false);
    apply(0);
    // "b" goes alone: the transaction may not share an entry with writes before it.
    assertThat(names(entries.get(1))).containsExactly("b");
    assertThat(checkedWithEntries).isEmpty();
    apply(1);
    assertThat(checkedWithEntries).containsExactly(2);
    assertThat(names(entries.get(2))).containsExactly("tx[x]", "c");
    var unit = entries.get(2).getCalls(0).getTransaction();
    assertThat(unit.getGuarded()).isTrue();
    assertThat(unit.getAppliedIndex()).isEqualTo(41);
    assertThat(unit.getLiveKeys(0).toStringUtf8()).isEqualTo("k");
    assertThat(entries.get(2).getCalls(0).getResp3()).isTrue();
    apply(2);
    assertThat(tx).isCompletedWithValue(new Reply.Status("tx"));
  }

  @Test
  void aWatchedTransactionWhoseKeysChangedIsAnsweredNullWithoutAnEntry() {
    GroupWriteQueue q = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20);
    CompletableFuture<Reply> alone =
        q.enqueueTransaction(commands("x"), false, List.of(), () -> -1);
    assertThat(alone).isCompletedWithValue(Reply.NULL_ARRAY);
    assertThat(entries).isEmpty();

    q.enqueue(commands("a"), false);
    CompletableFuture<Reply> tx = q.enqueueTransaction(commands("x"), false, List.of(), () -> -1);
    CompletableFuture<List<Reply>> after = q.enqueue(commands("c"), false);
    apply(0);
    assertThat(tx).isCompletedWithValue(Reply.NULL_ARRAY);
    assertThat(names(entries.get(1))).containsExactly("c");
    apply(1);
    assertThat(after).isCompletedWithValue(List.of(new Reply.Status("c")));
    // The queue is idle again: the next write is submitted at once.
    q.enqueue(commands("d"), false);
    assertThat(entries).hasSize(3);
  }

  @Test
  void writesArrivingWhileAnEntryIsInFlightShareTheNextEntryInArrivalOrder() {
    GroupWriteQueue q = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20);
    CompletableFuture<List<Reply>> first = q.enqueue(commands("a"), false);
    CompletableFuture<List<Reply>> second = q.enqueue(commands("b", "c"), false);
    CompletableFuture<List<Reply>> third = q.enqueue(commands("d"), true);
    assertThat(entries).hasSize(1);
    assertThat(names(entries.get(0))).containsExactly("a");

    apply(0);
    assertThat(first).isCompletedWithValue(List.of(new Reply.Status("a")));
    assertThat(entries).hasSize(2);
    assertThat(names(entries.get(1))).containsExactly("b", "c", "d");
    assertThat(entries.get(1).getCalls(2).getResp3()).isTrue();
    assertThat(second).isNotDone();

    apply(1);
    assertThat(second).isCompletedWithValue(List.of(new Reply.Status("b"), new Reply.Status("c")));
    assertThat(third).isCompletedWithValue(List.of(new Reply.Status("d")));
    assertThat(entries).hasSize(2);
  }

  @Test
  void theNextEntryIsSubmittedBeforeThePreviousRepliesAreDelivered() {
    GroupWriteQueue q = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20);
    q.enqueue(commands("a"), false).thenRun(() -> assertThat(entries).hasSize(2));
    q.enqueue(commands("b"), false);
    apply(0);
    assertThat(entries).hasSize(2);
  }

  @Test
  void anEntryHoldsAtMostMaxCommandsAndMaxBytes() {
    GroupWriteQueue q = new GroupWriteQueue(this::submit, 1, 2, 1 << 20);
    q.enqueue(commands("a"), false);
    q.enqueue(commands("b"), false);
    q.enqueue(commands("c"), false);
    q.enqueue(commands("d"), false);
    apply(0);
    assertThat(names(entries.get(1))).containsExactly("b", "c");
    apply(1);
    assertThat(names(entries.get(2))).containsExactly("d");

    GroupWriteQueue small = new GroupWriteQueue(this::submit, 1, 1024, 10);
    int before = entries.size();
    small.enqueue(commands("x"), false);
    small.enqueue(commands("y"), false);
    small.enqueue(commands("z"), false);
    apply(before);
    assertThat(names(entries.get(before + 1))).containsExactly("y");
  }

  @Test
  void aFailedEntryFailsEveryWriteInItAndTheQueueKeepsGoing() {
    GroupWriteQueue q = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20);
    q.enqueue(commands("a"), false);
    CompletableFuture<List<Reply>> b = q.enqueue(commands("b"), false);
    CompletableFuture<List<Reply>> c = q.enqueue(commands("c"), false);
    apply(0);
    results.get(1).completeExceptionally(new NotLeaderException(0, "moved"));
    assertThat(b).isCompletedExceptionally();
    assertThat(c).isCompletedExceptionally();

    CompletableFuture<List<Reply>> d = q.enqueue(commands("d"), false);
    assertThat(entries).hasSize(3);
    apply(2);
    assertThat(d).isCompletedWithValue(List.of(new Reply.Status("d")));
  }

  /**
   * Stands in for the leader's script runs: scripts are commands named {@code script…}; each dry
   * run waits until the test completes it.
   */
  private final class FakeScripts implements GroupWriteQueue.ScriptLane {
    final List<CompletableFuture<SlotGroupStore.DryRun>> dryRuns = new ArrayList<>();
    /** Entries already submitted when each dry run started. */
    final List<Integer> startedWithEntries = new ArrayList<>();
    final List<Long> seeds = new ArrayList<>();
    final List<Long> barriers = new ArrayList<>();
    boolean unchanged = true;

    @Override
    public boolean runsFirst(byte[][] args) {
      return new String(args[0], StandardCharsets.UTF_8).startsWith("script");
    }

    @Override
    public CompletableFuture<SlotGroupStore.DryRun> dryRun(
        byte[][] args, boolean resp3, long timeMs, long seed) {
      CompletableFuture<SlotGroupStore.DryRun> f = new CompletableFuture<>();
      dryRuns.add(f);
      startedWithEntries.add(entries.size());
      seeds.add(seed);
      return f;
    }

    @Override
    public CompletableFuture<Boolean> unchangedSince(long lastDataChange) {
      barriers.add(lastDataChange);
      return CompletableFuture.completedFuture(unchanged);
    }
  }

  private static SlotGroupStore.DryRun wrote(long lastDataChange) {
    return new SlotGroupStore.DryRun(new Reply.Status("dry"), true, false, lastDataChange);
  }

  @Test
  void aScriptRunsFirstWithNothingInFlightAndIsProposedAloneGuardedWithItsClockAndSeed() {
    FakeScripts scripts = new FakeScripts();
    GroupWriteQueue q = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20, scripts,
        EntrySlots.unbounded());
    q.enqueue(commands("a"), false);
    // One caller's batch: the script keeps its place between its writes.
    CompletableFuture<List<Reply>> batch = q.enqueue(commands("b", "script1", "c"), true);
    CompletableFuture<List<Reply>> later = q.enqueue(commands("d"), false);
    assertThat(scripts.dryRuns).isEmpty();
    apply(0);
    assertThat(names(entries.get(1))).containsExactly("b");
    assertThat(scripts.dryRuns).isEmpty();
    apply(1);
    // Everything before it is applied; nothing after it is submitted while it runs.
    assertThat(scripts.startedWithEntries).containsExactly(2);
    assertThat(entries).hasSize(2);
    scripts.dryRuns.get(0).complete(wrote(17));
    SlotGroupEntry guarded = entries.get(2);
    assertThat(names(guarded)).containsExactly("script1");
    assertThat(guarded.getCalls(0).getGuarded()).isTrue();
    assertThat(guarded.getCalls(0).getLastDataChange()).isEqualTo(17);
    assertThat(guarded.getCalls(0).getResp3()).isTrue();
    assertThat(guarded.getRandomSeed()).isEqualTo(scripts.seeds.get(0));
    apply(2);
    // The applied run's reply is the script's, and the writes behind it move on.
    assertThat(names(entries.get(3))).containsExactly("c", "d");
    apply(3);
    assertThat(batch).isCompletedWithValue(List.of(new Reply.Status("b"),
        new Reply.Status("script1"), new Reply.Status("c")));
    assertThat(later).isCompletedWithValue(List.of(new Reply.Status("d")));
  }

  @Test
  void aKilledDryRunIsAnsweredWithoutAnEntry() {
    FakeScripts scripts = new FakeScripts();
    GroupWriteQueue q = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20, scripts,
        EntrySlots.unbounded());
    CompletableFuture<List<Reply>> script = q.enqueue(commands("script"), false);
    CompletableFuture<List<Reply>> after = q.enqueue(commands("a"), false);
    Reply killed = Reply.error("ERR Script killed by user with SCRIPT KILL...");
    scripts.dryRuns.get(0).complete(new SlotGroupStore.DryRun(killed, true, true, 3));
    assertThat(script).isCompletedWithValue(List.of(killed));
    assertThat(scripts.barriers).isEmpty();
    assertThat(names(entries.get(0))).containsExactly("a");
    apply(0);
    assertThat(after).isCompletedWithValue(List.of(new Reply.Status("a")));
  }

  @Test
  void aDryRunThatWroteNothingIsAnsweredAfterABarrierOrRunsAgain() {
    FakeScripts scripts = new FakeScripts();
    GroupWriteQueue q = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20, scripts,
        EntrySlots.unbounded());
    CompletableFuture<List<Reply>> script = q.enqueue(commands("script"), false);
    scripts.unchanged = false;
    scripts.dryRuns.get(0).complete(
        new SlotGroupStore.DryRun(new Reply.Status("stale"), false, false, 3));
    // The state it read was overtaken before the barrier: it runs again.
    assertThat(scripts.dryRuns).hasSize(2);
    scripts.unchanged = true;
    scripts.dryRuns.get(1).complete(
        new SlotGroupStore.DryRun(new Reply.Status("fresh"), false, false, 4));
    assertThat(scripts.barriers).containsExactly(3L, 4L);
    assertThat(script).isCompletedWithValue(List.of(new Reply.Status("fresh")));
    assertThat(entries).isEmpty();
  }

  @Test
  void aScriptWhoseGuardMovedRunsAgainAndAtLastUnguarded() {
    FakeScripts scripts = new FakeScripts();
    GroupWriteQueue q = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20, scripts,
        EntrySlots.unbounded());
    CompletableFuture<List<Reply>> script = q.enqueue(commands("script"), false);
    for (int attempt = 0; attempt < GroupWriteQueue.SCRIPT_ATTEMPTS; attempt++) {
      scripts.dryRuns.get(attempt).complete(wrote(attempt));
      assertThat(entries.get(attempt).getCalls(0).getGuarded()).isTrue();
      results.get(attempt).complete(new ReplyMessage(List.of(SlotGroupStore.GUARD_MOVED)));
    }
    assertThat(scripts.dryRuns).hasSize(GroupWriteQueue.SCRIPT_ATTEMPTS);
    SlotGroupEntry last = entries.get(GroupWriteQueue.SCRIPT_ATTEMPTS);
    assertThat(names(last)).containsExactly("script");
    assertThat(last.getCalls(0).getGuarded()).isFalse();
    apply(GroupWriteQueue.SCRIPT_ATTEMPTS);
    assertThat(script).isCompletedWithValue(List.of(new Reply.Status("script")));
  }

  @Test
  void aFailedDryRunFailsTheScriptAndTheQueueKeepsGoing() {
    FakeScripts scripts = new FakeScripts();
    GroupWriteQueue q = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20, scripts,
        EntrySlots.unbounded());
    CompletableFuture<List<Reply>> script = q.enqueue(commands("script"), false);
    CompletableFuture<List<Reply>> after = q.enqueue(commands("a"), false);
    scripts.dryRuns.get(0).completeExceptionally(new NotLeaderException(0, "no replica"));
    assertThat(script).isCompletedExceptionally();
    apply(0);
    assertThat(after).isCompletedWithValue(List.of(new Reply.Status("a")));
  }

  @Test
  void groupsSharingOneNodeSlotTakeTurnsAndAWaitingGroupCarriesEverythingThatArrived() {
    EntrySlots slots = new EntrySlots(1, Long.MAX_VALUE, () -> 0);
    GroupWriteQueue g1 = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20, null, slots);
    GroupWriteQueue g2 = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20, null, slots);
    CompletableFuture<List<Reply>> a = g1.enqueue(commands("a"), false);
    CompletableFuture<List<Reply>> x = g2.enqueue(commands("x"), false);
    g2.enqueue(commands("y"), false);
    CompletableFuture<List<Reply>> z = g2.enqueue(commands("z"), false);
    CompletableFuture<List<Reply>> b = g1.enqueue(commands("b"), false);
    // One entry in flight on the node: group 2's writes wait for it instead of going alone.
    assertThat(entries).hasSize(1);
    apply(0);
    assertThat(a).isCompletedWithValue(List.of(new Reply.Status("a")));
    assertThat(names(entries.get(1))).containsExactly("x", "y", "z");
    // Group 1 queued behind group 2 for the slot.
    assertThat(entries).hasSize(2);
    apply(1);
    assertThat(x).isCompletedWithValue(List.of(new Reply.Status("x")));
    assertThat(z).isCompletedWithValue(List.of(new Reply.Status("z")));
    assertThat(names(entries.get(2))).containsExactly("b");
    apply(2);
    assertThat(b).isCompletedWithValue(List.of(new Reply.Status("b")));
  }

  @Test
  void aFailedEntryGivesItsNodeSlotBack() {
    EntrySlots slots = new EntrySlots(1, Long.MAX_VALUE, () -> 0);
    GroupWriteQueue g1 = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20, null, slots);
    GroupWriteQueue g2 = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20, null, slots);
    CompletableFuture<List<Reply>> a = g1.enqueue(commands("a"), false);
    CompletableFuture<List<Reply>> x = g2.enqueue(commands("x"), false);
    results.get(0).completeExceptionally(new NotLeaderException(0, "moved"));
    assertThat(a).isCompletedExceptionally();
    assertThat(names(entries.get(1))).containsExactly("x");
    apply(1);
    assertThat(x).isCompletedWithValue(List.of(new Reply.Status("x")));
  }

  @Test
  void aRunningScriptHoldsNoNodeSlot() {
    EntrySlots slots = new EntrySlots(1, Long.MAX_VALUE, () -> 0);
    FakeScripts scripts = new FakeScripts();
    GroupWriteQueue g1 = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20, scripts, slots);
    GroupWriteQueue g2 = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20, null, slots);
    CompletableFuture<List<Reply>> script = g1.enqueue(commands("script"), false);
    assertThat(scripts.dryRuns).hasSize(1);
    // The dry run may take seconds (until SCRIPT KILL): other groups keep writing meanwhile.
    CompletableFuture<List<Reply>> x = g2.enqueue(commands("x"), false);
    assertThat(names(entries.get(0))).containsExactly("x");
    apply(0);
    assertThat(x).isCompletedWithValue(List.of(new Reply.Status("x")));
    scripts.dryRuns.get(0).complete(wrote(1));
    assertThat(names(entries.get(1))).containsExactly("script");
    apply(1);
    assertThat(script).isCompletedWithValue(List.of(new Reply.Status("script")));
  }

  @Test
  void aProposalRefusedAtOnceGivesItsSlotToTheNextGroup() {
    EntrySlots slots = new EntrySlots(1, Long.MAX_VALUE, () -> 0);
    GroupWriteQueue g1 = new GroupWriteQueue(this::submit, 1, 1024, 1 << 20, null, slots);
    GroupWriteQueue refusing = new GroupWriteQueue(
        e -> CompletableFuture.failedFuture(new NotLeaderException(1, "not the leader")),
        1, 1024, 1 << 20, null, slots);
    CompletableFuture<List<Reply>> a = g1.enqueue(commands("a"), false);
    CompletableFuture<List<Reply>> r1 = refusing.enqueue(commands("r1"), false);
    CompletableFuture<List<Reply>> r2 = refusing.enqueue(commands("r2"), false);
    CompletableFuture<List<Reply>> b = g1.enqueue(commands("b"), false);
    assertThat(r1).isNotDone();
    apply(0);
    // The refused group's writes fail at once and the slot goes round to group 1 again.
    assertThat(r1).isCompletedExceptionally();
    assertThat(r2).isCompletedExceptionally();
    assertThat(a).isCompletedWithValue(List.of(new Reply.Status("a")));
    assertThat(names(entries.get(1))).containsExactly("b");
    apply(1);
    assertThat(b).isCompletedWithValue(List.of(new Reply.Status("b")));
    assertThat(slots.waiting()).isZero();
  }
}
