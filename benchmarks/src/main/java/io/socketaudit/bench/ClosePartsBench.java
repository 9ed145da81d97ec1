package io.socketaudit.bench;

import io.socketaudit.bootstrap.SocketBridge;
import io.socketaudit.event.OpenConnections;
import io.socketaudit.event.SocketEventRecorder;
import io.socketaudit.kernel.JdkSocketFields;
import io.socketaudit.kernel.KernelProbe;
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

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The parts of the agent's work on the closing thread, each alone, on JDK classes and the agent's own classes
 * (agent jar on the class path, not attached; {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} for the
 * channel's descriptor):
 * <ul>
 *   <li>{@code stackCapture}: {@code new Throwable()} with as many frames as the agent's capture inside a close
 *   called {@code depth} frames deep ({@link #CAPTURE_EXTRA_FRAMES} more: the JDK's close and the recorder);</li>
 *   <li>{@code kernelProbeSocket}, {@code kernelProbeChannel}: {@code KernelProbe.probe(fd, true, false)} (with the
 *   local address) on an established loopback connection; {@code kernelProbeSocketNoAddress}:
 *   {@code probe(fd, false, false)}, what is left when the open already recorded the local address;</li>
 *   <li>{@code handOffNoWaiter}: {@code ArrayBlockingQueue.offer} of a small object and the matching {@code poll},
 *   the queue's lock and no one to wake (the writer is busy);</li>
 *   <li>{@code handOffWakeWriter}: one {@code offer} to the queue while a writer-like thread waits on it in
 *   {@code poll(timeout)}: the offer must wake it, which the agent's hand-off avoids (sample time, an
 *   invocation-level setup waits until the consumer is parked again);</li>
 *   <li>{@code recorderClose}: the agent's {@code SocketEventRecorder.enter} + {@code exit} for one Socket close,
 *   called {@code depth} frames deep, of a connection the recorder saw opening (an invocation-level setup, untimed),
 *   with a sink that drops the event: kernel query, stack capture, thread-local and open-connection bookkeeping,
 *   without the JDK's close, the advice dispatch and the queue.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ClosePartsBench {

    /** Frames between a {@code Socket.close()} call and the agent's capture: close funnels, bridge, recorder, event. */
    public static final int CAPTURE_EXTRA_FRAMES = 6;

    @Param({"32"})
    public int depth;

    private int captureRecursion = -1;
    private int capturedFrames;
    private int callRecursion = -1;

    /** One established loopback connection of each kind, kept open, and the agent's probe. */
    @State(Scope.Benchmark)
    public static class Connection {
        static {
            try {
                AgentParts.loadKernelProbe();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        ServerSocket listener;
        Socket client;
        Socket server;
        ServerSocketChannel channelListener;
        SocketChannel channelClient;
        SocketChannel channelServer;
        FileDescriptor socketFd;
        FileDescriptor channelFd;
        InetAddress remote;
        int remotePort;
        SocketEventRecorder recorder;

        @Setup(Level.Trial)
        public void open() throws IOException {
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            client = new Socket();
            client.connect(listener.getLocalSocketAddress());
            server = listener.accept();
            socketFd = JdkSocketFields.socketFd(client);
            remote = client.getInetAddress();
            remotePort = client.getPort();
            channelListener = ServerSocketChannel.open();
            channelListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            channelClient = SocketChannel.open(channelListener.getLocalAddress());
            channelServer = channelListener.accept();
            channelFd = AgentParts.channelFd(channelClient);
            recorder = new SocketEventRecorder(new OpenConnections(), event -> true);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            client.close();
            server.close();
            listener.close();
            channelClient.close();
            channelServer.close();
            channelListener.close();
        }
    }

    /** A queue of the agent's kind with a consumer that waits on it like the agent's writer. */
    @State(Scope.Benchmark)
    public static class WaitingWriter {
        final ArrayBlockingQueue<Object> queue = new ArrayBlockingQueue<>(65536);
        volatile boolean running = true;
        Thread writer;

        @Setup(Level.Trial)
        public void start() {
            writer = new Thread(() -> {
                while (running) {
                    try {
                        Object first = queue.poll(200, TimeUnit.MILLISECONDS);
                        if (first != null) {
                            queue.clear();
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "writer-like");
            writer.setDaemon(true);
            writer.start();
        }

        /** Untimed: wait until the writer has taken the last event and parked again. */
        @Setup(Level.Invocation)
        public void awaitParked() {
            while (!queue.isEmpty() || writer.getState() != Thread.State.TIMED_WAITING) {
                LockSupport.parkNanos(1_000);
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            running = false;
            writer.interrupt();
            writer.join();
        }
    }

    /** A connection the recorder saw opening, as every connection the agent audits from its start, for one close. */
    @State(Scope.Thread)
    public static class Opened {
        Object owner;

        @Setup(Level.Invocation)
        public void open(Connection c) {
            owner = new Object();
            c.recorder.opened(SocketBridge.SOCKET, SocketBridge.CONNECT, owner, c.socketFd, null, c.remote, c.remotePort);
        }
    }

    @State(Scope.Thread)
    public static class Queue {
        final ArrayBlockingQueue<Object> queue = new ArrayBlockingQueue<>(65536);
        final Object event = new Object();
    }

    /** What the stack capture really captured, for the harness (JMH's own frames set a floor). */
    @TearDown(Level.Trial)
    public void reportDepth() {
        if (capturedFrames > 0) {
            System.out.println("DEPTH requested=" + depth + " captured=" + capturedFrames);
        }
    }

    @Benchmark
    public Throwable stackCapture() {
        if (captureRecursion < 0) {
            captureRecursion = Depth.recursionToCapture(depth + CAPTURE_EXTRA_FRAMES, Depth.ofCaller());
            capturedFrames = Depth.throwable(captureRecursion).getStackTrace().length;
        }
        return Depth.throwable(captureRecursion);
    }

    @Benchmark
    public Object kernelProbeSocket(Connection c) {
        return KernelProbe.probe(c.socketFd, true, false);
    }

    @Benchmark
    public Object kernelProbeSocketNoAddress(Connection c) {
        return KernelProbe.probe(c.socketFd, false, false);
    }

    @Benchmark
    public Object kernelProbeChannel(Connection c) {
        return KernelProbe.probe(c.channelFd, true, false);
    }

    @Benchmark
    public Object handOffNoWaiter(Queue q) {
        q.queue.offer(q.event);
        return q.queue.poll();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public boolean handOffWakeWriter(WaitingWriter w) {
        return w.queue.offer(w);
    }

    @Benchmark
    public void recorderClose(Connection c, Opened o) {
        if (callRecursion < 0) {
            callRecursion = Depth.recursionToCallAt(depth, Depth.ofCaller());
        }
        Depth.run(callRecursion, () -> AgentParts.close(c.recorder, SocketBridge.SOCKET, SocketBridge.CLOSE, o.owner,
                c.socketFd, c.remote, c.remotePort));
    }
}
