package io.kvorum.storage.dump;

import io.kvorum.storage.hash.HashedMembers;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.Keyspace;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.list.StoredList;
import io.kvorum.storage.stream.StreamContent;
import io.kvorum.storage.string.StringEncoding;
import io.kvorum.storage.zset.SortedSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The value of one key as DUMP writes it and RESTORE reads it, apart from how Kvorum stores it:
 * {@link #of} reads a key's members into one, {@link #store} writes one as an ordinary Kvorum key
 * (members as sub-keys), so a restored 100k-field hash is a normal hash. Empty collections do not
 * exist, except streams. The flags say which
 * compact encoding Redis keeps the value in; they choose the RDB type a DUMP writes and the
 * encoding OBJECT ENCODING reports after a RESTORE.
 */
sealed interface DumpValue {

  /**
   * Stores the value at {@code key} with deadline {@code expireAt} (0: none), replacing {@code
   * old} (what a lookup returned, of any type, or null). The value is not empty.
   */
  void store(Keyspace ks, byte[] key, KeyMeta old, long expireAt);

  /** A string. */
  record StringValue(byte[] value) implements DumpValue {
    /** Encoded as Redis's {@code tryObjectEncoding} encodes a loaded string. */
    @Override
    public void store(Keyspace ks, byte[] key, KeyMeta old, long expireAt) {
      ks.putString(key, old, value, StringEncoding.forArgument(value), expireAt);
    }
  }

  /** A list, head to tail. */
  record ListValue(List<byte[]> elements) implements DumpValue {
    @Override
    public void store(Keyspace ks, byte[] key, KeyMeta old, long expireAt) {
      if (old != null) {
        ks.remove(key, old);
      }
      StoredList list = StoredList.create(ks, key, expireAt);
      for (byte[] e : elements) {
        list.append(e);
      }
      list.save();
    }
  }

  /** A set of distinct members; {@code intset} when Redis keeps it as an intset. */
  record SetValue(List<byte[]> members, boolean intset) implements DumpValue {
    @Override
    public void store(Keyspace ks, byte[] key, KeyMeta old, long expireAt) {
      long version = ks.newVersion();
      HashedMembers target = new HashedMembers(ks.data(), key, version);
      for (byte[] m : members) {
        target.put(m, NO_VALUE);
      }
      int encoding = intset ? KeyMeta.Encoding.INTSET : KeyMeta.Encoding.HASHTABLE;
      ks.put(key, old, KeyMeta.collection(RedisType.SET, encoding, expireAt, version,
          members.size(), NO_VALUE));
    }
  }

  /**
   * A hash: fields and values alternately, fields distinct; {@code listpack} when Redis keeps it
   * as a listpack.
   */
  record HashValue(List<byte[]> fieldsAndValues, boolean listpack) implements DumpValue {
    @Override
    public void store(Keyspace ks, byte[] key, KeyMeta old, long expireAt) {
      long version = ks.newVersion();
      HashedMembers target = new HashedMembers(ks.data(), key, version);
      for (int i = 0; i < fieldsAndValues.size(); i += 2) {
        target.put(fieldsAndValues.get(i), fieldsAndValues.get(i + 1));
      }
      int encoding = listpack ? KeyMeta.Encoding.LISTPACK : KeyMeta.Encoding.HASHTABLE;
      ks.put(key, old, KeyMeta.collection(RedisType.HASH, encoding, expireAt, version,
          fieldsAndValues.size() / 2, NO_VALUE));
    }
  }

  /**
   * A sorted set of distinct members without NaN scores, ascending by score then member when read
   * from a key; {@code listpack} when Redis keeps it as a listpack.
   */
  record ZsetValue(List<SortedSet.Entry> entries, boolean listpack) implements DumpValue {
    @Override
    public void store(Keyspace ks, byte[] key, KeyMeta old, long expireAt) {
      SortedSet z = SortedSet.create(ks, key, old,
          listpack ? KeyMeta.Encoding.LISTPACK : KeyMeta.Encoding.SKIPLIST, expireAt);
      for (SortedSet.Entry e : entries) {
        z.insert(e.member(), e.score());
      }
      z.commit();
    }
  }

  /** A stream, consumer groups included. */
  record StreamValue(StreamContent content) implements DumpValue {
    @Override
    public void store(Keyspace ks, byte[] key, KeyMeta old, long expireAt) {
      content.store(ks, key, old, expireAt);
    }
  }

  byte[] NO_VALUE = new byte[0];

  /** The value of {@code key}, whose metadata {@code meta} a lookup returned. */
  static DumpValue of(Keyspace ks, byte[] key, KeyMeta meta) {
    switch (meta.type()) {
      case STRING:
        return new StringValue(meta.value());
      case LIST: {
        StoredList list = StoredList.of(ks, key, meta);
        return new ListValue(list.range(0, list.size()));
      }
      case SET: {
        List<byte[]> members = new ArrayList<>();
        new HashedMembers(ks.data(), key, meta.version()).forEachWhile(e -> {
          members.add(e.member());
          return true;
        });
        return new SetValue(members, meta.encoding() == KeyMeta.Encoding.INTSET);
      }
      case HASH: {
        List<byte[]> flat = new ArrayList<>();
        new HashedMembers(ks.data(), key, meta.version()).forEachWhile(e -> {
          flat.add(e.member());
          flat.add(e.value());
          return true;
        });
        return new HashValue(flat, meta.encoding() == KeyMeta.Encoding.LISTPACK);
      }
      case ZSET: {
        SortedSet z = SortedSet.of(ks, key, meta);
        return new ZsetValue(z.all(), z.isListpack());
      }
      case STREAM:
        return new StreamValue(StreamContent.read(ks, key, meta));
      default:
        throw new IllegalStateException("DUMP of a " + meta.type().typeName());
    }
  }
}
