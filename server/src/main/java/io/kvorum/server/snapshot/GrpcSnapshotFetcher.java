package io.kvorum.server.snapshot;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvorum.proto.node.FetchSnapshotRequest;
import io.kvorum.proto.node.KvorumNodeGrpc;
import io.kvorum.proto.node.SnapshotChunk;
import io.kvorum.proto.node.SnapshotFileInfo;
import io.kvorum.raft.snapshot.SnapshotFetcher;
import io.kvorum.raft.snapshot.SnapshotManifest;
import io.kvorum.server.admin.AdminToken;
import io.kvorum.server.proxy.GrpcForwarder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * The receiving side of {@code KvorumNode.FetchSnapshot}: downloads a node's snapshot of a group
 * into a directory, checking that every file arrives whole, in order, with its size and CRC32C,
 * and forcing each to disk. One gRPC channel per node, kept open; the admin token, if set, is
 * carried as on every node-to-node call.
 *
 * <p>Limits: a transfer may take {@link #DEADLINE} (a 100 GiB group at 32 MiB/s takes under an
 * hour); keepalive pings every {@link GrpcForwarder#KEEPALIVE} notice a sender that vanished.
 */
public final class GrpcSnapshotFetcher implements SnapshotFetcher, AutoCloseable {
  /** The longest one transfer may take. */
  public static final Duration DEADLINE = Duration.ofHours(1);
  /** Largest message accepted: one chunk plus framing. */
  private static final int MAX_MESSAGE = SnapshotSender.CHUNK_BYTES + (1 << 20);

  private final String adminToken;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** @param adminToken the cluster's admin token (null: none) */
  public GrpcSnapshotFetcher(String adminToken) {
    this.adminToken = adminToken;
  }

  @Override
  public SnapshotManifest fetch(String address, RaftGroupId group, Path into) throws IOException {
    FetchSnapshotRequest request = FetchSnapshotRequest.newBuilder()
        .setGroupId(ByteString.copyFrom(ByteBuffer.allocate(16)
            .putLong(group.getUuid().getMostSignificantBits())
            .putLong(group.getUuid().getLeastSignificantBits()).flip()))
        .build();
    // Cancelled on the way out, so that a transfer given up half-way stops on the sender too.
    Context.CancellableContext context = Context.current().withCancellation();
    Context previous = context.attach();
    try {
      Iterator<SnapshotChunk> chunks = KvorumNodeGrpc.newBlockingStub(channel(address))
          .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .fetchSnapshot(request);
      if (!chunks.hasNext()) {
        throw new IOException("empty reply from " + address);
      }
      SnapshotManifest manifest = manifest(chunks.next());
      receive(manifest, chunks, into);
      return manifest;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
        return null;
      }
      throw new IOException("node at " + address + ": " + e.getStatus().getCode()
          + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()),
          e);
    } finally {
      context.detach(previous);
      context.cancel(null);
    }
  }

  private static SnapshotManifest manifest(SnapshotChunk header) throws IOException {
    List<SnapshotManifest.FileEntry> files = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (SnapshotFileInfo f : header.getFilesList()) {
      String name = f.getName();
      // The names become paths here: nothing may point outside the download directory.
      if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".")
          || name.equals("..") || f.getSize() < 0 || !names.add(name)) {
        throw new IOException("bad file in snapshot manifest: '" + name + "' " + f.getSize());
      }
      files.add(new SnapshotManifest.FileEntry(name, f.getSize()));
    }
    if (!header.getFile().isEmpty() || header.getIndex() < 0) {
      throw new IOException("bad snapshot header");
    }
    return new SnapshotManifest(header.getTerm(), header.getIndex(), files);
  }

  private static void receive(SnapshotManifest manifest, Iterator<SnapshotChunk> chunks, Path into)
      throws IOException {
    for (SnapshotManifest.FileEntry f : manifest.files()) {
      CRC32C crc = new CRC32C();
      try (FileChannel out = FileChannel.open(into.resolve(f.name()),
          StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        long offset = 0;
        boolean last = false;
        while (!last) {
          if (!chunks.hasNext()) {
            throw new IOException("transfer ended inside " + f.name() + " at " + offset);
          }
          SnapshotChunk c = chunks.next();
          if (!c.getFile().equals(f.name()) || c.getOffset() != offset) {
            throw new IOException("expected " + f.name() + " at " + offset + ", got "
                + c.getFile() + " at " + c.getOffset());
          }
          ByteBuffer data = c.getData().asReadOnlyByteBuffer();
          crc.update(data.duplicate());
          while (data.hasRemaining()) {
            out.write(data);
          }
          offset += c.getData().size();
          last = c.getLastInFile();
          if (offset > f.size()) {
            throw new IOException(f.name() + " is longer than " + f.size() + " bytes");
          }
          if (last && (offset != f.size() || c.getCrc32C() != (int) crc.getValue())) {
            throw new IOException(f.name() + " arrived damaged (" + offset + " of " + f.size()
                + " bytes, checksum " + (c.getCrc32C() == (int) crc.getValue() ? "ok" : "wrong")
                + ")");
          }
        }
        out.force(true);
      }
    }
    if (chunks.hasNext()) {
      throw new IOException("data after the last file of the snapshot");
    }
  }

  private ManagedChannel channel(String address) throws IOException {
    if (closed) {
      throw new IOException("the node is shutting down");
    }
    int colon = address.lastIndexOf(':');
    int port;
    try {
      port = colon <= 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0) {
      throw new IOException("bad admin address '" + address + "'");
    }
    String host = address.substring(0, colon);
    int p = port;
    return channels.computeIfAbsent(address, a -> NettyChannelBuilder.forAddress(host, p)
        .usePlaintext()
        .maxInboundMessageSize(MAX_MESSAGE)
        .keepAliveTime(GrpcForwarder.KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(GrpcForwarder.KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS)
        .intercept(AdminToken.attach(adminToken))
        .build());
  }

  @Override
  public void close() {
    closed = true;
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    channels.clear();
  }
}
