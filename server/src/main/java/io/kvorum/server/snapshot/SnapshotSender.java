package io.kvorum.server.snapshot;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.node.FetchSnapshotRequest;
import io.kvorum.proto.node.SnapshotChunk;
import io.kvorum.proto.node.SnapshotFileInfo;
import io.kvorum.raft.snapshot.HeldSnapshot;
import io.kvorum.raft.snapshot.SnapshotManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of {@code KvorumNode.FetchSnapshot}: holds this node's latest snapshot of the
 * group (so a newer one cannot delete its files meanwhile), then streams its files in chunks, each
 * granted first by the node-wide {@link TransferRate} and sent only when the receiver's gRPC flow
 * control has room (so a slow receiver never makes the sender buffer the snapshot in memory).
 */
public final class SnapshotSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotSender.class);
  /** Bytes of file data per message. */
  public static final int CHUNK_BYTES = 1 << 20;
  /** Transfers this node sends at once; more are refused with RESOURCE_EXHAUSTED. */
  public static final int MAX_TRANSFERS = 8;

  /** Where snapshots come from (the Raft node). */
  @FunctionalInterface
  public interface Source {
    /**
     * The latest snapshot of {@code group}, held; null if none yet.
     *
     * @throws IllegalArgumentException if this node has no replica of the group
     */
    HeldSnapshot hold(RaftGroupId group) throws IOException;
  }

  private final Source source;
  private final TransferRate rate;
  private final Semaphore slots = new Semaphore(MAX_TRANSFERS);
  /** File bytes sent since this sender started (admin status: progress of moves). */
  private final AtomicLong bytesSent = new AtomicLong();
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "kvorum-snapshot-send");
    t.setDaemon(true);
    return t;
  });

  public SnapshotSender(Source source, TransferRate rate) {
    this.source = source;
    this.rate = rate;
  }

  public TransferRate rate() {
    return rate;
  }

  /**
   * Snapshot file bytes this node has handed to gRPC for other replicas since it started (a
   * transfer cut off midway counts what it sent; Raft log catch-up is not counted).
   */
  public long bytesSent() {
    return bytesSent.get();
  }

  /** Serves one FetchSnapshot call; returns at once, the transfer runs on its own thread. */
  public void send(FetchSnapshotRequest request, StreamObserver<SnapshotChunk> response) {
    ServerCallStreamObserver<SnapshotChunk> call =
        (ServerCallStreamObserver<SnapshotChunk>) response;
    if (request.getGroupId().size() != 16) {
      call.onError(Status.INVALID_ARGUMENT.withDescription("group_id must be 16 bytes")
          .asException());
      return;
    }
    ByteBuffer id = request.getGroupId().asReadOnlyByteBuffer();
    RaftGroupId group = RaftGroupId.valueOf(new UUID(id.getLong(), id.getLong()));
    if (!slots.tryAcquire()) {
      call.onError(Status.RESOURCE_EXHAUSTED.withDescription(
          "more than " + MAX_TRANSFERS + " snapshot transfers at once").asException());
      return;
    }
    Object ready = new Object();
    // Must be set before this method returns; wakes the sending thread when the stream drains.
    call.setOnReadyHandler(() -> {
      synchronized (ready) {
        ready.notifyAll();
      }
    });
    call.setOnCancelHandler(() -> {
      synchronized (ready) {
        ready.notifyAll();
      }
    });
    try {
      threads.execute(() -> {
        try {
          transfer(group, call, ready);
        } finally {
          slots.release();
        }
      });
    } catch (RuntimeException e) {
      slots.release();
      call.onError(Status.UNAVAILABLE.withDescription("the node is shutting down").asException());
    }
  }

  private void transfer(RaftGroupId group, ServerCallStreamObserver<SnapshotChunk> call,
      Object ready) {
    try (HeldSnapshot held = source.hold(group)) {
      if (held == null) {
        call.onError(Status.FAILED_PRECONDITION.withDescription("no snapshot of " + group
            + " yet").asException());
        return;
      }
      SnapshotManifest m = held.manifest();
      LOG.info("{}: sending snapshot {} ({} files, {} bytes, cap {} bytes/s)", group,
          m.termIndex(), m.files().size(), m.bytes(), rate.bytesPerSecond());
      long started = System.nanoTime();
      SnapshotChunk.Builder header = SnapshotChunk.newBuilder().setTerm(m.term())
          .setIndex(m.index());
      for (SnapshotManifest.FileEntry f : m.files()) {
        header.addFiles(SnapshotFileInfo.newBuilder().setName(f.name()).setSize(f.size()));
      }
      if (!sendWhenReady(call, ready, header.build())) {
        return;
      }
      ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES);
      for (SnapshotManifest.FileEntry f : m.files()) {
        if (!sendFile(held, f, buffer, call, ready)) {
          return;
        }
      }
      call.onCompleted();
      LOG.info("{}: sent snapshot {} in {} ms", group, m.termIndex(),
          (System.nanoTime() - started) / 1_000_000);
    } catch (IllegalArgumentException e) {
      call.onError(Status.NOT_FOUND.withDescription(e.getMessage()).asException());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.onError(Status.UNAVAILABLE.withDescription("the node is shutting down").asException());
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: cannot send the snapshot: {}", group, e.toString());
      if (!call.isCancelled()) {
        call.onError(Status.INTERNAL.withDescription("cannot send the snapshot: " + e)
            .asException());
      }
    }
  }

  /** Streams one file; false if the receiver went away. */
  private boolean sendFile(HeldSnapshot held, SnapshotManifest.FileEntry f, ByteBuffer buffer,
      ServerCallStreamObserver<SnapshotChunk> call, Object ready)
      throws IOException, InterruptedException {
    CRC32C crc = new CRC32C();
    try (FileChannel in = FileChannel.open(held.dir().resolve(f.name()), StandardOpenOption.READ)) {
      long offset = 0;
      do {
        buffer.clear();
        int want = (int) Math.min(CHUNK_BYTES, f.size() - offset);
        buffer.limit(want);
        while (buffer.hasRemaining()) {
          if (in.read(buffer) < 0) {
            throw new IOException(f.name() + " is shorter than " + f.size() + " bytes");
          }
        }
        buffer.flip();
        crc.update(buffer.duplicate());
        rate.acquire(want);
        boolean last = offset + want == f.size();
        SnapshotChunk.Builder chunk = SnapshotChunk.newBuilder().setFile(f.name())
            .setOffset(offset).setData(ByteString.copyFrom(buffer)).setLastInFile(last);
        if (last) {
          chunk.setCrc32C((int) crc.getValue());
        }
        if (!sendWhenReady(call, ready, chunk.build())) {
          return false;
        }
        bytesSent.addAndGet(want);
        offset += want;
      } while (offset < f.size());
    }
    return true;
  }

  private static boolean sendWhenReady(ServerCallStreamObserver<SnapshotChunk> call, Object ready,
      SnapshotChunk message) throws InterruptedException {
    synchronized (ready) {
      while (!call.isReady() && !call.isCancelled()) {
        ready.wait(100);
      }
    }
    if (call.isCancelled()) {
      return false;
    }
    call.onNext(message);
    return true;
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
