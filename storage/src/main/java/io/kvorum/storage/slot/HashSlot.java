package io.kvorum.storage.slot;

/** The Redis Cluster hash slot of a key: CRC16-XMODEM of its hash tag, modulo 16384. */
public final class HashSlot {
  public static final int COUNT = 16384;

  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int crc = i << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      TABLE[i] = crc & 0xFFFF;
    }
  }

  private HashSlot() {}

  /** The slot of {@code key}, honouring {@code {hash tags}} exactly as Redis Cluster does. */
  public static int of(byte[] key) {
    int start = 0;
    int end = key.length;
    for (int i = 0; i < key.length; i++) {
      if (key[i] == '{') {
        for (int j = i + 1; j < key.length; j++) {
          if (key[j] == '}') {
            // An empty tag "{}" means the whole key is hashed.
            if (j > i + 1) {
              start = i + 1;
              end = j;
            }
            break;
          }
        }
        break;
      }
    }
    return crc16(key, start, end) & (COUNT - 1);
  }

  /** CRC16-XMODEM (polynomial 0x1021, initial value 0) of {@code data[from, to)}. */
  public static int crc16(byte[] data, int from, int to) {
    int crc = 0;
    for (int i = from; i < to; i++) {
      crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ data[i]) & 0xFF]) & 0xFFFF;
    }
    return crc;
  }
}
