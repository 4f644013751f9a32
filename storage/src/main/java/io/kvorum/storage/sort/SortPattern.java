package io.kvorum.storage.sort;

import io.kvorum.storage.hash.HashedMembers;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.slot.HashSlot;
import java.util.Arrays;

/**
 * The BY and GET patterns of SORT ({@code lookupKeyByPattern} in Redis's sort.c). The first '*'
 * of a pattern is replaced by the element to name a key; if "->" follows the '*' with at least one
 * character after it, what follows the arrow is a hash field and the key is what precedes the
 * arrow. "#" alone stands for the element itself. A pattern is a C string to Redis: it ends, for
 * finding '*', "->" and "#", at its first NUL byte.
 */
final class SortPattern {
  private SortPattern() {}

  /** Whether the pattern is "#" (GET # returns the element). */
  static boolean isElement(byte[] pattern) {
    return cLength(pattern) == 1 && pattern[0] == '#';
  }

  /** Whether the pattern has a '*' to substitute (a BY pattern without one means "don't sort"). */
  static boolean hasStar(byte[] pattern) {
    return indexOf(pattern, (byte) '*', 0, cLength(pattern)) >= 0;
  }

  /**
   * The hash slot of every key the pattern can name, or -1 when it depends on the element. That
   * slot is fixed only when the text before the '*' holds a complete, non-empty hash tag: the key
   * starts with that text, so its first '{' and the '}' closing it are there. A pattern without
   * '*' names its own text (and Redis looks nothing up for it).
   */
  static int slot(byte[] pattern) {
    int star = indexOf(pattern, (byte) '*', 0, cLength(pattern));
    if (star < 0) {
      return HashSlot.of(pattern);
    }
    int open = indexOf(pattern, (byte) '{', 0, star);
    if (open < 0) {
      return -1;
    }
    int close = indexOf(pattern, (byte) '}', open + 1, star);
    if (close < 0 || close == open + 1) {
      return -1;
    }
    return HashSlot.crc16(pattern, open + 1, close) & (HashSlot.COUNT - 1);
  }

  /**
   * A value a pattern names, and whether Redis holds it as an integer object rather than a
   * string: a string key with the int encoding, or a field of a listpack hash stored as an
   * integer entry. SORT reads an integer object's number directly, without strtod.
   */
  record Weight(byte[] value, boolean integer) {}

  /**
   * The value the pattern names for {@code element}: the element itself for "#", a string key's
   * value, or a hash field's value; null when the pattern has no '*', the key is missing or of
   * another type, or the field is missing.
   */
  static byte[] lookup(Keyspace ks, byte[] pattern, byte[] element) {
    Weight weight = lookupWeight(ks, pattern, element);
    return weight == null ? null : weight.value();
  }

  /** {@link #lookup}, with how Redis holds the value; null where lookup answers null. */
  static Weight lookupWeight(Keyspace ks, byte[] pattern, byte[] element) {
    int plen = cLength(pattern);
    if (plen == 1 && pattern[0] == '#') {
      return new Weight(element, false);
    }
    int star = indexOf(pattern, (byte) '*', 0, plen);
    if (star < 0) {
      return null;
    }
    int arrow = arrow(pattern, star + 1, plen);
    byte[] field = null;
    int keyEnd = pattern.length;
    if (arrow >= 0 && arrow + 2 < plen) {
      field = Arrays.copyOfRange(pattern, arrow + 2, pattern.length);
      keyEnd = arrow;
    }
    int postfix = keyEnd - star - 1;
    byte[] key = new byte[star + element.length + postfix];
    System.arraycopy(pattern, 0, key, 0, star);
    System.arraycopy(element, 0, key, star, element.length);
    System.arraycopy(pattern, star + 1, key, star + element.length, postfix);
    KeyMeta meta = ks.lookup(key);
    if (meta == null) {
      return null;
    }
    if (field != null) {
      if (meta.type() != RedisType.HASH) {
        return null;
      }
      byte[] value = new HashedMembers(ks.data(), key, meta.version()).get(field);
      // A listpack stores a canonical 64-bit integer as an integer entry (lpStringToInt64).
      return value == null ? null : new Weight(value, meta.encoding() == KeyMeta.Encoding.LISTPACK
          && value.length <= 20 && RedisNumbers.parseLongOrNull(value) != null);
    }
    if (meta.type() != RedisType.STRING) {
      return null;
    }
    return new Weight(meta.value(), meta.encoding() == KeyMeta.Encoding.INT
        || meta.encoding() == KeyMeta.Encoding.INT_UNSHARED);
  }

  /** The first "->" in {@code p[from, to)} (C's strstr within the C string), or -1. */
  private static int arrow(byte[] p, int from, int to) {
    for (int i = from; i + 1 < to; i++) {
      if (p[i] == '-' && p[i + 1] == '>') {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(byte[] p, byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (p[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** The length of the C string: up to the first NUL byte. */
  static int cLength(byte[] s) {
    for (int i = 0; i < s.length; i++) {
      if (s[i] == 0) {
        return i;
      }
    }
    return s.length;
  }
}
