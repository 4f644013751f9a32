package io.kvorum.storage.keyspace;

import io.kvorum.storage.engine.Bytes;
import java.util.Arrays;

/**
 * The metadata record of one key, stored under the key in the META column. A string keeps its
 * value inline; every other type keeps a version (so DEL of a huge key is one metadata write plus
 * a range deletion) and its member count, plus a type-specific tail (list head/tail positions,
 * stream ids).
 *
 * <p>Layout: {@code type(1) encoding(1) expireAt(8) stamp(8)} then, for strings, the value; for
 * other types {@code version(8) size(8) tail…}.
 *
 * @param encoding a type-specific hint kept for {@code OBJECT ENCODING} (see {@link Encoding})
 * @param expireAt absolute deadline in Unix milliseconds, 0 for none
 * @param stamp    changes on every write to the key (WATCH compares it); assigned by the keyspace
 * @param version  distinguishes this incarnation's sub-keys from an earlier key of the same name
 * @param tail     the string value, or the type-specific extra fields of a collection
 */
public record KeyMeta(
    RedisType type, int encoding, long expireAt, long stamp, long version, long size, byte[] tail) {

  private static final int HEADER = 18;
  private static final int COLLECTION_HEADER = HEADER + 16;

  /** A string key's metadata. */
  public static KeyMeta string(byte[] value, int encoding, long expireAt) {
    return new KeyMeta(RedisType.STRING, encoding, expireAt, 0, 0, value.length, value);
  }

  /** A collection key's metadata. */
  public static KeyMeta collection(
      RedisType type, int encoding, long expireAt, long version, long size, byte[] tail) {
    return new KeyMeta(type, encoding, expireAt, 0, version, size, tail);
  }

  public boolean hasExpire() {
    return expireAt != 0;
  }

  public boolean isExpiredAt(long nowMs) {
    return expireAt != 0 && expireAt <= nowMs;
  }

  /** The string value (only for {@link RedisType#STRING}). */
  public byte[] value() {
    return tail;
  }

  public KeyMeta withExpireAt(long newExpireAt) {
    return new KeyMeta(type, encoding, newExpireAt, stamp, version, size, tail);
  }

  public KeyMeta withSize(long newSize) {
    return new KeyMeta(type, encoding, expireAt, stamp, version, newSize, tail);
  }

  public KeyMeta withTail(byte[] newTail) {
    return new KeyMeta(type, encoding, expireAt, stamp, version, size, newTail);
  }

  public KeyMeta withEncoding(int newEncoding) {
    return new KeyMeta(type, newEncoding, expireAt, stamp, version, size, tail);
  }

  public KeyMeta withStamp(long newStamp) {
    return new KeyMeta(type, encoding, expireAt, newStamp, version, size, tail);
  }

  public byte[] encode() {
    byte[] t = tail == null ? new byte[0] : tail;
    if (type == RedisType.STRING) {
      byte[] out = new byte[HEADER + t.length];
      out[0] = (byte) type.code();
      out[1] = (byte) encoding;
      Bytes.putLong(out, 2, expireAt);
      Bytes.putLong(out, 10, stamp);
      System.arraycopy(t, 0, out, HEADER, t.length);
      return out;
    }
    byte[] out = new byte[COLLECTION_HEADER + t.length];
    out[0] = (byte) type.code();
    out[1] = (byte) encoding;
    Bytes.putLong(out, 2, expireAt);
    Bytes.putLong(out, 10, stamp);
    Bytes.putLong(out, HEADER, version);
    Bytes.putLong(out, HEADER + 8, size);
    System.arraycopy(t, 0, out, COLLECTION_HEADER, t.length);
    return out;
  }

  public static KeyMeta decode(byte[] raw) {
    RedisType type = RedisType.ofCode(raw[0]);
    int encoding = raw[1];
    long expireAt = Bytes.getLong(raw, 2);
    long stamp = Bytes.getLong(raw, 10);
    if (type == RedisType.STRING) {
      byte[] value = Arrays.copyOfRange(raw, HEADER, raw.length);
      return new KeyMeta(type, encoding, expireAt, stamp, 0, value.length, value);
    }
    long version = Bytes.getLong(raw, HEADER);
    long size = Bytes.getLong(raw, HEADER + 8);
    byte[] tail = Arrays.copyOfRange(raw, COLLECTION_HEADER, raw.length);
    return new KeyMeta(type, encoding, expireAt, stamp, version, size, tail);
  }

  /** Reads only the type and deadline, without copying the value. */
  public static long expireAtOf(byte[] raw) {
    return Bytes.getLong(raw, 2);
  }

  public static RedisType typeOf(byte[] raw) {
    return RedisType.ofCode(raw[0]);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyMeta m
        && type == m.type
        && encoding == m.encoding
        && expireAt == m.expireAt
        && stamp == m.stamp
        && version == m.version
        && size == m.size
        && Arrays.equals(tail, m.tail);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(type, encoding, expireAt, stamp, version, size, Arrays.hashCode(tail));
  }

  @Override
  public String toString() {
    return "KeyMeta[" + type + ", enc=" + encoding + ", expireAt=" + expireAt + ", stamp=" + stamp
        + ", version="
        + version + ", size=" + size + "]";
  }

  /** Encoding hints stored in the metadata, as {@code OBJECT ENCODING} names them. */
  public static final class Encoding {
    public static final int RAW = 0;
    public static final int EMBSTR = 1;
    /** An integer string; Redis shares the objects of 0..9999 (OBJECT REFCOUNT 2147483647). */
    public static final int INT = 2;
    /** An integer string in a private object even if in 0..9999 (a COPY of a shared one). */
    public static final int INT_UNSHARED = 3;
    public static final int LISTPACK = 4;
    public static final int HASHTABLE = 5;
    /** Redis 7.0 keeps every list in a quicklist. */
    public static final int QUICKLIST = 6;
    public static final int INTSET = 7;
    public static final int SKIPLIST = 8;
    public static final int STREAM = 9;

    private static final String[] NAMES = {
      "raw", "embstr", "int", "int", "listpack", "hashtable", "quicklist", "intset", "skiplist",
      "stream"
    };

    private Encoding() {}

    /** The name {@code OBJECT ENCODING} answers for an encoding hint. */
    public static String name(int encoding) {
      return encoding >= 0 && encoding < NAMES.length ? NAMES[encoding] : "unknown";
    }
  }
}
