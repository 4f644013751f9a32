package io.kvorum.storage.bitmap;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
 * [OVERFLOW WRAP|SAT|FAIL] …, and BITFIELD_RO (GET only). All subcommands are parsed first (any
 * error stops the command before it touches the key); a command with a SET or INCRBY then
 * creates or zero-pads the string up to the farthest bit it writes, even when every write fails
 * its overflow check, exactly as Redis does.
 */
final class BitfieldCommand {
  static final String BAD_TYPE = "ERR Invalid bitfield type. Use something like i16 u8. Note that"
      + " u64 is not supported but i64 is.";

  private BitfieldCommand() {}

  private enum Kind { GET, SET, INCRBY }

  private record Op(Kind kind, long offset, long value, FieldOverflow overflow, int bits,
      boolean signed) {}

  static Reply execute(CommandContext ctx, byte[][] args, boolean readOnlyCommand) {
    List<Op> ops = new ArrayList<>();
    FieldOverflow overflow = FieldOverflow.WRAP;
    boolean readonly = true;
    long highestWriteOffset = 0;
    for (int j = 2; j < args.length; j++) {
      int remargs = args.length - j - 1;
      byte[] sub = args[j];
      Kind kind;
      if (Keywords.is(sub, "get") && remargs >= 2) {
        kind = Kind.GET;
      } else if (Keywords.is(sub, "set") && remargs >= 3) {
        kind = Kind.SET;
      } else if (Keywords.is(sub, "incrby") && remargs >= 3) {
        kind = Kind.INCRBY;
      } else if (Keywords.is(sub, "overflow") && remargs >= 1) {
        byte[] name = args[++j];
        if (Keywords.is(name, "wrap")) {
          overflow = FieldOverflow.WRAP;
        } else if (Keywords.is(name, "sat")) {
          overflow = FieldOverflow.SAT;
        } else if (Keywords.is(name, "fail")) {
          overflow = FieldOverflow.FAIL;
        } else {
          throw new RedisError("ERR Invalid OVERFLOW type specified");
        }
        continue;
      } else {
        throw RedisError.syntax();
      }

      byte[] type = args[j + 1];
      boolean signed = parseSign(type);
      int bits = parseBits(type, signed);
      long offset = BitmapCommands.bitOffset(args[j + 2], true, bits);
      long value = 0;
      if (kind != Kind.GET) {
        readonly = false;
        highestWriteOffset = Math.max(highestWriteOffset, offset + bits - 1);
        value = RedisNumbers.parseLong(args[j + 3]);
      }
      ops.add(new Op(kind, offset, value, overflow, bits, signed));
      j += kind == Kind.GET ? 2 : 3;
    }

    Keyspace ks = ctx.keyspace();
    if (readonly) {
      byte[] value = ks.getString(args[1]);
      List<Reply> replies = new ArrayList<>(ops.size());
      for (Op op : ops) {
        replies.add(Reply.integer(get(value, op)));
      }
      return Reply.array(replies);
    }
    if (readOnlyCommand) {
      throw new RedisError("ERR BITFIELD_RO only supports the GET subcommand");
    }

    BitmapCommands.Writable w = BitmapCommands.Writable.lookup(ks, args[1], highestWriteOffset);
    byte[] bitmap = w.value();
    boolean changed = w.grown();
    List<Reply> replies = new ArrayList<>(ops.size());
    for (Op op : ops) {
      if (op.kind() == Kind.GET) {
        replies.add(Reply.integer(get(bitmap, op)));
        continue;
      }
      long oldval = op.signed() ? BitString.getSigned(bitmap, op.offset(), op.bits())
          : BitString.getUnsigned(bitmap, op.offset(), op.bits());
      long newval;
      long retval;
      FieldOverflow.Check check;
      if (op.kind() == Kind.INCRBY) {
        check = op.signed() ? op.overflow().checkSigned(oldval, op.value(), op.bits())
            : op.overflow().checkUnsigned(oldval, op.value(), op.bits());
        newval = check.overflowed() ? check.limit() : oldval + op.value();
        retval = newval;
      } else {
        newval = op.value();
        check = op.signed() ? op.overflow().checkSigned(newval, 0, op.bits())
            : op.overflow().checkUnsigned(newval, 0, op.bits());
        if (check.overflowed()) {
          newval = check.limit();
        }
        retval = oldval;
      }
      if (check.overflowed() && op.overflow() == FieldOverflow.FAIL) {
        replies.add(Reply.NULL);
        continue;
      }
      replies.add(Reply.integer(retval));
      BitString.set(bitmap, op.offset(), op.bits(), newval);
      if (oldval != newval) {
        changed = true;
      }
    }
    KeyMeta old = w.old();
    // Redis creates or pads the key, and makes an existing value raw, before running the ops.
    if (changed || old == null || old.encoding() != KeyMeta.Encoding.RAW) {
      w.store(ks, args[1]);
    }
    return Reply.array(replies);
  }

  /** GET of a field; bits past the end of the string (or of a missing key) read as zero. */
  private static long get(byte[] value, Op op) {
    byte[] s = value == null ? new byte[0] : value;
    return op.signed() ? BitString.getSigned(s, op.offset(), op.bits())
        : BitString.getUnsigned(s, op.offset(), op.bits());
  }

  /** 'i' for signed, 'u' for unsigned (getBitfieldTypeFromArgument). */
  private static boolean parseSign(byte[] type) {
    if (type.length > 0 && type[0] == 'i') {
      return true;
    } else if (type.length > 0 && type[0] == 'u') {
      return false;
    }
    throw new RedisError(BAD_TYPE);
  }

  /** Width 1..64 for signed, 1..63 for unsigned; the digits are read as a C string. */
  private static int parseBits(byte[] type, boolean signed) {
    int end = 1;
    while (end < type.length && type[end] != 0) {
      end++;
    }
    Long bits = RedisNumbers.parseLongOrNull(Arrays.copyOfRange(type, 1, end));
    if (bits == null || bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) {
      throw new RedisError(BAD_TYPE);
    }
    return bits.intValue();
  }
}
