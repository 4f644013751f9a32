package io.kvorum.server.snapshot;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One node-wide cap on the bytes/s of all snapshot transfers it sends (a token bucket shared by
 * every sender, so that {@code --max-moves} moves at once still stay under it together). A
 * sender asks before each chunk and is scheduled after every byte granted before it; no credit
 * builds up while idle, so the bytes started by time t never exceed rate × t plus one chunk.
 */
public final class TransferRate {
  private final long bytesPerSecond;
  private final LongAdder granted = new LongAdder();
  /** When the next chunk may start (System.nanoTime()); guarded by this. */
  private long nextFreeNanos = System.nanoTime();

  /** @param bytesPerSecond the cap; 0 for none */
  public TransferRate(long bytesPerSecond) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bytes per second must be 0 (unlimited) or positive");
    }
    this.bytesPerSecond = bytesPerSecond;
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  /** Bytes granted so far (all senders). */
  public long granted() {
    return granted.sum();
  }

  /** Waits until {@code bytes} more may be sent. */
  public void acquire(long bytes) throws InterruptedException {
    granted.add(bytes);
    if (bytesPerSecond == 0) {
      return;
    }
    long wait;
    synchronized (this) {
      long now = System.nanoTime();
      if (nextFreeNanos - now < 0) {
        nextFreeNanos = now;
      }
      wait = nextFreeNanos - now;
      nextFreeNanos += Math.max(1, (long) (bytes * 1e9 / bytesPerSecond));
    }
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }
}
