package io.kvorum.storage.zset;

import io.kvorum.storage.reply.Reply;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A reply as it travels on the wire, in RESP2 or RESP3: the type byte and its payload. Redis's
 * replies are read into it by {@link Client}; ours are rendered into it by {@link #of(Reply,
 * boolean)} the way the gateway encodes them, so both sides compare type for type.
 *
 * @param type  the RESP type byte; {@code '$'} and {@code '*'} with null items mean $-1 / *-1
 */
public record RespNode(char type, byte[] bytes, List<RespNode> items) {

  static RespNode leaf(char type, String text) {
    return new RespNode(type, text.getBytes(StandardCharsets.UTF_8), null);
  }

  static RespNode aggregate(char type, List<RespNode> items) {
    return new RespNode(type, null, items);
  }

  static final RespNode NULL3 = new RespNode('_', null, null);
  static final RespNode NULL_BULK = new RespNode('$', null, null);
  static final RespNode NULL_ARRAY = new RespNode('*', null, null);

  boolean isNull() {
    return type == '_' || (bytes == null && items == null);
  }

  String text() {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /** Our reply in the form the gateway writes it. */
  public static RespNode of(Reply r, boolean resp3) {
    if (r instanceof Reply.Status s) {
      return leaf('+', s.text());
    } else if (r instanceof Reply.Error e) {
      return leaf('-', e.text());
    } else if (r instanceof Reply.Int i) {
      return leaf(':', Long.toString(i.value()));
    } else if (r instanceof Reply.Bulk b) {
      return new RespNode('$', b.value(), null);
    } else if (r instanceof Reply.NullBulk) {
      return resp3 ? NULL3 : NULL_BULK;
    } else if (r instanceof Reply.NullArray) {
      return resp3 ? NULL3 : NULL_ARRAY;
    } else if (r instanceof Reply.Array a) {
      return aggregate('*', all(a.items(), resp3));
    } else if (r instanceof Reply.MapReply m) {
      return aggregate(resp3 ? '%' : '*', all(m.keysAndValues(), resp3));
    } else if (r instanceof Reply.SetReply s) {
      return aggregate(resp3 ? '~' : '*', all(s.items(), resp3));
    } else if (r instanceof Reply.Double d) {
      return resp3 ? leaf(',', d.text()) : leaf('$', d.text());
    } else if (r instanceof Reply.Bool b) {
      return resp3 ? leaf('#', b.value() ? "t" : "f") : leaf(':', b.value() ? "1" : "0");
    } else if (r instanceof Reply.Verbatim v) {
      return new RespNode(resp3 ? '=' : '$', v.value(), null);
    } else if (r instanceof Reply.BigNumber n) {
      return leaf(resp3 ? '(' : '$', n.digits());
    } else if (r instanceof Reply.Push p) {
      return aggregate(resp3 ? '>' : '*', all(p.items(), resp3));
    }
    throw new IllegalArgumentException(String.valueOf(r));
  }

  private static List<RespNode> all(List<Reply> items, boolean resp3) {
    List<RespNode> out = new ArrayList<>(items.size());
    for (Reply r : items) {
      out.add(of(r, resp3));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RespNode n && type == n.type && Arrays.equals(bytes, n.bytes)
        && java.util.Objects.equals(items, n.items);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(type, Arrays.hashCode(bytes), items);
  }

  @Override
  public String toString() {
    if (items != null) {
      StringBuilder s = new StringBuilder().append(type).append('[');
      for (int i = 0; i < items.size(); i++) {
        s.append(i == 0 ? "" : ", ").append(items.get(i));
      }
      return s.append(']').toString();
    }
    if (bytes == null) {
      return type == '_' ? "_" : type + "-1";
    }
    StringBuilder s = new StringBuilder().append(type).append('"');
    for (byte x : bytes) {
      int c = x & 0xFF;
      if (c >= 32 && c < 127 && c != '"' && c != '\\') {
        s.append((char) c);
      } else {
        s.append(String.format("\\x%02x", c));
      }
    }
    return s.append('"').toString();
  }

  /** A connection to redis-server that reads replies of either protocol into nodes. */
  public static final class Client implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public Client(int port, boolean resp3) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(30_000);
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
      out = socket.getOutputStream();
      if (resp3) {
        call("HELLO".getBytes(), "3".getBytes());
      }
    }

    public RespNode call(String... args) throws IOException {
      byte[][] b = new byte[args.length][];
      for (int i = 0; i < args.length; i++) {
        b[i] = args[i].getBytes(StandardCharsets.UTF_8);
      }
      return call(b);
    }

    public RespNode call(byte[]... args) throws IOException {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      buf.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (byte[] a : args) {
        buf.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        buf.writeBytes(a);
        buf.writeBytes(new byte[] {'\r', '\n'});
      }
      out.write(buf.toByteArray());
      out.flush();
      return read();
    }

    private RespNode read() throws IOException {
      int type = in.read();
      if (type < 0) {
        throw new EOFException("connection closed");
      }
      String line = line();
      switch (type) {
        case '+', '-', ':', ',', '#', '(':
          return leaf((char) type, line);
        case '_':
          return NULL3;
        case '$', '=': {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return NULL_BULK;
          }
          byte[] v = in.readNBytes(n);
          in.readNBytes(2);
          return new RespNode((char) type, v, null);
        }
        case '*', '~', '>', '%', '|': {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return NULL_ARRAY;
          }
          int count = type == '%' || type == '|' ? 2 * n : n;
          List<RespNode> items = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            items.add(read());
          }
          if (type == '|') {
            return read(); // attributes annotate the next reply; the oracle ignores them
          }
          return aggregate((char) type, items);
        }
        default:
          throw new IOException("unexpected RESP type byte " + (char) type);
      }
    }

    private String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != '\r') {
        if (c < 0) {
          throw new EOFException("connection closed");
        }
        b.write(c);
      }
      in.read();
      return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
