package io.kvorum.storage.reply;

/**
 * Thrown by command code to answer with a Redis error reply. Command handlers throw it from any
 * depth (type check, number parsing, syntax) and the table's dispatcher turns it into the reply.
 */
public final class RedisError extends RuntimeException {
  private final Reply.Error reply;

  public RedisError(String text) {
    super(text, null, false, false);
    this.reply = new Reply.Error(text);
  }

  public Reply.Error reply() {
    return reply;
  }

  public static final String WRONGTYPE =
      "WRONGTYPE Operation against a key holding the wrong kind of value";
  public static final String SYNTAX = "ERR syntax error";
  public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
  public static final String NOT_FLOAT = "ERR value is not a valid float";
  public static final String NO_SUCH_KEY = "ERR no such key";
  public static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";

  public static RedisError wrongType() {
    return new RedisError(WRONGTYPE);
  }

  public static RedisError syntax() {
    return new RedisError(SYNTAX);
  }

  public static RedisError notInteger() {
    return new RedisError(NOT_INTEGER);
  }

  public static RedisError notFloat() {
    return new RedisError(NOT_FLOAT);
  }
}
