package io.kvorum.resp.protocol;

import io.kvorum.storage.reply.Reply;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes {@link Reply} trees as RESP2 or RESP3 straight into a Netty buffer. RESP2 gets the forms
 * Redis falls back to: maps become flat arrays, sets and pushes arrays, doubles, verbatim strings
 * and big numbers bulk strings, booleans {@code :1}/{@code :0}.
 */
public final class RespEncoder {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRUE2 = ":1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FALSE2 = ":0\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRUE3 = "#t\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FALSE3 = "#f\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
  /** Precomputed decimal digits of small numbers: most lengths and counts are small. */
  private static final byte[][] SMALL = new byte[1024][];

  static {
    for (int i = 0; i < SMALL.length; i++) {
      SMALL[i] = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
    }
  }

  private RespEncoder() {}

  /** Appends {@code reply} to {@code out} in RESP3 when {@code resp3}, else RESP2. */
  public static void write(ByteBuf out, Reply reply, boolean resp3) {
    // Java 17 has no pattern switch; the chain is ordered by how often each type is written.
    if (reply instanceof Reply.Bulk b) {
      bulk(out, '$', b.value());
    } else if (reply instanceof Reply.Status s) {
      if (s == Reply.OK) {
        out.writeBytes(OK);
      } else {
        line(out, '+', s.text());
      }
    } else if (reply instanceof Reply.Int i) {
      number(out, ':', i.value());
    } else if (reply instanceof Reply.Array a) {
      aggregate(out, '*', a.items(), resp3);
    } else if (reply instanceof Reply.NullBulk) {
      out.writeBytes(resp3 ? NULL3 : NULL_BULK);
    } else if (reply instanceof Reply.Error e) {
      line(out, '-', e.text());
    } else if (reply instanceof Reply.NullArray) {
      out.writeBytes(resp3 ? NULL3 : NULL_ARRAY);
    } else if (reply instanceof Reply.MapReply m) {
      if (resp3) {
        number(out, '%', m.keysAndValues().size() / 2);
        items(out, m.keysAndValues(), true);
      } else {
        aggregate(out, '*', m.keysAndValues(), false);
      }
    } else if (reply instanceof Reply.SetReply s) {
      aggregate(out, resp3 ? '~' : '*', s.items(), resp3);
    } else if (reply instanceof Reply.Push p) {
      aggregate(out, resp3 ? '>' : '*', p.items(), resp3);
    } else if (reply instanceof Reply.Double d) {
      if (resp3) {
        line(out, ',', d.text());
      } else {
        bulk(out, '$', d.text().getBytes(StandardCharsets.US_ASCII));
      }
    } else if (reply instanceof Reply.Bool b) {
      out.writeBytes(resp3 ? (b.value() ? TRUE3 : FALSE3) : (b.value() ? TRUE2 : FALSE2));
    } else if (reply instanceof Reply.Verbatim v) {
      if (resp3) {
        byte[] format = v.format().getBytes(StandardCharsets.US_ASCII);
        out.writeByte('=');
        digits(out, format.length + 1L + v.value().length);
        out.writeBytes(CRLF);
        out.writeBytes(format);
        out.writeByte(':');
        out.writeBytes(v.value());
        out.writeBytes(CRLF);
      } else {
        bulk(out, '$', v.value());
      }
    } else if (reply instanceof Reply.BigNumber n) {
      if (resp3) {
        line(out, '(', n.digits());
      } else {
        bulk(out, '$', n.digits().getBytes(StandardCharsets.US_ASCII));
      }
    } else {
      throw new IllegalArgumentException("unknown reply type " + reply);
    }
  }

  /** The encoding of {@code reply} as a byte array (tests, cached replies). */
  public static byte[] toBytes(Reply reply, boolean resp3) {
    ByteBuf buf = io.netty.buffer.Unpooled.buffer();
    try {
      write(buf, reply, resp3);
      byte[] b = new byte[buf.readableBytes()];
      buf.readBytes(b);
      return b;
    } finally {
      buf.release();
    }
  }

  private static void aggregate(ByteBuf out, char type, List<Reply> items, boolean resp3) {
    number(out, type, items.size());
    items(out, items, resp3);
  }

  private static void items(ByteBuf out, List<Reply> items, boolean resp3) {
    for (int i = 0, n = items.size(); i < n; i++) {
      write(out, items.get(i), resp3);
    }
  }

  private static void bulk(ByteBuf out, char type, byte[] value) {
    out.ensureWritable(value.length + 16);
    number(out, type, value.length);
    out.writeBytes(value);
    out.writeBytes(CRLF);
  }

  /**
   * A simple line ({@code +…}, {@code -…}). Texts carry bytes as chars 0-255 (ISO-8859-1), the way
   * the gateway and storage build error texts from client bytes; a text with wider chars is
   * written as UTF-8. Like Redis's addReplyError/addReplyStatus, CR and LF become spaces so the
   * reply cannot break the protocol.
   */
  private static void line(ByteBuf out, char type, String text) {
    out.writeByte(type);
    int n = text.length();
    boolean latin1 = true;
    for (int i = 0; i < n; i++) {
      if (text.charAt(i) > 0xFF) {
        latin1 = false;
        break;
      }
    }
    if (latin1) {
      out.ensureWritable(n + 2);
      for (int i = 0; i < n; i++) {
        char c = text.charAt(i);
        out.writeByte(c == '\r' || c == '\n' ? ' ' : c);
      }
    } else {
      byte[] b = text.getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < b.length; i++) {
        if (b[i] == '\r' || b[i] == '\n') {
          b[i] = ' ';
        }
      }
      out.writeBytes(b);
    }
    out.writeBytes(CRLF);
  }

  private static void number(ByteBuf out, char type, long value) {
    out.writeByte(type);
    digits(out, value);
    out.writeBytes(CRLF);
  }

  private static void digits(ByteBuf out, long value) {
    if (value >= 0 && value < SMALL.length) {
      out.writeBytes(SMALL[(int) value]);
    } else {
      out.writeCharSequence(Long.toString(value), StandardCharsets.US_ASCII);
    }
  }
}
