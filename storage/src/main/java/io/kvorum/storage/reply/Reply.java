package io.kvorum.storage.reply;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Redis reply, independent of the wire protocol. The RESP gateway encodes it as RESP2 or RESP3;
 * types that RESP2 lacks (map, set, double, null, boolean, push, verbatim, big number) fall back
 * to the RESP2 form Redis itself uses.
 */
public sealed interface Reply {

  /** {@code +OK}: a status line. */
  record Status(String text) implements Reply {}

  /** {@code -ERR …}: the text starts with the error code (ERR, WRONGTYPE, MOVED, …). */
  record Error(String text) implements Reply {
    /** The first word: {@code ERR}, {@code WRONGTYPE}, … (used for error statistics). */
    public String code() {
      int space = text.indexOf(' ');
      return space < 0 ? text : text.substring(0, space);
    }
  }

  /** {@code :42}. */
  record Int(long value) implements Reply {}

  /** {@code $3\r\nfoo}: a binary-safe string. */
  record Bulk(byte[] value) implements Reply {
    public String utf8() {
      return new String(value, StandardCharsets.UTF_8);
    }
  }

  /** The null bulk string ({@code $-1} in RESP2, {@code _} in RESP3). */
  record NullBulk() implements Reply {}

  /** The null array ({@code *-1} in RESP2, {@code _} in RESP3). */
  record NullArray() implements Reply {}

  /** {@code *N}. */
  record Array(List<Reply> items) implements Reply {}

  /** RESP3 map ({@code %N}); a flat array of key, value, key, value … in RESP2. */
  record MapReply(List<Reply> keysAndValues) implements Reply {}

  /** RESP3 set ({@code ~N}); an array in RESP2. */
  record SetReply(List<Reply> items) implements Reply {}

  /**
   * RESP3 double ({@code ,1.5}); a bulk string in RESP2. The text is pre-formatted the way Redis
   * formats that particular reply, so both encodings carry identical digits.
   */
  record Double(String text) implements Reply {}

  /** RESP3 boolean ({@code #t}); the integer 1 or 0 in RESP2. */
  record Bool(boolean value) implements Reply {}

  /** RESP3 verbatim string ({@code =N\r\ntxt:…}); a bulk string in RESP2. */
  record Verbatim(String format, byte[] value) implements Reply {}

  /** RESP3 big number ({@code (…}); a bulk string in RESP2. */
  record BigNumber(String digits) implements Reply {}

  /** RESP3 push ({@code >N}); an array in RESP2 (pub/sub messages). */
  record Push(List<Reply> items) implements Reply {}

  Status OK = new Status("OK");
  Status QUEUED = new Status("QUEUED");
  Status PONG = new Status("PONG");
  NullBulk NULL = new NullBulk();
  NullArray NULL_ARRAY = new NullArray();
  Int ZERO = new Int(0);
  Int ONE = new Int(1);
  Array EMPTY_ARRAY = new Array(List.of());

  static Status status(String text) {
    return new Status(text);
  }

  /** An error reply; {@code text} must start with its code, e.g. {@code "ERR syntax error"}. */
  static Error error(String text) {
    return new Error(text);
  }

  static Int integer(long value) {
    return value == 0 ? ZERO : value == 1 ? ONE : new Int(value);
  }

  static Bulk bulk(byte[] value) {
    return new Bulk(value);
  }

  static Bulk bulk(String value) {
    return new Bulk(value.getBytes(StandardCharsets.UTF_8));
  }

  /** A bulk string, or the null bulk string when {@code value} is null. */
  static Reply bulkOrNull(byte[] value) {
    return value == null ? NULL : new Bulk(value);
  }

  static Array array(List<Reply> items) {
    return new Array(items);
  }

  /** A HELP reply: one status line per element, as Redis's addReplyHelp sends them. */
  static Array statusLines(List<String> lines) {
    List<Reply> out = new ArrayList<>(lines.size());
    for (String line : lines) {
      out.add(new Status(line));
    }
    return new Array(out);
  }

  static Array array(Reply... items) {
    return new Array(List.of(items));
  }
}
