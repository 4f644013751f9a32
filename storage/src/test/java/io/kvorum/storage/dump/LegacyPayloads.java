package io.kvorum.storage.dump;

import io.kvorum.storage.number.RedisNumbers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds DUMP payloads in encodings Redis 7.0 no longer writes but still loads (ziplist, zipmap,
 * linked list, quicklist v1, ASCII zset scores), written the way Redis 6 and older wrote them, so
 * tests can restore the same bytes into Kvorum and into redis-server and compare.
 */
final class LegacyPayloads {
  private LegacyPayloads() {}

  /** An RDB value body: type, then what the caller writes; {@link #seal} adds the footer. */
  static final class Body {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Body(int type) {
      out.write(type);
    }

    Body length(long len) {
      if (len < 64) {
        out.write((int) len);
      } else if (len < 16384) {
        out.write((int) (len >>> 8) | 0x40);
        out.write((int) len);
      } else {
        out.write(0x80);
        for (int i = 3; i >= 0; i--) {
          out.write((int) (len >>> (8 * i)));
        }
      }
      return this;
    }

    Body string(byte[] s) {
      length(s.length);
      out.writeBytes(s);
      return this;
    }

    Body string(String s) {
      return string(s.getBytes(StandardCharsets.UTF_8));
    }

    Body raw(int... bytes) {
      for (int b : bytes) {
        out.write(b);
      }
      return this;
    }

    Body raw(byte[] bytes) {
      out.writeBytes(bytes);
      return this;
    }

    /** The payload with RDB version {@code version} and a correct checksum. */
    byte[] seal(int version) {
      return LegacyPayloads.seal(out.toByteArray(), version);
    }

    byte[] seal() {
      return seal(9);
    }
  }

  /** Appends the version (u16 LE) and the CRC-64 of everything (u64 LE). */
  static byte[] seal(byte[] body, int version) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(body);
    out.write(version);
    out.write(version >>> 8);
    byte[] sofar = out.toByteArray();
    long crc = Crc64.of(sofar, 0, sofar.length);
    for (int i = 0; i < 8; i++) {
      out.write((int) (crc >>> (8 * i)));
    }
    return out.toByteArray();
  }

  /**
   * A ziplist as Redis's {@code ziplistPush} builds it: short canonical integers in the smallest
   * integer encoding (0..12 inside the encoding byte), other strings with a 6-, 14- or 32-bit
   * length, each entry prefixed by the previous entry's size.
   */
  static byte[] ziplist(List<byte[]> entries) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int previous = 0;
    int lastOffset = 10;
    for (byte[] e : entries) {
      ByteArrayOutputStream entry = new ByteArrayOutputStream();
      if (previous < 254) {
        entry.write(previous);
      } else {
        entry.write(0xFE);
        little(entry, previous, 4);
      }
      Long v = e.length > 0 && e.length < 32 ? RedisNumbers.parseLongOrNull(e) : null;
      if (v != null && v >= 0 && v <= 12) {
        entry.write(0xF1 + v.intValue());
      } else if (v != null && v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
        entry.write(0xFE);
        entry.write(v.intValue());
      } else if (v != null && v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
        entry.write(0xC0);
        little(entry, v, 2);
      } else if (v != null && v >= -(1 << 23) && v < (1 << 23)) {
        entry.write(0xF0);
        little(entry, v, 3);
      } else if (v != null && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
        entry.write(0xD0);
        little(entry, v, 4);
      } else if (v != null) {
        entry.write(0xE0);
        little(entry, v, 8);
      } else if (e.length <= 63) {
        entry.write(e.length);
        entry.writeBytes(e);
      } else if (e.length <= 16383) {
        entry.write(0x40 | (e.length >>> 8));
        entry.write(e.length);
        entry.writeBytes(e);
      } else {
        entry.write(0x80);
        for (int i = 3; i >= 0; i--) {
          entry.write(e.length >>> (8 * i));
        }
        entry.writeBytes(e);
      }
      lastOffset = 10 + body.size();
      previous = entry.size();
      body.writeBytes(entry.toByteArray());
    }
    ByteArrayOutputStream zl = new ByteArrayOutputStream();
    little(zl, 10 + body.size() + 1, 4);
    little(zl, lastOffset, 4);
    little(zl, Math.min(entries.size(), 65535), 2);
    zl.writeBytes(body.toByteArray());
    zl.write(0xFF);
    return zl.toByteArray();
  }

  /**
   * A zipmap of fields and values alternately; every value is followed by {@code free} unused
   * bytes, as zipmap leaves after a value shrinks.
   */
  static byte[] zipmap(List<byte[]> fieldsAndValues, int free) {
    ByteArrayOutputStream zm = new ByteArrayOutputStream();
    int count = fieldsAndValues.size() / 2;
    zm.write(Math.min(count, 254));
    for (int i = 0; i < fieldsAndValues.size(); i += 2) {
      zipmapLength(zm, fieldsAndValues.get(i).length);
      zm.writeBytes(fieldsAndValues.get(i));
      zipmapLength(zm, fieldsAndValues.get(i + 1).length);
      zm.write(free);
      zm.writeBytes(fieldsAndValues.get(i + 1));
      for (int k = 0; k < free; k++) {
        zm.write('#');
      }
    }
    zm.write(0xFF);
    return zm.toByteArray();
  }

  private static void zipmapLength(ByteArrayOutputStream zm, int len) {
    if (len < 254) {
      zm.write(len);
    } else {
      zm.write(254);
      little(zm, len, 4);
    }
  }

  private static void little(ByteArrayOutputStream out, long v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      out.write((int) (v >>> (8 * i)));
    }
  }
}
