package io.kvorum.resp.command;

import io.kvorum.resp.connection.ClientConnection;
import io.kvorum.resp.server.Gateway;
import io.kvorum.storage.number.RedisNumbers;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One call of a gateway command: the node's services, the calling connection, the arguments, and
 * whether EXEC runs it as part of a transaction (where Redis never blocks, e.g. WAIT).
 */
public record Invocation(Gateway gateway, ClientConnection client, byte[][] args,
    boolean inTransaction) {

  public Invocation(Gateway gateway, ClientConnection client, byte[][] args) {
    this(gateway, client, args, false);
  }

  public int argc() {
    return args.length;
  }

  public byte[] arg(int i) {
    return args[i];
  }

  /**
   * Argument {@code i} as a Java string with one char per byte (ISO-8859-1), so it round-trips to
   * the same bytes in replies and error texts.
   */
  public String text(int i) {
    return new String(args[i], StandardCharsets.ISO_8859_1);
  }

  /** Argument {@code i} in lower case (option names). */
  public String lower(int i) {
    return text(i).toLowerCase(Locale.ROOT);
  }

  /** Whether argument {@code i} equals {@code option}, ignoring ASCII case. */
  public boolean is(int i, String option) {
    return text(i).equalsIgnoreCase(option);
  }

  /** Argument {@code i} as a long, or a RedisError "value is not an integer or out of range". */
  public long longArg(int i) {
    return RedisNumbers.parseLong(args[i]);
  }

  public boolean resp3() {
    return client.resp3();
  }
}
