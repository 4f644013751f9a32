package io.kvorum.storage.keyspace;

/**
 * One keyspace notification a write caused, as Redis's notifyKeyspaceEvent would publish it:
 * its class (Redis's flag letter: {@code g $ l s h z x e t n}), its event name ({@code set},
 * {@code lpush}, {@code expired} …) and the key.
 */
public record KeyspaceEvent(char type, String event, byte[] key) {
  public static final char GENERIC = 'g';
  public static final char STRING = '$';
  public static final char LIST = 'l';
  public static final char SET = 's';
  public static final char HASH = 'h';
  public static final char ZSET = 'z';
  public static final char EXPIRED = 'x';
  public static final char EVICTED = 'e';
  public static final char STREAM = 't';
  public static final char NEW = 'n';
}
