package io.kvorum.storage.keyspace;

/** The Redis data types, with the byte that marks them in a key's metadata. */
public enum RedisType {
  STRING(0, "string"),
  HASH(1, "hash"),
  LIST(2, "list"),
  SET(3, "set"),
  ZSET(4, "zset"),
  STREAM(5, "stream");

  private static final RedisType[] BY_CODE = values();

  private final int code;
  private final String typeName;

  RedisType(int code, String typeName) {
    this.code = code;
    this.typeName = typeName;
  }

  public int code() {
    return code;
  }

  /** The name {@code TYPE} answers. */
  public String typeName() {
    return typeName;
  }

  public static RedisType ofCode(int code) {
    return BY_CODE[code];
  }
}
