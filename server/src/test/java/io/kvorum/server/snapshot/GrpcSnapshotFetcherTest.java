package io.kvorum.server.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.node.FetchSnapshotRequest;
import io.kvorum.proto.node.KvorumNodeGrpc;
import io.kvorum.proto.node.SnapshotChunk;
import io.kvorum.proto.node.SnapshotFileInfo;
import io.kvorum.raft.snapshot.HeldSnapshot;
import io.kvorum.raft.snapshot.SnapshotManifest;
import io.kvorum.server.admin.AdminToken;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FetchSnapshot over real gRPC: SnapshotSender on one end, GrpcSnapshotFetcher on the other. */
class GrpcSnapshotFetcherTest {
  private static final RaftGroupId GROUP = RaftGroupId.randomId();

  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void everyFileArrivesWholeAndTheHeldCopyIsReleased() throws Exception {
    Path source = Files.createDirectories(dir.resolve("source"));
    byte[] big = new byte[SnapshotSender.CHUNK_BYTES * 2 + 12345];
    new Random(1).nextBytes(big);
    Files.write(source.resolve("000012.sst"), big);
    Files.write(source.resolve("CURRENT"), new byte[0]);
    Files.writeString(source.resolve("snapshot.info"), "3 77\n");
    SnapshotManifest manifest = new SnapshotManifest(3, 77, List.of(
        new SnapshotManifest.FileEntry("000012.sst", big.length),
        new SnapshotManifest.FileEntry("CURRENT", 0),
        new SnapshotManifest.FileEntry("snapshot.info", 5)));
    AtomicReference<RaftGroupId> asked = new AtomicReference<>();
    Path held = dir.resolve("held");
    TransferRate rate = new TransferRate(0);
    SnapshotSender sender = sender(group -> {
      asked.set(group);
      copy(source, held);
      return new HeldSnapshot(held, manifest);
    }, rate);
    String address = serve(sender, null);

    Path into = Files.createDirectories(dir.resolve("into"));
    SnapshotManifest got = fetcher(null).fetch(address, GROUP, into);
    assertThat(asked.get()).isEqualTo(GROUP);
    assertThat(got).isEqualTo(manifest);
    assertThat(Files.readAllBytes(into.resolve("000012.sst"))).isEqualTo(big);
    assertThat(Files.size(into.resolve("CURRENT"))).isZero();
    assertThat(Files.readString(into.resolve("snapshot.info"))).isEqualTo("3 77\n");
    assertThat(rate.granted()).isEqualTo(big.length + 5L);
    // What admin status reports as this node's snapshot bytes sent (progress of moves).
    assertThat(sender.bytesSent()).isEqualTo(big.length + 5L);
    assertThat(held).as("released after the transfer").doesNotExist();
  }

  @Test
  void noSnapshotYetIsNullAndNoReplicaIsAnError() throws Exception {
    String none = serve(sender(group -> null, new TransferRate(0)), null);
    assertThat(fetcher(null).fetch(none, GROUP, dir)).isNull();
    String notHere = serve(sender(group -> {
      throw new IllegalArgumentException("no replica of group " + group + " on this node");
    }, new TransferRate(0)), null);
    assertThatThrownBy(() -> fetcher(null).fetch(notHere, GROUP, dir))
        .isInstanceOf(IOException.class).hasMessageContaining("NOT_FOUND no replica");
  }

  @Test
  void theAdminTokenIsCarriedAndRequired() throws Exception {
    Path source = Files.createDirectories(dir.resolve("source"));
    Files.writeString(source.resolve("snapshot.info"), "1 1\n");
    SnapshotManifest manifest = new SnapshotManifest(1, 1,
        List.of(new SnapshotManifest.FileEntry("snapshot.info", 4)));
    String address = serve(sender(group -> {
      copy(source, dir.resolve("held"));
      return new HeldSnapshot(dir.resolve("held"), manifest);
    }, new TransferRate(0)), "s3cret");
    assertThatThrownBy(() -> fetcher(null).fetch(address, GROUP,
        Files.createDirectories(dir.resolve("a")))).hasMessageContaining("UNAUTHENTICATED");
    assertThat(fetcher("s3cret").fetch(address, GROUP, Files.createDirectories(dir.resolve("b"))))
        .isEqualTo(manifest);
  }

  @Test
  void aDamagedOrIncompleteFileIsRefused() throws Exception {
    SnapshotChunk header = SnapshotChunk.newBuilder().setTerm(1).setIndex(5)
        .addFiles(SnapshotFileInfo.newBuilder().setName("a.sst").setSize(3)).build();
    SnapshotChunk data = SnapshotChunk.newBuilder().setFile("a.sst").setOffset(0)
        .setData(ByteString.copyFromUtf8("abc")).setLastInFile(true).setCrc32C(12345).build();
    String badCrc = serve(replying(header, data), null);
    assertThatThrownBy(() -> fetcher(null).fetch(badCrc, GROUP,
        Files.createDirectories(dir.resolve("a")))).hasMessageContaining("a.sst arrived damaged");
    String cutShort = serve(replying(header), null);
    assertThatThrownBy(() -> fetcher(null).fetch(cutShort, GROUP,
        Files.createDirectories(dir.resolve("b")))).hasMessageContaining("ended inside a.sst");
    SnapshotChunk escaping = SnapshotChunk.newBuilder().setTerm(1).setIndex(5)
        .addFiles(SnapshotFileInfo.newBuilder().setName("../x").setSize(1)).build();
    String bad = serve(replying(escaping), null);
    assertThatThrownBy(() -> fetcher(null).fetch(bad, GROUP,
        Files.createDirectories(dir.resolve("c")))).hasMessageContaining("bad file");
  }

  private GrpcSnapshotFetcher fetcher(String token) {
    GrpcSnapshotFetcher f = new GrpcSnapshotFetcher(token);
    toClose.add(f);
    return f;
  }

  private SnapshotSender sender(SnapshotSender.Source source, TransferRate rate) {
    SnapshotSender s = new SnapshotSender(source, rate);
    toClose.add(s);
    return s;
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  /** A node service that answers FetchSnapshot with exactly these messages. */
  private static BindableService replying(SnapshotChunk... messages) {
    return new KvorumNodeGrpc.KvorumNodeImplBase() {
      @Override
      public void fetchSnapshot(FetchSnapshotRequest request,
          StreamObserver<SnapshotChunk> response) {
        for (SnapshotChunk m : messages) {
          response.onNext(m);
        }
        response.onCompleted();
      }
    };
  }

  private String serve(SnapshotSender sender, String token) throws IOException {
    return serve(new KvorumNodeGrpc.KvorumNodeImplBase() {
      @Override
      public void fetchSnapshot(FetchSnapshotRequest request,
          StreamObserver<SnapshotChunk> response) {
        sender.send(request, response);
      }
    }, token);
  }

  private String serve(BindableService service, String token) throws IOException {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(service, AdminToken.check(token)))
        .build().start();
    toClose.add(() -> server.shutdownNow());
    return "127.0.0.1:" + server.getPort();
  }
}
