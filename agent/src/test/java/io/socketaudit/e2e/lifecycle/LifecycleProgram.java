package io.socketaudit.e2e.lifecycle;

import io.socketaudit.e2e.harness.ChildIo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * Whole connection lives for {@link LifecycleIT}, run with the agent from the start. For each of
 * {@code Socket}, {@code SocketChannel} and {@code AsynchronousSocketChannel}: one exchanged
 * connection (client sends {@value #REQUEST} bytes, server answers {@value #RESPONSE}, client
 * closes, server reads EOF and closes; printed as {@code exchanged <api> <client port> <listener port>}),
 * then one connection kept open until the JVM exits ({@code kept <api> <client port> <listener port>}).
 * Then main returns; the listeners are closed first, so only the kept connections are open at exit.
 *
 * <p>Each line that opens a connection ends with a marker comment {@code //@ <name>}: the test
 * expects the open's {@code caller} to be exactly that line (see {@link LifecycleSource}).
 */
public final class LifecycleProgram {

    static final int REQUEST = 1000;
    static final int RESPONSE = 300;

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** Kept reachable to the end, so that they are open at exit (and not leaks). */
    private static final List<AutoCloseable> KEPT = new ArrayList<>();

    private LifecycleProgram() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, LOOPBACK);
             ServerSocketChannel channelListener = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
             AsynchronousServerSocketChannel asyncListener = AsynchronousServerSocketChannel.open()
                     .bind(new InetSocketAddress(LOOPBACK, 0))) {
            exchangeSocket(listener);
            exchangeChannel(channelListener);
            exchangeAsync(asyncListener);
            keepSocketOpen(listener);
            keepChannelOpen(channelListener);
            keepAsyncOpen(asyncListener);
        }
        ChildIo.say("exiting with " + KEPT.size() + " sockets open");
    }

    static void exchangeSocket(ServerSocket listener) throws IOException {
        Socket client = new Socket(LOOPBACK, listener.getLocalPort()); //@ exchangeSocket.connect
        Socket server = listener.accept(); //@ exchangeSocket.accept
        OutputStream clientOut = client.getOutputStream();
        InputStream serverIn = server.getInputStream();
        clientOut.write(new byte[REQUEST]);
        ChildIo.readFully(serverIn, REQUEST);
        server.getOutputStream().write(new byte[RESPONSE]);
        ChildIo.readFully(client.getInputStream(), RESPONSE);
        client.close();
        ChildIo.expectEof(serverIn);
        server.close();
        ChildIo.say("exchanged Socket " + client.getLocalPort() + " " + listener.getLocalPort());
    }

    static void exchangeChannel(ServerSocketChannel listener) throws IOException {
        SocketChannel client = SocketChannel.open(listener.getLocalAddress()); //@ exchangeChannel.connect
        SocketChannel server = listener.accept(); //@ exchangeChannel.accept
        int clientPort = ChildIo.port(client);
        ChildIo.writeFully(client, REQUEST);
        ChildIo.readFully(server, REQUEST);
        ChildIo.writeFully(server, RESPONSE);
        ChildIo.readFully(client, RESPONSE);
        client.close();
        ChildIo.expectEof(server);
        server.close();
        ChildIo.say("exchanged SocketChannel " + clientPort + " " + port(listener.getLocalAddress()));
    }

    static void exchangeAsync(AsynchronousServerSocketChannel listener) throws Exception {
        AsynchronousSocketChannel client = AsynchronousSocketChannel.open();
        client.connect(listener.getLocalAddress()).get(); //@ exchangeAsync.connect
        // The connection is already queued, so the accept completes on this thread.
        AsynchronousSocketChannel server = listener.accept().get(); //@ exchangeAsync.accept
        int clientPort = port(client.getLocalAddress());
        write(client, REQUEST);
        read(server, REQUEST);
        write(server, RESPONSE);
        read(client, RESPONSE);
        client.close();
        if (server.read(ByteBuffer.allocate(1)).get() != -1) {
            throw new IOException("expected EOF");
        }
        server.close();
        ChildIo.say("exchanged AsynchronousSocketChannel " + clientPort + " " + port(listener.getLocalAddress()));
    }

    static void keepSocketOpen(ServerSocket listener) throws IOException {
        Socket client = new Socket(LOOPBACK, listener.getLocalPort()); //@ keepSocketOpen.connect
        Socket server = listener.accept(); //@ keepSocketOpen.accept
        KEPT.add(client);
        KEPT.add(server);
        ChildIo.say("kept Socket " + client.getLocalPort() + " " + listener.getLocalPort());
    }

    static void keepChannelOpen(ServerSocketChannel listener) throws IOException {
        SocketChannel client = SocketChannel.open(listener.getLocalAddress()); //@ keepChannelOpen.connect
        SocketChannel server = listener.accept(); //@ keepChannelOpen.accept
        KEPT.add(client);
        KEPT.add(server);
        ChildIo.say("kept SocketChannel " + ChildIo.port(client) + " " + port(listener.getLocalAddress()));
    }

    static void keepAsyncOpen(AsynchronousServerSocketChannel listener) throws Exception {
        AsynchronousSocketChannel client = AsynchronousSocketChannel.open();
        client.connect(listener.getLocalAddress()).get(); //@ keepAsyncOpen.connect
        AsynchronousSocketChannel server = listener.accept().get(); //@ keepAsyncOpen.accept
        KEPT.add(client);
        KEPT.add(server);
        ChildIo.say("kept AsynchronousSocketChannel " + port(client.getLocalAddress()) + " "
                + port(listener.getLocalAddress()));
    }

    private static int port(java.net.SocketAddress address) {
        return ((InetSocketAddress) address).getPort();
    }

    private static void write(AsynchronousSocketChannel channel, int n)
            throws InterruptedException, ExecutionException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            channel.write(buffer).get();
        }
    }

    private static void read(AsynchronousSocketChannel channel, int n)
            throws InterruptedException, ExecutionException, IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer).get() < 0) {
                throw new IOException("EOF before " + n + " bytes");
            }
        }
    }
}
