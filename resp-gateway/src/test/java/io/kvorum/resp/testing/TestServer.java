package io.kvorum.resp.testing;

import io.kvorum.resp.server.GatewayConfig;
import io.kvorum.resp.server.RespServer;
import io.kvorum.resp.server.ShutdownHook;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** A RespServer on a free loopback port over a {@link LocalStoreRouter} (16 groups). */
public final class TestServer implements AutoCloseable {
  public final LocalStoreRouter router;
  public final RespServer server;

  public TestServer(Path dir, UnaryOperator<GatewayConfig> configure, ShutdownHook hook) {
    router = new LocalStoreRouter(dir, 16);
    GatewayConfig config = configure.apply(
        GatewayConfig.defaults().withBind("127.0.0.1", 0).withIoThreads(2, true));
    server = new RespServer(config, router, new SimpleMeterRegistry(), hook).start();
    router.port(server.port());
  }

  public TestServer(Path dir) {
    this(dir, c -> c, ShutdownHook.REFUSE);
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.stop();
    router.close();
  }
}
