package io.socketaudit.e2e.agent;

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

import static io.socketaudit.e2e.harness.ChildIo.expectEof;
import static io.socketaudit.e2e.harness.ChildIo.port;
import static io.socketaudit.e2e.harness.ChildIo.readFully;
import static io.socketaudit.e2e.harness.ChildIo.say;
import static io.socketaudit.e2e.harness.ChildIo.writeFully;

/**
 * The application {@link AttachIT} attaches the agent to: started without it, it opens a
 * {@code Socket} pair and a {@code SocketChannel} pair (the "pre" connections, each carrying
 * {@value #PRE_BYTES_BEFORE} bytes client → server), runs one warm-up cycle so that every socket
 * class is loaded before any attach, prints {@code pre <socket client port> <channel client port>
 * <socket listener port> <channel listener port>} and {@value #READY}, then obeys commands read from stdin, one per line:
 * <ul>
 * <li>{@code cycle}: a {@code Socket} pair and a {@code SocketChannel} pair, each: connect, accept,
 * one byte client → server, client close, server reads EOF, server close; answers
 * {@code done cycle <socket client port> <channel client port>};</li>
 * <li>{@code closepre}: {@value #PRE_BYTES_AFTER} more bytes client → server on each pre pair, then
 * the same close sequence; answers {@code done closepre};</li>
 * <li>{@code exit} (or the end of stdin): closes the listeners and returns from main.</li>
 * </ul>
 * The listeners stay open until exit: their ports are fixed, and a listener is not a connection.
 */
public final class AttachTarget {

    static final String READY = "ready";
    static final int PRE_BYTES_BEFORE = 5;
    static final int PRE_BYTES_AFTER = 7;

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private AttachTarget() {
    }

    public static void main(String[] args) throws Exception {
        ServerSocket listener = new ServerSocket(0, 50, LOOPBACK);
        ServerSocketChannel channelListener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(LOOPBACK, 0), 50);

        Socket preClient = new Socket(LOOPBACK, listener.getLocalPort());
        Socket preServer = listener.accept();
        preClient.getOutputStream().write(new byte[PRE_BYTES_BEFORE]);
        readFully(preServer.getInputStream(), PRE_BYTES_BEFORE);

        SocketChannel preChannelClient = SocketChannel.open(channelListener.getLocalAddress());
        SocketChannel preChannelServer = channelListener.accept();
        writeFully(preChannelClient, PRE_BYTES_BEFORE);
        readFully(preChannelServer, PRE_BYTES_BEFORE);

        cycle(listener, channelListener);
        say("pre " + preClient.getLocalPort() + " " + port(preChannelClient) + " " + listener.getLocalPort() + " "
                + ((InetSocketAddress) channelListener.getLocalAddress()).getPort());
        say(READY);

        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String command; (command = commands.readLine()) != null && !command.equals("exit"); ) {
            switch (command) {
                case "cycle":
                    say("done cycle " + cycle(listener, channelListener));
                    break;
                case "closepre":
                    preClient.getOutputStream().write(new byte[PRE_BYTES_AFTER]);
                    readFully(preServer.getInputStream(), PRE_BYTES_AFTER);
                    preClient.close();
                    expectEof(preServer.getInputStream());
                    preServer.close();
                    writeFully(preChannelClient, PRE_BYTES_AFTER);
                    readFully(preChannelServer, PRE_BYTES_AFTER);
                    preChannelClient.close();
                    expectEof(preChannelServer);
                    preChannelServer.close();
                    say("done closepre");
                    break;
                default:
                    say("unknown command " + command);
            }
        }
        listener.close();
        channelListener.close();
    }

    /** One Socket pair and one SocketChannel pair, opened and closed; returns their client ports. */
    private static String cycle(ServerSocket listener, ServerSocketChannel channelListener) throws IOException {
        Socket client = new Socket(LOOPBACK, listener.getLocalPort());
        Socket server = listener.accept();
        int socketPort = client.getLocalPort();
        client.getOutputStream().write(1);
        readFully(server.getInputStream(), 1);
        client.close();
        expectEof(server.getInputStream());
        server.close();

        SocketChannel channelClient = SocketChannel.open(channelListener.getLocalAddress());
        SocketChannel channelServer = channelListener.accept();
        int channelPort = port(channelClient);
        writeFully(channelClient, 1);
        readFully(channelServer, 1);
        channelClient.close();
        expectEof(channelServer);
        channelServer.close();
        return socketPort + " " + channelPort;
    }
}
