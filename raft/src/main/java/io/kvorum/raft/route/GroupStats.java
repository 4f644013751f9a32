package io.kvorum.raft.route;

/** One slot group's live state on this node (INFO, admin Status). */
public record GroupStats(
    int index,
    String raftGroupId,
    String role,
    String leader,
    long term,
    long commitIndex,
    long appliedIndex,
    long keys,
    long sizeOnDisk) {}
