package io.socketaudit.e2e.scenarios;

import io.socketaudit.e2e.harness.ChildIo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The close scenarios of the end-to-end tests: a plain program (JDK only) that opens TCP
 * connections on 127.0.0.1 and ends them in every way the agent must record, one scenario per
 * method, all in one JVM.
 *
 * <p>Rules the tests rely on:
 * <ul>
 * <li>The method that calls {@code close()}/{@code shutdown*()} is the scenario method itself, so
 *     the event's {@code caller} is {@code CloseScenarios.<scenario>(CloseScenarios.java:<line>)}.
 *     The line of each such call carries a marker comment {@code //@ <role>.<op>} that
 *     {@code CallerMarkers} reads, so the tests know the exact line.</li>
 * <li>Each scenario runs in its own thread named {@code scenario-<method>} (a virtual thread for
 *     {@link #socketClosedByVirtualThread}); helper threads have their own names.</li>
 * <li>Before ending anything, a scenario prints every end it owns:
 *     {@code scenario <name> role=<role> localPort=<port> remotePort=<port or ->}. Roles:
 *     {@code client} (the end that connected), {@code server} (the end from accept()),
 *     {@code listener}, and {@code udp}/{@code unix} for sockets that must produce no event.</li>
 * <li>Every listener of a run has a port no other listener of the run had, and every connection
 *     goes to its scenario's own listener, so ports identify a scenario's ends unambiguously.</li>
 * <li>Everything is synchronised by blocking reads, latches and kernel-visible conditions; no
 *     sleeps. Socket timeouts are not used (they change the JDK's close path).</li>
 * </ul>
 *
 * <p>Run it without the agent to see what the JDK and kernel do on their own:
 * {@code java -cp agent/target/test-classes io.socketaudit.e2e.scenarios.CloseScenarios [scenario...]}.
 */
public final class CloseScenarios {

    /** Scenarios in the order they run. */
    static final List<String> SCENARIOS = List.of(
            "socketCloseAfterReadingEverything",
            "socketCloseThroughInputStream",
            "socketCloseThroughOutputStream",
            "socketCloseByTryWithResources",
            "socketShutdownOutputThenClose",
            "socketShutdownInputThenClose",
            "socketCloseWithUnreadInput",
            "socketCloseWithLingerZeroThenPeerCloseAfterReset",
            "socketClosedTwice",
            "serverSocketClose",
            "sslSocketClose",
            "channelCloseAfterReadingEverything",
            "channelCloseThroughSocketAdaptor",
            "channelShutdownOutputThenClose",
            "channelShutdownInputThenClose",
            "channelReadInterruptedByAnotherThread",
            "channelClosedWhileAnotherThreadReads",
            "channelCloseWithUnreadInput",
            "registeredChannelReleasedAfterPeerFin",
            "registeredChannelReleasedBeforePeerFin",
            "channelCloseWithLingerZeroWhileSendQueueFull",
            "channelClosedTwice",
            "serverSocketChannelClose",
            "asyncChannelCloseAfterReadingEverything",
            "asyncChannelShutdownOutputThenClose",
            "unixDomainChannelsClose",
            "datagramSocketAndChannelClose",
            "socketClosedByVirtualThread");

    /** Scenarios that run on a virtual thread, and only where the JDK has them (21+). */
    static final List<String> VIRTUAL_THREAD_SCENARIOS = List.of("socketClosedByVirtualThread");

    /** Bytes the peer sends and the closing side never reads, in the unread-input scenarios. */
    static final int UNREAD_BYTES = 1000;

    private static final InetAddress LOOPBACK = loopback();
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);
    private static final int REPLY = '!';
    /** Guard against a scenario that hangs: dump the threads and exit 2. Never a synchronisation. */
    private static final long HANG_GUARD_SECONDS = 90;

    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();
    private static final Set<Integer> USED_LISTENER_PORTS = new HashSet<>();
    private static final List<Object> NEVER_CLOSED = new ArrayList<>();

    private CloseScenarios() {
    }

    public static void main(String[] args) throws Exception {
        startHangGuard();
        List<String> selected = args.length == 0 ? SCENARIOS : Arrays.asList(args);
        print("jdk runtime=" + System.getProperty("java.runtime.version")
                + " feature=" + Runtime.version().feature());
        int failures = 0;
        for (String name : selected) {
            if (!SCENARIOS.contains(name)) {
                throw new IllegalArgumentException("unknown scenario " + name);
            }
            if (!runScenario(name)) {
                failures++;
            }
        }
        print("scenarios finished failures=" + failures);
        System.exit(failures == 0 ? 0 : 1);
    }

    private static boolean runScenario(String name) throws Exception {
        Method method = CloseScenarios.class.getDeclaredMethod(name);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable body = () -> {
            CURRENT.set(name);
            try {
                method.invoke(null);
            } catch (InvocationTargetException e) {
                failure.set(e.getCause());
            } catch (Throwable t) {
                failure.set(t);
            }
        };
        String threadName = "scenario-" + name;
        Thread thread;
        if (VIRTUAL_THREAD_SCENARIOS.contains(name)) {
            if (Runtime.version().feature() < 21) {
                print("scenario " + name + " skipped no virtual threads before JDK 21");
                return true;
            }
            thread = startVirtualThread(threadName, body);
        } else {
            thread = new Thread(body, threadName);
            thread.start();
        }
        thread.join();
        Throwable t = failure.get();
        if (t != null) {
            print("scenario " + name + " FAILED " + t);
            t.printStackTrace();
            return false;
        }
        print("scenario " + name + " done");
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // java.net.Socket

    /**
     * The client exchanges a few bytes, reads everything, and closes (graceful, local); the server
     * reads the client's FIN as EOF and closes in CLOSE_WAIT (graceful, initiated by the peer).
     */
    static void socketCloseAfterReadingEverything() throws IOException {
        ServerSocket listener = listen();
        Socket client = connect(listener);
        Socket server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        client.close();                                 //@ client.close
        expectEof(server);
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /** As above, but the client closes through {@code getInputStream().close()}. */
    static void socketCloseThroughInputStream() throws IOException {
        ServerSocket listener = listen();
        Socket client = connect(listener);
        Socket server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        InputStream in = client.getInputStream();
        in.close();                                     //@ client.close
        expectEof(server);
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /** As above, but the client closes through {@code getOutputStream().close()}. */
    static void socketCloseThroughOutputStream() throws IOException {
        ServerSocket listener = listen();
        Socket client = connect(listener);
        Socket server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        OutputStream out = client.getOutputStream();
        out.close();                                    //@ client.close
        expectEof(server);
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /** As above, but try-with-resources closes the client (javac puts the close on the brace). */
    static void socketCloseByTryWithResources() throws IOException {
        ServerSocket listener = listen();
        Socket server;
        try (Socket client = connect(listener)) {
            server = listener.accept();
            report(client, server, listener);
            exchange(client, server);
        }                                               //@ client.close
        expectEof(server);
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /**
     * The client half-closes (FIN), the server reads EOF and closes, the client reads the server's
     * FIN as EOF and closes: the client initiated the end, so both of its events say local.
     */
    static void socketShutdownOutputThenClose() throws IOException {
        ServerSocket listener = listen();
        Socket client = connect(listener);
        Socket server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        client.shutdownOutput();                        //@ client.shutdownOutput
        expectEof(server);
        server.close();                                 //@ server.close
        expectEof(client);
        client.close();                                 //@ client.close
        listener.close();                               //@ listener.close
    }

    /** The client shuts its input down (nothing on the wire), then closes normally. */
    static void socketShutdownInputThenClose() throws IOException {
        ServerSocket listener = listen();
        Socket client = connect(listener);
        Socket server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        client.shutdownInput();                         //@ client.shutdownInput
        client.close();                                 //@ client.close
        expectEof(server);
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /**
     * The server sends exactly {@value #UNREAD_BYTES} bytes that the client never reads; the
     * client closes: the kernel resets the connection (the JDK shuts output down first, so a FIN
     * precedes the RST). The server then closes a reset connection (peer-reset).
     */
    static void socketCloseWithUnreadInput() throws IOException {
        ServerSocket listener = listen();
        Socket client = connect(listener);
        Socket server = listener.accept();
        report(client, server, listener);
        server.getOutputStream().write(new byte[UNREAD_BYTES]);
        awaitAvailable(client.getInputStream(), UNREAD_BYTES);
        client.close();                                 //@ client.close
        awaitReset(server);
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /**
     * The client closes with SO_LINGER 0 (RST only); the server's blocked read fails with
     * "Connection reset" and the server then closes (peer-reset). No data was exchanged, so
     * nothing is pending on either side.
     */
    static void socketCloseWithLingerZeroThenPeerCloseAfterReset() throws IOException {
        ServerSocket listener = listen();
        Socket client = connect(listener);
        Socket server = listener.accept();
        report(client, server, listener);
        client.setSoLinger(true, 0);
        client.close();                                 //@ client.close
        expectReadFailure(server.getInputStream());
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /** Every end is closed twice: the second close of each is not an operation. */
    static void socketClosedTwice() throws IOException {
        ServerSocket listener = listen();
        Socket client = connect(listener);
        Socket server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        client.close();                                 //@ client.close
        client.close();
        expectEof(server);
        server.close();                                 //@ server.close
        server.close();
        listener.close();                               //@ listener.close
        listener.close();
    }

    /** A bound ServerSocket that never accepted anything is closed. */
    static void serverSocketClose() throws IOException {
        ServerSocket listener = listen();
        report("listener", listener);
        listener.close();                               //@ listener.close
    }

    // ------------------------------------------------------------------------------------------
    // javax.net.ssl.SSLSocket

    /**
     * TLS over loopback with a self-signed certificate made by keytool at run time. The client
     * closes (close_notify, then FIN); the server reads the close_notify as EOF and closes.
     */
    static void sslSocketClose() throws Exception {
        SSLContext context = selfSignedContext();
        SSLServerSocket listener = uniquePort(() -> (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 50, LOOPBACK), ServerSocket::getLocalPort);
        SSLSocket client = (SSLSocket) context.getSocketFactory().createSocket(LOOPBACK, listener.getLocalPort());
        SSLSocket server = (SSLSocket) listener.accept();
        report(client, server, listener);
        AtomicReference<Throwable> clientHandshake = new AtomicReference<>();
        Thread handshaker = new Thread(() -> {
            try {
                client.startHandshake();
            } catch (Throwable t) {
                clientHandshake.set(t);
            }
        }, "ssl-client-handshake");
        handshaker.start();
        server.startHandshake();
        handshaker.join();
        if (clientHandshake.get() != null) {
            throw new IOException("client handshake failed", clientHandshake.get());
        }
        print("scenario " + current() + " fact protocol=" + client.getSession().getProtocol());
        exchange(client, server);
        client.close();                                 //@ client.close
        // The server's TLS layer answers the client's close_notify inside this read with its own
        // close_notify and a shutdown of the output: an operation of the JDK's, on the reading thread.
        int eof = server.getInputStream().read();       //@ server.shutdownOutput
        if (eof != -1) {
            throw new IOException("expected EOF, read " + eof);
        }
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    // ------------------------------------------------------------------------------------------
    // java.nio.channels.SocketChannel

    /** SocketChannel version of {@link #socketCloseAfterReadingEverything}; the listener is a ServerSocketChannel. */
    static void channelCloseAfterReadingEverything() throws IOException {
        ServerSocketChannel listener = listenChannel();
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        client.close();                                 //@ client.close
        expectEof(server);
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /** The client channel is closed through its socket adaptor: still one SocketChannel event. */
    static void channelCloseThroughSocketAdaptor() throws IOException {
        ServerSocketChannel listener = listenChannel();
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        Socket adaptor = client.socket();
        adaptor.close();                                //@ client.close
        expectEof(server);
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /** SocketChannel version of {@link #socketShutdownOutputThenClose}. */
    static void channelShutdownOutputThenClose() throws IOException {
        ServerSocketChannel listener = listenChannel();
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        client.shutdownOutput();                        //@ client.shutdownOutput
        expectEof(server);
        server.close();                                 //@ server.close
        expectEof(client);
        client.close();                                 //@ client.close
        listener.close();                               //@ listener.close
    }

    /** SocketChannel version of {@link #socketShutdownInputThenClose}. */
    static void channelShutdownInputThenClose() throws IOException {
        ServerSocketChannel listener = listenChannel();
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        client.shutdownInput();                         //@ client.shutdownInput
        client.close();                                 //@ client.close
        expectEof(server);
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /**
     * A thread named {@code reader-channelReadInterruptedByAnotherThread} blocks in
     * {@code client.read}; the scenario thread interrupts it, which closes the channel in the
     * scenario thread (cause interrupt, caller = the interrupt() line).
     */
    static void channelReadInterruptedByAnotherThread() throws Exception {
        ServerSocketChannel listener = listenChannel();
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        BlockedReader reader = BlockedReader.start(client, "reader-" + current());
        reader.awaitBlockedInRead();
        reader.thread.interrupt();                      //@ client.close
        reader.thread.join();
        reader.expectOutcome(ClosedByInterruptException.class);
        expectEof(server);
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /**
     * A thread named {@code reader-channelClosedWhileAnotherThreadReads} blocks in
     * {@code client.read}; the scenario thread closes the channel (cause async-close).
     */
    static void channelClosedWhileAnotherThreadReads() throws Exception {
        ServerSocketChannel listener = listenChannel();
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        BlockedReader reader = BlockedReader.start(client, "reader-" + current());
        reader.awaitBlockedInRead();
        client.close();                                 //@ client.close
        reader.thread.join();
        reader.expectOutcome(AsynchronousCloseException.class);
        expectEof(server);
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /**
     * The server sends exactly {@value #UNREAD_BYTES} bytes that the client never reads; the
     * client channel closes: RST only (a channel does not shut output down first). The server's
     * blocked read fails with "Connection reset" and the server closes (peer-reset).
     */
    static void channelCloseWithUnreadInput() throws IOException {
        ServerSocketChannel listener = listenChannel();
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        report(client, server, listener);
        writeFully(server, ByteBuffer.allocate(UNREAD_BYTES));
        awaitAvailable(client.socket().getInputStream(), UNREAD_BYTES);
        client.close();                                 //@ client.close
        expectReadFailure(server);
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /**
     * The server channel, non-blocking and registered with a selector, closes with {@value #UNREAD_BYTES} bytes
     * unread: the JDK shuts its output down at once (FIN) and leaves the descriptor to the selector. The client
     * reads that FIN and closes; once the server's kernel has taken the client's FIN (the connection is in
     * TIME_WAIT), the selector releases the descriptor: the exchange is over and Linux sends no RST.
     */
    static void registeredChannelReleasedAfterPeerFin() throws IOException {
        ServerSocketChannel listener = listenChannel();
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        report(client, server, listener);
        int serverPort = server.socket().getLocalPort();
        int clientPort = client.socket().getLocalPort();
        try (java.nio.channels.Selector selector = registerWithUnreadInput(client, server)) {
            server.close();                             //@ server.close
            expectEof(client);
            client.close();                             //@ client.close
            awaitKernelState(serverPort, clientPort, "06"); // TIME_WAIT
            selector.selectNow();
        }
        listener.close();                               //@ listener.close
    }

    /**
     * The same close, but the selector releases the descriptor before the client does anything: the input is
     * still unread and the exchange unfinished, so the release sends RST after the FIN. The client, reset, closes.
     */
    static void registeredChannelReleasedBeforePeerFin() throws IOException {
        ServerSocketChannel listener = listenChannel();
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        report(client, server, listener);
        int serverPort = server.socket().getLocalPort();
        int clientPort = client.socket().getLocalPort();
        try (java.nio.channels.Selector selector = registerWithUnreadInput(client, server)) {
            server.close();                             //@ server.close
            selector.selectNow();
        }
        awaitKernelState(clientPort, serverPort, null); // the reset is in: the kernel lists the connection no more
        client.close();                                 //@ client.close
        listener.close();                               //@ listener.close
    }

    /** The client sends bytes the server never reads; then the server goes non-blocking under a selector. */
    private static java.nio.channels.Selector registerWithUnreadInput(SocketChannel client, SocketChannel server)
            throws IOException {
        writeFully(client, ByteBuffer.allocate(UNREAD_BYTES));
        awaitAvailable(server.socket().getInputStream(), UNREAD_BYTES);
        java.nio.channels.Selector selector = java.nio.channels.Selector.open();
        server.configureBlocking(false);
        server.register(selector, java.nio.channels.SelectionKey.OP_READ);
        return selector;
    }

    /**
     * Waits until the kernel lists the connection from {@code localPort} to {@code remotePort} in {@code state}
     * (hexadecimal, as /proc/net/tcp writes it), or, with {@code null}, no longer lists it; polled, not slept.
     */
    private static void awaitKernelState(int localPort, int remotePort, String state) throws IOException {
        String local = String.format(":%04X", localPort);
        String remote = String.format(":%04X", remotePort);
        long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
        while (true) {
            String found = null;
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 3 && fields[1].endsWith(local) && fields[2].endsWith(remote)) {
                        found = fields[3];
                    }
                }
            }
            if (state == null ? found == null : state.equals(found)) {
                return;
            }
            if (System.nanoTime() > guard) {
                throw new IOException("the kernel lists " + localPort + "->" + remotePort + " in state " + found
                        + ", not " + state);
            }
            Thread.onSpinWait();
        }
    }

    /**
     * The server (a Socket with a small receive buffer) never reads; the client channel, with a
     * small send buffer and in non-blocking mode, writes until write() returns 0 (send queue full,
     * a deterministic signal), then closes with SO_LINGER 0: RST, with bytes still pending. The
     * server drains what it got until its read fails with "Connection reset", then closes.
     */
    static void channelCloseWithLingerZeroWhileSendQueueFull() throws IOException {
        ServerSocket listener = uniquePort(() -> {
            ServerSocket small = new ServerSocket();
            small.setReceiveBufferSize(4096);
            small.bind(new InetSocketAddress(LOOPBACK, 0), 50);
            return small;
        }, ServerSocket::getLocalPort);
        SocketChannel client = SocketChannel.open();
        client.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        client.connect(listener.getLocalSocketAddress());
        Socket server = listener.accept();
        report(client, server, listener);
        client.configureBlocking(false);
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        long written = 0;
        int n;
        do {
            chunk.clear();
            n = client.write(chunk);
            written += n;
        } while (n > 0);
        print("scenario " + current() + " fact written=" + written);
        client.setOption(StandardSocketOptions.SO_LINGER, 0);
        client.close();                                 //@ client.close
        expectReadFailure(server.getInputStream());
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /** Every channel is closed twice: the second close of each is not an operation. */
    static void channelClosedTwice() throws IOException {
        ServerSocketChannel listener = listenChannel();
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        client.close();                                 //@ client.close
        client.close();
        expectEof(server);
        server.close();                                 //@ server.close
        server.close();
        listener.close();                               //@ listener.close
        listener.close();
    }

    /** A bound ServerSocketChannel that never accepted anything is closed. */
    static void serverSocketChannelClose() throws IOException {
        ServerSocketChannel listener = listenChannel();
        report("listener", listener);
        listener.close();                               //@ listener.close
    }

    // ------------------------------------------------------------------------------------------
    // java.nio.channels.AsynchronousSocketChannel (the server end is a plain Socket)

    /** AsynchronousSocketChannel version of {@link #socketCloseAfterReadingEverything}. */
    static void asyncChannelCloseAfterReadingEverything() throws Exception {
        ServerSocket listener = listen();
        AsynchronousSocketChannel client = AsynchronousSocketChannel.open();
        client.connect(listener.getLocalSocketAddress()).get();
        Socket server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        client.close();                                 //@ client.close
        expectEof(server);
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    /** AsynchronousSocketChannel version of {@link #socketShutdownOutputThenClose}. */
    static void asyncChannelShutdownOutputThenClose() throws Exception {
        ServerSocket listener = listen();
        AsynchronousSocketChannel client = AsynchronousSocketChannel.open();
        client.connect(listener.getLocalSocketAddress()).get();
        Socket server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        client.shutdownOutput();                        //@ client.shutdownOutput
        expectEof(server);
        server.close();                                 //@ server.close
        int eof = client.read(ByteBuffer.allocate(1)).get();
        if (eof != -1) {
            throw new IOException("expected EOF on the async client, read " + eof);
        }
        client.close();                                 //@ client.close
        listener.close();                               //@ listener.close
    }

    // ------------------------------------------------------------------------------------------
    // Not TCP: no events at all

    /** UNIX-domain channels exchange data, half-close and close: they are not TCP. */
    static void unixDomainChannelsClose() throws IOException {
        Path dir = Files.createTempDirectory("socket-audit-e2e");
        Path path = dir.resolve("scenario.sock");
        try {
            UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
            ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            listener.bind(address);
            SocketChannel client = SocketChannel.open(address);
            SocketChannel server = listener.accept();
            print("scenario " + current() + " role=unix path=" + path);
            exchange(client, server);
            client.shutdownOutput();
            expectEof(server);
            server.shutdownInput();
            server.close();
            client.close();
            listener.close();
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    /** A DatagramSocket and a DatagramChannel exchange a datagram and close: they are not TCP. */
    static void datagramSocketAndChannelClose() throws IOException {
        DatagramSocket socket = new DatagramSocket(0, LOOPBACK);
        DatagramChannel channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(LOOPBACK, 0));
        InetSocketAddress channelAddress = (InetSocketAddress) channel.getLocalAddress();
        print("scenario " + current() + " role=udp localPort=" + socket.getLocalPort() + " remotePort=-");
        print("scenario " + current() + " role=udp localPort=" + channelAddress.getPort() + " remotePort=-");
        socket.send(new DatagramPacket(HELLO, HELLO.length, channelAddress));
        ByteBuffer received = ByteBuffer.allocate(16);
        SocketAddress sender = channel.receive(received);
        channel.send(ByteBuffer.wrap(new byte[] {REPLY}), sender);
        DatagramPacket reply = new DatagramPacket(new byte[16], 16);
        socket.receive(reply);
        channel.connect(socket.getLocalSocketAddress());
        socket.close();
        channel.close();
    }

    // ------------------------------------------------------------------------------------------
    // Virtual threads (JDK 21+)

    /** Runs on a virtual thread named {@code scenario-socketClosedByVirtualThread}: a plain close. */
    static void socketClosedByVirtualThread() throws IOException {
        ServerSocket listener = listen();
        Socket client = connect(listener);
        Socket server = listener.accept();
        report(client, server, listener);
        exchange(client, server);
        client.close();                                 //@ client.close
        expectEof(server);
        server.close();                                 //@ server.close
        listener.close();                               //@ listener.close
    }

    // ------------------------------------------------------------------------------------------
    // Helpers. None of them closes or shuts down a scenario's socket.

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName("127.0.0.1");
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static String current() {
        return CURRENT.get();
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static ServerSocket listen() throws IOException {
        return uniquePort(() -> new ServerSocket(0, 50, LOOPBACK), ServerSocket::getLocalPort);
    }

    private static ServerSocketChannel listenChannel() throws IOException {
        return uniquePort(() -> {
            ServerSocketChannel listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress(LOOPBACK, 0), 50);
            return listener;
        }, l -> ((InetSocketAddress) l.getLocalAddress()).getPort());
    }

    /** Something that opens a listener. */
    private interface Opener<T> {
        T open() throws IOException;
    }

    /** Reads a listener's port. */
    private interface PortOf<T> {
        int port(T listener) throws IOException;
    }

    /**
     * Opens a listener whose port no earlier listener of this run had, so a listener port names
     * one scenario: every connection of a scenario goes to its own listener, and the tests match
     * events to ends by port. A listener that got a reused port is kept open, never closed (no
     * event), so the kernel cannot hand that port out again.
     */
    private static synchronized <T> T uniquePort(Opener<T> opener, PortOf<T> portOf) throws IOException {
        while (true) {
            T listener = opener.open();
            if (USED_LISTENER_PORTS.add(portOf.port(listener))) {
                return listener;
            }
            NEVER_CLOSED.add(listener);
        }
    }

    private static Socket connect(ServerSocket listener) throws IOException {
        return new Socket(LOOPBACK, listener.getLocalPort());
    }

    private static void report(Object client, Object server, Object listener) throws IOException {
        report("client", client);
        report("server", server);
        report("listener", listener);
    }

    private static void report(String role, Object end) throws IOException {
        int local;
        String remote;
        if (end instanceof Socket) {
            Socket s = (Socket) end;
            local = s.getLocalPort();
            remote = Integer.toString(s.getPort());
        } else if (end instanceof ServerSocket) {
            local = ((ServerSocket) end).getLocalPort();
            remote = "-";
        } else if (end instanceof SocketChannel) {
            SocketChannel c = (SocketChannel) end;
            local = ((InetSocketAddress) c.getLocalAddress()).getPort();
            remote = Integer.toString(((InetSocketAddress) c.getRemoteAddress()).getPort());
        } else if (end instanceof AsynchronousSocketChannel) {
            AsynchronousSocketChannel c = (AsynchronousSocketChannel) end;
            local = ((InetSocketAddress) c.getLocalAddress()).getPort();
            remote = Integer.toString(((InetSocketAddress) c.getRemoteAddress()).getPort());
        } else if (end instanceof NetworkChannel) {
            local = ((InetSocketAddress) ((NetworkChannel) end).getLocalAddress()).getPort();
            remote = "-";
        } else {
            throw new IllegalArgumentException("cannot report " + end);
        }
        print("scenario " + current() + " role=" + role + " localPort=" + local + " remotePort=" + remote);
    }

    /** Client sends "hello", server reads it all and answers one byte, client reads it. */
    private static void exchange(Socket client, Socket server) throws IOException {
        client.getOutputStream().write(HELLO);
        client.getOutputStream().flush();
        byte[] got = server.getInputStream().readNBytes(HELLO.length);
        if (!Arrays.equals(got, HELLO)) {
            throw new IOException("server read " + Arrays.toString(got));
        }
        server.getOutputStream().write(REPLY);
        server.getOutputStream().flush();
        int reply = client.getInputStream().read();
        if (reply != REPLY) {
            throw new IOException("client read " + reply);
        }
    }

    private static void exchange(SocketChannel client, SocketChannel server) throws IOException {
        writeFully(client, ByteBuffer.wrap(HELLO));
        ChildIo.readFully(server, HELLO.length);
        writeFully(server, ByteBuffer.wrap(new byte[] {REPLY}));
        ChildIo.readFully(client, 1);
    }

    private static void exchange(AsynchronousSocketChannel client, Socket server) throws Exception {
        ByteBuffer hello = ByteBuffer.wrap(HELLO);
        while (hello.hasRemaining()) {
            client.write(hello).get();
        }
        byte[] got = server.getInputStream().readNBytes(HELLO.length);
        if (!Arrays.equals(got, HELLO)) {
            throw new IOException("server read " + Arrays.toString(got));
        }
        server.getOutputStream().write(REPLY);
        ByteBuffer reply = ByteBuffer.allocate(1);
        while (reply.hasRemaining()) {
            if (client.read(reply).get() < 0) {
                throw new IOException("async client read EOF instead of the reply");
            }
        }
    }

    private static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void expectEof(Socket socket) throws IOException {
        ChildIo.expectEof(socket.getInputStream());
    }

    private static void expectEof(SocketChannel channel) throws IOException {
        ChildIo.expectEof(channel);
    }

    /** Reads (draining any data) until the read fails, as it does once the peer's RST is in. */
    private static void expectReadFailure(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        try {
            while (true) {
                if (in.read(buffer) < 0) {
                    throw new IOException("expected the read to fail with a reset, got EOF");
                }
            }
        } catch (java.net.SocketException expected) {
            if (!String.valueOf(expected.getMessage()).contains("reset")) {
                throw expected;
            }
        }
    }

    private static void expectReadFailure(SocketChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (true) {
                buffer.clear();
                if (channel.read(buffer) < 0) {
                    throw new IOException("expected the read to fail with a reset, got EOF");
                }
            }
        } catch (IOException expected) {
            if (!String.valueOf(expected.getMessage()).contains("reset")) {
                throw expected;
            }
        }
    }

    /**
     * Waits until the peer's RST has been processed on a socket that already got the peer's FIN:
     * reads up to EOF, then writes single bytes until a write fails (the first write after the
     * RST does; writes before it succeed). Deterministic: it ends exactly when the reset is in.
     */
    private static void awaitReset(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // the peer sent nothing, but be exact: drain whatever is there
            }
        } catch (java.net.SocketException resetWhileReading) {
            return;
        }
        OutputStream out = socket.getOutputStream();
        long writes = 0;
        try {
            while (true) {
                out.write(0);
                writes++;
            }
        } catch (java.net.SocketException resetSeen) {
            print("scenario " + current() + " fact writesBeforeReset=" + writes);
        }
    }

    /**
     * Waits until the kernel has {@code bytes} bytes ready on this socket without reading them
     * (FIONREAD); a condition on kernel state, polled, not a timed sleep.
     */
    private static void awaitAvailable(InputStream in, int bytes) throws IOException {
        long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
        int available;
        while ((available = in.available()) < bytes) {
            if (System.nanoTime() > guard) {
                throw new IOException("only " + available + " of " + bytes + " bytes arrived");
            }
            Thread.onSpinWait();
        }
        if (available != bytes) {
            throw new IOException(available + " bytes available, expected " + bytes);
        }
    }

    /** A named thread blocked in {@code SocketChannel.read}; records how the read ended. */
    private static final class BlockedReader {
        final Thread thread;
        final AtomicReference<Object> outcome = new AtomicReference<>();

        private BlockedReader(SocketChannel channel, String name) {
            thread = new Thread(() -> {
                try {
                    int n = channel.read(ByteBuffer.allocate(16));
                    outcome.set("read returned " + n);
                } catch (Throwable t) {
                    outcome.set(t);
                }
            }, name);
        }

        static BlockedReader start(SocketChannel channel, String name) {
            BlockedReader reader = new BlockedReader(channel, name);
            reader.thread.start();
            return reader;
        }

        /**
         * Waits until the reader is inside the native read of {@code SocketChannelImpl.read}: its
         * interrupt hook is installed by then and the read cannot return without data, an
         * interrupt or a close. A condition on the thread's stack, polled.
         */
        void awaitBlockedInRead() throws IOException {
            long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
            while (true) {
                StackTraceElement[] stack = thread.getStackTrace();
                if (stack.length > 0 && stack[0].isNativeMethod() && stack[0].getMethodName().startsWith("read")
                        && Arrays.stream(stack).anyMatch(f -> f.getClassName().equals("sun.nio.ch.SocketChannelImpl")
                                && f.getMethodName().equals("read"))) {
                    return;
                }
                if (!thread.isAlive()) {
                    throw new IOException("reader ended before blocking: " + outcome.get());
                }
                if (System.nanoTime() > guard) {
                    throw new IOException("reader never blocked in read: " + Arrays.toString(stack));
                }
                Thread.yield();
            }
        }

        void expectOutcome(Class<? extends Throwable> type) throws IOException {
            Object result = outcome.get();
            if (!type.isInstance(result)) {
                throw new IOException("the blocked read ended with " + result + ", expected " + type.getName());
            }
        }
    }

    /** A context with a key pair and self-signed certificate made by this JDK's keytool. */
    private static SSLContext selfSignedContext() throws Exception {
        Path dir = Files.createTempDirectory("socket-audit-e2e-tls");
        Path keystore = dir.resolve("server.p12");
        char[] password = "e2e-password".toCharArray();
        try {
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "e2e",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                    "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", keystore.toString(), "-storepass", new String(password),
                    "-keypass", new String(password))
                    .redirectErrorStream(true)
                    .start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool failed: " + output);
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                keys.load(in, password);
            }
            Certificate certificate = keys.getCertificate("e2e");
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("e2e", certificate);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } finally {
            Files.deleteIfExists(keystore);
            Files.deleteIfExists(dir);
        }
    }

    /** Thread.ofVirtual().name(name).start(body), by reflection: this class is compiled for 17. */
    private static Thread startVirtualThread(String name, Runnable body) throws Exception {
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
        builder = ofVirtual.getMethod("name", String.class).invoke(builder, name);
        return (Thread) ofVirtual.getMethod("start", Runnable.class).invoke(builder, body);
    }

    private static void startHangGuard() {
        CountDownLatch never = new CountDownLatch(1);
        Thread guard = new Thread(() -> {
            try {
                if (!never.await(HANG_GUARD_SECONDS * 2, TimeUnit.SECONDS)) {
                    StringBuilder dump = new StringBuilder("CloseScenarios hang guard expired; threads:\n");
                    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                        dump.append(e.getKey()).append('\n');
                        for (StackTraceElement f : e.getValue()) {
                            dump.append("    at ").append(f).append('\n');
                        }
                    }
                    System.err.print(dump);
                    System.err.flush();
                    Runtime.getRuntime().halt(2);
                }
            } catch (InterruptedException ignored) {
                // exit
            }
        }, "scenario-hang-guard");
        guard.setDaemon(true);
        guard.start();
    }
}
