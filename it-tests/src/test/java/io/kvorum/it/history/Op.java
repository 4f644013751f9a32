package io.kvorum.it.history;

/**
 * One client operation as a history records it: what was asked, when (this JVM's monotonic clock,
 * nanoseconds), and how it ended.
 *
 * @param process  the client that ran it (one operation at a time per client)
 * @param kind     the command
 * @param key      the key it touched
 * @param value    the value written (SET*, SADD, RPUSH); null for GET and DEL
 * @param result   what the server answered: a bulk string or integer as text, {@code "OK"}, or
 *                 null for a nil reply; null when the outcome is not {@link Outcome#OK}
 * @param invoked  when the request was about to be sent
 * @param completed when the reply (or failure) arrived; {@link Long#MAX_VALUE} when unknown
 * @param outcome  ok, definitely not applied, or unknown
 * @param detail   the error or exception text for a failed or unknown operation
 */
public record Op(int process, Kind kind, String key, String value, String result, long invoked,
    long completed, Outcome outcome, String detail) {

  /** The commands the fault workloads use. */
  public enum Kind {
    GET, SET, SET_NX, SET_XX, DEL, SADD, RPUSH;

    /** True for the register commands the linearizability checker models. */
    public boolean isRegister() {
      return this != SADD && this != RPUSH;
    }
  }

  /**
   * How an operation ended. A timeout or a lost connection is {@link #UNKNOWN}, never {@link
   * #FAIL}: the write may have been committed all the same.
   */
  public enum Outcome {
    /** The server answered with the command's own reply. */
    OK,
    /** The server refused it before it was applied (MOVED, TRYAGAIN, CLUSTERDOWN, a refused connection). */
    FAIL,
    /** Timed out or the connection broke: it may or may not have taken effect. */
    UNKNOWN
  }

  /** A short description for reports. */
  public String describe() {
    String args = value == null ? key : key + " " + value;
    String end = switch (outcome) {
      case OK -> "-> " + (result == null ? "nil" : result);
      case FAIL -> "failed: " + detail;
      case UNKNOWN -> "unknown: " + detail;
    };
    return "p" + process + " " + kind + " " + args + " " + end + " [" + invoked / 1_000_000 + " ms, "
        + (completed == Long.MAX_VALUE ? "never" : completed / 1_000_000 + " ms") + "]";
  }
}
