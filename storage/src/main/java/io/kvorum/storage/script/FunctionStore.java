package io.kvorum.storage.script;

import io.kvorum.storage.engine.Column;
import io.kvorum.storage.engine.DataView;
import io.kvorum.storage.keyspace.Keyspace;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The function libraries of one slot group, kept in its RocksDB system column like the script
 * cache (written by log entries, replicated, snapshotted): {@code function:lib:<name>} → the
 * library's code, and {@code function:fn:<lower-case function name>} → the library that
 * registered it, since Redis looks functions up ignoring case and refuses a name two libraries
 * register.
 */
final class FunctionStore {
  private static final String LIB = "function:lib:";
  private static final String FN = "function:fn:";
  private static final byte[] ALL_FROM = "function:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ALL_TO = "function;".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LIB_FROM = LIB.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LIB_TO = "function:lib;".getBytes(StandardCharsets.US_ASCII);

  private FunctionStore() {}

  private static byte[] key(String prefix, String name) {
    return (prefix + name).getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The code of library {@code name}, or null. */
  static byte[] code(Keyspace ks, String name) {
    return ks.data().get(Column.SYSTEM, key(LIB, name));
  }

  /** The library that registered function {@code name} (any case), or null. */
  static String owner(Keyspace ks, String function) {
    byte[] v = ks.data().get(Column.SYSTEM, key(FN, function.toLowerCase(Locale.ROOT)));
    return v == null ? null : new String(v, StandardCharsets.ISO_8859_1);
  }

  /** Every library's code, by name. */
  static List<byte[]> libraries(Keyspace ks) {
    List<byte[]> out = new ArrayList<>();
    try (DataView.Cursor c = ks.data().scan(Column.SYSTEM, LIB_FROM, LIB_TO, false)) {
      for (; c.valid(); c.next()) {
        out.add(c.value());
      }
    }
    return out;
  }

  /** Stores {@code lib}, replacing the functions of a library of the same name. */
  static void put(Keyspace ks, FunctionLibrary lib) {
    delete(ks, lib.name());
    ks.data().put(Column.SYSTEM, key(LIB, lib.name()), lib.code());
    byte[] owner = lib.name().getBytes(StandardCharsets.ISO_8859_1);
    for (FunctionLibrary.Function f : lib.functions()) {
      ks.data().put(Column.SYSTEM, key(FN, f.name().toLowerCase(Locale.ROOT)), owner);
    }
  }

  /** Removes library {@code name} and its functions; false when there is none. */
  static boolean delete(Keyspace ks, String name) {
    byte[] code = code(ks, name);
    if (code == null) {
      return false;
    }
    for (FunctionLibrary.Function f : FunctionLibrary.load(ks, code).functions()) {
      ks.data().delete(Column.SYSTEM, key(FN, f.name().toLowerCase(Locale.ROOT)));
    }
    ks.data().delete(Column.SYSTEM, key(LIB, name));
    return true;
  }

  /** FUNCTION FLUSH: one range deletion. */
  static void flush(Keyspace ks) {
    ks.data().deleteRange(Column.SYSTEM, ALL_FROM, ALL_TO);
  }
}
