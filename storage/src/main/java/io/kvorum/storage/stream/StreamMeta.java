package io.kvorum.storage.stream;

import io.kvorum.storage.engine.Bytes;

/**
 * The stream-wide state Redis keeps in its {@code stream} struct, stored as the tail of the key's
 * metadata so every command reads it with the key.
 *
 * @param length       live entries (XLEN)
 * @param lastId       the greatest ID ever added or set by XSETID ({@code last-generated-id})
 * @param maxDeletedId the greatest ID XDEL removed ({@code max-deleted-entry-id})
 * @param entriesAdded entries added over the stream's life ({@code entries-added})
 * @param firstId      the first live entry, 0-0 when empty ({@code recorded-first-entry-id})
 * @param groups       number of consumer groups
 * @param nodes        number of listpack nodes Redis would have ({@code radix-tree-keys})
 * @param headNode     the first node's master ID (meaningless without nodes)
 * @param tailNode     the last node's master ID (meaningless without nodes)
 */
record StreamMeta(
    long length,
    StreamId lastId,
    StreamId maxDeletedId,
    long entriesAdded,
    StreamId firstId,
    long groups,
    long nodes,
    StreamId headNode,
    StreamId tailNode) {
  static final StreamMeta EMPTY = new StreamMeta(
      0, StreamId.MIN, StreamId.MIN, 0, StreamId.MIN, 0, 0, StreamId.MIN, StreamId.MIN);
  private static final int SIZE = 8 + 16 + 16 + 8 + 16 + 8 + 8 + 16 + 16;

  byte[] encode() {
    byte[] out = new byte[SIZE];
    Bytes.putLong(out, 0, length);
    System.arraycopy(lastId.encode(), 0, out, 8, 16);
    System.arraycopy(maxDeletedId.encode(), 0, out, 24, 16);
    Bytes.putLong(out, 40, entriesAdded);
    System.arraycopy(firstId.encode(), 0, out, 48, 16);
    Bytes.putLong(out, 64, groups);
    Bytes.putLong(out, 72, nodes);
    System.arraycopy(headNode.encode(), 0, out, 80, 16);
    System.arraycopy(tailNode.encode(), 0, out, 96, 16);
    return out;
  }

  static StreamMeta decode(byte[] t) {
    return new StreamMeta(Bytes.getLong(t, 0), StreamId.decode(t, 8), StreamId.decode(t, 24),
        Bytes.getLong(t, 40), StreamId.decode(t, 48), Bytes.getLong(t, 64), Bytes.getLong(t, 72),
        StreamId.decode(t, 80), StreamId.decode(t, 96));
  }
}
