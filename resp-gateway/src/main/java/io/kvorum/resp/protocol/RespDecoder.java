package io.kvorum.resp.protocol;

import io.kvorum.storage.number.RedisNumbers;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.Arrays;
import java.util.List;

/**
 * Incremental decoder for Redis requests, multibulk ({@code *2\r\n$3\r\nGET\r\n…}) and inline
 * ({@code GET foo\r\n}), that works however the input is split. It keeps its position across
 * reads, so a large argument arriving in many packets is not rescanned. On a protocol error it
 * emits a {@link RespInput.Violation} with Redis's error text after every command decoded before
 * it, and ignores all further input; the connection answers and closes.
 */
public final class RespDecoder extends ByteToMessageDecoder {
  private static final int ARGV_INITIAL_MAX = 1024;

  private final ProtocolLimits limits;
  /** Arguments still expected in the current multibulk request; 0 between requests. */
  private long multibulkRemaining;
  /** Length of the bulk argument being read, or -1 before its {@code $N} line. */
  private long bulkLength = -1;
  private byte[][] argv;
  private int argc;
  /** Bytes of the current request's arguments read so far (query buffer limit). */
  private long argBytes;
  /** Bytes after the reader index already searched for a line end without finding one. */
  private int scanned;
  private boolean failed;

  public RespDecoder(ProtocolLimits limits) {
    this.limits = limits;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.isReadable()) {
      if (failed) {
        in.skipBytes(in.readableBytes());
        return;
      }
      if (argBytes + in.readableBytes() > limits.maxQueryBuffer()) {
        fail(out, in, null);
        return;
      }
      if (multibulkRemaining == 0) {
        boolean progressed =
            in.getByte(in.readerIndex()) == '*' ? readMultibulkLength(in, out) : readInline(in, out);
        if (!progressed || failed) {
          return;
        }
        if (multibulkRemaining == 0) {
          // An inline request, an empty one, or *0 / *-1 (which Redis ignores).
          continue;
        }
      }
      while (multibulkRemaining > 0) {
        if (bulkLength < 0 && !readBulkLength(in, out)) {
          return;
        }
        if (in.readableBytes() < bulkLength + 2) {
          return;
        }
        byte[] arg = new byte[(int) bulkLength];
        in.readBytes(arg);
        // Like Redis, the two bytes after the data are skipped without checking they are CRLF.
        in.skipBytes(2);
        if (argc == argv.length) {
          argv = Arrays.copyOf(argv, (int) Math.min((long) argv.length * 2, argc + multibulkRemaining));
        }
        argv[argc++] = arg;
        argBytes += arg.length;
        multibulkRemaining--;
        bulkLength = -1;
      }
      out.add(new RespInput.Command(argc == argv.length ? argv : Arrays.copyOf(argv, argc)));
      argv = null;
      argc = 0;
      argBytes = 0;
    }
  }

  /** Reads {@code *N\r\n}; false when more input is needed or the line is invalid. */
  private boolean readMultibulkLength(ByteBuf in, List<Object> out) {
    int cr = findByte(in, (byte) '\r');
    if (cr < 0) {
      if (in.readableBytes() > limits.maxInlineLength()) {
        fail(out, in, "ERR Protocol error: too big mbulk count string");
      }
      return false;
    }
    if (cr + 1 >= in.writerIndex()) {
      return false;
    }
    Long n = parseLength(in, in.readerIndex() + 1, cr);
    if (n == null || n > limits.maxMultibulkLength()) {
      fail(out, in, "ERR Protocol error: invalid multibulk length");
      return false;
    }
    if (n > 10 && limits.unauthenticated()) {
      fail(out, in, "ERR Protocol error: unauthenticated multibulk length");
      return false;
    }
    advanceTo(in, cr + 2);
    if (n > 0) {
      multibulkRemaining = n;
      argv = new byte[(int) Math.min(n, ARGV_INITIAL_MAX)][];
      argc = 0;
      argBytes = 0;
    }
    return true;
  }

  /** Reads {@code $N\r\n}; false when more input is needed or the line is invalid. */
  private boolean readBulkLength(ByteBuf in, List<Object> out) {
    int cr = findByte(in, (byte) '\r');
    if (cr < 0) {
      if (in.readableBytes() > limits.maxInlineLength()) {
        fail(out, in, "ERR Protocol error: too big bulk count string");
      }
      return false;
    }
    if (cr + 1 >= in.writerIndex()) {
      return false;
    }
    byte first = in.getByte(in.readerIndex());
    if (first != '$') {
      fail(out, in, "ERR Protocol error: expected '$', got '" + (char) (first & 0xFF) + "'");
      return false;
    }
    Long n = parseLength(in, in.readerIndex() + 1, cr);
    if (n == null || n < 0 || n > limits.maxBulkLength() || n > Integer.MAX_VALUE - 8) {
      fail(out, in, "ERR Protocol error: invalid bulk length");
      return false;
    }
    if (n > 16384 && limits.unauthenticated()) {
      fail(out, in, "ERR Protocol error: unauthenticated bulk length");
      return false;
    }
    advanceTo(in, cr + 2);
    bulkLength = n;
    return true;
  }

  /** Reads one inline request line; false when more input is needed or the line is invalid. */
  private boolean readInline(ByteBuf in, List<Object> out) {
    int nl = findByte(in, (byte) '\n');
    if (nl < 0) {
      if (in.readableBytes() > limits.maxInlineLength()) {
        fail(out, in, "ERR Protocol error: too big inline request");
      }
      return false;
    }
    int start = in.readerIndex();
    int end = nl > start && in.getByte(nl - 1) == '\r' ? nl - 1 : nl;
    byte[] line = new byte[end - start];
    in.getBytes(start, line);
    advanceTo(in, nl + 1);
    byte[][] args = InlineSplitter.split(line);
    if (args == null) {
      fail(out, in, "ERR Protocol error: unbalanced quotes in request");
      return false;
    }
    if (args.length > 0) {
      out.add(new RespInput.Command(args));
    }
    return true;
  }

  /** Index of {@code b} at or after the reader index, resuming where the last search stopped. */
  private int findByte(ByteBuf in, byte b) {
    int from = in.readerIndex() + scanned;
    int idx = in.indexOf(from, in.writerIndex(), b);
    if (idx < 0) {
      scanned = in.readableBytes();
    }
    return idx;
  }

  private void advanceTo(ByteBuf in, int index) {
    in.readerIndex(index);
    scanned = 0;
  }

  /** Redis's string2ll over {@code in[from, to)}; null when not a canonical integer. */
  private static Long parseLength(ByteBuf in, int from, int to) {
    if (to - from > 20 || to <= from) {
      return null;
    }
    byte[] digits = new byte[to - from];
    in.getBytes(from, digits);
    return RedisNumbers.parseLongOrNull(digits);
  }

  private void fail(List<Object> out, ByteBuf in, String error) {
    failed = true;
    argv = null;
    in.skipBytes(in.readableBytes());
    out.add(new RespInput.Violation(error));
  }
}
