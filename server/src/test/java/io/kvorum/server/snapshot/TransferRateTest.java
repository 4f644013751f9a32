package io.kvorum.server.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The cap can only be checked from below (a slow machine may always take longer): the bytes sent
 * by time t never exceed rate × t plus one chunk, for one sender and for several together.
 */
class TransferRateTest {
  private static final int CHUNK = 16 << 10;

  @Test
  void oneSenderIsHeldToTheRate() throws Exception {
    TransferRate rate = new TransferRate(400_000);
    long started = System.nanoTime();
    for (int i = 0; i < 40; i++) {
      rate.acquire(CHUNK);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    // 40 chunks of 16 KiB = 655,360 bytes; all but the last must have been paid for.
    assertThat(seconds).isGreaterThanOrEqualTo(39.0 * CHUNK / 400_000 - 0.01);
    assertThat(rate.granted()).isEqualTo(40L * CHUNK);
  }

  @Test
  void twoSendersShareOneRate() throws Exception {
    TransferRate rate = new TransferRate(400_000);
    long started = System.nanoTime();
    List<CompletableFuture<Void>> senders = new ArrayList<>();
    for (int s = 0; s < 2; s++) {
      senders.add(CompletableFuture.runAsync(() -> {
        try {
          for (int i = 0; i < 20; i++) {
            rate.acquire(CHUNK);
          }
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get();
    double seconds = (System.nanoTime() - started) / 1e9;
    // Each alone would be done in half the time: together they cannot beat the one rate.
    assertThat(seconds).isGreaterThanOrEqualTo(39.0 * CHUNK / 400_000 - 0.01);
    assertThat(rate.granted()).isEqualTo(40L * CHUNK);
  }

  @Test
  void noCreditBuildsUpWhileIdle() throws Exception {
    TransferRate rate = new TransferRate(400_000);
    Thread.sleep(300);
    long started = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      rate.acquire(CHUNK);
    }
    // After 300 ms idle a bucket with credit would let ~120 kB through at once; this one does not.
    assertThat((System.nanoTime() - started) / 1e9)
        .isGreaterThanOrEqualTo(9.0 * CHUNK / 400_000 - 0.01);
  }

  @Test
  void zeroMeansUnlimitedAndNegativeIsRefused() throws Exception {
    TransferRate rate = new TransferRate(0);
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      for (int i = 0; i < 1000; i++) {
        rate.acquire(1 << 20);
      }
    });
    assertThat(rate.granted()).isEqualTo(1000L << 20);
    assertThatThrownBy(() -> new TransferRate(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
