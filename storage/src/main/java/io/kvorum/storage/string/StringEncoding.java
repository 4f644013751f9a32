package io.kvorum.storage.string;

import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.number.RedisNumbers;

/**
 * Which encoding Redis would give a string, so {@code OBJECT ENCODING} and {@code OBJECT REFCOUNT}
 * answer the same. Commands that store an argument run it through Redis's tryObjectEncoding
 * (SET, MSET, GETSET, APPEND to a new key …); INCR and friends always store an integer; values
 * Redis builds itself (INCRBYFLOAT) are embstr or raw by length; APPEND and SETRANGE to an
 * existing key always leave a raw string.
 */
public final class StringEncoding {
  /** Redis stores strings up to this length in one allocation with the object ("embstr"). */
  static final int EMBSTR_LIMIT = 44;
  /** Redis shares the integer objects 0..9999 between keys. */
  static final long SHARED_INTEGERS = 10000;
  /** Redis's OBJ_SHARED_REFCOUNT, what OBJECT REFCOUNT reports for a shared object. */
  static final long SHARED_REFCOUNT = Integer.MAX_VALUE;

  private StringEncoding() {}

  /** The encoding Redis's tryObjectEncoding picks for a value taken from a command argument. */
  public static int forArgument(byte[] value) {
    if (value.length <= 20 && RedisNumbers.parseLongOrNull(value) != null) {
      return KeyMeta.Encoding.INT;
    }
    return forCreated(value);
  }

  /** The encoding of a string Redis creates from a buffer without trying an integer encoding. */
  public static int forCreated(byte[] value) {
    return value.length <= EMBSTR_LIMIT ? KeyMeta.Encoding.EMBSTR : KeyMeta.Encoding.RAW;
  }

  /** What {@code OBJECT REFCOUNT} reports for a string key. */
  public static long refcount(KeyMeta meta) {
    if (meta.encoding() == KeyMeta.Encoding.INT) {
      Long v = RedisNumbers.parseLongOrNull(meta.value());
      if (v != null && v >= 0 && v < SHARED_INTEGERS) {
        return SHARED_REFCOUNT;
      }
    }
    return 1;
  }
}
