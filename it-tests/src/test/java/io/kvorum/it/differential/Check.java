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
  RANDOM_MEMBERS;

  /** Needs a round trip in the middle (follow-up commands), so it cannot sit inside a pipeline. */
  boolean interactive() {
    return this == RANDOM_KEY || this == FULL_SCAN || this == RANDOM_MEMBERS;
  }
}
