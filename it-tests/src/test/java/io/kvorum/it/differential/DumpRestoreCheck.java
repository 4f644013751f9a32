package io.kvorum.it.differential;

import io.kvorum.it.differential.DifferentialRunner.Mismatch;
import io.kvorum.it.differential.DifferentialRunner.Step;
import io.kvorum.it.fixture.RespReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * DUMP ({@link Check#DUMP}) and RESTORE of dumped payloads ({@link Check#RESTORE_OWN},
 * {@link Check#RESTORE_ORACLE}, {@link Check#RESTORE_CORRUPT}).
 *
 * <p>Kvorum promises Redis 7.0's payload bytes for the encodings whose layout it reproduces, as
 * Redis writes them with rdbcompression off (Kvorum never compresses): strings, one-node
 * quicklists, intsets and sorted sets (listpack or skiplist). A hashtable set or hash is written
 * in dict order, a listpack hash in Kvorum's field order, and a longer quicklist split where RPUSH
 * would split it, so for those Redis itself judges the payload: it must RESTORE into the same
 * content and encoding as Redis's own payload does.
 *
 * <p>The oracle runs with sanitize-dump-payload on (see DifferentialTest): Kvorum decodes every
 * entry of a payload and so refuses what Redis's deep check refuses, such as an intset out of
 * order, which Redis's default shallow check lets through into a corrupt key.
 */
final class DumpRestoreCheck {

  private DumpRestoreCheck() {
  }

  /** RDB object types whose DUMP bytes Kvorum reproduces: string, zset-2, intset, zset listpack, quicklist-2. */
  private static final Set<Integer> SAME_BYTES = Set.of(0, 5, 11, 17, 18);
  /** Redis 7.0's stream payloads (STREAM_LISTPACKS, _2, _3). */
  private static final Set<Integer> STREAM_TYPES = Set.of(15, 19, 21);
  /**
   * Whether the target DUMPs and RESTOREs streams ({@code -Dkvorum.diff.streamPayloads}, on by
   * default; {@code =false} is for a target without stream payloads). Without
   * it a stream's payload is not compared, and RESTORE gets a bad payload instead. With it, Redis
   * judges the target's stream payload by its content (entries, IDs, counters, groups, PELs and
   * consumers; node layout and clock readings aside), and stream payloads are restored like any.
   */
  static final boolean STREAM_PAYLOADS =
      Boolean.parseBoolean(System.getProperty("kvorum.diff.streamPayloads", "true"));
  /** Keys on the oracle for restoring payloads there; deleted at once, outside the generator's pool. */
  private static final String MINE = "{dump-check}redis";
  private static final String THEIRS = "{dump-check}kvorum";
  /** What RESTORE gets when there is no payload to restore: both servers must refuse it. */
  private static final byte[] NO_PAYLOAD = "no payload".getBytes(StandardCharsets.US_ASCII);

  static Optional<Mismatch> dump(Step step) {
    String key = step.command.args().get(1);
    RespReply expected = step.onOracle(step.command.bytes());
    step.record(expected);
    RespReply actual;
    try {
      actual = step.onTarget(step.command.bytes());
    } catch (IOException e) {
      return step.targetFailed(e, expected);
    }
    if (isPayload(expected) && STREAM_TYPES.contains(type(expected)) && !STREAM_PAYLOADS) {
      return step.agreed("(a stream's payload: not compared without -Dkvorum.diff.streamPayloads)");
    }
    if (!isPayload(expected) || !isPayload(actual)) {
      return expected.sameBytes(actual) ? step.agreed(expected.render())
          : step.mismatch("reply bytes differ", expected, actual);
    }
    if (SAME_BYTES.contains(type(expected)) && !multiNodeList(expected)) {
      List<RespReply> replies = step.pipelineOnOracle(List.of(
          utf8("CONFIG", "SET", "rdbcompression", "no"), utf8("DUMP", key), utf8("CONFIG", "SET", "rdbcompression", "yes")));
      RespReply uncompressed = replies.get(1);
      if (!Arrays.equals(uncompressed.payload(), actual.payload())) {
        return step.mismatch("payload bytes differ from Redis's (rdbcompression off)", uncompressed, actual);
      }
      return step.agreed("(payload of RDB type " + type(expected) + ", " + actual.payload().length
          + " bytes, the same as Redis's uncompressed one)");
    }
    // Redis restores Kvorum's payload, and its own, and compares what it got.
    List<RespReply> restored = step.pipelineOnOracle(List.of(
        List.of(bytes("RESTORE"), bytes(MINE), bytes("0"), expected.payload(), bytes("REPLACE")),
        List.of(bytes("RESTORE"), bytes(THEIRS), bytes("0"), actual.payload(), bytes("REPLACE")),
        utf8("OBJECT", "ENCODING", MINE), utf8("OBJECT", "ENCODING", THEIRS),
        utf8("TYPE", MINE), utf8("TYPE", THEIRS)));
    String problem = null;
    if (!"OK".equals(restored.get(1).text()) || restored.get(1).isError()) {
      problem = "Redis cannot RESTORE the target's payload: " + restored.get(1).render();
    } else if (!restored.get(2).sameBytes(restored.get(3)) || !restored.get(4).sameBytes(restored.get(5))) {
      problem = "Redis restores the target's payload as " + restored.get(5).render() + "/" + restored.get(3).render()
          + ", its own as " + restored.get(4).render() + "/" + restored.get(2).render();
    } else {
      String type = restored.get(4).text();
      List<String> read = switch (type) {
        case "set" -> List.of("SMEMBERS");
        case "hash" -> List.of("HGETALL");
        case "list" -> List.of("LRANGE", "0", "-1");
        case "stream" -> List.of("XINFO", "STREAM", "FULL");
        default -> null;
      };
      if (read == null) {
        problem = "a payload of RDB type " + type(expected) + " (" + type + ") this check does not know";
      } else {
        List<RespReply> contents = step.pipelineOnOracle(List.of(withKey(read, MINE), withKey(read, THEIRS)));
        boolean same = switch (type) {
          case "list" -> contents.get(0).sameBytes(contents.get(1));
          case "stream" -> ReplyComparison.sameStreamContent(contents.get(0), contents.get(1)) == null;
          default -> ReplyComparison.sortedItems(contents.get(0), type.equals("hash"))
              .equals(ReplyComparison.sortedItems(contents.get(1), type.equals("hash")));
        };
        if (!same) {
          problem = "Redis restores the target's payload with other content: " + contents.get(1).render()
              + ", its own: " + contents.get(0).render();
        }
      }
    }
    step.onOracle("DEL", MINE, THEIRS);
    if (problem != null) {
      return step.mismatch(problem, expected, actual);
    }
    return step.agreed("(payload of RDB type " + type(expected) + ": Redis restores it into the same "
        + restored.get(4).text() + " (" + restored.get(2).text() + ") as its own)");
  }

  /** RESTORE dst ttl &lt;payload of DUMP of argument 3&gt; options…, the payload as the check says. */
  static Optional<Mismatch> restore(Step step) {
    List<String> args = step.command.args();
    String source = args.get(3);
    RespReply oraclePayload = step.onOracle("DUMP", source);
    byte[] forOracle = isPayload(oraclePayload) ? oraclePayload.payload() : NO_PAYLOAD;
    if (isPayload(oraclePayload) && STREAM_TYPES.contains(type(oraclePayload)) && !STREAM_PAYLOADS) {
      forOracle = NO_PAYLOAD;
    }
    byte[] forTarget = forOracle;
    String origin;
    switch (step.command.check()) {
      case RESTORE_OWN -> {
        RespReply targetPayload;
        try {
          targetPayload = step.onTarget("DUMP", source);
        } catch (IOException e) {
          return step.targetFailed(e, oraclePayload);
        }
        if (forOracle != NO_PAYLOAD) {
          if (!isPayload(targetPayload)) {
            return step.mismatch("before it, DUMP " + source + " gave no payload", oraclePayload, targetPayload);
          }
          forTarget = targetPayload.payload();
        } else if (!isPayload(oraclePayload) && !oraclePayload.sameBytes(targetPayload)) {
          return step.mismatch("before it, DUMP " + source + " differs", oraclePayload, targetPayload);
        }
        origin = "each server's own DUMP of " + source;
      }
      case RESTORE_CORRUPT -> {
        if (forOracle != NO_PAYLOAD) {
          forOracle = corrupt(forOracle, args.hashCode());
          forTarget = forOracle;
        }
        origin = "Redis's DUMP of " + source + ", damaged";
      }
      default -> origin = "Redis's DUMP of " + source;
    }
    if (forOracle == NO_PAYLOAD) {
      origin = "\"" + new String(NO_PAYLOAD, StandardCharsets.US_ASCII) + "\" (" + source + " has no payload to restore)";
    }
    RespReply expected = step.onOracle(withPayload(step.command, forOracle));
    step.record(expected);
    RespReply actual;
    try {
      actual = step.onTarget(withPayload(step.command, forTarget));
    } catch (IOException e) {
      return step.targetFailed(e, expected);
    }
    if (!expected.sameBytes(actual)) {
      return step.mismatch("reply bytes differ (payload: " + origin + ")", expected, actual);
    }
    return step.agreed(expected.render() + "   (payload: " + origin + ")");
  }

  /**
   * A damaged copy of a payload: a wrong checksum, a newer RDB version, a cut-off value (Redis
   * reads a value on into the version and checksum bytes, so this may still load) or an unknown
   * type with a valid checksum.
   */
  static byte[] corrupt(byte[] payload, int choice) {
    byte[] damaged;
    switch (Math.floorMod(choice, 4)) {
      case 0 -> {
        damaged = payload.clone();
        damaged[damaged.length - 1] ^= 0x5a;
        return damaged;
      }
      case 1 -> {
        damaged = payload.clone();
        damaged[damaged.length - 10] = 11; // RDB version 11: newer than Redis 7.0 reads
        return withChecksum(damaged);
      }
      case 2 -> {
        int body = payload.length - 10;
        damaged = new byte[Math.max(1, body / 2) + 10];
        System.arraycopy(payload, 0, damaged, 0, damaged.length - 10);
        System.arraycopy(payload, body, damaged, damaged.length - 10, 2);
        return withChecksum(damaged);
      }
      default -> {
        damaged = payload.clone();
        damaged[0] = (byte) 200; // no such object type
        return withChecksum(damaged);
      }
    }
  }

  /** The payload with its last 8 bytes replaced by the CRC-64 of the rest, as Redis computes it. */
  static byte[] withChecksum(byte[] payload) {
    long crc = crc64(payload, payload.length - 8);
    for (int i = 0; i < 8; i++) {
      payload[payload.length - 8 + i] = (byte) (crc >>> (8 * i));
    }
    return payload;
  }

  private static final long[] CRC_TABLE = new long[256];

  static {
    for (int i = 0; i < 256; i++) {
      long c = i;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? (c >>> 1) ^ 0x95AC9329AC4BC9B5L : c >>> 1; // Jones polynomial, reflected
      }
      CRC_TABLE[i] = c;
    }
  }

  /** Redis's crc64 (Jones, reflected, no final xor) of the first {@code length} bytes. */
  static long crc64(byte[] data, int length) {
    long crc = 0;
    for (int i = 0; i < length; i++) {
      crc = CRC_TABLE[(int) ((crc ^ data[i]) & 0xff)] ^ (crc >>> 8);
    }
    return crc;
  }

  private static List<byte[]> withPayload(GeneratedCommand command, byte[] payload) {
    List<byte[]> args = new ArrayList<>(command.bytes());
    args.set(3, payload);
    return args;
  }

  /**
   * A quicklist of more than one node: where Redis's nodes end depends on the list's history
   * (a pop shrinks a node, a push at the head starts one), and Kvorum promises only RPUSH's
   * splits, so such a payload is judged by its content.
   */
  private static boolean multiNodeList(RespReply payload) {
    byte[] bytes = payload.payload();
    return type(payload) == 18 && bytes.length > 1 && bytes[1] != 1; // RDB length 1: one node
  }

  /** The read with the key after its name (and subcommand: XINFO STREAM key FULL). */
  private static List<byte[]> withKey(List<String> read, String key) {
    int at = read.get(0).equals("XINFO") ? 2 : 1;
    List<String> args = new ArrayList<>(read.subList(0, at));
    args.add(key);
    args.addAll(read.subList(at, read.size()));
    return utf8(args.toArray(String[]::new));
  }

  private static boolean isPayload(RespReply reply) {
    return reply.kind() == RespReply.Kind.BULK_STRING && !reply.isNull() && reply.payload().length > 0;
  }

  private static int type(RespReply payload) {
    return payload.payload()[0] & 0xff;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static List<byte[]> utf8(String... args) {
    return io.kvorum.it.fixture.RawResp.utf8(args);
  }
}
