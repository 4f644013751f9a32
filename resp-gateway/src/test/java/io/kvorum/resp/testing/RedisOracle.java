package io.kvorum.resp.testing;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server 7.0 in cluster mode owning every slot, on a free loopback port: the
 * oracle of differential tests. Fails when redis-server is not installed (`make test` installs
 * it).
 */
public final class RedisOracle implements AutoCloseable {
  private final Process process;
  private final int port;

  public RedisOracle(Path dir) throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    File data = dir.toFile();
    data.mkdirs();
    process = new ProcessBuilder("redis-server", "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file",
        new File(data, "nodes.conf").getPath(), "--cluster-announce-ip", "127.0.0.1",
        "--dir", data.getPath(), "--save", "", "--appendonly", "no", "--cluster-port", "0")
        .redirectErrorStream(true).redirectOutput(new File(data, "log")).start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try (RawClient c = new RawClient(port)) {
        c.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
        while (!c.call("CLUSTER", "INFO").contains("cluster_state:ok")) {
          if (System.currentTimeMillis() > deadline) {
            throw new IllegalStateException("redis-server cluster did not become ok");
          }
          Thread.sleep(50);
        }
        return;
      } catch (RuntimeException e) {
        if (System.currentTimeMillis() > deadline) {
          close();
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  public int port() {
    return port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor(5, TimeUnit.SECONDS);
  }
}
