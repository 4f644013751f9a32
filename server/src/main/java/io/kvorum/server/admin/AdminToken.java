package io.kvorum.server.admin;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The optional shared admin token ({@code --admin-token}): callers put it in the
 * {@value #HEADER_NAME} metadata header; the admin port refuses calls without it
 * (UNAUTHENTICATED). Nodes carry it on their own calls (Join, forwarded commands).
 */
public final class AdminToken {
  /** The metadata header that carries the token. */
  public static final String HEADER_NAME = "kvorum-admin-token";
  static final Metadata.Key<String> HEADER =
      Metadata.Key.of(HEADER_NAME, Metadata.ASCII_STRING_MARSHALLER);

  private AdminToken() {}

  /** Refuses calls that do not carry {@code token}; lets everything through when it is null. */
  public static ServerInterceptor check(String token) {
    byte[] expected = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        if (expected != null) {
          String given = headers.get(HEADER);
          // Constant-time comparison: the token is a secret.
          if (given == null
              || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            call.close(Status.UNAUTHENTICATED.withDescription(given == null
                ? "this cluster requires an admin token (--token / header " + HEADER_NAME + ")"
                : "wrong admin token"), new Metadata());
            return new ServerCall.Listener<>() {};
          }
        }
        return next.startCall(call, headers);
      }
    };
  }

  /** Adds {@code token} to every call of a channel (nothing when null). */
  public static ClientInterceptor attach(String token) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method,
          CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            if (token != null) {
              headers.put(HEADER, token);
            }
            super.start(listener, headers);
          }
        };
      }
    };
  }
}
