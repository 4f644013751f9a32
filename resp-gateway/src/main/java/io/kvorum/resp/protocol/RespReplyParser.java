package io.kvorum.resp.protocol;

import io.kvorum.storage.reply.Reply;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses RESP2/RESP3 reply bytes (as a server sends them) into {@link Reply} trees: used for the
 * command metadata captured from Redis, for replies a proxy port receives from another node, and
 * by tests that compare replies. Not for client input.
 */
public final class RespReplyParser {
  private final byte[] data;
  /** Charset of status, error, double and big-number lines. */
  private final Charset lines;
  private int pos;

  public RespReplyParser(byte[] data) {
    this(data, StandardCharsets.UTF_8);
  }

  private RespReplyParser(byte[] data, Charset lines) {
    this.data = data;
    this.lines = lines;
  }

  /**
   * The replies in bytes {@link RespEncoder} wrote, as trees it writes back to the same bytes in
   * the same protocol: lines are read one char per byte (ISO-8859-1), the way the gateway carries
   * client bytes in error texts, so no byte is lost to UTF-8 decoding.
   */
  public static List<Reply> parseExact(byte[] data) {
    RespReplyParser p = new RespReplyParser(data, StandardCharsets.ISO_8859_1);
    List<Reply> out = new ArrayList<>();
    while (p.hasMore()) {
      out.add(p.next());
    }
    return out;
  }

  /** All replies in {@code data}, back to back. */
  public static List<Reply> parseAll(byte[] data) {
    RespReplyParser p = new RespReplyParser(data);
    List<Reply> out = new ArrayList<>();
    while (p.hasMore()) {
      out.add(p.next());
    }
    return out;
  }

  public boolean hasMore() {
    return pos < data.length;
  }

  /** The next reply; throws IllegalArgumentException on malformed or truncated input. */
  public Reply next() {
    if (pos >= data.length) {
      throw new IllegalArgumentException("truncated reply");
    }
    char type = (char) data[pos++];
    String line = readLine();
    switch (type) {
      case '+':
        return new Reply.Status(line);
      case '-':
        return new Reply.Error(line);
      case ':':
        return Reply.integer(Long.parseLong(line));
      case '_':
        return Reply.NULL;
      case '#':
        return new Reply.Bool(line.equals("t"));
      case ',':
        return new Reply.Double(line);
      case '(':
        return new Reply.BigNumber(line);
      case '$':
      case '!':
      case '=': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return Reply.NULL;
        }
        if (n > data.length - pos - 2) {
          throw new IllegalArgumentException("truncated reply");
        }
        byte[] value = Arrays.copyOfRange(data, pos, pos + n);
        pos += n + 2;
        if (type == '$') {
          return new Reply.Bulk(value);
        }
        if (type == '!') {
          return new Reply.Error(new String(value, StandardCharsets.UTF_8));
        }
        return new Reply.Verbatim(
            new String(value, 0, 3, StandardCharsets.US_ASCII), Arrays.copyOfRange(value, 4, n));
      }
      case '*':
      case '~':
      case '>':
      case '%':
      case '|': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return Reply.NULL_ARRAY;
        }
        int count = type == '%' || type == '|' ? n * 2 : n;
        List<Reply> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          items.add(next());
        }
        if (type == '|') {
          // An attribute annotates the reply that follows it; the reply is what counts.
          return next();
        }
        items = List.copyOf(items);
        return switch (type) {
          case '*' -> new Reply.Array(items);
          case '~' -> new Reply.SetReply(items);
          case '>' -> new Reply.Push(items);
          default -> new Reply.MapReply(items);
        };
      }
      default:
        throw new IllegalArgumentException("unknown reply type '" + type + "' at " + (pos - 1));
    }
  }

  private String readLine() {
    int start = pos;
    while (pos + 1 < data.length && !(data[pos] == '\r' && data[pos + 1] == '\n')) {
      pos++;
    }
    if (pos + 1 >= data.length) {
      throw new IllegalArgumentException("truncated reply");
    }
    String s = new String(data, start, pos - start, lines);
    pos += 2;
    return s;
  }
}
