package io.kvorum.storage.testing;

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

/** A minimal RESP2 client: sends commands as arrays of bulk strings and parses replies into {@link Reply}. */
public final class RespClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RespClient(String host, int port) throws IOException {
    this.socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(30_000);
    this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    this.out = socket.getOutputStream();
  }

  public Reply call(String... args) throws IOException {
    byte[][] bytes = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return call(bytes);
  }

  public Reply call(byte[]... args) throws IOException {
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

  private Reply read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed");
    }
    String line = line();
    switch (type) {
      case '+':
        return Reply.status(line);
      case '-':
        return Reply.error(line);
      case ':':
        return Reply.integer(Long.parseLong(line));
      case '$': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return Reply.NULL;
        }
        byte[] v = in.readNBytes(n);
        in.readNBytes(2);
        return Reply.bulk(v);
      }
      case '*': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return Reply.NULL_ARRAY;
        }
        List<Reply> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(read());
        }
        return Reply.array(items);
      }
      default:
        throw new IOException("unexpected RESP2 type byte " + (char) type);
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
