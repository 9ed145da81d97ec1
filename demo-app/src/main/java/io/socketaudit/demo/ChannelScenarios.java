package io.socketaudit.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** Scenario 8: a {@link SocketChannel} closed normally, by an interrupt, and by another thread. */
final class ChannelScenarios implements AutoCloseable {

    private final ServerSocketChannel listener =
            ServerSocketChannel.open().bind(new InetSocketAddress(LoopbackListener.LOOPBACK, 0));

    ChannelScenarios() throws IOException {
    }

    String channelClosedNormally() throws IOException {
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        client.write(StandardCharsets.US_ASCII.encode("DONE\n"));
        client.close();
        ByteBuffer request = ByteBuffer.allocate(64);
        while (server.read(request) >= 0) {
            // the client wrote its last word and closed: read it, then end of stream
        }
        server.close();
        return "client wrote and closed; server read " + request.position() + " bytes and end of stream, then closed";
    }

    /**
     * Interrupting a thread blocked in a channel read closes the channel; the close runs in the
     * interrupting thread, so this method is the caller.
     */
    String channelClosedByInterruptOfBlockedReader() throws Exception {
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        BlockedReader reader = BlockedReader.start(server, "reader-to-interrupt");
        reader.awaitBlockedInRead();
        reader.thread().interrupt();
        Throwable readerSaw = reader.failure();
        expectFailure(readerSaw, ClosedByInterruptException.class);
        expectEndOfStream(client);
        client.close();
        return "reader got " + readerSaw.getClass().getSimpleName() + "; client saw end of stream";
    }

    /** Another thread closes a channel while a reader is blocked in it, as a shutdown hook or watchdog would. */
    String channelClosedByAnotherThreadWhileReading() throws Exception {
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        BlockedReader reader = BlockedReader.start(server, "reader-closed-under");
        reader.awaitBlockedInRead();
        server.close();
        Throwable readerSaw = reader.failure();
        expectFailure(readerSaw, AsynchronousCloseException.class);
        expectEndOfStream(client);
        client.close();
        return "reader got " + readerSaw.getClass().getSimpleName() + "; client saw end of stream";
    }

    private static void expectFailure(Throwable seen, Class<? extends Throwable> expected) {
        // ClosedByInterruptException is an AsynchronousCloseException: compare exactly.
        if (seen == null || seen.getClass() != expected) {
            throw new IllegalStateException("reader expected " + expected.getSimpleName() + ", got " + seen);
        }
    }

    private static void expectEndOfStream(SocketChannel channel) throws IOException {
        int n = channel.read(ByteBuffer.allocate(1));
        if (n >= 0) {
            throw new IllegalStateException("expected end of stream, read " + n + " bytes");
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
