package io.socketaudit.e2e.lifecycle;

import io.socketaudit.e2e.harness.ChildIo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
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
 * Connection churn and many open connections for {@link SoakIT}. Prints {@code ready <file descriptor
 * limit>} (-1 when unknown), then takes commands on stdin, one per line,
 * each answered by a line starting {@code done <command>}:
 * <ul>
 * <li>{@code churn N}: N connections opened and closed one after the other, alternately a
 * {@code Socket} pair and a {@code SocketChannel} pair (connect, accept, one byte each way, client
 * close, server close); answers {@code done churn N <connections churned so far>};</li>
 * <li>{@code open N}: N connections opened and kept (half {@code Socket}, half {@code SocketChannel}
 * pairs, each pair being two audited ends); answers {@code done open N <pairs now open>};</li>
 * <li>{@code closeall}: closes the kept connections; answers {@code done closeall};</li>
 * <li>{@code probe}: one SocketChannel pair opened and closed (see {@link LifecycleReady}); answers
 * {@code done probe <client port>};</li>
 * <li>{@code gc}: {@code System.gc()}; answers {@code done gc};</li>
 * <li>{@code heap}: {@code System.gc()} until the used heap stops changing (at most ten times);
 * answers {@code done heap <used bytes>};</li>
 * <li>{@code exit} or the end of stdin: returns from main.</li>
 * </ul>
 */
public final class SoakProgram {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private SoakProgram() {
    }

    public static void main(String[] args) throws Exception {
        ServerSocket listener = new ServerSocket(0, 1024, LOOPBACK);
        ServerSocketChannel channelListener = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0), 1024);
        List<AutoCloseable> kept = new ArrayList<>();
        long churned = 0;
        usedHeapAfterGc();
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        long maxFds = os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
        ChildIo.say("ready " + maxFds);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = commands.readLine()) != null && !line.equals("exit"); ) {
            String[] command = line.split(" ");
            switch (command[0]) {
                case "churn": {
                    int n = Integer.parseInt(command[1]);
                    for (int i = 0; i < n; i++) {
                        if ((churned & 1) == 0) {
                            churnSocket(listener);
                        } else {
                            churnChannel(channelListener);
                        }
                        churned++;
                    }
                    ChildIo.say("done churn " + n + " " + churned);
                    break;
                }
                case "open": {
                    int n = Integer.parseInt(command[1]);
                    for (int i = 0; i < n; i++) {
                        if ((i & 1) == 0) {
                            kept.add(new Socket(LOOPBACK, listener.getLocalPort()));
                            kept.add(listener.accept());
                        } else {
                            kept.add(SocketChannel.open(channelListener.getLocalAddress()));
                            kept.add(channelListener.accept());
                        }
                    }
                    ChildIo.say("done open " + n + " " + kept.size() / 2);
                    break;
                }
                case "closeall": {
                    for (AutoCloseable c : kept) {
                        c.close();
                    }
                    kept.clear();
                    ChildIo.say("done closeall");
                    break;
                }
                case "probe": {
                    SocketChannel client = SocketChannel.open(channelListener.getLocalAddress());
                    SocketChannel server = channelListener.accept();
                    int port = ChildIo.port(client);
                    client.close();
                    server.close();
                    ChildIo.say("done probe " + port);
                    break;
                }
                case "gc":
                    System.gc();
                    ChildIo.say("done gc");
                    break;
                case "heap":
                    ChildIo.say("done heap " + usedHeapAfterGc());
                    break;
                default:
                    ChildIo.say("unknown command " + line);
            }
        }
        listener.close();
        channelListener.close();
    }

    private static void churnSocket(ServerSocket listener) throws IOException {
        Socket client = new Socket(LOOPBACK, listener.getLocalPort());
        Socket server = listener.accept();
        client.getOutputStream().write(1);
        ChildIo.readFully(server.getInputStream(), 1);
        server.getOutputStream().write(2);
        ChildIo.readFully(client.getInputStream(), 1);
        client.close();
        ChildIo.expectEof(server.getInputStream());
        server.close();
    }

    private static void churnChannel(ServerSocketChannel listener) throws IOException {
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        ChildIo.writeFully(client, 1);
        ChildIo.readFully(server, 1);
        ChildIo.writeFully(server, 1);
        ChildIo.readFully(client, 1);
        client.close();
        ChildIo.expectEof(server);
        server.close();
    }

    /** The used heap after full collections, once it stops changing (at most ten collections). */
    static long usedHeapAfterGc() {
        long previous = -1;
        long used = 0;
        for (int i = 0; i < 10; i++) {
            System.gc();
            used = MEMORY.getHeapMemoryUsage().getUsed();
            if (used == previous) {
                break;
            }
            previous = used;
        }
        return used;
    }
}
