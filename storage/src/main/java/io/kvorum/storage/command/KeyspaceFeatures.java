package io.kvorum.storage.command;

import io.kvorum.storage.expiry.ExpiryCommands;
import io.kvorum.storage.generic.ExpireCommands;
import io.kvorum.storage.generic.KeyCommands;
import io.kvorum.storage.generic.KeyspaceWideCommands;
import io.kvorum.storage.generic.ObjectCommands;
import io.kvorum.storage.string.StringCommands;
import java.util.ArrayList;
import java.util.List;

/** The feature packages whose commands make up the keyspace command table. */
final class KeyspaceFeatures {
  private KeyspaceFeatures() {}

  static List<List<KeyspaceCommand>> all() {
    return List.of(
        StringCommands.table(),
        KeyCommands.table(),
        ExpireCommands.table(),
        ObjectCommands.table(),
        KeyspaceWideCommands.table());
  }

  static List<KeyspaceCommand> internal() {
    List<KeyspaceCommand> internal = new ArrayList<>(ExpiryCommands.internal());
    internal.addAll(KeyspaceWideCommands.internal());
    return internal;
  }
}
