package io.kvorum.storage.dump;

import io.kvorum.storage.dump.DumpValue.HashValue;
import io.kvorum.storage.dump.DumpValue.ListValue;
import io.kvorum.storage.dump.DumpValue.SetValue;
import io.kvorum.storage.dump.DumpValue.StreamValue;
import io.kvorum.storage.dump.DumpValue.StringValue;
import io.kvorum.storage.dump.DumpValue.ZsetValue;
import io.kvorum.storage.hash.HashCommands;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.number.PrintfFormat;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.set.SetEncoding;
import io.kvorum.storage.zset.SortedSet;
import io.kvorum.storage.zset.Strtod;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The DUMP payload format of Redis 7.0 ({@code createDumpPayload}, {@code verifyDumpPayload},
 * {@code rdbSaveObject}, {@code rdbLoadObject}): an RDB object type byte, the value in that type's
 * encoding, the RDB version (u16 LE) and a CRC-64 (u64 LE) of everything before it.
 *
 * <p>{@link #encode} writes what Redis 7.0 writes for a value in the same encoding: strings (as
 * small integers when they are), lists as QUICKLIST_2 with listpack nodes split where RPUSH would
 * split them, sets as INTSET or SET, hashes as a listpack or HASH, sorted sets as a listpack or
 * ZSET_2 (highest score first), streams as STREAM_LISTPACKS_2 ({@link StreamPayload}). {@link
 * #decode} reads every type Redis 7.0 loads, including the older encodings (ziplist, zipmap, linked
 * list, quicklist v1, the ASCII-score ZSET, Redis 6's STREAM_LISTPACKS) and LZF-compressed
 * strings, and decides the encoding the restored value gets as {@code rdbLoadObject} does. Module
 * values are not supported ("Bad data format").
 */
final class DumpPayload {
  /** Version (2 bytes) and checksum (8 bytes). */
  private static final int FOOTER = 10;
  /** Redis's double2ll range: integral scores within ±2^62 are stored as listpack integers. */
  private static final double LISTPACK_INTEGER_SCORE_LIMIT = 4611686018427387904.0;
  /** zzlStrtod reads at most this many bytes of a score stored as text. */
  private static final int SCORE_TEXT_LIMIT = 127;

  private DumpPayload() {}

  // ---- writing ------------------------------------------------------------------------------

  /** The DUMP payload of a value. */
  static byte[] encode(DumpValue value) {
    RdbWriter out = new RdbWriter();
    if (value instanceof StringValue s) {
      out.type(RdbType.STRING);
      out.string(s.value());
    } else if (value instanceof ListValue l) {
      List<byte[]> nodes = Listpack.quicklistNodes(l.elements());
      out.type(RdbType.LIST_QUICKLIST_2);
      out.length(nodes.size());
      for (byte[] node : nodes) {
        out.length(RdbType.NODE_PACKED);
        out.string(node);
      }
    } else if (value instanceof SetValue s) {
      if (s.intset()) {
        long[] ints = new long[s.members().size()];
        for (int i = 0; i < ints.length; i++) {
          ints[i] = RedisNumbers.parseLong(s.members().get(i));
        }
        out.type(RdbType.SET_INTSET);
        out.string(Intset.encode(ints));
      } else {
        out.type(RdbType.SET);
        out.length(s.members().size());
        for (byte[] m : s.members()) {
          out.string(m);
        }
      }
    } else if (value instanceof HashValue h) {
      if (h.listpack()) {
        Listpack.Builder lp = new Listpack.Builder();
        for (byte[] s : h.fieldsAndValues()) {
          lp.append(s);
        }
        out.type(RdbType.HASH_LISTPACK);
        out.string(lp.finish());
      } else {
        out.type(RdbType.HASH);
        out.length(h.fieldsAndValues().size() / 2);
        for (byte[] s : h.fieldsAndValues()) {
          out.string(s);
        }
      }
    } else if (value instanceof StreamValue s) {
      StreamPayload.write(out, s.content());
    } else if (value instanceof ZsetValue z) {
      if (z.listpack()) {
        Listpack.Builder lp = new Listpack.Builder();
        for (SortedSet.Entry e : z.entries()) {
          lp.append(e.member());
          appendScore(lp, e.score());
        }
        out.type(RdbType.ZSET_LISTPACK);
        out.string(lp.finish());
      } else {
        out.type(RdbType.ZSET_2);
        out.length(z.entries().size());
        // Redis walks the skiplist from the tail, so loading inserts each member at the head.
        for (int i = z.entries().size() - 1; i >= 0; i--) {
          out.string(z.entries().get(i).member());
          out.binaryDouble(z.entries().get(i).score());
        }
      }
    }
    return out.payload();
  }

  /**
   * A score in a sorted-set listpack ({@code zzlInsertAt}): an integer entry when the score is
   * integral and within ±2^62 (a negative zero becomes 0), else Redis 7.0's {@code d2string}
   * text: "inf", "-inf" or {@code %.17g}.
   */
  private static void appendScore(Listpack.Builder lp, double score) {
    if (score >= -LISTPACK_INTEGER_SCORE_LIMIT && score <= LISTPACK_INTEGER_SCORE_LIMIT
        && score == Math.rint(score)) {
      lp.appendInteger((long) score);
    } else if (Double.isInfinite(score)) {
      lp.appendString((score > 0 ? "inf" : "-inf").getBytes(StandardCharsets.US_ASCII));
    } else {
      lp.appendString(PrintfFormat.g17(score).getBytes(StandardCharsets.US_ASCII));
    }
  }

  // ---- reading ------------------------------------------------------------------------------

  /**
   * {@code verifyDumpPayload}: at least the footer, an RDB version Redis 7.0 can read (10 or
   * older), and a matching CRC-64.
   */
  static boolean verify(byte[] payload) {
    int n = payload.length;
    if (n < FOOTER) {
      return false;
    }
    int version = (payload[n - FOOTER] & 0xFF) | (payload[n - FOOTER + 1] & 0xFF) << 8;
    if (version > RdbType.RDB_VERSION) {
      return false;
    }
    return Crc64.of(payload, 0, n - 8) == Listpack.getLittle(payload, n - 8, 8);
  }

  /** The value of a verified payload; {@link CorruptPayload} when it cannot be decoded. */
  static DumpValue decode(byte[] payload) {
    RdbReader in = new RdbReader(payload);
    int type = in.u8();
    if (!RdbType.isObjectType(type)) {
      throw new CorruptPayload("unknown object type " + type);
    }
    return switch (type) {
      case RdbType.STRING -> new StringValue(in.string());
      case RdbType.LIST -> new ListValue(strings(in, nonEmpty(in.length()), 1));
      case RdbType.LIST_ZIPLIST -> new ListValue(nonEmpty(Ziplist.decode(in.string())));
      case RdbType.LIST_QUICKLIST, RdbType.LIST_QUICKLIST_2 ->
          new ListValue(quicklist(in, type == RdbType.LIST_QUICKLIST_2));
      case RdbType.SET -> set(strings(in, nonEmpty(in.length()), 1));
      case RdbType.SET_INTSET -> intset(Intset.decode(in.string()));
      case RdbType.ZSET, RdbType.ZSET_2 -> zset(in, type == RdbType.ZSET_2);
      case RdbType.ZSET_ZIPLIST -> packedZset(Ziplist.decode(in.string()));
      case RdbType.ZSET_LISTPACK -> packedZset(Listpack.decode(in.string()));
      case RdbType.HASH -> hash(strings(in, nonEmpty(in.length()), 2), true);
      case RdbType.HASH_ZIPMAP -> hash(Zipmap.decode(in.string()), true);
      case RdbType.HASH_ZIPLIST -> hash(Ziplist.decode(in.string()), false);
      case RdbType.HASH_LISTPACK -> hash(Listpack.decode(in.string()), false);
      case RdbType.STREAM_LISTPACKS, RdbType.STREAM_LISTPACKS_2 ->
          new StreamValue(StreamPayload.read(in, type == RdbType.STREAM_LISTPACKS_2));
      default -> throw new CorruptPayload("object type " + type + " (module) unsupported");
    };
  }

  private static long nonEmpty(long count) {
    if (count == 0) {
      // Redis refuses empty collections (rdbLoadObject's "emptykey").
      throw new CorruptPayload("empty collection");
    }
    return count;
  }

  private static List<byte[]> nonEmpty(List<byte[]> elements) {
    nonEmpty(elements.size());
    return elements;
  }

  /** {@code count} groups of {@code per} strings. */
  private static List<byte[]> strings(RdbReader in, long count, int per) {
    // Each string takes at least one byte: a count the payload cannot hold is refused before
    // anything is allocated for it.
    if (count > in.remaining() / per) {
      throw new CorruptPayload("payload truncated");
    }
    int n = (int) count * per;
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(in.string());
    }
    return out;
  }

  /**
   * Quicklist nodes: ziplists (v1), or a container number and then a listpack or a single plain
   * element (v2). Empty nodes are skipped, as Redis skips them; an empty list is refused.
   */
  private static List<byte[]> quicklist(RdbReader in, boolean v2) {
    long nodes = nonEmpty(in.length());
    List<byte[]> elements = new ArrayList<>();
    for (long i = 0; i < nodes; i++) {
      long container = v2 ? in.length() : RdbType.NODE_PACKED;
      if (container != RdbType.NODE_PACKED && container != RdbType.NODE_PLAIN) {
        throw new CorruptPayload("quicklist node container " + container);
      }
      byte[] blob = in.string();
      if (container == RdbType.NODE_PLAIN) {
        elements.add(blob);
      } else {
        elements.addAll(v2 ? Listpack.decode(blob) : Ziplist.decode(blob));
      }
    }
    return nonEmpty(elements);
  }

  /** A generic SET: an intset when at most 512 members, all integers (Redis converts on load). */
  private static SetValue set(List<byte[]> members) {
    distinct(members, 1);
    return new SetValue(members, SetEncoding.forContent(members) == KeyMeta.Encoding.INTSET);
  }

  private static SetValue intset(long[] values) {
    List<byte[]> members = new ArrayList<>(values.length);
    for (long v : values) {
      members.add(RedisNumbers.toBytes(v));
    }
    return new SetValue(members, values.length <= SetEncoding.MAX_INTSET_ENTRIES);
  }

  /**
   * ZSET (scores as text) and ZSET_2 (binary scores): a listpack when at most 128 members none
   * longer than 64 bytes (Redis converts after loading).
   */
  private static ZsetValue zset(RdbReader in, boolean binaryScores) {
    long count = nonEmpty(in.length());
    if (count > in.remaining() / 2) {
      throw new CorruptPayload("payload truncated");
    }
    List<SortedSet.Entry> entries = new ArrayList<>((int) count);
    int longest = 0;
    for (long i = 0; i < count; i++) {
      byte[] member = in.string();
      double score = binaryScores ? in.binaryDouble() : in.asciiDouble();
      entries.add(new SortedSet.Entry(member, score));
      longest = Math.max(longest, member.length);
    }
    return new ZsetValue(checkedEntries(entries),
        count <= SortedSet.MAX_LISTPACK_ENTRIES && longest <= SortedSet.MAX_LISTPACK_VALUE);
  }

  /**
   * A sorted set in a ziplist or listpack: member and score alternately, a score being an integer
   * entry or text read with {@code strtod}. Stays a listpack up to 128 members.
   */
  private static ZsetValue packedZset(List<byte[]> flat) {
    if (flat.size() % 2 != 0) {
      throw new CorruptPayload("sorted set with an odd number of entries");
    }
    nonEmpty(flat);
    List<SortedSet.Entry> entries = new ArrayList<>(flat.size() / 2);
    for (int i = 0; i < flat.size(); i += 2) {
      byte[] text = flat.get(i + 1);
      if (text.length > SCORE_TEXT_LIMIT) {
        text = Arrays.copyOf(text, SCORE_TEXT_LIMIT);
      }
      entries.add(new SortedSet.Entry(flat.get(i), Strtod.parse(text, 0).value()));
    }
    return new ZsetValue(checkedEntries(entries),
        entries.size() <= SortedSet.MAX_LISTPACK_ENTRIES);
  }

  private static List<SortedSet.Entry> checkedEntries(List<SortedSet.Entry> entries) {
    Set<ByteBuffer> seen = new HashSet<>();
    for (SortedSet.Entry e : entries) {
      if (Double.isNaN(e.score())) {
        throw new CorruptPayload("sorted set with a NaN score");
      }
      if (!seen.add(ByteBuffer.wrap(e.member()))) {
        throw new CorruptPayload("sorted set with a duplicate member");
      }
    }
    return entries;
  }

  /**
   * A hash, fields and values alternately. Loaded from the generic form or a zipmap it stays a
   * listpack up to 512 fields with no field or value over 64 bytes ({@code lengthsMatter}); from
   * a ziplist or listpack, up to 512 fields whatever their lengths.
   */
  private static HashValue hash(List<byte[]> flat, boolean lengthsMatter) {
    if (flat.size() % 2 != 0) {
      throw new CorruptPayload("hash with an odd number of entries");
    }
    nonEmpty(flat);
    distinct(flat, 2);
    boolean listpack = flat.size() / 2 <= HashCommands.MAX_LISTPACK_ENTRIES;
    if (lengthsMatter) {
      for (byte[] s : flat) {
        listpack &= s.length <= HashCommands.MAX_LISTPACK_VALUE;
      }
    }
    return new HashValue(flat, listpack);
  }

  /** Every {@code step}-th element from the first must be distinct (set members, hash fields). */
  private static void distinct(List<byte[]> items, int step) {
    Set<ByteBuffer> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i += step) {
      if (!seen.add(ByteBuffer.wrap(items.get(i)))) {
        throw new CorruptPayload("duplicate member");
      }
    }
  }
}
