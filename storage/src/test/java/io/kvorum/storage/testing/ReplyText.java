package io.kvorum.storage.testing;

import io.kvorum.storage.reply.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Compact text of a reply for assertions: bulk strings as their text, {@code :n} integers,
 * {@code +status}, {@code -error}, {@code (nil)}, {@code [a, b]} arrays (RESP3 maps and sets as
 * their RESP2 arrays, doubles as bulk strings).
 */
public final class ReplyText {
  private ReplyText() {}

  public static String of(Reply r) {
    if (r instanceof Reply.Bulk b) {
      return new String(b.value(), StandardCharsets.UTF_8);
    } else if (r instanceof Reply.Int i) {
      return ":" + i.value();
    } else if (r instanceof Reply.Status s) {
      return "+" + s.text();
    } else if (r instanceof Reply.Error e) {
      return "-" + e.text();
    } else if (r instanceof Reply.NullBulk || r instanceof Reply.NullArray) {
      return "(nil)";
    } else if (r instanceof Reply.Array a) {
      return list(a.items());
    } else if (r instanceof Reply.MapReply m) {
      return list(m.keysAndValues());
    } else if (r instanceof Reply.SetReply s) {
      return list(s.items());
    } else if (r instanceof Reply.Double d) {
      return d.text();
    }
    return String.valueOf(r);
  }

  private static String list(List<Reply> items) {
    return items.stream().map(ReplyText::of).collect(Collectors.joining(", ", "[", "]"));
  }
}
