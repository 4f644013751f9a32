package io.kvorum.server.join;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvorum.proto.admin.JoinRequest;
import io.kvorum.proto.admin.KvorumAdminGrpc;
import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.raft.node.ClusterJoiner;
import io.kvorum.server.admin.AdminToken;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --join HOST:ADMINPORT}: calls the admin API's Join on that member, retrying while it is
 * unreachable or has no meta leader yet (nodes of a new cluster are often started together).
 */
public final class AdminJoiner implements ClusterJoiner {
  private static final Logger LOG = LoggerFactory.getLogger(AdminJoiner.class);

  private final String target;
  private final Duration patience;
  private final String adminToken;

  /**
   * @param target     HOST:PORT of any member's admin port
   * @param adminToken the cluster's admin token (null: none)
   */
  public AdminJoiner(String target, Duration patience, String adminToken) {
    this.target = target;
    this.patience = patience;
    this.adminToken = adminToken;
  }

  @Override
  public ClusterMap join(NodeInfo self, String clusterId) {
    int colon = target.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--join wants HOST:ADMINPORT, got '" + target + "'");
    }
    String host = target.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(target.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--join wants HOST:ADMINPORT, got '" + target + "'");
    }
    ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext()
        .intercept(AdminToken.attach(adminToken)).build();
    long deadline = System.nanoTime() + patience.toNanos();
    try {
      while (true) {
        try {
          return KvorumAdminGrpc.newBlockingStub(channel)
              .withDeadlineAfter(15, TimeUnit.SECONDS)
              .join(JoinRequest.newBuilder().setNode(self).setClusterId(clusterId).build())
              .getMap();
        } catch (StatusRuntimeException e) {
          boolean retriable = switch (e.getStatus().getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED -> true;
            default -> false;
          };
          if (e.getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION) {
            throw new ClusterJoiner.Refused(target + " refused the join: "
                + e.getStatus().getDescription(), e);
          }
          if (!retriable || System.nanoTime() > deadline) {
            throw new IllegalStateException(target + " refused the join: " + e.getStatus(), e);
          }
          LOG.info("waiting for {} to admit this node: {}", target, e.getStatus());
          Thread.sleep(1000);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while joining", e);
    } finally {
      channel.shutdownNow();
    }
  }
}
