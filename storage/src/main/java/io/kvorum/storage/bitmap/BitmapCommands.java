package io.kvorum.storage.bitmap;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.string.StringLimits;
import java.util.Arrays;
import java.util.List;

/**
 * The bitmap commands of Redis 7.0 (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD,
 * BITFIELD_RO). Bitmaps are plain string values; commands that write bits leave a raw-encoded
 * string and keep the key's TTL, except BITOP, which replaces its destination like SET does.
 * Argument checks, their order and the 7.0-specific edge cases (a missing key short-circuits
 * BITCOUNT and BITPOS before their range arguments are read) follow Redis's bitops.c.
 */
public final class BitmapCommands {
  static final String BAD_OFFSET = "ERR bit offset is not an integer or out of range";
  static final String BAD_BIT = "ERR bit is not an integer or out of range";

  private BitmapCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("setbit", 4, "write denyoom", 1, 1, 1, "@write @bitmap @slow", ""),
            BitmapCommands::setbit),
        KeyspaceCommand.of(of("getbit", 3, "readonly fast", 1, 1, 1, "@read @bitmap @fast", ""),
            BitmapCommands::getbit),
        KeyspaceCommand.of(of("bitcount", -2, "readonly", 1, 1, 1, "@read @bitmap @slow", ""),
            BitmapCommands::bitcount),
        KeyspaceCommand.of(of("bitpos", -3, "readonly", 1, 1, 1, "@read @bitmap @slow", ""),
            BitmapCommands::bitpos),
        KeyspaceCommand.of(of("bitop", -4, "write denyoom", 2, -1, 1, "@write @bitmap @slow", ""),
            BitmapCommands::bitop),
        KeyspaceCommand.of(
            of("bitfield", -2, "write denyoom", 1, 1, 1, "@write @bitmap @slow", ""),
            (ctx, args) -> BitfieldCommand.execute(ctx, args, false)),
        KeyspaceCommand.of(
            of("bitfield_ro", -2, "readonly fast", 1, 1, 1, "@read @bitmap @fast", ""),
            (ctx, args) -> BitfieldCommand.execute(ctx, args, true)));
  }

  /**
   * A bit offset argument (getBitOffsetFromArgument): a non-negative integer whose byte lies
   * within the string size limit. With {@code hash} and a field width, {@code #n} means
   * {@code n * bits}.
   */
  static long bitOffset(byte[] arg, boolean hash, int bits) {
    boolean usehash = arg.length > 0 && arg[0] == '#' && hash && bits > 0;
    Long parsed = RedisNumbers.parseLongOrNull(
        usehash ? Arrays.copyOfRange(arg, 1, arg.length) : arg);
    if (parsed == null) {
      throw new RedisError(BAD_OFFSET);
    }
    long offset = usehash ? parsed * bits : parsed;
    if (offset < 0 || (offset >> 3) >= StringLimits.maxBytes()) {
      throw new RedisError(BAD_OFFSET);
    }
    return offset;
  }

  /**
   * The key's string padded with zero bytes so bit {@code maxbit} exists (a new zero-filled
   * string when the key is absent), as Redis's lookupStringForBitCommand prepares it for
   * writing; WRONGTYPE for other types.
   */
  record Writable(KeyMeta old, byte[] value, boolean grown) {
    static Writable lookup(Keyspace ks, byte[] key, long maxbit) {
      KeyMeta old = ks.lookup(key, RedisType.STRING);
      int needed = (int) ((maxbit >>> 3) + 1);
      if (old == null) {
        return new Writable(null, new byte[needed], true);
      }
      byte[] current = old.value();
      return new Writable(old, Arrays.copyOf(current, Math.max(current.length, needed)),
          needed > current.length);
    }

    void store(Keyspace ks, byte[] key) {
      ks.putString(key, old, value, KeyMeta.Encoding.RAW, old == null ? 0 : old.expireAt());
    }
  }

  /** SETBIT key offset 0|1: answers the previous bit; Redis counts it as a write either way. */
  static Reply setbit(CommandContext ctx, byte[][] args) {
    long offset = bitOffset(args[2], false, 0);
    Long on = RedisNumbers.parseLongOrNull(args[3]);
    if (on == null || (on & ~1L) != 0) {
      throw new RedisError(BAD_BIT);
    }
    Keyspace ks = ctx.keyspace();
    Writable w = Writable.lookup(ks, args[1], offset);
    int previous = BitString.bit(w.value(), offset);
    BitString.set(w.value(), offset, 1, on);
    int mark = ks.modifiedCount();
    w.store(ks, args[1]);
    if (w.old() != null && !w.grown() && previous == on) {
      // Stored anyway (Redis unshares the value: its encoding turns raw), but Redis signals no
      // modification, so a WATCH of the key is not disturbed.
      ks.unmodifyAfter(mark);
    }
    return Reply.integer(previous);
  }

  static Reply getbit(CommandContext ctx, byte[][] args) {
    long offset = bitOffset(args[2], false, 0);
    byte[] value = ctx.keyspace().getString(args[1]);
    return value == null ? Reply.ZERO : Reply.integer(BitString.bit(value, offset));
  }

  private static boolean isBitUnit(byte[] arg) {
    if (Keywords.is(arg, "bit")) {
      return true;
    } else if (Keywords.is(arg, "byte")) {
      return false;
    }
    throw RedisError.syntax();
  }

  /** BITCOUNT key [start end [BYTE|BIT]]. */
  static Reply bitcount(CommandContext ctx, byte[][] args) {
    KeyMeta meta = ctx.keyspace().lookup(args[1]);
    if (meta == null) {
      return Reply.ZERO;
    }
    if (meta.type() != RedisType.STRING) {
      throw RedisError.wrongType();
    }
    byte[] p = meta.value();
    long start;
    long end;
    int firstByteNegMask = 0;
    int lastByteNegMask = 0;
    if (args.length == 4 || args.length == 5) {
      long totlen = p.length;
      start = RedisNumbers.parseLong(args[2]);
      end = RedisNumbers.parseLong(args[3]);
      if (start < 0 && end < 0 && start > end) {
        return Reply.ZERO;
      }
      boolean isbit = args.length == 5 && isBitUnit(args[4]);
      if (isbit) {
        totlen <<= 3;
      }
      if (start < 0) {
        start = totlen + start;
      }
      if (end < 0) {
        end = totlen + end;
      }
      if (start < 0) {
        start = 0;
      }
      if (end < 0) {
        end = 0;
      }
      if (end >= totlen) {
        end = totlen - 1;
      }
      if (isbit && start <= end) {
        firstByteNegMask = ~((1 << (8 - (int) (start & 7))) - 1) & 0xFF;
        lastByteNegMask = (1 << (7 - (int) (end & 7))) - 1;
        start >>= 3;
        end >>= 3;
      }
    } else if (args.length == 2) {
      start = 0;
      end = p.length - 1;
    } else {
      throw RedisError.syntax();
    }
    if (start > end) {
      return Reply.ZERO;
    }
    long count = BitString.popcount(p, (int) start, end - start + 1);
    if (firstByteNegMask != 0 || lastByteNegMask != 0) {
      // Take back the bits of the edge bytes that lie outside the bit range.
      int first = firstByteNegMask != 0 ? p[(int) start] & firstByteNegMask : 0;
      int last = lastByteNegMask != 0 ? p[(int) end] & lastByteNegMask : 0;
      count -= Integer.bitCount(first) + Integer.bitCount(last);
    }
    return Reply.integer(count);
  }

  /** BITPOS key bit [start [end [BYTE|BIT]]]. */
  static Reply bitpos(CommandContext ctx, byte[][] args) {
    long bit = RedisNumbers.parseLong(args[2]);
    if (bit != 0 && bit != 1) {
      throw new RedisError("ERR The bit argument must be 1 or 0.");
    }
    KeyMeta meta = ctx.keyspace().lookup(args[1]);
    if (meta == null) {
      // A missing key is an endless run of zeros.
      return Reply.integer(bit == 1 ? -1 : 0);
    }
    if (meta.type() != RedisType.STRING) {
      throw RedisError.wrongType();
    }
    byte[] p = meta.value();
    long start;
    long end;
    boolean endGiven = false;
    int firstByteNegMask = 0;
    int lastByteNegMask = 0;
    if (args.length >= 4 && args.length <= 6) {
      long totlen = p.length;
      start = RedisNumbers.parseLong(args[3]);
      boolean isbit = args.length == 6 && isBitUnit(args[5]);
      if (args.length >= 5) {
        end = RedisNumbers.parseLong(args[4]);
        endGiven = true;
      } else {
        end = isbit ? (totlen << 3) + 7 : totlen - 1;
      }
      if (isbit) {
        totlen <<= 3;
      }
      if (start < 0) {
        start = totlen + start;
      }
      if (end < 0) {
        end = totlen + end;
      }
      if (start < 0) {
        start = 0;
      }
      if (end < 0) {
        end = 0;
      }
      if (end >= totlen) {
        end = totlen - 1;
      }
      if (isbit && start <= end) {
        firstByteNegMask = ~((1 << (8 - (int) (start & 7))) - 1) & 0xFF;
        lastByteNegMask = (1 << (7 - (int) (end & 7))) - 1;
        start >>= 3;
        end >>= 3;
      }
    } else if (args.length == 3) {
      start = 0;
      end = p.length - 1;
    } else {
      throw RedisError.syntax();
    }
    if (start > end) {
      return Reply.integer(-1);
    }
    return Reply.integer(
        firstBitInRange(p, start, end, (int) bit, endGiven, firstByteNegMask, lastByteNegMask));
  }

  /**
   * The search of bitposCommand once the byte range is known: the masked first byte, the whole
   * bytes in between, the masked last byte, in that order, with Redis's rule that a clear bit
   * found only past an explicit end does not count.
   */
  private static long firstBitInRange(byte[] p, long start, long end, int bit, boolean endGiven,
      int firstByteNegMask, int lastByteNegMask) {
    long bytes = end - start + 1;
    long pos;
    search:
    {
      if (firstByteNegMask != 0) {
        int tmp = bit == 1 ? p[(int) start] & ~firstByteNegMask : p[(int) start] | firstByteNegMask;
        if (lastByteNegMask != 0 && bytes == 1) {
          tmp = bit == 1 ? tmp & ~lastByteNegMask : tmp | lastByteNegMask;
        }
        pos = BitString.firstBit(new byte[] {(byte) tmp}, 0, 1, bit);
        if (bytes == 1 || (pos != -1 && pos != 8)) {
          break search;
        }
        start++;
        bytes--;
      }
      long curbytes = bytes - (lastByteNegMask != 0 ? 1 : 0);
      if (curbytes > 0) {
        pos = BitString.firstBit(p, (int) start, curbytes, bit);
        if (bytes == curbytes || (pos != -1 && pos != curbytes << 3)) {
          break search;
        }
        start += curbytes;
        bytes -= curbytes;
      }
      int tmp = bit == 1 ? p[(int) end] & ~lastByteNegMask : p[(int) end] | lastByteNegMask;
      pos = BitString.firstBit(new byte[] {(byte) tmp}, 0, 1, bit);
    }
    if (endGiven && bit == 0 && pos == bytes << 3) {
      return -1;
    }
    if (pos != -1) {
      pos += start << 3;
    }
    return pos;
  }

  private enum BitOp { AND, OR, XOR, NOT }

  /** BITOP AND|OR|XOR|NOT destkey srckey [srckey …]: answers the destination's length. */
  static Reply bitop(CommandContext ctx, byte[][] args) {
    BitOp op;
    if (Keywords.is(args[1], "and")) {
      op = BitOp.AND;
    } else if (Keywords.is(args[1], "or")) {
      op = BitOp.OR;
    } else if (Keywords.is(args[1], "xor")) {
      op = BitOp.XOR;
    } else if (Keywords.is(args[1], "not")) {
      op = BitOp.NOT;
    } else {
      throw RedisError.syntax();
    }
    if (op == BitOp.NOT && args.length != 4) {
      throw new RedisError("ERR BITOP NOT must be called with a single source key.");
    }
    Keyspace ks = ctx.keyspace();
    int numkeys = args.length - 3;
    byte[][] src = new byte[numkeys][];
    int maxlen = 0;
    for (int j = 0; j < numkeys; j++) {
      byte[] value = ks.getString(args[j + 3]);
      src[j] = value == null ? new byte[0] : value;
      maxlen = Math.max(maxlen, src[j].length);
    }
    byte[] res = new byte[maxlen];
    for (int i = 0; i < maxlen; i++) {
      int output = byteAt(src[0], i);
      if (op == BitOp.NOT) {
        output = ~output & 0xFF;
      }
      for (int j = 1; j < numkeys; j++) {
        int b = byteAt(src[j], i);
        output = switch (op) {
          case AND -> output & b;
          case OR -> output | b;
          case XOR -> output ^ b;
          case NOT -> output;
        };
      }
      res[i] = (byte) output;
    }
    KeyMeta dest = ks.lookup(args[2]);
    if (maxlen > 0) {
      ks.putString(args[2], dest, res, KeyMeta.Encoding.RAW, 0);
    } else if (dest != null) {
      ks.remove(args[2], dest);
    }
    return Reply.integer(maxlen);
  }

  private static int byteAt(byte[] s, int i) {
    return i < s.length ? s[i] & 0xFF : 0;
  }
}
