package io.kvorum.storage.set;

import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.number.RedisNumbers;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Redis 7.0's set encodings: an intset while every member is a canonical 64-bit integer and there
 * are at most set-max-intset-entries of them, else a hashtable, and a hashtable never turns back
 * into an intset while the key lives. Also the order Redis iterates an intset in (ascending).
 */
public final class SetEncoding {
  /** Redis's set-max-intset-entries. */
  public static final long MAX_INTSET_ENTRIES = 512;

  private SetEncoding() {}

  /** Whether Redis would store the member in an intset ({@code isSdsRepresentableAsLongLong}). */
  static boolean isInteger(byte[] member) {
    return RedisNumbers.parseLongOrNull(member) != null;
  }

  /** The encoding of a set created for its first member (Redis's {@code setTypeCreate}). */
  static int forFirstMember(byte[] member) {
    return isInteger(member) ? KeyMeta.Encoding.INTSET : KeyMeta.Encoding.HASHTABLE;
  }

  /** The encoding after {@code member} was added, the set now having {@code size} members. */
  static int afterAdd(int encoding, byte[] member, long size) {
    if (encoding == KeyMeta.Encoding.INTSET && (size > MAX_INTSET_ENTRIES || !isInteger(member))) {
      return KeyMeta.Encoding.HASHTABLE;
    }
    return encoding;
  }

  /**
   * The encoding of a set Redis builds member by member from scratch (the STORE commands, the
   * remainder SPOP keeps when it pops most of a set): it ends up an intset exactly when its content
   * fits one.
   */
  public static int forContent(Collection<byte[]> members) {
    if (members.size() > MAX_INTSET_ENTRIES) {
      return KeyMeta.Encoding.HASHTABLE;
    }
    for (byte[] m : members) {
      if (!isInteger(m)) {
        return KeyMeta.Encoding.HASHTABLE;
      }
    }
    return KeyMeta.Encoding.INTSET;
  }

  /**
   * The members in the order Redis replies with them when it iterates a result it built as an
   * intset (SUNION, SDIFF, SPOP of a whole set …): ascending, if the content fits an intset; any
   * other result keeps its order, which Redis leaves unspecified.
   */
  public static List<byte[]> replyOrder(List<byte[]> members) {
    if (forContent(members) != KeyMeta.Encoding.INTSET) {
      return members;
    }
    List<byte[]> sorted = new ArrayList<>(members);
    sorted.sort(Comparator.comparingLong(RedisNumbers::parseLong));
    return sorted;
  }
}
