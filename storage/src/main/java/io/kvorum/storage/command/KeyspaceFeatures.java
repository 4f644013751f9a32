package io.kvorum.storage.command;

import io.kvorum.storage.bitmap.BitmapCommands;
import io.kvorum.storage.dump.DumpCommands;
import io.kvorum.storage.expiry.ExpiryCommands;
import io.kvorum.storage.generic.ExpireCommands;
import io.kvorum.storage.generic.KeyCommands;
import io.kvorum.storage.generic.KeyspaceWideCommands;
import io.kvorum.storage.generic.MemoryCommands;
import io.kvorum.storage.generic.ObjectCommands;
import io.kvorum.storage.geo.GeoCommands;
import io.kvorum.storage.hash.HashCommands;
import io.kvorum.storage.hyperloglog.HyperLogLogCommands;
import io.kvorum.storage.list.ListCommands;
import io.kvorum.storage.script.FunctionCommands;
import io.kvorum.storage.script.ScriptCommands;
import io.kvorum.storage.set.SetCommands;
import io.kvorum.storage.sort.SortCommands;
import io.kvorum.storage.stream.StreamCommands;
import io.kvorum.storage.string.StringCommands;
import io.kvorum.storage.zset.ZsetCommands;
import java.util.ArrayList;
import java.util.List;

/** The feature packages whose commands make up the keyspace command table. */
final class KeyspaceFeatures {
  private KeyspaceFeatures() {}

  static List<List<KeyspaceCommand>> all() {
    return List.of(
        StringCommands.table(),
        ZsetCommands.table(),
        GeoCommands.table(),
        KeyCommands.table(),
        ExpireCommands.table(),
        ObjectCommands.table(),
        MemoryCommands.table(),
        KeyspaceWideCommands.table(),
        HashCommands.table(),
        SetCommands.table(),
        BitmapCommands.table(),
        HyperLogLogCommands.table(),
        ListCommands.table(),
        DumpCommands.table(),
        SortCommands.table(),
        StreamCommands.table(),
        ScriptCommands.table(),
        FunctionCommands.table());
  }

  static List<KeyspaceCommand> internal() {
    List<KeyspaceCommand> internal = new ArrayList<>(ExpiryCommands.internal());
    internal.addAll(KeyspaceWideCommands.internal());
    return internal;
  }
}
