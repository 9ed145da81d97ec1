package io.socketaudit.e2e.libraries;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC service and its client over {@code grpc-netty-shaded}, whose relocated Netty uses epoll on Linux x86-64,
 * for the end-to-end tests: one unary call, then the client's channel is shut down, then the server. Prints
 * {@code connection serverPort=<port> clientPort=<port>} and {@code listener localPort=<port>}; synchronised on
 * gRPC's own completion (the call's answer, the transports' termination), never on sleeps.
 */
public final class GrpcScenario {

    private static final long GUARD_SECONDS = 60;

    private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static final MethodDescriptor<String, String> SAY = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("test.Echo/Say")
            .setRequestMarshaller(TEXT)
            .setResponseMarshaller(TEXT)
            .build();

    private GrpcScenario() {
    }

    public static void main(String[] args) throws Exception {
        if (!Epoll.isAvailable()) {
            System.out.println("epoll unavailable: " + Epoll.unavailabilityCause());
            System.exit(3);
        }
        CompletableFuture<Attributes> serverTransport = new CompletableFuture<>();
        CompletableFuture<Void> serverTransportGone = new CompletableFuture<>();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerServiceDefinition.builder("test.Echo")
                        .addMethod(SAY, ServerCalls.asyncUnaryCall((request, response) -> {
                            response.onNext(request + "!");
                            response.onCompleted();
                        }))
                        .build())
                .addTransportFilter(new ServerTransportFilter() {
                    @Override
                    public Attributes transportReady(Attributes attributes) {
                        serverTransport.complete(attributes);
                        return attributes;
                    }

                    @Override
                    public void transportTerminated(Attributes attributes) {
                        serverTransportGone.complete(null);
                    }
                })
                .build()
                .start();
        int listenerPort = server.getPort();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", listenerPort).usePlaintext().build();
        String answer = ClientCalls.blockingUnaryCall(channel, SAY, CallOptions.DEFAULT, "hello");
        if (!answer.equals("hello!")) {
            throw new IllegalStateException("answer " + answer);
        }
        Attributes transport = serverTransport.get(GUARD_SECONDS, TimeUnit.SECONDS);
        InetSocketAddress serverEnd = (InetSocketAddress) transport.get(Grpc.TRANSPORT_ATTR_LOCAL_ADDR);
        InetSocketAddress clientEnd = (InetSocketAddress) transport.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        System.out.println("connection serverPort=" + serverEnd.getPort() + " clientPort=" + clientEnd.getPort());
        System.out.println("listener localPort=" + listenerPort);
        channel.shutdown();
        if (!channel.awaitTermination(GUARD_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the channel did not terminate");
        }
        serverTransportGone.get(GUARD_SECONDS, TimeUnit.SECONDS);
        server.shutdown();
        if (!server.awaitTermination(GUARD_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the server did not terminate");
        }
        System.out.println("scenario finished");
        System.out.flush();
        System.exit(0);
    }
}
