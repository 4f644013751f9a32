package io.kvorum.server.launch;

/**
 * Sizes the JVM's common fork-join pool before anything touches it.
 *
 * <p>With fewer than 3 CPUs the JDK gives that pool a parallelism of 1, and then every
 * {@code CompletableFuture.*Async} call without an executor starts a new thread. Ratis makes such
 * calls on each AppendEntries a follower handles, so on a 2-CPU machine a follower started
 * thousands of threads a second under a write load.
 */
final class CommonPoolSize {
  static final String PROPERTY = "java.util.concurrent.ForkJoinPool.common.parallelism";
  /** Parallelism below which CompletableFuture stops using the pool (JDK 17: 2). */
  static final int MIN = 4;

  private CommonPoolSize() {}

  /** Sets the pool's parallelism unless the user already did (-D...parallelism=N). */
  static void ensure() {
    String chosen = parallelism(System.getProperty(PROPERTY),
        Runtime.getRuntime().availableProcessors());
    if (chosen != null) {
      System.setProperty(PROPERTY, chosen);
    }
  }

  /** The parallelism to set, or null to leave the user's {@code configured} value. */
  static String parallelism(String configured, int cpus) {
    if (configured != null && !configured.isBlank()) {
      return null;
    }
    return Integer.toString(Math.max(MIN, cpus - 1));
  }
}
