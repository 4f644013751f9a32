package io.kvorum.storage.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private redis-server for oracle tests: started on a free loopback port without persistence,
 * checked to be the process we started (not someone else's server on that port), stopped on
 * close.
 */
public final class RedisServer implements AutoCloseable {
  private final Process process;
  private final int port;

  private RedisServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts a server with its working directory in {@code dir}; fails clearly if none is installed. */
  public static RedisServer start(Path dir) {
    return start(dir, new String[0]);
  }

  /**
   * Like {@link #start(Path)}, with extra configuration arguments such as {@code
   * "--cluster-enabled", "yes"}.
   */
  public static RedisServer start(Path dir, String... extraArgs) {
    String binary = findBinary();
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int port = freePort();
      Process p;
      try {
        List<String> command = new ArrayList<>(List.of(binary, "--port", Integer.toString(port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
            "--dir", dir.toString(), "--logfile", dir.resolve("redis-" + port + ".log").toString()));
        command.addAll(List.of(extraArgs));
        ProcessBuilder builder = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis-" + port + ".out").toFile());
        // SORT ALPHA compares with strcoll: the C locale makes that a byte comparison on any host.
        builder.environment().put("LC_ALL", "C");
        p = builder.start();
      } catch (IOException e) {
        throw new IllegalStateException("cannot start " + binary, e);
      }
      RedisServer server = new RedisServer(p, port);
      try {
        server.awaitOwnServer();
        return server;
      } catch (IllegalStateException e) {
        server.close();
        last = e;
      }
    }
    throw last;
  }

  private static String findBinary() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, "redis-server");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
      if (new File(candidate).canExecute()) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "redis-server not found on PATH: the storage oracle tests compare against a real Redis 7.0"
            + " (Debian package redis-server); `make test` installs it.");
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until the server answers, and checks that it is our process that answers. */
  private void awaitOwnServer() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited (port " + port + " taken?)");
      }
      try (RespClient c = client()) {
        String info = new String(
            ((io.kvorum.storage.reply.Reply.Bulk) c.call("INFO", "server")).value(),
            StandardCharsets.UTF_8);
        if (!info.contains("process_id:" + process.pid() + "\r\n")) {
          throw new IllegalStateException("port " + port + " is served by another redis-server");
        }
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(ie);
        }
      }
    }
    throw new IllegalStateException("redis-server on port " + port + " did not start");
  }

  public int port() {
    return port;
  }

  /** A new connection to this server. */
  public RespClient client() throws IOException {
    return new RespClient("127.0.0.1", port);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
