package io.kvorum.storage.stream;

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
import java.util.List;

/**
 * RESP bytes for the stream oracle: {@link #encode} writes a storage {@link Reply} as the
 * gateway's encoder does (RESP2 fallbacks, RESP3 nulls as {@code _}), {@link Client} reads a
 * redis-server's replies as raw bytes, and {@link #parse} turns bytes into a {@link Node} tree so
 * time fields can be compared with a tolerance.
 */
final class StreamWire {
  private StreamWire() {}

  static byte[] encode(Reply reply, boolean resp3) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, reply, resp3);
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, Reply r, boolean resp3) {
    if (r instanceof Reply.Bulk b) {
      bulk(out, b.value());
    } else if (r instanceof Reply.Status s) {
      line(out, '+', s.text());
    } else if (r instanceof Reply.Error e) {
      line(out, '-', e.text());
    } else if (r instanceof Reply.Int i) {
      line(out, ':', Long.toString(i.value()));
    } else if (r instanceof Reply.NullBulk) {
      ascii(out, resp3 ? "_\r\n" : "$-1\r\n");
    } else if (r instanceof Reply.NullArray) {
      ascii(out, resp3 ? "_\r\n" : "*-1\r\n");
    } else if (r instanceof Reply.Array a) {
      aggregate(out, '*', a.items(), resp3);
    } else if (r instanceof Reply.MapReply m) {
      if (resp3) {
        line(out, '%', Integer.toString(m.keysAndValues().size() / 2));
        for (Reply item : m.keysAndValues()) {
          write(out, item, true);
        }
      } else {
        aggregate(out, '*', m.keysAndValues(), false);
      }
    } else {
      throw new IllegalArgumentException("not used by streams: " + r);
    }
  }

  private static void aggregate(ByteArrayOutputStream out, char type, List<Reply> items,
      boolean resp3) {
    line(out, type, Integer.toString(items.size()));
    for (Reply item : items) {
      write(out, item, resp3);
    }
  }

  private static void bulk(ByteArrayOutputStream out, byte[] value) {
    line(out, '$', Integer.toString(value.length));
    out.writeBytes(value);
    ascii(out, "\r\n");
  }

  private static void line(ByteArrayOutputStream out, char type, String text) {
    out.write(type);
    out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    ascii(out, "\r\n");
  }

  private static void ascii(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
  }

  /** Printable form of RESP bytes for failure messages. */
  static String show(byte[] resp) {
    StringBuilder s = new StringBuilder();
    for (byte x : resp) {
      int c = x & 0xFF;
      if (c == '\r') {
        s.append("\\r");
      } else if (c == '\n') {
        s.append("\\n");
      } else if (c >= 32 && c < 127) {
        s.append((char) c);
      } else {
        s.append(String.format("\\x%02x", c));
      }
    }
    return s.toString();
  }

  /**
   * One parsed RESP value: its type byte, the header line (the number, the text, the length) and,
   * for bulk strings, the payload; aggregates hold their children (a map's keys and values
   * alternating).
   */
  record Node(char type, String head, byte[] payload, List<Node> children) {
    boolean isBulk(String text) {
      return type == '$' && payload != null
          && new String(payload, StandardCharsets.UTF_8).equals(text);
    }

    long integer() {
      return Long.parseLong(head);
    }

    void writeTo(ByteArrayOutputStream out) {
      out.write(type);
      out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
      out.writeBytes(new byte[] {'\r', '\n'});
      if (payload != null) {
        out.writeBytes(payload);
        out.writeBytes(new byte[] {'\r', '\n'});
      }
      for (Node c : children) {
        c.writeTo(out);
      }
    }

    byte[] bytes() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      writeTo(out);
      return out.toByteArray();
    }
  }

  static Node parse(byte[] resp) {
    int[] at = {0};
    return parse(resp, at);
  }

  private static Node parse(byte[] b, int[] at) {
    char type = (char) b[at[0]++];
    int start = at[0];
    while (b[at[0]] != '\r') {
      at[0]++;
    }
    String head = new String(b, start, at[0] - start, StandardCharsets.UTF_8);
    at[0] += 2;
    List<Node> children = new ArrayList<>();
    byte[] payload = null;
    switch (type) {
      case '$', '=', '!' -> {
        int n = Integer.parseInt(head);
        if (n >= 0) {
          payload = java.util.Arrays.copyOfRange(b, at[0], at[0] + n);
          at[0] += n + 2;
        }
      }
      case '*', '~', '>', '%' -> {
        int n = Integer.parseInt(head);
        if (type == '%') {
          n *= 2;
        }
        for (int i = 0; i < n; i++) {
          children.add(parse(b, at));
        }
      }
      default -> { }
    }
    return new Node(type, head, payload, children);
  }

  /** A connection to redis-server answering raw reply bytes. */
  static final class Client implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Client(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
      out = socket.getOutputStream();
    }

    byte[] call(byte[]... args) throws IOException {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      ascii(buf, "*" + args.length + "\r\n");
      for (byte[] a : args) {
        ascii(buf, "$" + a.length + "\r\n");
        buf.writeBytes(a);
        ascii(buf, "\r\n");
      }
      out.write(buf.toByteArray());
      out.flush();
      ByteArrayOutputStream reply = new ByteArrayOutputStream();
      readReply(reply);
      return reply.toByteArray();
    }

    byte[] call(String... args) throws IOException {
      byte[][] b = new byte[args.length][];
      for (int i = 0; i < args.length; i++) {
        b[i] = args[i].getBytes(StandardCharsets.UTF_8);
      }
      return call(b);
    }

    private void readReply(ByteArrayOutputStream copy) throws IOException {
      int type = in.read();
      if (type < 0) {
        throw new EOFException("connection closed");
      }
      copy.write(type);
      String header = line(copy);
      switch (type) {
        case '$', '=', '!' -> {
          int n = Integer.parseInt(header);
          if (n >= 0) {
            copy.writeBytes(in.readNBytes(n + 2));
          }
        }
        case '*', '~', '>' -> {
          int n = Integer.parseInt(header);
          for (int i = 0; i < n; i++) {
            readReply(copy);
          }
        }
        case '%', '|' -> {
          int n = Integer.parseInt(header);
          for (int i = 0; i < 2 * n; i++) {
            readReply(copy);
          }
        }
        default -> { }
      }
    }

    private String line(ByteArrayOutputStream copy) throws IOException {
      StringBuilder s = new StringBuilder();
      int c;
      while ((c = in.read()) != '\r') {
        if (c < 0) {
          throw new EOFException("connection closed");
        }
        copy.write(c);
        s.append((char) c);
      }
      copy.write('\r');
      copy.write(in.read());
      return s.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
