package io.kvorum.resp.testing;

import io.kvorum.resp.protocol.RespReplyParser;
import io.kvorum.storage.reply.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A bare TCP client for byte-exact RESP tests: send raw bytes, read raw replies. */
public final class RawClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private boolean eof;

  public RawClient(int port) {
    try {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The multibulk encoding of a command. */
  public static byte[] command(String... args) {
    StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      byte[] b = a.getBytes(StandardCharsets.UTF_8);
      sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  public RawClient send(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public RawClient send(String raw) {
    return send(raw.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Sends one command and returns its raw reply as a string (ISO-8859-1). */
  public String call(String... args) {
    send(command(args));
    return readRaw(1);
  }

  /** Reads exactly {@code n} complete replies and returns their bytes as a string. */
  public String readRaw(int n) {
    byte[] data = read(n);
    return new String(data, StandardCharsets.ISO_8859_1);
  }

  /** Reads {@code n} replies, parsed. */
  public List<Reply> readReplies(int n) {
    return RespReplyParser.parseAll(read(n));
  }

  private byte[] read(int n) {
    try {
      while (true) {
        byte[] buf = pending.toByteArray();
        int end = endOf(buf, n);
        if (end >= 0) {
          pending.reset();
          pending.write(buf, end, buf.length - end);
          return Arrays.copyOf(buf, end);
        }
        byte[] chunk = new byte[65536];
        int r = in.read(chunk);
        if (r < 0) {
          eof = true;
          throw new IllegalStateException("connection closed after "
              + new String(buf, StandardCharsets.ISO_8859_1));
        }
        pending.write(chunk, 0, r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Offset after {@code n} complete replies in buf, or -1. */
  private static int endOf(byte[] buf, int n) {
    int pos = 0;
    for (int i = 0; i < n; i++) {
      pos = skip(buf, pos);
      if (pos < 0) {
        return -1;
      }
    }
    return pos;
  }

  private static int skip(byte[] b, int pos) {
    int nl = lineEnd(b, pos);
    if (nl < 0) {
      return -1;
    }
    char type = (char) b[pos];
    String line = new String(b, pos + 1, nl - pos - 1, StandardCharsets.ISO_8859_1);
    int next = nl + 2;
    switch (type) {
      case '$', '=', '!' -> {
        int len = Integer.parseInt(line);
        if (len < 0) {
          return next;
        }
        return next + len + 2 <= b.length ? next + len + 2 : -1;
      }
      case '*', '~', '>', '%' -> {
        int len = Integer.parseInt(line);
        int items = type == '%' ? len * 2 : len;
        for (int i = 0; i < items && next >= 0; i++) {
          next = skip(b, next);
        }
        return next;
      }
      default -> {
        return next;
      }
    }
  }

  private static int lineEnd(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** True when the server closed the connection (waits up to {@code millis}). */
  public boolean closedByServer(int millis) {
    try {
      socket.setSoTimeout(millis);
      byte[] buf = new byte[4096];
      while (true) {
        int r = in.read(buf);
        if (r < 0) {
          return true;
        }
        pending.write(buf, 0, r);
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * True when nothing arrives within {@code millis} (a blocked command is still waiting); what
   * does arrive stays readable.
   */
  public boolean silentFor(int millis) {
    if (pending.size() > 0) {
      return false;
    }
    try {
      socket.setSoTimeout(millis);
      byte[] buf = new byte[4096];
      int r = in.read(buf);
      if (r > 0) {
        pending.write(buf, 0, r);
      }
      return false;
    } catch (SocketTimeoutException e) {
      return pending.size() == 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        socket.setSoTimeout(10_000);
      } catch (IOException e) {
        // the socket is gone; the next read says so
      }
    }
  }

  /** Bytes received but not consumed by a read yet. */
  public String leftover() {
    return pending.toString(StandardCharsets.ISO_8859_1);
  }

  public List<String> lines(String raw) {
    return new ArrayList<>(List.of(raw.split("\r\n")));
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
