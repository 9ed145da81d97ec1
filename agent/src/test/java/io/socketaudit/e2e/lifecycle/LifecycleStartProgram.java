package io.socketaudit.e2e.lifecycle;

import io.socketaudit.e2e.harness.ChildIo;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Connections from the very first line of {@code main}, for {@link LifecycleIT}: {@value #PAIRS}
 * {@code SocketChannel} pairs (connect, accept, one byte, client close, server close), with nothing
 * else before them (no {@code Socket}, whose class loading could make the JVM wait for the agent).
 * Prints {@code pair <client port> <listener port>} for each, then returns.
 */
public final class LifecycleStartProgram {

    static final int PAIRS = 10;

    private LifecycleStartProgram() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int listenerPort = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            for (int i = 0; i < PAIRS; i++) {
                SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                SocketChannel server = listener.accept();
                int clientPort = ChildIo.port(client);
                ChildIo.writeFully(client, 1);
                ChildIo.readFully(server, 1);
                client.close();
                ChildIo.expectEof(server);
                server.close();
                ChildIo.say("pair " + clientPort + " " + listenerPort);
            }
        }
    }
}
