package io.kvorum.storage.hash;

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
 * A small RESP2/RESP3 client for oracle tests: after {@link #hello3()} the server answers in RESP3
 * and maps, sets, doubles, booleans and nulls are parsed into the matching {@link Reply} types
 * (RESP3's null becomes {@link Reply#NULL}).
 */
public final class Resp3Client implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public Resp3Client(int port) throws IOException {
    this.socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(30_000);
    this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    this.out = socket.getOutputStream();
  }

  /** Switches this connection to RESP3. */
  public Resp3Client hello3() throws IOException {
    call("HELLO", "3");
    return this;
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
    return switch (type) {
      case '+' -> Reply.status(line);
      case '-' -> Reply.error(line);
      case ':' -> Reply.integer(Long.parseLong(line));
      case '$' -> {
        int n = Integer.parseInt(line);
        yield n < 0 ? Reply.NULL : Reply.bulk(blob(n));
      }
      case '!' -> Reply.error(new String(blob(Integer.parseInt(line)), StandardCharsets.UTF_8));
      case '=' -> {
        byte[] b = blob(Integer.parseInt(line));
        yield new Reply.Verbatim(new String(b, 0, 3, StandardCharsets.UTF_8),
            java.util.Arrays.copyOfRange(b, 4, b.length));
      }
      case '*' -> {
        int n = Integer.parseInt(line);
        yield n < 0 ? Reply.NULL_ARRAY : Reply.array(items(n));
      }
      case '~' -> new Reply.SetReply(items(Integer.parseInt(line)));
      case '%' -> new Reply.MapReply(items(2 * Integer.parseInt(line)));
      case '>' -> new Reply.Push(items(Integer.parseInt(line)));
      case '_' -> Reply.NULL;
      case ',' -> new Reply.Double(line);
      case '#' -> new Reply.Bool(line.equals("t"));
      case '(' -> new Reply.BigNumber(line);
      default -> throw new IOException("unexpected RESP type byte " + (char) type);
    };
  }

  private byte[] blob(int n) throws IOException {
    byte[] v = in.readNBytes(n);
    in.readNBytes(2);
    return v;
  }

  private List<Reply> items(int n) throws IOException {
    List<Reply> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(read());
    }
    return items;
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
