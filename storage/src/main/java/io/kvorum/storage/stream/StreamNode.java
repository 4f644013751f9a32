package io.kvorum.storage.stream;

import io.kvorum.storage.engine.Bytes;
import java.util.Arrays;

/**
 * What Kvorum keeps of one of Redis's listpack nodes: enough to know where Redis would start a new
 * node and which nodes approximate trimming may drop whole. The entries themselves are separate
 * sub-keys; a node is only bookkeeping.
 *
 * @param master       the node's key in Redis's radix tree: the ID of its first entry
 * @param live         entries not deleted (Redis's "count")
 * @param deleted      entries flagged deleted but still in the listpack
 * @param bodyBytes    listpack bytes after the count and deleted fields (master entry, entries)
 * @param last         the last entry appended, deleted or not ({@code lpGetEdgeStreamID})
 * @param masterFields the field names of the first entry; later entries with the same names are
 *                     stored without them (SAMEFIELDS), which changes their size
 */
record StreamNode(
    StreamId master, long live, long deleted, long bodyBytes, StreamId last, byte[][] masterFields) {
  private static final int FLAG_NONE = 0;
  private static final int FLAG_SAMEFIELDS = 2;

  /** The listpack's total bytes, as Redis's {@code lpBytes} reports them. */
  long bytes() {
    return ListpackSize.OVERHEAD + ListpackSize.ofInteger(live) + ListpackSize.ofInteger(deleted)
        + bodyBytes;
  }

  /** A new node holding one entry whose fields become the master fields. */
  static StreamNode create(StreamId id, byte[][] fieldsValues) {
    int n = fieldsValues.length / 2;
    byte[][] fields = new byte[n][];
    long body = ListpackSize.ofInteger(n);
    for (int i = 0; i < n; i++) {
      fields[i] = fieldsValues[2 * i];
      body += ListpackSize.ofString(fields[i]);
    }
    body += ListpackSize.ofInteger(0);
    StreamNode node = new StreamNode(id, 0, 0, body, id, fields);
    return node.append(id, fieldsValues);
  }

  /** This node with one more entry at its end. */
  StreamNode append(StreamId id, byte[][] fieldsValues) {
    int n = fieldsValues.length / 2;
    boolean same = n == masterFields.length;
    for (int i = 0; same && i < n; i++) {
      same = Arrays.equals(fieldsValues[2 * i], masterFields[i]);
    }
    long entry = ListpackSize.ofInteger(same ? FLAG_SAMEFIELDS : FLAG_NONE)
        + ListpackSize.ofInteger(id.ms() - master.ms())
        + ListpackSize.ofInteger(id.seq() - master.seq());
    if (!same) {
      entry += ListpackSize.ofInteger(n);
    }
    for (int i = 0; i < n; i++) {
      if (!same) {
        entry += ListpackSize.ofString(fieldsValues[2 * i]);
      }
      entry += ListpackSize.ofString(fieldsValues[2 * i + 1]);
    }
    long lpCount = n + 3 + (same ? 0 : n + 1);
    entry += ListpackSize.ofInteger(lpCount);
    return new StreamNode(master, live + 1, deleted, bodyBytes + entry, id, masterFields);
  }

  /** This node with {@code n} of its live entries flagged deleted (same size: only flags change). */
  StreamNode withDeleted(long n) {
    return new StreamNode(master, live - n, deleted + n, bodyBytes, last, masterFields);
  }

  byte[] encode() {
    int size = 44;
    for (byte[] f : masterFields) {
      size += 4 + f.length;
    }
    byte[] out = new byte[size];
    Bytes.putLong(out, 0, live);
    Bytes.putLong(out, 8, deleted);
    Bytes.putLong(out, 16, bodyBytes);
    Bytes.putLong(out, 24, last.ms());
    Bytes.putLong(out, 32, last.seq());
    Bytes.putInt(out, 40, masterFields.length);
    int at = 44;
    for (byte[] f : masterFields) {
      Bytes.putInt(out, at, f.length);
      System.arraycopy(f, 0, out, at + 4, f.length);
      at += 4 + f.length;
    }
    return out;
  }

  static StreamNode decode(StreamId master, byte[] raw) {
    int n = Bytes.getInt(raw, 40);
    byte[][] fields = new byte[n][];
    int at = 44;
    for (int i = 0; i < n; i++) {
      int len = Bytes.getInt(raw, at);
      fields[i] = Arrays.copyOfRange(raw, at + 4, at + 4 + len);
      at += 4 + len;
    }
    return new StreamNode(master, Bytes.getLong(raw, 0), Bytes.getLong(raw, 8),
        Bytes.getLong(raw, 16), StreamId.decode(raw, 24), fields);
  }
}
