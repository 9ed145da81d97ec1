package io.socketaudit.demo;

import static io.socketaudit.demo.LineProtocol.expectEndOfStream;
import static io.socketaudit.demo.LineProtocol.expectReset;
import static io.socketaudit.demo.LineProtocol.readLine;
import static io.socketaudit.demo.LineProtocol.readToEnd;
import static io.socketaudit.demo.LineProtocol.send;

import io.socketaudit.demo.LoopbackListener.ConnectedPair;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * Scenarios 1 to 7: the ways a {@link Socket} connection ends. Client and server take turns in
 * one thread; every message is small enough for the kernel's buffers, so no write waits for a
 * read, and every read is of something the other side has already sent.
 */
final class SocketScenarios implements AutoCloseable {

    private static final int IDLE_TIMEOUT_MILLIS = 100;
    private static final String UPLOAD_BODY = "x".repeat(1000);
    private static final String STREAM_CHUNK = "y".repeat(4096);

    private final LoopbackListener listener = new LoopbackListener();

    SocketScenarios() throws IOException {
    }

    /** Like Node's {@code socket.end('Goodbye')}: a last word, then FIN on the write side only. */
    String serverSaysGoodbyeAndHalfCloses() throws IOException {
        ConnectedPair pair = listener.connect();
        Socket client = pair.client();
        Socket server = pair.server();
        send(server.getOutputStream(), "Goodbye\n");
        server.shutdownOutput();
        String lastWord = readToEnd(client.getInputStream()).trim();
        client.close();
        expectEndOfStream(server.getInputStream());
        server.close();
        return "client read \"" + lastWord + "\" then end of stream; client closed, then server";
    }

    /** Like Node's {@code socket.destroy()}: linger 0 makes close send RST, discarding anything in flight. */
    String serverClosesAbruptly() throws IOException {
        ConnectedPair pair = listener.connect();
        Socket client = pair.client();
        Socket server = pair.server();
        send(client.getOutputStream(), "GET /report\n");
        readLine(server.getInputStream());
        server.setSoLinger(true, 0);
        server.close();
        String clientSaw = expectReset(client.getInputStream());
        client.close();
        return "server reset the connection; client saw \"" + clientSaw + "\"";
    }

    /**
     * Like Node's {@code socket.destroySoon()}: end the write side, then close only once the peer
     * has read everything, which it confirms with an acknowledgement.
     */
    String serverEndsThenClosesOncePeerHasReadEverything() throws IOException {
        ConnectedPair pair = listener.connect();
        Socket client = pair.client();
        Socket server = pair.server();
        String response = "z".repeat(16 * 1024) + "\n";
        send(server.getOutputStream(), response);
        server.shutdownOutput();
        int received = readToEnd(client.getInputStream()).length();
        send(client.getOutputStream(), "ACK\n");
        readLine(server.getInputStream());
        server.close();
        client.close();
        return "client read all " + received + " bytes and acknowledged; server closed, then client";
    }

    /** The client is done (logout, exit): it closes first, and the server closes on end of stream. */
    String clientQuitsFirst() throws IOException {
        ConnectedPair pair = listener.connect();
        Socket client = pair.client();
        Socket server = pair.server();
        send(client.getOutputStream(), "QUIT\n");
        client.close();
        String lastCommand = readToEnd(server.getInputStream()).trim();
        server.close();
        return "server read \"" + lastCommand + "\" then end of stream, and closed its side";
    }

    /** The server decides an idle client is no longer worth a connection. */
    String serverDropsIdleClient() throws IOException {
        ConnectedPair pair = listener.connect();
        Socket client = pair.client();
        Socket server = pair.server();
        server.setSoTimeout(IDLE_TIMEOUT_MILLIS);
        try {
            int b = server.getInputStream().read();
            throw new IllegalStateException("the idle client sent something: " + b);
        } catch (SocketTimeoutException idle) {
            server.close();
        }
        expectEndOfStream(client.getInputStream());
        client.close();
        return "no request within " + IDLE_TIMEOUT_MILLIS + " ms; server closed, client saw end of stream";
    }

    /**
     * The server rejects a request after its first line and closes without reading the body:
     * Linux answers a close with unread input by RST instead of a normal end.
     */
    String serverClosesWithRequestUnread() throws IOException {
        ConnectedPair pair = listener.connect();
        Socket client = pair.client();
        Socket server = pair.server();
        // One write of a small request is one segment: once its first line has arrived, so has the body.
        send(client.getOutputStream(), "POST /upload\n" + UPLOAD_BODY);
        String requestLine = readLine(server.getInputStream());
        server.close();
        // The JDK shuts the write side down before it closes, so the client reads the FIN
        // first: end of stream, no response. The RST comes right after it.
        expectEndOfStream(client.getInputStream());
        client.close();
        return "server read \"" + requestLine + "\" and closed with " + UPLOAD_BODY.length()
                + " bytes unread; client got no response";
    }

    /**
     * A transmission error: the client aborts an upload half way, and the server's error handling
     * closes its side once the read fails with "Connection reset".
     */
    String peerResetsMidStream() throws IOException {
        ConnectedPair pair = listener.connect();
        Socket client = pair.client();
        Socket server = pair.server();
        send(client.getOutputStream(), STREAM_CHUNK);
        InputStream upload = server.getInputStream();
        long received = upload.readNBytes(STREAM_CHUNK.length()).length;
        send(client.getOutputStream(), STREAM_CHUNK);
        client.setSoLinger(true, 0);
        client.close();
        byte[] buffer = new byte[8192];
        try {
            for (int n = upload.read(buffer); n >= 0; n = upload.read(buffer)) {
                received += n;
            }
            throw new IllegalStateException("the upload ended normally after " + received + " bytes");
        } catch (SocketException transmissionError) {
            server.close();
            return "server read " + received + " bytes, then \"" + transmissionError.getMessage() + "\"; closed its side";
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
