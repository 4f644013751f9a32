package io.kvorum.storage.dump;

/**
 * Redis's CRC-64 (Jones polynomial {@code 0xad93d23594c935a9}, reflected, initial value 0, no final
 * xor), which seals a DUMP payload. {@code crc64(0, "123456789")} is {@code 0xe9c6d914c4b8d9ca}.
 */
final class Crc64 {
  /** The Jones polynomial with its bits reversed, for the right-shifting (reflected) form. */
  private static final long POLY_REFLECTED = 0x95ac9329ac4bc9b5L;
  private static final long[] TABLE = table();

  private Crc64() {}

  private static long[] table() {
    long[] t = new long[256];
    for (int i = 0; i < 256; i++) {
      long crc = i;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY_REFLECTED : crc >>> 1;
      }
      t[i] = crc;
    }
    return t;
  }

  /** The checksum of {@code data[from, from + length)}. */
  static long of(byte[] data, int from, int length) {
    long crc = 0;
    for (int i = from; i < from + length; i++) {
      crc = TABLE[(int) ((crc ^ data[i]) & 0xFF)] ^ (crc >>> 8);
    }
    return crc;
  }
}
