package io.kvorum.storage.script;

import io.kvorum.storage.engine.Column;
import io.kvorum.storage.keyspace.Keyspace;
import java.nio.charset.StandardCharsets;

/**
 * The script cache of one slot group, kept in its RocksDB (system column, {@code script:<sha1>}
 * → body) so that it is written by log entries, replicated, snapshotted and survives restarts
 * like the data: EVALSHA finds a script on every replica of every group SCRIPT LOAD reached.
 */
final class ScriptStore {
  private static final byte[] PREFIX = "script:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "script;".getBytes(StandardCharsets.US_ASCII);

  private ScriptStore() {}

  private static byte[] key(String sha) {
    byte[] s = sha.getBytes(StandardCharsets.US_ASCII);
    byte[] k = new byte[PREFIX.length + s.length];
    System.arraycopy(PREFIX, 0, k, 0, PREFIX.length);
    System.arraycopy(s, 0, k, PREFIX.length, s.length);
    return k;
  }

  /** The body stored under a lower-case sha, or null. */
  static byte[] get(Keyspace ks, String sha) {
    return ks.data().get(Column.SYSTEM, key(sha));
  }

  /** Stores a script (only inside a log entry; a read leaves the cache as it is). */
  static void put(Keyspace ks, String sha, byte[] body) {
    if (ks.writable() && get(ks, sha) == null) {
      ks.data().put(Column.SYSTEM, key(sha), body);
    }
  }

  /** SCRIPT FLUSH: one range deletion. */
  static void flush(Keyspace ks) {
    ks.data().deleteRange(Column.SYSTEM, PREFIX, END);
  }
}
