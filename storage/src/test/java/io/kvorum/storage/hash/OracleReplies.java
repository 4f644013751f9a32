package io.kvorum.storage.hash;

import io.kvorum.storage.reply.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Comparing our replies with what a redis-server sent, in RESP2 or RESP3. */
public final class OracleReplies {
  private OracleReplies() {}

  /** Our reply as a client of the given protocol would parse it. */
  public static Reply wire(Reply r, boolean resp3) {
    if (r instanceof Reply.Array a) {
      return Reply.array(wireAll(a.items(), resp3));
    } else if (r instanceof Reply.MapReply m) {
      return resp3 ? new Reply.MapReply(wireAll(m.keysAndValues(), true))
          : Reply.array(wireAll(m.keysAndValues(), false));
    } else if (r instanceof Reply.SetReply s) {
      return resp3 ? new Reply.SetReply(wireAll(s.items(), true))
          : Reply.array(wireAll(s.items(), false));
    } else if (r instanceof Reply.Push p) {
      return resp3 ? new Reply.Push(wireAll(p.items(), true)) : Reply.array(wireAll(p.items(), false));
    } else if (r instanceof Reply.NullArray) {
      return resp3 ? Reply.NULL : r;
    } else if (!resp3 && r instanceof Reply.Double d) {
      return Reply.bulk(d.text());
    } else if (!resp3 && r instanceof Reply.Bool b) {
      return Reply.integer(b.value() ? 1 : 0);
    } else if (!resp3 && r instanceof Reply.Verbatim v) {
      return Reply.bulk(v.value());
    } else if (!resp3 && r instanceof Reply.BigNumber n) {
      return Reply.bulk(n.digits());
    }
    return r;
  }

  private static List<Reply> wireAll(List<Reply> items, boolean resp3) {
    List<Reply> out = new ArrayList<>(items.size());
    for (Reply r : items) {
      out.add(wire(r, resp3));
    }
    return out;
  }

  /** Structural equality, byte strings compared by content. */
  public static boolean same(Reply a, Reply b) {
    if (a.getClass() != b.getClass()) {
      return false;
    }
    if (a instanceof Reply.Bulk x) {
      return Arrays.equals(x.value(), ((Reply.Bulk) b).value());
    }
    List<Reply> xs = children(a);
    if (xs != null) {
      List<Reply> ys = children(b);
      if (xs.size() != ys.size()) {
        return false;
      }
      for (int i = 0; i < xs.size(); i++) {
        if (!same(xs.get(i), ys.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Reply.Verbatim x) {
      Reply.Verbatim y = (Reply.Verbatim) b;
      return x.format().equals(y.format()) && Arrays.equals(x.value(), y.value());
    }
    return a.equals(b);
  }

  /** The elements of an aggregate reply (a map's keys and values alternate), else null. */
  public static List<Reply> children(Reply r) {
    if (r instanceof Reply.Array a) {
      return a.items();
    } else if (r instanceof Reply.MapReply m) {
      return m.keysAndValues();
    } else if (r instanceof Reply.SetReply s) {
      return s.items();
    } else if (r instanceof Reply.Push p) {
      return p.items();
    }
    return null;
  }

  /** Whether two aggregates of the same kind hold the same elements in any order. */
  public static boolean sameUnordered(Reply a, Reply b) {
    if (a.getClass() != b.getClass() || children(a) == null) {
      return same(a, b);
    }
    return multiset(children(a), 1).equals(multiset(children(b), 1));
  }

  /** Like {@link #sameUnordered}, but elements go in groups of {@code n} (field, value pairs). */
  public static boolean sameUnorderedGroups(Reply a, Reply b, int n) {
    if (a.getClass() != b.getClass() || children(a) == null) {
      return same(a, b);
    }
    return multiset(children(a), n).equals(multiset(children(b), n));
  }

  /** Counts of each group of {@code n} consecutive elements, rendered. */
  public static Map<String, Integer> multiset(List<Reply> items, int n) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i + n <= items.size(); i += n) {
      StringBuilder key = new StringBuilder();
      for (int j = 0; j < n; j++) {
        key.append(render(items.get(i + j))).append(' ');
      }
      counts.merge(key.toString(), 1, Integer::sum);
    }
    return counts;
  }

  public static String render(Reply r) {
    if (r instanceof Reply.Bulk b) {
      return quote(b.value());
    } else if (r instanceof Reply.MapReply m) {
      return "%" + renderAll(m.keysAndValues());
    } else if (r instanceof Reply.SetReply s) {
      return "~" + renderAll(s.items());
    } else if (r instanceof Reply.Array a) {
      return renderAll(a.items());
    }
    return String.valueOf(r);
  }

  private static String renderAll(List<Reply> items) {
    List<String> parts = new ArrayList<>();
    for (Reply item : items) {
      parts.add(render(item));
    }
    String s = parts.toString();
    return s.length() > 600 ? s.substring(0, 600) + "…(" + items.size() + " items)" : s;
  }

  /** An argument or bulk string, quoted, non-printable bytes escaped. */
  public static String quote(byte[] a) {
    StringBuilder s = new StringBuilder("\"");
    for (byte x : a) {
      int c = x & 0xFF;
      if (c == '"' || c == '\\') {
        s.append('\\').append((char) c);
      } else if (c >= 32 && c < 127) {
        s.append((char) c);
      } else {
        s.append(String.format("\\x%02x", c));
      }
    }
    return s.append('"').toString();
  }

  public static String show(byte[][] args) {
    StringBuilder s = new StringBuilder();
    for (byte[] a : args) {
      if (s.length() > 0) {
        s.append(' ');
      }
      s.append(a.length > 40 ? quote(Arrays.copyOf(a, 12)) + "…(" + a.length + ")" : quote(a));
      if (s.length() > 400) {
        return s.append(" … (").append(args.length).append(" args)").toString();
      }
    }
    return s.toString();
  }
}
