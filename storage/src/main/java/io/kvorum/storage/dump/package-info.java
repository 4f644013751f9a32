/**
 * DUMP and RESTORE ({@link io.kvorum.storage.dump.DumpCommands}) in Redis 7.0's serialized format:
 * an RDB object (type byte and value), the RDB version and a CRC-64. Values are converted between
 * that format and Kvorum's own layout (members as sub-keys), so a payload moves between Redis and
 * Kvorum in both directions; nothing of the RDB encoding is kept after a RESTORE.
 */
package io.kvorum.storage.dump;
