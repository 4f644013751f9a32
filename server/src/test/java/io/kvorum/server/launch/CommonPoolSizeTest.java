package io.kvorum.server.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CommonPoolSizeTest {
  @Test
  void smallMachinesGetAPoolThatCompletableFutureUses() {
    assertThat(CommonPoolSize.parallelism(null, 1)).isEqualTo("4");
    assertThat(CommonPoolSize.parallelism(null, 2)).isEqualTo("4");
    assertThat(CommonPoolSize.parallelism("", 2)).isEqualTo("4");
    assertThat(CommonPoolSize.parallelism(null, 16)).isEqualTo("15");
  }

  @Test
  void aValueTheUserSetIsKept() {
    assertThat(CommonPoolSize.parallelism("1", 2)).isNull();
  }

  /** A JVM that believes it has 2 CPUs, as the CI machine has: async tasks reuse pool threads. */
  @Test
  void onTwoCpusAsyncTasksNoLongerStartAThreadEach() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-XX:ActiveProcessorCount=2",
        "-cp", System.getProperty("java.class.path"), AsyncThreads.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    assertThat(p.exitValue()).as(out).isZero();
    // 200 async tasks ran on at most the pool's 4 threads, not on 200 new ones.
    assertThat(Integer.parseInt(out)).isBetween(1, 4);
  }

  /** Runs 200 async tasks after {@link CommonPoolSize#ensure}; prints how many threads ran them. */
  static final class AsyncThreads {
    public static void main(String[] args) {
      CommonPoolSize.ensure();
      java.util.Set<String> names = java.util.concurrent.ConcurrentHashMap.newKeySet();
      for (int i = 0; i < 200; i++) {
        CompletableFuture.runAsync(() -> names.add(Thread.currentThread().getName())).join();
      }
      System.out.println(names.size());
    }
  }
}
