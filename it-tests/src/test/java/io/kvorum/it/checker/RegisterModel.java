package io.kvorum.it.checker;

import io.kvorum.it.history.Op;
import java.util.Objects;

/**
 * A Redis string key as a register: its state is the value, or null while the key does not
 * exist. SET writes, GET reads, SET NX and SET XX are compare-and-set on existence, DEL clears.
 */
final class RegisterModel {
  private RegisterModel() {
  }

  /** The state after {@code op}, or {@link #ILLEGAL} if its reply cannot follow {@code state}. */
  static Object step(String state, Op op) {
    boolean known = op.outcome() == Op.Outcome.OK;
    String r = op.result();
    return switch (op.kind()) {
      case GET -> !known || Objects.equals(r, state) ? state : ILLEGAL;
      case SET -> !known || "OK".equals(r) ? op.value() : ILLEGAL;
      case SET_NX -> state == null
          ? (!known || "OK".equals(r) ? op.value() : ILLEGAL)
          : (!known || r == null ? state : ILLEGAL);
      case SET_XX -> state != null
          ? (!known || "OK".equals(r) ? op.value() : ILLEGAL)
          : (!known || r == null ? null : ILLEGAL);
      case DEL -> !known || (state == null ? "0" : "1").equals(r) ? null : ILLEGAL;
      default -> throw new IllegalArgumentException("not a register operation: " + op.kind());
    };
  }

  /** Marks a step the register cannot take. */
  static final Object ILLEGAL = new Object();
}
