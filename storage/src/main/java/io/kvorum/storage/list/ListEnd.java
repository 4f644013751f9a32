package io.kvorum.storage.list;

import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.reply.RedisError;

/** The end of a list a command pushes to or pops from: LEFT is the head, RIGHT the tail. */
enum ListEnd {
  LEFT,
  RIGHT;

  /** {@code LEFT} or {@code RIGHT} in any case, else Redis's syntax error. */
  static ListEnd parse(byte[] arg) {
    if (Keywords.is(arg, "right")) {
      return RIGHT;
    }
    if (Keywords.is(arg, "left")) {
      return LEFT;
    }
    throw RedisError.syntax();
  }
}
