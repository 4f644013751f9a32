/**
 * Redis sets. Members are stored like hash fields ({@link io.kvorum.storage.hash.HashedMembers}:
 * one DATA sub-key per member, ordered by the member's 63-bit SipHash, with an empty value); the
 * metadata holds the cardinality and the encoding Redis 7.0 would report (intset while every
 * member is a canonical 64-bit integer and there are at most 512, else hashtable); the tail is
 * empty.
 */
package io.kvorum.storage.set;
