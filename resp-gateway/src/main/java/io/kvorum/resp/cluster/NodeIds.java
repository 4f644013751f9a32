package io.kvorum.resp.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Redis Cluster node ids are 40 lower-case hex characters; other ids are mapped by SHA-1. */
public final class NodeIds {
  private static final Pattern REDIS_ID = Pattern.compile("[0-9a-f]{40}");

  private NodeIds() {}

  /** The id clients see for a node id of the cluster map. */
  public static String redisId(String id) {
    if (id == null) {
      return null;
    }
    if (REDIS_ID.matcher(id).matches()) {
      return id;
    }
    try {
      byte[] sha = MessageDigest.getInstance("SHA-1").digest(id.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
