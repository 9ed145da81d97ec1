package io.socketaudit.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * The demo's wire protocol: ASCII text, requests and answers end with a newline. Reads go
 * straight to the socket's stream, one byte at a time where it matters, so that whatever a
 * scenario does not read stays in the kernel's receive queue, where the agent can see it.
 */
final class LineProtocol {

    private LineProtocol() {
    }

    static void send(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads up to and including the next newline, without reading past it. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IllegalStateException("end of stream after \"" + line.toString(StandardCharsets.US_ASCII) + "\"");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** Reads until the peer has closed its side: everything it sent, then end of stream. */
    static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }

    static void expectEndOfStream(InputStream in) throws IOException {
        int b = in.read();
        if (b >= 0) {
            throw new IllegalStateException("expected end of stream, read byte " + b);
        }
    }

    /** Reads until the connection is reset; returns the exception's message. */
    static String expectReset(InputStream in) throws IOException {
        try {
            int b = in.read();
            throw new IllegalStateException("expected a connection reset, read " + (b < 0 ? "end of stream" : "byte " + b));
        } catch (SocketException e) {
            if (!String.valueOf(e.getMessage()).contains("reset")) {
                throw e;
            }
            return e.getMessage();
        }
    }
}
