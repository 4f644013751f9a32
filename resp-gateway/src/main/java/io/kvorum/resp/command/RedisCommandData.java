package io.kvorum.resp.command;

import io.kvorum.resp.protocol.RespReplyParser;
import io.kvorum.storage.reply.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Redis 7.0.15's own command metadata, captured once from a real redis-server by
 * {@code tools/capture-redis-commands.py} as raw RESP3 bytes: {@code HELLO 3}, {@code COMMAND INFO}
 * and {@code COMMAND DOCS}. Kvorum answers COMMAND INFO's key specifications and COMMAND DOCS from
 * it. Source: Redis 7.0 (src/commands/*.json), BSD-3-Clause, Copyright (c) 2006-2022 Salvatore
 * Sanfilippo and Redis Ltd.
 */
public final class RedisCommandData {
  static final String RESOURCE = "redis-7.0-commands.resp3";

  private final Map<String, Reply.Array> info = new HashMap<>();
  private final Map<String, Reply.MapReply> docs = new HashMap<>();

  private RedisCommandData(byte[] resp3) {
    List<Reply> replies = RespReplyParser.parseAll(resp3);
    if (replies.size() != 3) {
      throw new IllegalStateException(RESOURCE + " must hold HELLO, COMMAND INFO and COMMAND DOCS");
    }
    for (Reply r : ((Reply.Array) replies.get(1)).items()) {
      addInfo((Reply.Array) r);
    }
    addDocs((Reply.MapReply) replies.get(2));
  }

  /** The data shipped in this module's resources (parsed once). */
  public static RedisCommandData load() {
    return Holder.DATA;
  }

  private static final class Holder {
    static final RedisCommandData DATA = read();

    private static RedisCommandData read() {
      try (InputStream in = RedisCommandData.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + RESOURCE);
        }
        return new RedisCommandData(in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private void addInfo(Reply.Array entry) {
    String name = text(entry.items().get(0));
    info.put(name, entry);
    Reply subs = entry.items().get(9);
    for (Reply sub : items(subs)) {
      addInfo((Reply.Array) sub);
    }
  }

  private void addDocs(Reply.MapReply map) {
    List<Reply> kv = map.keysAndValues();
    for (int i = 0; i < kv.size(); i += 2) {
      String name = text(kv.get(i));
      Reply.MapReply doc = (Reply.MapReply) kv.get(i + 1);
      docs.put(name, doc);
      Reply subs = field(doc, "subcommands");
      if (subs instanceof Reply.MapReply m) {
        addDocs(m);
      }
    }
  }

  /** Redis's COMMAND INFO entry (10 fields) for a full name such as {@code get} or {@code client|id}. */
  public Reply.Array info(String fullName) {
    return info.get(fullName);
  }

  /** Redis's COMMAND DOCS map for a full name, subcommands included for containers. */
  public Reply.MapReply docs(String fullName) {
    return docs.get(fullName);
  }

  /** Every full name Redis 7.0 knows, subcommands included. */
  public java.util.Set<String> names() {
    return info.keySet();
  }

  /** The value stored under {@code key} in a RESP map, or null. */
  public static Reply field(Reply.MapReply map, String key) {
    List<Reply> kv = map.keysAndValues();
    for (int i = 0; i < kv.size(); i += 2) {
      if (text(kv.get(i)).equals(key)) {
        return kv.get(i + 1);
      }
    }
    return null;
  }

  /** Items of an array or set reply. */
  public static List<Reply> items(Reply r) {
    if (r instanceof Reply.Array a) {
      return a.items();
    }
    if (r instanceof Reply.SetReply s) {
      return s.items();
    }
    return List.of();
  }

  /** The text of a bulk string or status reply. */
  public static String text(Reply r) {
    if (r instanceof Reply.Bulk b) {
      return b.utf8();
    }
    if (r instanceof Reply.Status s) {
      return s.text();
    }
    throw new IllegalArgumentException("not a string reply: " + r);
  }
}
