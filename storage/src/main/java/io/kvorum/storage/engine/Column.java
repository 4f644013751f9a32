package io.kvorum.storage.engine;

import java.nio.charset.StandardCharsets;

/** The RocksDB column families of one slot-group store. */
public enum Column {
  /** Applied log index, counters: everything that is not user data. */
  SYSTEM("default"),
  /** One entry per Redis key: slot + key to the key's metadata (type, expiry, version, size). */
  META("meta"),
  /** Members of hashes, sets, lists, sorted sets, streams, keyed by key + version + member. */
  DATA("data"),
  /** The score-ordered index of sorted sets: key + version + score + member. */
  SCORE("score"),
  /** Expiry index: deadline + slot + key, so active expiry finds due keys without a scan. */
  EXPIRE("expire");

  private final String familyName;

  Column(String familyName) {
    this.familyName = familyName;
  }

  public byte[] familyName() {
    return familyName.getBytes(StandardCharsets.UTF_8);
  }
}
