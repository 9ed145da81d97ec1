package io.socketaudit.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A listener on 127.0.0.1 with an ephemeral port, handing out connected client/server pairs. */
final class LoopbackListener implements AutoCloseable {

    /**
     * No read in a scenario should ever wait for long: the peer has always acted first. The
     * timeout only turns a scenario that went wrong into a failure instead of a hang.
     */
    static final int STUCK_READ_TIMEOUT_MILLIS = 10_000;

    static final InetAddress LOOPBACK = loopback();

    private final ServerSocket listener;

    LoopbackListener() throws IOException {
        listener = new ServerSocket(0, 50, LOOPBACK);
    }

    /** Connects a client and accepts it; the kernel completes the handshake before accept. */
    ConnectedPair connect() throws IOException {
        Socket client = new Socket(LOOPBACK, listener.getLocalPort());
        Socket server = listener.accept();
        client.setSoTimeout(STUCK_READ_TIMEOUT_MILLIS);
        server.setSoTimeout(STUCK_READ_TIMEOUT_MILLIS);
        return new ConnectedPair(client, server);
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }

    record ConnectedPair(Socket client, Socket server) {
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
