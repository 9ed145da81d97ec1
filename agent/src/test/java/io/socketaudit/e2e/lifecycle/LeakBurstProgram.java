package io.socketaudit.e2e.lifecycle;

import io.socketaudit.e2e.harness.ChildIo;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Many leaks in a burst, for {@link LeakIT}: the garbage collector finds connections unclosed while
 * the agent is still writing their opens. Commands on stdin, each answered by {@code done <command> ...}:
 * <ul>
 * <li>{@code probe}: one SocketChannel pair opened and closed; answers {@code done probe <client port>}
 * (the test waits for its close in the log, so that the burst runs on an agent that is fully ready);</li>
 * <li>{@code burst}: {@value #LEAKS} client SocketChannels connected by {@link #leakOne} and dropped
 * unclosed, with {@code System.gc()} after every {@value #GC_EVERY}; the accepted ends are kept
 * open; answers {@code done burst};</li>
 * <li>{@code gc}: {@code System.gc()}; answers {@code done gc};</li>
 * <li>{@code exit} or the end of stdin: returns from main.</li>
 * </ul>
 */
public final class LeakBurstProgram {

    static final int LEAKS = 200;
    static final int GC_EVERY = 20;

    private static final List<SocketChannel> ACCEPTED = new ArrayList<>();

    private LeakBurstProgram() {
    }

    public static void main(String[] args) throws Exception {
        ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), LEAKS);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String command; (command = commands.readLine()) != null && !command.equals("exit"); ) {
            switch (command) {
                case "probe": {
                    SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                    SocketChannel server = listener.accept();
                    int port = ChildIo.port(client);
                    client.close();
                    server.close();
                    ChildIo.say("done probe " + port);
                    break;
                }
                case "burst":
                    for (int i = 1; i <= LEAKS; i++) {
                        leakOne(listener);
                        if (i % GC_EVERY == 0) {
                            System.gc();
                        }
                    }
                    ChildIo.say("done burst");
                    break;
                case "gc":
                    System.gc();
                    ChildIo.say("done gc");
                    break;
                default:
                    ChildIo.say("unknown command " + command);
            }
        }
        listener.close();
    }

    /** Connects a SocketChannel and forgets it without closing it; keeps the accepted end. */
    static void leakOne(ServerSocketChannel listener) throws Exception {
        SocketChannel forgotten = SocketChannel.open(listener.getLocalAddress()); //@ leakOne.connect
        ACCEPTED.add(listener.accept());
        forgotten.isOpen();
    }
}
