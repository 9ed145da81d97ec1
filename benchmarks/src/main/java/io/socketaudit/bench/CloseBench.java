package io.socketaudit.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * One {@code Socket.close()} and one {@code SocketChannel.close()} of an established loopback connection with
 * nothing pending, called {@code depth} frames deep (the stack inside {@code close()} is {@code depth} frames). Every invocation gets a freshly connected pair from an
 * invocation-level {@code @Setup} (connect and accept are not timed) and the benchmark closes the client end
 * only; the server end is closed in the untimed {@code @TearDown}. Sample-time mode: each invocation is timed
 * on its own, so the median is not moved by the occasional slow one. Run with and without the agent attached
 * ({@code -javaagent:...=stack.depth=N}) by {@link JmhRunner}; the difference is what the agent adds to a close.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class CloseBench {

    @Param({"32"})
    public int depth;

    private int recursion = -1;
    private int callerDepth;

    @State(Scope.Thread)
    public static class SocketPair {
        ServerSocket listener;
        Socket client;
        Socket server;

        @Setup(Level.Trial)
        public void listen() throws IOException {
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        }

        @Setup(Level.Invocation)
        public void connect() throws IOException {
            client = new Socket();
            client.connect(listener.getLocalSocketAddress());
            server = listener.accept();
        }

        @TearDown(Level.Invocation)
        public void closeServerEnd() throws IOException {
            client.close();
            server.close();
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            listener.close();
        }
    }

    @State(Scope.Thread)
    public static class ChannelPair {
        ServerSocketChannel listener;
        SocketChannel client;
        SocketChannel server;

        @Setup(Level.Trial)
        public void listen() throws IOException {
            listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        }

        @Setup(Level.Invocation)
        public void connect() throws IOException {
            client = SocketChannel.open(listener.getLocalAddress());
            server = listener.accept();
        }

        @TearDown(Level.Invocation)
        public void closeServerEnd() throws IOException {
            client.close();
            server.close();
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            listener.close();
        }
    }

    @Benchmark
    public void socketClose(SocketPair pair) throws IOException {
        Depth.close(recursion(), pair.client);
    }

    @Benchmark
    public void channelClose(ChannelPair pair) throws IOException {
        Depth.close(recursion(), pair.client);
    }

    /** Measured once, on the first invocation, from inside the benchmark method itself. */
    private int recursion() {
        if (recursion < 0) {
            callerDepth = Depth.ofCaller() - 1;
            recursion = Depth.recursionToCallAt(depth, callerDepth);
        }
        return recursion;
    }

    /** JMH's own frames come first: below ~16 frames the requested depth cannot be had; say what was. */
    @TearDown(Level.Trial)
    public void reportDepth() {
        System.out.println("DEPTH requested=" + depth + " atClose=" + (callerDepth + recursion + 2));
    }
}
