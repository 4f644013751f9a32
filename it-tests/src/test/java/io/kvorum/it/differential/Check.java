package io.kvorum.it.differential;

/** How the two servers' replies to one command are compared. */
enum Check {
  /** Byte for byte: the default, and what the promise "same reply bytes as Redis" means. */
  EXACT,
  /** An aggregate whose order Redis leaves unspecified (KEYS, SMEMBERS, HKEYS): the same elements, byte for byte, in any order. */
  UNORDERED,
  /** HGETALL: the same field/value pairs (a flat RESP2 array or a RESP3 map), byte for byte, pairs in any order. */
  UNORDERED_PAIRS,
  /** TTL, EXPIRETIME: equal, or both ≥ 0 and at most 2 s apart (the two servers ran the command at different instants). */
  TTL_SECONDS,
  /** PTTL, PEXPIRETIME: equal, or both ≥ 0 and at most 2000 ms apart. */
  TTL_MILLIS,
  /** RANDOMKEY: nil exactly when the oracle says nil, else a key that exists on both servers. */
  RANDOM_KEY,
  /** SCAN 0 … (and HSCAN/SSCAN/ZSCAN key 0 …): iterated to the end on each server; the same set of keys, members or pairs (cursors are private to each server). */
  FULL_SCAN,
  /**
   * SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER: the collection is read first (same members on both),
   * then the reply must have the oracle's shape and size, hold only members (distinct where Redis
   * promises it); after an SPOP that popped different members, the target is put back in step.
   */
  RANDOM_MEMBERS,
  /**
   * XPENDING's extended form, XINFO CONSUMERS, XINFO STREAM FULL: the same bytes once the clock
   * readings (idle, seen-time, delivery-time) are set aside, and those at most 2000 ms apart.
   */
  STREAM_TIMES,
  /**
   * XADD with the ID {@code *}: the same bytes, or (when the ID came from the clock) an ID of the
   * form ms-seq on both, close to now; the key is then deleted on both so later steps compare
   * the same state.
   */
  STREAM_AUTO_ID,
  /**
   * DUMP: the payload Redis writes with rdbcompression off, byte for byte, for the encodings whose
   * layout Kvorum reproduces (strings, quicklists, intsets, sorted sets); for hashtable sets and
   * hashes and listpack hashes (element order is Kvorum's own), Redis must RESTORE Kvorum's
   * payload into the same content and encoding as its own.
   */
  DUMP,
  /** RESTORE of each server's own DUMP of the key in argument 3 (see {@link SortDumpTemplates}). */
  RESTORE_OWN,
  /** RESTORE of Redis's DUMP of the key in argument 3, the same bytes sent to both servers. */
  RESTORE_ORACLE,
  /** RESTORE of Redis's DUMP of the key in argument 3, damaged (checksum, version, truncation, type). */
  RESTORE_CORRUPT,
  /**
   * SORT / SORT_RO: patterns that Redis Cluster refuses and Kvorum accepts (same slot) are
   * evaluated on a standalone redis-server holding a copy of the hash tag's keys; where Redis
   * would take the order of ties from a hash table, only the shape (and without LIMIT the
   * elements) is compared and the STORE destination is copied from the oracle.
   */
  SORT;

  /** Needs a round trip in the middle (follow-up commands), so it cannot sit inside a pipeline. */
  boolean interactive() {
    return this != EXACT && this != UNORDERED && this != UNORDERED_PAIRS && this != TTL_SECONDS
        && this != TTL_MILLIS && this != STREAM_TIMES;
  }
}
