package io.kvorum.storage.dump;

import io.kvorum.storage.reply.RedisError;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of FUNCTION DUMP and FUNCTION RESTORE (Redis 7.0's functionDumpCommand and
 * functionRestoreCommand): each library's code after an {@code RDB_OPCODE_FUNCTION2} byte, then
 * the RDB version and CRC-64 as in a key's DUMP payload.
 */
public final class FunctionPayload {
  /** RDB_OPCODE_FUNCTION2: a library saved as its code. */
  static final int FUNCTION2 = 245;
  /** RDB_OPCODE_FUNCTION: the pre-GA (7.0 release candidate) format. */
  static final int FUNCTION_PRE_GA = 246;
  private static final int FOOTER = 10;

  private FunctionPayload() {}

  /** The payload holding {@code codes}, one library each. */
  public static byte[] encode(List<byte[]> codes) {
    RdbWriter out = new RdbWriter();
    for (byte[] code : codes) {
      out.type(FUNCTION2);
      out.string(code);
    }
    return out.payload();
  }

  /** The library codes of a payload, with Redis's errors for a bad one. */
  public static List<byte[]> decode(byte[] payload) {
    if (!DumpPayload.verify(payload)) {
      throw new RedisError("ERR DUMP payload version or checksum are wrong");
    }
    RdbReader in = new RdbReader(payload);
    List<byte[]> codes = new ArrayList<>();
    while (in.remaining() > FOOTER) {
      int type = in.u8();
      if (type == FUNCTION_PRE_GA) {
        throw new RedisError("ERR Pre-GA function format not supported");
      }
      if (type != FUNCTION2) {
        throw new RedisError("ERR given type is not a function");
      }
      try {
        codes.add(in.string());
      } catch (CorruptPayload e) {
        throw new RedisError("ERR Failed loading library payload");
      }
    }
    return codes;
  }
}
