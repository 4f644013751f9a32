package io.kvorum.storage.script;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.proto.slotgroup.CommandCall;
import io.kvorum.proto.slotgroup.SlotGroupEntry;
import io.kvorum.storage.engine.NodeStorage;
import io.kvorum.storage.engine.SlotGroupStore;
import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCRIPT KILL / FUNCTION KILL against the leader's dry run of a write script: killable until it
 * called a write command, as in Redis, and a killed dry run leaves the group as it was.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunningScriptsTest {
  static final String UNKILLABLE_WROTE = "UNKILLABLE Sorry the script already executed write "
      + "commands against the dataset. You can either wait the script termination or kill the "
      + "server in a hard way using the SHUTDOWN NOSAVE command.";
  static NodeStorage node;
  @TempDir Path tmp;
  SlotGroupStore store;

  @BeforeAll
  static void init() {
    node = NodeStorage.withDefaults();
  }

  @AfterAll
  static void done() {
    node.close();
  }

  @BeforeEach
  void open() {
    store = SlotGroupStore.open(tmp.resolve("db"), node);
    store.apply(1, 1, SlotGroupEntry.newBuilder().setTimeMs(1000)
        .addCalls(call("SET", "{k}", "before")).build());
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static CommandCall call(String... args) {
    CommandCall.Builder c = CommandCall.newBuilder();
    for (String a : args) {
      c.addArgs(com.google.protobuf.ByteString.copyFromUtf8(a));
    }
    return c.build();
  }

  private static byte[][] args(String... args) {
    byte[][] out = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      out[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  private CompletableFuture<SlotGroupStore.DryRun> dryRun(String... args) throws Exception {
    CompletableFuture<SlotGroupStore.DryRun> run =
        CompletableFuture.supplyAsync(() -> store.dryRun(args(args), false, 2_000, 3));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!RunningScripts.any()) {
      assertThat(System.nanoTime()).as("the dry run starts").isLessThan(deadline);
      Thread.sleep(5);
    }
    return run;
  }

  private String get() {
    Reply r = store.read(args("GET", "{k}"), false, 1000);
    return ((Reply.Bulk) r).utf8();
  }

  @Test
  void aDryRunThatHasNotWrittenIsKilledAndLeavesTheGroupAsItWas() throws Exception {
    String loop = "local v = redis.call('get', KEYS[1]) while true do end";
    CompletableFuture<SlotGroupStore.DryRun> run = dryRun("EVAL", loop, "1", "{k}");
    // FUNCTION KILL does not stop an EVAL script (Redis's BUSY for the other kind).
    assertThat(RunningScripts.kill(true)).isEqualTo(Reply.error(
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."));
    assertThat(RunningScripts.kill(false)).isEqualTo(Reply.OK);
    SlotGroupStore.DryRun dry = run.get(20, TimeUnit.SECONDS);
    assertThat(dry.reply()).isEqualTo(Reply.error("ERR Script killed by user with SCRIPT KILL... "
        + "script: " + LuaScript.sha1hex(loop.getBytes(StandardCharsets.UTF_8))
        + ", on @user_script:1."));
    // Nothing to propose: the script ran no write command and its run is over.
    assertThat(dry.killed()).isTrue();
    assertThat(RunningScripts.any()).isFalse();
    assertThat(store.applied().index()).isEqualTo(1);
    assertThat(get()).isEqualTo("before");
    assertThat(RunningScripts.kill(false)).isEqualTo(Reply.error(RunningScripts.NOT_BUSY));
  }

  @Test
  void aFunctionsDryRunIsStoppedByFunctionKill() throws Exception {
    String lib = "#!lua name=spin\n"
        + "redis.register_function('spin', function(keys, args) while true do end end)";
    store.apply(1, 2, SlotGroupEntry.newBuilder().setTimeMs(1000)
        .addCalls(call("FUNCTION", "LOAD", lib)).build());
    CompletableFuture<SlotGroupStore.DryRun> run = dryRun("FCALL", "spin", "1", "{k}");
    assertThat(RunningScripts.kill(false)).isEqualTo(Reply.error("BUSY Redis is busy running a "
        + "script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."));
    assertThat(RunningScripts.kill(true)).isEqualTo(Reply.OK);
    SlotGroupStore.DryRun dry = run.get(20, TimeUnit.SECONDS);
    assertThat(dry.killed()).isTrue();
    assertThat(dry.wrote()).isFalse();
  }

  @Test
  void aDryRunThatWroteIsUnkillableAndStillProposed() throws Exception {
    long before = ScriptEngine.applyInstructionLimit;
    // The loop ends at the instruction cap, as it would at apply on every replica.
    ScriptEngine.applyInstructionLimit = 300_000_000L;
    try {
      String script = "redis.call('set', KEYS[1], 'during') while true do end";
      CompletableFuture<SlotGroupStore.DryRun> run = dryRun("EVAL", script, "1", "{k}");
      String refused = null;
      for (int i = 0; i < 200 && refused == null; i++) {
        // The write is the script's first statement; wait until it ran.
        Reply r = RunningScripts.kill(false);
        if (r instanceof Reply.Error e && e.text().startsWith("UNKILLABLE")) {
          refused = e.text();
        }
        Thread.sleep(5);
      }
      assertThat(refused).isEqualTo(UNKILLABLE_WROTE);
      SlotGroupStore.DryRun dry = run.get(50, TimeUnit.SECONDS);
      assertThat(dry.reply()).isEqualTo(Reply.error("ERR Script exceeded the limit of 300000000 "
          + "Lua instructions of a replicated script script: "
          + LuaScript.sha1hex(script.getBytes(StandardCharsets.UTF_8)) + ", on @user_script:1."));
      assertThat(dry.killed()).isFalse();
      // It wrote before failing: Redis keeps such writes, so the leader proposes it.
      assertThat(dry.wrote()).isTrue();
      assertThat(get()).isEqualTo("before");
    } finally {
      ScriptEngine.applyInstructionLimit = before;
    }
  }
}
