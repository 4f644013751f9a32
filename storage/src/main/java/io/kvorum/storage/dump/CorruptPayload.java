package io.kvorum.storage.dump;

/**
 * A RESTORE payload whose checksum is right but whose value cannot be decoded (Redis's {@code
 * rdbReportCorruptRDB}); RESTORE answers it with "ERR Bad data format". The message says what was
 * wrong, for the log.
 */
final class CorruptPayload extends RuntimeException {
  CorruptPayload(String message) {
    super(message, null, false, false);
  }
}
