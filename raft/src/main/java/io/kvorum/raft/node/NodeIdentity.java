package io.kvorum.raft.node;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The node's id, kept in {@code <data-dir>/node.properties} so a restart on the same data dir is
 * the same node. Ids are 40 hex characters, like Redis Cluster node ids.
 */
public final class NodeIdentity {
  private static final String FILE = "node.properties";

  private NodeIdentity() {}

  /**
   * The stored id; or {@code requested} (or a fresh random id) stored now on first start. Fails if
   * the data dir already belongs to a different node id than {@code requested}.
   */
  public static String loadOrCreate(Path dataDir, String requested) {
    Path file = dataDir.resolve(FILE);
    try {
      Files.createDirectories(dataDir);
      if (Files.exists(file)) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          p.load(r);
        }
        String stored = p.getProperty("node.id");
        if (requested != null && !requested.equals(stored)) {
          throw new IllegalStateException("data dir " + dataDir + " belongs to node " + stored
              + ", not " + requested);
        }
        return stored;
      }
      String id = requested != null ? requested : randomId();
      validate(id);
      Properties p = new Properties();
      p.setProperty("node.id", id);
      Path tmp = dataDir.resolve(FILE + ".tmp");
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        p.store(w, "Kvorum node identity; do not edit");
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    }
  }

  static String randomId() {
    byte[] b = new byte[20];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Node ids appear in CLUSTER NODES lines and Raft peer ids: no spaces or separators. */
  static void validate(String id) {
    if (!id.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException(
          "node id must be 1-64 characters of letters, digits, '_', '.' or '-': " + id);
    }
  }
}
