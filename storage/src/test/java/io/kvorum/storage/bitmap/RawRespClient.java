package io.kvorum.storage.bitmap;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A Redis connection that answers each command with the exact bytes of its reply, RESP2 or (after
 * {@code HELLO 3}) RESP3, so oracle tests compare wire bytes rather than parsed values.
 */
public final class RawRespClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RawRespClient(int port) throws IOException {
    this.socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(60_000);
    this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    this.out = socket.getOutputStream();
  }

  /** Sends one command and returns its reply's bytes. */
  public byte[] call(byte[]... args) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    buf.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (byte[] a : args) {
      buf.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      buf.writeBytes(a);
      buf.writeBytes(new byte[] {'\r', '\n'});
    }
    out.write(buf.toByteArray());
    out.flush();
    ByteArrayOutputStream reply = new ByteArrayOutputStream();
    readReply(reply);
    return reply.toByteArray();
  }

  public byte[] call(String... args) throws IOException {
    byte[][] bytes = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return call(bytes);
  }

  /** The payload of a bulk-string reply, or null for a null reply. */
  public static byte[] bulkPayload(byte[] reply) {
    if (reply[0] != '$' || reply[1] == '-') {
      return null;
    }
    int eol = indexOfCrlf(reply, 0);
    int n = Integer.parseInt(new String(reply, 1, eol - 1, StandardCharsets.US_ASCII));
    byte[] v = new byte[n];
    System.arraycopy(reply, eol + 2, v, 0, n);
    return v;
  }

  private static int indexOfCrlf(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private void readReply(ByteArrayOutputStream reply) throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed");
    }
    reply.write(type);
    String line = line(reply);
    switch (type) {
      case '$', '=', '!' -> {
        int n = Integer.parseInt(line);
        if (n >= 0) {
          reply.writeBytes(in.readNBytes(n + 2));
        }
      }
      case '*', '~', '>' -> {
        int n = Integer.parseInt(line);
        for (int i = 0; i < n; i++) {
          readReply(reply);
        }
      }
      case '%', '|' -> {
        int n = Integer.parseInt(line);
        for (int i = 0; i < 2 * n; i++) {
          readReply(reply);
        }
        if (type == '|') {
          readReply(reply); // an attribute precedes the actual reply
        }
      }
      default -> { }
    }
  }

  private String line(ByteArrayOutputStream reply) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new EOFException("connection closed");
      }
      b.write(c);
    }
    in.read();
    byte[] text = b.toByteArray();
    reply.writeBytes(text);
    reply.write('\r');
    reply.write('\n');
    return new String(text, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
