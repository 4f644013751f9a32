package io.kvorum.storage.transaction;

/**
 * A key one connection WATCHes: the applied index of its slot group when it was watched, and
 * whether it existed (and had not expired) then.
 */
public record WatchedKey(byte[] key, long sinceIndex, boolean live) {}
