package io.socketaudit.e2e.harness;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * What the child programs that take commands on stdin share: a line to the test on stdout, flushed at once (the
 * test waits for it), and exact reads and writes on a loopback connection, failing on an early end.
 */
public final class ChildIo {

    private ChildIo() {
    }

    public static int port(SocketChannel channel) throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    public static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    public static void readFully(InputStream in, int n) throws IOException {
        if (in.readNBytes(n).length != n) {
            throw new IOException("EOF before " + n + " bytes");
        }
    }

    public static void expectEof(InputStream in) throws IOException {
        int b = in.read();
        if (b != -1) {
            throw new IOException("expected EOF, read " + b);
        }
    }

    public static void writeFully(SocketChannel channel, int n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    public static void readFully(SocketChannel channel, int n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("EOF after " + buffer.position() + " of " + n + " bytes");
            }
        }
    }

    public static void expectEof(SocketChannel channel) throws IOException {
        int n = channel.read(ByteBuffer.allocate(1));
        if (n != -1) {
            throw new IOException("expected EOF, read " + n + " bytes");
        }
    }
}
