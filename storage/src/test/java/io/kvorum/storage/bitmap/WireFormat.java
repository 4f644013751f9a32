package io.kvorum.storage.bitmap;

import io.kvorum.storage.reply.Reply;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Our {@link Reply} as the bytes Redis 7.0 would send for it in RESP2 or RESP3, so a test can
 * compare it byte for byte with what a real redis-server sent; plus a readable rendering of RESP
 * bytes for failure messages.
 */
public final class WireFormat {
  private WireFormat() {}

  public static byte[] encode(Reply reply, boolean resp3) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, reply, resp3);
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, Reply r, boolean resp3) {
    if (r instanceof Reply.Status s) {
      line(out, "+" + s.text());
    } else if (r instanceof Reply.Error e) {
      line(out, "-" + e.text());
    } else if (r instanceof Reply.Int i) {
      line(out, ":" + i.value());
    } else if (r instanceof Reply.Bulk b) {
      bulk(out, b.value());
    } else if (r instanceof Reply.NullBulk) {
      line(out, resp3 ? "_" : "$-1");
    } else if (r instanceof Reply.NullArray) {
      line(out, resp3 ? "_" : "*-1");
    } else if (r instanceof Reply.Array a) {
      aggregate(out, "*", a.items(), resp3);
    } else if (r instanceof Reply.SetReply s) {
      aggregate(out, resp3 ? "~" : "*", s.items(), resp3);
    } else if (r instanceof Reply.Push p) {
      aggregate(out, resp3 ? ">" : "*", p.items(), resp3);
    } else if (r instanceof Reply.MapReply m) {
      if (resp3) {
        line(out, "%" + m.keysAndValues().size() / 2);
        for (Reply item : m.keysAndValues()) {
          write(out, item, true);
        }
      } else {
        aggregate(out, "*", m.keysAndValues(), false);
      }
    } else if (r instanceof Reply.Double d) {
      if (resp3) {
        line(out, "," + d.text());
      } else {
        bulk(out, d.text().getBytes(StandardCharsets.US_ASCII));
      }
    } else if (r instanceof Reply.Bool b) {
      line(out, resp3 ? (b.value() ? "#t" : "#f") : (b.value() ? ":1" : ":0"));
    } else if (r instanceof Reply.BigNumber n) {
      if (resp3) {
        line(out, "(" + n.digits());
      } else {
        bulk(out, n.digits().getBytes(StandardCharsets.US_ASCII));
      }
    } else if (r instanceof Reply.Verbatim v) {
      if (resp3) {
        byte[] prefix = (v.format() + ":").getBytes(StandardCharsets.US_ASCII);
        line(out, "=" + (prefix.length + v.value().length));
        out.writeBytes(prefix);
        out.writeBytes(v.value());
        out.writeBytes(new byte[] {'\r', '\n'});
      } else {
        bulk(out, v.value());
      }
    } else {
      throw new IllegalArgumentException("unknown reply " + r);
    }
  }

  private static void aggregate(ByteArrayOutputStream out, String type, List<Reply> items,
      boolean resp3) {
    line(out, type + items.size());
    for (Reply item : items) {
      write(out, item, resp3);
    }
  }

  private static void bulk(ByteArrayOutputStream out, byte[] value) {
    line(out, "$" + value.length);
    out.writeBytes(value);
    out.writeBytes(new byte[] {'\r', '\n'});
  }

  private static void line(ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(new byte[] {'\r', '\n'});
  }

  /** RESP bytes as printable text: CRLF as a visible separator, other control bytes escaped. */
  public static String show(byte[] resp) {
    StringBuilder s = new StringBuilder();
    int shown = Math.min(resp.length, 400);
    for (int i = 0; i < shown; i++) {
      int c = resp[i] & 0xFF;
      if (c == '\r' && i + 1 < resp.length && resp[i + 1] == '\n') {
        s.append("\u23CE");
        i++;
      } else if (c >= 32 && c < 127 && c != '\\') {
        s.append((char) c);
      } else {
        s.append(String.format("\\x%02x", c));
      }
    }
    if (shown < resp.length) {
      s.append("… (").append(resp.length).append(" bytes)");
    }
    return s.toString();
  }

  /** Arguments as a quoted, escaped command line. */
  public static String show(byte[][] args) {
    StringBuilder s = new StringBuilder();
    for (byte[] a : args) {
      if (s.length() > 0) {
        s.append(' ');
      }
      s.append('"');
      int shown = Math.min(a.length, 80);
      for (int i = 0; i < shown; i++) {
        int c = a[i] & 0xFF;
        if (c == '"' || c == '\\') {
          s.append('\\').append((char) c);
        } else if (c >= 32 && c < 127) {
          s.append((char) c);
        } else {
          s.append(String.format("\\x%02x", c));
        }
      }
      if (shown < a.length) {
        s.append("…(").append(a.length).append(" bytes)");
      }
      s.append('"');
    }
    return s.toString();
  }
}
