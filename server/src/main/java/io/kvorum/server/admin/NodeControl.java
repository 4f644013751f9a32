package io.kvorum.server.admin;

/**
 * What the admin service asks of the node process around it, beyond its Raft layer: the bytes
 * its snapshot sender has sent, and restarting it as a member of another cluster.
 */
public interface NodeControl {
  /** A node without those (tests of the Raft-side API): sends nothing, cannot rejoin. */
  NodeControl NONE = new NodeControl() {
    @Override
    public long snapshotBytesSent() {
      return 0;
    }

    @Override
    public void joinCluster(String seedAdmin) {
      throw new UnsupportedOperationException("this node cannot restart itself");
    }
  };

  /** Bytes of snapshot files this node has sent to other replicas since it started. */
  long snapshotBytesSent();

  /**
   * Restarts the node's parts in the background, empty, joining the cluster of the member whose
   * admin port is {@code seedAdmin}; returns at once. The caller has checked the node is empty.
   */
  void joinCluster(String seedAdmin);
}
