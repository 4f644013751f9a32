package io.kvorum.storage.script;

import io.kvorum.storage.reply.Reply;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

/**
 * The scripts and functions running in this process now, for the gateway's {@code -BUSY}
 * replies and for SCRIPT KILL / FUNCTION KILL.
 *
 * <p>A script on the read path (EVAL_RO, EVALSHA_RO, FCALL_RO) and the leader's dry run of a
 * write script (EVAL, EVALSHA, FCALL; its writes go to a batch that is thrown away) can be
 * killed, the dry run only until it called a write command, as in Redis. A script inside a log
 * entry runs on every replica, and stopping it on one would leave the replicas different, so it
 * is {@code UNKILLABLE} (bounded instead by its instruction count). The clock read here decides
 * only replies to other clients, never state.
 */
public final class RunningScripts {
  static final String NOT_BUSY = "NOTBUSY No scripts in execution right now.";
  private static final String BUSY_EVAL =
      "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
  private static final String BUSY_FUNCTION =
      "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
  private static final String UNKILLABLE_WROTE = "UNKILLABLE Sorry the script already executed "
      + "write commands against the dataset. You can either wait the script termination or kill "
      + "the server in a hard way using the SHUTDOWN NOSAVE command.";
  private static final String UNKILLABLE_REPLICATED = "UNKILLABLE The busy script was sent by a "
      + "master instance in the context of replication and cannot be killed.";

  /** The start of the error a killed run answers (Redis's text). */
  static final String KILLED = "Script killed by user with SCRIPT KILL...";

  /** One run: the script, whether it is a function, and when it started (System.nanoTime). */
  record Running(ScriptRun run, boolean function, long startNanos) {}

  private static final Set<Running> RUNS = ConcurrentHashMap.newKeySet();

  private RunningScripts() {}

  static Running started(ScriptRun run, boolean function) {
    Running r = new Running(run, function, System.nanoTime());
    RUNS.add(r);
    return r;
  }

  static void finished(Running r) {
    RUNS.remove(r);
  }

  /** Whether any script runs now: the cheap test before {@link #busyError}. */
  public static boolean any() {
    return !RUNS.isEmpty();
  }

  /**
   * The {@code -BUSY} error for a command of a slot group, or null: when a script whose keys
   * are in one of the group's slots ({@code inGroup}) has run for {@code thresholdMillis} or
   * more. A script declared without keys is not tied to a slot and makes no group busy.
   */
  public static String busyError(IntPredicate inGroup, long thresholdMillis) {
    long now = System.nanoTime();
    for (Running r : RUNS) {
      int slot = r.run().slot();
      if (slot >= 0 && inGroup.test(slot)
          && (now - r.startNanos()) / 1_000_000 >= thresholdMillis) {
        return r.function() ? BUSY_FUNCTION : BUSY_EVAL;
      }
    }
    return null;
  }

  /**
   * SCRIPT KILL ({@code functions} false) or FUNCTION KILL: stops the runs of that kind that are
   * this node's alone and have not written, in Redis's order of checks (scriptKill).
   */
  public static Reply kill(boolean functions) {
    if (RUNS.isEmpty()) {
      return Reply.error(NOT_BUSY);
    }
    Reply refusal = null;
    boolean killed = false;
    for (Running r : RUNS) {
      ScriptRun run = r.run();
      if (run.replicated() || run.wrote()) {
        refusal = Reply.error(run.wrote() ? UNKILLABLE_WROTE : UNKILLABLE_REPLICATED);
      } else if (r.function() != functions) {
        refusal = refusal != null ? refusal
            : Reply.error(r.function() ? BUSY_FUNCTION : BUSY_EVAL);
      } else {
        run.kill();
        killed = true;
      }
    }
    if (killed) {
      return Reply.OK;
    }
    return refusal != null ? refusal : Reply.error(NOT_BUSY);
  }
}
