package io.kvorum.storage.engine;

/** A RocksDB or file-system failure; unchecked so it never leaks a checked type across modules. */
public final class StorageException extends RuntimeException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  public StorageException(String message) {
    super(message);
  }
}
