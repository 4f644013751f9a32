/**
 * Redis streams: entries, consumer groups, pending entries and consumers, as Redis 7.0.15 has
 * them.
 *
 * <p>Layout ({@link io.kvorum.storage.stream.StoredStream}): the key's metadata holds the
 * stream-wide state (length, last/first/max-deleted IDs, entries added, group and node counts)
 * and, as its size, the number of sub-keys; entries, listpack-node bookkeeping, groups, consumers
 * and both PEL indexes are DATA sub-keys of the key's version, so one entry's XADD, XDEL or XACK
 * touches a constant number of keys and DEL, RENAME, COPY and expiry work as for every other
 * collection. Redis's listpack nodes are modelled byte for byte (without storing listpacks) because
 * approximate trimming and XINFO STREAM's radix-tree figures depend on where nodes end.
 *
 * <p>DUMP and RESTORE see a stream as a {@link io.kvorum.storage.stream.StreamContent}: its nodes
 * with their live entries, IDs, counters and groups.
 *
 * <p>Time comes only from the command context (the leader's clock in the log entry). XREAD and
 * XREADGROUP never wait: see {@link io.kvorum.storage.stream.StreamReadCommands} for the BLOCK
 * contract with the gateway.
 */
package io.kvorum.storage.stream;
