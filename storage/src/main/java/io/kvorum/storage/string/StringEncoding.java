package io.kvorum.storage.string;

import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.number.RedisNumbers;

/** Which encoding Redis would give a string, so {@code OBJECT ENCODING} answers the same. */
public final class StringEncoding {
  /** Redis stores strings up to this length in one allocation with the object ("embstr"). */
  static final int EMBSTR_LIMIT = 44;

  private StringEncoding() {}

  /** The encoding Redis's tryObjectEncoding picks for a value taken from a command argument. */
  public static int forArgument(byte[] value) {
    if (value.length <= 20 && RedisNumbers.parseLongOrNull(value) != null) {
      return KeyMeta.Encoding.INT;
    }
    return value.length <= EMBSTR_LIMIT ? KeyMeta.Encoding.EMBSTR : KeyMeta.Encoding.RAW;
  }
}
