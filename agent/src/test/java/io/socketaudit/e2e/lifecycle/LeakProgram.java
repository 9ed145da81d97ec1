package io.socketaudit.e2e.lifecycle;

import io.socketaudit.e2e.harness.ChildIo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Leaks for {@link LeakIT}, run with the agent. Commands on stdin: {@code probe} opens and closes one
 * SocketChannel pair (see {@link LifecycleReady}); {@code leak} runs {@link #leakSocket} and
 * {@link #leakSocketChannel}, which each connect a client and drop it without closing it (the accepted
 * server ends are kept, open, until exit), and answers {@code done leak <socket client port> <channel client
 * port> <socket listener port> <channel listener port>}; {@code gc} runs {@code System.gc()} and answers
 * {@code done gc}; {@code exit} (or the end of stdin) returns from main.
 *
 * <p>The lines that open the leaked connections end with marker comments {@code //@ <name>}: the leak
 * lines must name them as {@code caller}.
 */
public final class LeakProgram {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** The server ends: open until exit, so only the client ends are leaked. */
    private static final List<Object> ACCEPTED = new ArrayList<>();

    private LeakProgram() {
    }

    public static void main(String[] args) throws Exception {
        ServerSocket listener = new ServerSocket(0, 50, LOOPBACK);
        ServerSocketChannel channelListener = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String command; (command = commands.readLine()) != null && !command.equals("exit"); ) {
            switch (command) {
                case "probe": {
                    SocketChannel client = SocketChannel.open(channelListener.getLocalAddress());
                    SocketChannel server = channelListener.accept();
                    int port = ChildIo.port(client);
                    client.close();
                    server.close();
                    ChildIo.say("done probe " + port);
                    break;
                }
                case "leak": {
                    int socketPort = leakSocket(listener);
                    int channelPort = leakSocketChannel(channelListener);
                    ChildIo.say("done leak " + socketPort + " " + channelPort + " " + listener.getLocalPort() + " "
                            + ((InetSocketAddress) channelListener.getLocalAddress()).getPort());
                    break;
                }
                case "gc":
                    System.gc();
                    ChildIo.say("done gc");
                    break;
                default:
                    ChildIo.say("unknown command " + command);
            }
        }
    }

    /** Connects a Socket and forgets it without closing it; returns its local port. */
    static int leakSocket(ServerSocket listener) throws IOException {
        Socket forgotten = new Socket(LOOPBACK, listener.getLocalPort()); //@ leakSocket.connect
        ACCEPTED.add(listener.accept());
        return forgotten.getLocalPort();
    }

    /** Connects a SocketChannel and forgets it without closing it; returns its local port. */
    static int leakSocketChannel(ServerSocketChannel listener) throws IOException {
        SocketChannel forgotten = SocketChannel.open(listener.getLocalAddress()); //@ leakSocketChannel.connect
        ACCEPTED.add(listener.accept());
        return ChildIo.port(forgotten);
    }
}
