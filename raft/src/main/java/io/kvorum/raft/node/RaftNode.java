package io.kvorum.raft.node;

import com.google.protobuf.ByteString;
import io.kvorum.proto.meta.Bootstrap;
import io.kvorum.proto.meta.ClusterMap;
import io.kvorum.proto.meta.MetaEntry;
import io.kvorum.proto.meta.NodeInfo;
import io.kvorum.proto.meta.NodeState;
import io.kvorum.proto.meta.SlotGroupInfo;
import io.kvorum.proto.meta.SlotRange;
import io.kvorum.proto.meta.UpsertNode;
import io.kvorum.raft.expiry.ActiveExpiry;
import io.kvorum.raft.group.SlotGroupStateMachine;
import io.kvorum.raft.meta.MetaStateMachine;
import io.kvorum.raft.route.RaftSlotGroupRouter;
import io.kvorum.raft.route.SlotGroupRouter;
import io.kvorum.storage.engine.NodeStorage;
import io.kvorum.storage.slot.HashSlot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft side of one Kvorum node: one Ratis {@link RaftServer} hosting the meta group and the
 * slot groups this node replicates. On first start without {@code --join} it bootstraps a
 * one-node cluster; on restart Ratis reloads every group from the data dir and replays its log.
 */
public final class RaftNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);

  /** The meta group's fixed id: one meta group per cluster, and a node is in one cluster. */
  public static final RaftGroupId META_GROUP_ID =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("kvorum:meta".getBytes()));

  private final RaftNodeConfig config;
  private final String nodeId;
  private final RaftPeer self;
  private final NodeStorage nodeStorage;
  private final ScheduledExecutorService scheduler;
  private final MetaStateMachine meta = new MetaStateMachine();
  private final RaftSlotGroupRouter router;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final ActiveExpiry expiry;
  private RaftServer server;

  private RaftNode(RaftNodeConfig config) {
    this.nodeId = NodeIdentity.loadOrCreate(config.dataDir(), config.nodeId());
    this.config = config.withNodeId(nodeId);
    this.self =
        RaftPeer.newBuilder()
            .setId(nodeId)
            .setAddress(config.advertiseHost() + ":" + config.raftPort())
            .build();
    this.nodeStorage = new NodeStorage(config.blockCacheBytes(), config.writeBufferBytes());
    this.scheduler = Executors.newScheduledThreadPool(1, r -> {
      Thread t = new Thread(r, "kvorum-raft-scheduler");
      t.setDaemon(true);
      return t;
    });
    this.router = new RaftSlotGroupRouter(nodeId, scheduler, config.maxEntryBytes() / 2);
    this.expiry = new ActiveExpiry(router, scheduler);
  }

  /**
   * Starts the node and returns once every slot group it hosts has a leader.
   *
   * @throws IllegalStateException if the node cannot start (ports taken, corrupt data, timeout)
   */
  public static RaftNode start(RaftNodeConfig config) {
    RaftNode node = new RaftNode(config);
    try {
      node.startServer();
      node.bootstrapOrRecover();
      node.expiry.start();
      return node;
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  public String nodeId() {
    return nodeId;
  }

  public SlotGroupRouter router() {
    return router;
  }

  public ClusterMap clusterMap() {
    return meta.map();
  }

  private void startServer() {
    meta.addListener(router::onClusterMap);
    try {
      server =
          RaftServer.newBuilder()
              .setServerId(RaftPeerId.valueOf(nodeId))
              .setProperties(RaftSettings.of(config, config.dataDir().resolve("raft").toFile()))
              .setStateMachineRegistry(this::stateMachineFor)
              .build();
      router.attach(server);
      server.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the Raft server on port " + config.raftPort()
          + ": " + e.getMessage(), e);
    }
  }

  private org.apache.ratis.statemachine.StateMachine stateMachineFor(RaftGroupId id) {
    if (id.equals(META_GROUP_ID)) {
      return meta;
    }
    SlotGroupStateMachine m = new SlotGroupStateMachine(
        nodeStorage, router::onLeaderChanged, router::keysWritten);
    router.register(id, m);
    return m;
  }

  private boolean hostsGroup(RaftGroupId id) {
    for (RaftGroupId g : server.getGroupIds()) {
      if (g.equals(id)) {
        return true;
      }
    }
    return false;
  }

  private void bootstrapOrRecover() {
    if (!hostsGroup(META_GROUP_ID)) {
      LOG.info("node {}: creating a new one-node cluster", nodeId);
      addGroup(RaftGroup.valueOf(META_GROUP_ID, self));
    }
    awaitLeader(META_GROUP_ID, Duration.ofSeconds(30));
    ClusterMap map = readMetaLinearizable();
    if (map.getClusterId().isEmpty()) {
      proposeMeta(MetaEntry.newBuilder().setBootstrap(bootstrapFor(config.slotGroups())).build());
      map = readMetaLinearizable();
    }
    NodeInfo me = selfInfo();
    NodeInfo recorded = findNode(map, nodeId);
    if (recorded == null || !recorded.toBuilder().setJoinedAtMs(0).build()
        .equals(me.toBuilder().setJoinedAtMs(0).build())) {
      NodeInfo updated = me.toBuilder()
          .setJoinedAtMs(recorded == null ? me.getJoinedAtMs() : recorded.getJoinedAtMs()).build();
      proposeMeta(MetaEntry.newBuilder()
          .setUpsertNode(UpsertNode.newBuilder().setNode(updated)).build());
      map = readMetaLinearizable();
    }
    List<RaftGroupId> local = new ArrayList<>();
    for (SlotGroupInfo g : map.getGroupsList()) {
      if (g.getReplicasList().contains(nodeId)) {
        RaftGroupId id = RaftSlotGroupRouter.groupId(g);
        if (!hostsGroup(id)) {
          addGroup(RaftGroup.valueOf(id, self));
        }
        local.add(id);
      }
    }
    router.refreshDivisions();
    for (RaftGroupId id : local) {
      awaitLeader(id, Duration.ofSeconds(60));
    }
    LOG.info("node {}: cluster {} ready, {} slot groups", nodeId, map.getClusterId(),
        map.getGroupsCount());
  }

  private NodeInfo selfInfo() {
    return NodeInfo.newBuilder()
        .setId(nodeId)
        .setRespHost(config.respHost())
        .setRespPort(config.respPort())
        .setRaftAddress(self.getAddress())
        .setAdminAddress(config.adminAddress() == null ? "" : config.adminAddress())
        .setState(NodeState.NODE_STATE_UP)
        .setJoinedAtMs(System.currentTimeMillis())
        .build();
  }

  private static NodeInfo findNode(ClusterMap map, String id) {
    for (NodeInfo n : map.getNodesList()) {
      if (n.getId().equals(id)) {
        return n;
      }
    }
    return null;
  }

  private Bootstrap bootstrapFor(int groups) {
    Bootstrap.Builder b =
        Bootstrap.newBuilder()
            .setClusterId(UUID.randomUUID().toString())
            .setFirstNode(selfInfo())
            .setReplicationFactor(config.replicationFactor())
            .setTimeMs(System.currentTimeMillis());
    for (int i = 0; i < groups; i++) {
      int from = i * HashSlot.COUNT / groups;
      int to = (i + 1) * HashSlot.COUNT / groups - 1;
      UUID uuid = UUID.randomUUID();
      ByteBuffer id = ByteBuffer.allocate(16)
          .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
      b.addGroups(SlotGroupInfo.newBuilder()
          .setIndex(i)
          .setRaftGroupId(ByteString.copyFrom(id.array()))
          .addSlots(SlotRange.newBuilder().setFrom(from).setTo(to))
          .addReplicas(nodeId)
          .setPreferredLeader(nodeId));
    }
    return b.build();
  }

  private void addGroup(RaftGroup group) {
    try {
      RaftClientReply r = server.groupManagement(
          GroupManagementRequest.newAdd(clientId, self.getId(), callIds.incrementAndGet(), group));
      if (!r.isSuccess()) {
        throw new IllegalStateException("cannot create group " + group + ": " + r.getException());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create group " + group, e);
    }
  }

  private void awaitLeader(RaftGroupId id, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        RaftServer.Division d = server.getDivision(id);
        if (d.getInfo().isLeader() ? d.getInfo().isLeaderReady() : d.getInfo().getLeaderId() != null) {
          return;
        }
      } catch (IOException e) {
        // not created yet
      }
      sleep(20);
    }
    throw new IllegalStateException("group " + id + " has no leader after " + timeout);
  }

  private ClusterMap readMetaLinearizable() {
    RaftClientReply r = submitMeta(MetaStateMachine.MapQuery.INSTANCE,
        RaftClientRequest.readRequestType());
    return ((MetaStateMachine.MapMessage) r.getMessage()).map();
  }

  private void proposeMeta(MetaEntry entry) {
    submitMeta(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry.toByteArray())),
        RaftClientRequest.writeRequestType());
  }

  private RaftClientReply submitMeta(Message message, RaftClientRequest.Type type) {
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(self.getId())
        .setGroupId(META_GROUP_ID)
        .setCallId(callIds.incrementAndGet())
        .setMessage(message)
        .setType(type)
        .build();
    try {
      RaftClientReply r = server.submitClientRequestAsync(request).get(30, TimeUnit.SECONDS);
      if (!r.isSuccess()) {
        throw new IllegalStateException("meta group request failed: " + r.getException());
      }
      return r;
    } catch (IOException | java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("meta group request failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Stops Ratis (closing every group's store) and releases the shared RocksDB resources. */
  @Override
  public void close() {
    expiry.stop();
    scheduler.shutdownNow();
    if (server != null) {
      try {
        server.close();
      } catch (IOException e) {
        LOG.warn("error while closing the Raft server", e);
      }
    }
    nodeStorage.close();
  }
}
