/**
 * Redis hashes, and the member layout hashes and sets share.
 *
 * <p>Layout: the key's metadata ({@code KeyMeta}) holds the field count as its size and the
 * encoding Redis 7.0 would report (listpack until a field or value is longer than 64 bytes or
 * there are more than 512 fields, then hashtable for the rest of the key's life); the tail is
 * empty. Each field is one DATA sub-key {@code subKeyPrefix(key, version) + position(8) + field}
 * whose value is the field's value; {@code position} is the field's SipHash-2-4 under a fixed key,
 * shifted to 63 bits ({@link io.kvorum.storage.hash.HashedMembers}). Point operations are one
 * RocksDB get or put; HSCAN cursors are positions, so they need no server-side state.
 */
package io.kvorum.storage.hash;
