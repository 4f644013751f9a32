package io.kvorum.resp.protocol;

/** What the decoder hands to the connection: a command, or the end of usable input. */
public sealed interface RespInput {

  /** One command; {@code args[0]} is the command name exactly as sent. */
  record Command(byte[][] args) implements RespInput {}

  /**
   * The input broke the protocol. {@code error} is the reply Redis sends before closing (e.g.
   * {@code "ERR Protocol error: invalid bulk length"}), or null when Redis closes silently (query
   * buffer limit). Commands decoded earlier were delivered first; nothing after it is.
   */
  record Violation(String error) implements RespInput {}
}
