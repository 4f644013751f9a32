package io.kvorum.storage.dump;

/**
 * The object type bytes of the RDB format as Redis 7.0 ({@code RDB_VERSION} 10) knows them: the
 * first byte of a DUMP payload. Types 0 to 5 are the original generic forms, 9 to 19 the
 * compact encodings added over the years; Redis 7.0 writes 0, 2, 4, 5, 11, 16, 17 and 18, and
 * still loads the others.
 */
final class RdbType {
  static final int STRING = 0;
  static final int LIST = 1;
  static final int SET = 2;
  static final int ZSET = 3;
  static final int HASH = 4;
  static final int ZSET_2 = 5;
  static final int MODULE = 6;
  static final int MODULE_2 = 7;
  static final int HASH_ZIPMAP = 9;
  static final int LIST_ZIPLIST = 10;
  static final int SET_INTSET = 11;
  static final int ZSET_ZIPLIST = 12;
  static final int HASH_ZIPLIST = 13;
  static final int LIST_QUICKLIST = 14;
  static final int STREAM_LISTPACKS = 15;
  static final int HASH_LISTPACK = 16;
  static final int ZSET_LISTPACK = 17;
  static final int LIST_QUICKLIST_2 = 18;
  static final int STREAM_LISTPACKS_2 = 19;

  /** The RDB version Redis 7.0 writes into a payload's footer; newer payloads are refused. */
  static final int RDB_VERSION = 10;

  /** QUICKLIST_2 node containers: a single element stored as is, or a listpack of elements. */
  static final int NODE_PLAIN = 1;
  static final int NODE_PACKED = 2;

  private RdbType() {}

  /** Redis 7.0's {@code rdbIsObjectType}: 8 was never used. */
  static boolean isObjectType(int type) {
    return (type >= STRING && type <= MODULE_2)
        || (type >= HASH_ZIPMAP && type <= STREAM_LISTPACKS_2);
  }
}
