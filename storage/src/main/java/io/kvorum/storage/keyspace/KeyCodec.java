package io.kvorum.storage.keyspace;

import io.kvorum.storage.engine.Bytes;
import io.kvorum.storage.slot.HashSlot;
import java.util.Arrays;

/**
 * How keys are laid out in RocksDB. Every Redis key is prefixed by its hash slot, so a slot's keys
 * are contiguous (CLUSTER COUNTKEYSINSLOT/GETKEYSINSLOT, and moving slot ranges later). Sub-keys of
 * a collection are prefixed by slot, key length, key and version, so one incarnation's members are
 * contiguous and can be dropped with one range deletion.
 */
public final class KeyCodec {
  private KeyCodec() {}

  /** META column key: {@code slot(2) key}. */
  public static byte[] metaKey(byte[] key) {
    return metaKey(HashSlot.of(key), key);
  }

  public static byte[] metaKey(int slot, byte[] key) {
    byte[] out = new byte[2 + key.length];
    out[0] = (byte) (slot >>> 8);
    out[1] = (byte) slot;
    System.arraycopy(key, 0, out, 2, key.length);
    return out;
  }

  /** The Redis key inside a META column key. */
  public static byte[] userKey(byte[] metaKey) {
    return Arrays.copyOfRange(metaKey, 2, metaKey.length);
  }

  public static int slotOf(byte[] metaKey) {
    return ((metaKey[0] & 0xFF) << 8) | (metaKey[1] & 0xFF);
  }

  /** The first META key of {@code slot}. */
  public static byte[] slotStart(int slot) {
    return new byte[] {(byte) (slot >>> 8), (byte) slot};
  }

  /** Just past the last META key of {@code slot}; null past the last slot. */
  public static byte[] slotEnd(int slot) {
    return slot + 1 >= HashSlot.COUNT ? null : slotStart(slot + 1);
  }

  /** The prefix of every sub-key of one key incarnation: {@code slot(2) keylen(4) key version(8)}. */
  public static byte[] subKeyPrefix(byte[] key, long version) {
    int slot = HashSlot.of(key);
    byte[] out = new byte[2 + 4 + key.length + 8];
    out[0] = (byte) (slot >>> 8);
    out[1] = (byte) slot;
    Bytes.putInt(out, 2, key.length);
    System.arraycopy(key, 0, out, 6, key.length);
    Bytes.putLong(out, 6 + key.length, version);
    return out;
  }

  /** A sub-key: the incarnation prefix followed by the member. */
  public static byte[] subKey(byte[] prefix, byte[] member) {
    return Bytes.concat(prefix, member);
  }

  /** EXPIRE column key: {@code deadline(8) slot(2) key}, ordered by deadline. */
  public static byte[] expireKey(long deadline, byte[] metaKey) {
    byte[] out = new byte[8 + metaKey.length];
    Bytes.putLong(out, 0, deadline);
    System.arraycopy(metaKey, 0, out, 8, metaKey.length);
    return out;
  }

  public static long deadlineOfExpireKey(byte[] expireKey) {
    return Bytes.getLong(expireKey, 0);
  }

  public static byte[] metaKeyOfExpireKey(byte[] expireKey) {
    return Arrays.copyOfRange(expireKey, 8, expireKey.length);
  }
}
