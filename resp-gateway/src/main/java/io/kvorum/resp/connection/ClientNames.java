package io.kvorum.resp.connection;

import io.kvorum.storage.reply.RedisError;

/** The character rule Redis applies to client names and library attributes. */
final class ClientNames {
  private ClientNames() {}

  /** Throws Redis's error unless every char is printable ASCII without space ('!' … '~'). */
  static void validate(String name) {
    if (!valid(name)) {
      throw new RedisError(
          "ERR Client names cannot contain spaces, newlines or special characters.");
    }
  }

  static boolean valid(String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch < '!' || ch > '~') {
        return false;
      }
    }
    return true;
  }
}
