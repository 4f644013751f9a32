package io.kvorum.storage.script;

import io.kvorum.storage.reply.RedisError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.Set;

/**
 * An EVAL script: its body, SHA1 and the flags of its shebang line. A script without a shebang
 * runs in Redis's compatibility mode ({@link #shebang} false): it may write, and may touch keys
 * it did not declare as long as they are local.
 *
 * @param bodyOffset where the Lua code starts: Redis compiles the body after the shebang line
 *     but keeps its newline, so line numbers in errors stay those of the script
 */
public record LuaScript(String sha, byte[] body, boolean shebang, Set<ScriptFlag> flags,
    int bodyOffset) {

  /** Parses a script body; throws Redis's error for a bad shebang line. */
  public static LuaScript parse(byte[] body) {
    String sha = sha1hex(body);
    if (body.length < 2 || body[0] != '#' || body[1] != '!') {
      return new LuaScript(sha, body, false, Set.of(), 0);
    }
    int end = indexOf(body, (byte) '\n');
    if (end < 0) {
      throw new RedisError("ERR Invalid script shebang");
    }
    String line = new String(body, 0, end, StandardCharsets.ISO_8859_1);
    String[] parts = line.trim().split("[ \t\r]+");
    if (parts.length == 0 || parts[0].isEmpty()) {
      throw new RedisError("ERR Invalid engine in script shebang");
    }
    if (!parts[0].equals("#!lua")) {
      throw new RedisError("ERR Unexpected engine in script shebang: " + parts[0]);
    }
    EnumSet<ScriptFlag> flags = EnumSet.noneOf(ScriptFlag.class);
    for (int i = 1; i < parts.length; i++) {
      if (!parts[i].startsWith("flags=")) {
        throw new RedisError("ERR Unknown lua shebang option: " + parts[i]);
      }
      String list = parts[i].substring("flags=".length());
      if (list.isEmpty()) {
        continue;
      }
      for (String name : list.split(",", -1)) {
        ScriptFlag f = ScriptFlag.of(name);
        if (f == null) {
          throw new RedisError("ERR Unexpected flag in script shebang: " + name);
        }
        flags.add(f);
      }
    }
    return new LuaScript(sha, body, true, Set.copyOf(flags), end);
  }

  /** True when the script may not write: EVAL_RO or {@code flags=no-writes}. */
  public boolean noWrites() {
    return flags.contains(ScriptFlag.NO_WRITES);
  }

  /** Lower-case hex SHA1 of {@code data}, as SCRIPT LOAD and redis.sha1hex give it. */
  public static String sha1hex(byte[] data) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-1").digest(data);
      StringBuilder sb = new StringBuilder(40);
      for (byte b : d) {
        sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }

  private static int indexOf(byte[] b, byte c) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }
}
