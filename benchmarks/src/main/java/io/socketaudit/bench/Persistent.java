package io.socketaudit.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Persistent connections, both ends in this JVM: {@code connections} long-lived connections, each with a
 * client thread sending a 64-byte request and reading the 64-byte response in a loop, and a server thread
 * answering. Nothing is opened or closed while measuring. Prints round trips per second in the window.
 *
 * <p>Arguments: {@code connections warmupMillis measureMillis}.
 */
public final class Persistent {

    private Persistent() {
    }

    public static void main(String[] args) throws Exception {
        int connections = Integer.parseInt(args[0]);
        long warmupMillis = Long.parseLong(args[1]);
        long measureMillis = Long.parseLong(args[2]);

        AtomicBoolean running = new AtomicBoolean(true);
        LongAdder roundTrips = new LongAdder();
        List<Socket> sockets = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), connections);
            for (int i = 0; i < connections; i++) {
                Socket client = new Socket();
                client.setTcpNoDelay(true);
                client.connect(listener.getLocalSocketAddress());
                Socket server = listener.accept();
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                threads.add(new Thread(() -> echo(server), "server-" + i));
                threads.add(new Thread(() -> ping(client, running, roundTrips), "client-" + i));
            }
        }
        threads.forEach(Thread::start);

        Thread.sleep(warmupMillis);
        long startCount = roundTrips.sum();
        CpuSample cpuStart = CpuSample.now();
        Thread.sleep(measureMillis);
        long count = roundTrips.sum() - startCount;
        CpuSample cpuEnd = CpuSample.now();
        running.set(false);
        double seconds = (cpuEnd.nanos() - cpuStart.nanos()) / 1e9;
        Results.print("roundTrips", count, "seconds", seconds, "rate", count / seconds,
                "ownCores", cpuEnd.ownCoresSince(cpuStart), "otherCores", cpuEnd.otherCoresSince(cpuStart),
                "kernelThreadCores", cpuEnd.kernelThreadCoresSince(cpuStart),
                "stealCores", cpuEnd.stealCoresSince(cpuStart));
        for (Socket s : sockets) {
            s.close();
        }
        System.exit(0);
    }

    private static void ping(Socket socket, AtomicBoolean running, LongAdder roundTrips) {
        byte[] request = new byte[Churn.MESSAGE];
        byte[] response = new byte[Churn.MESSAGE];
        try {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            while (running.get()) {
                out.write(request);
                Churn.readFully(in, response);
                roundTrips.increment();
            }
        } catch (Exception e) {
            // closed at the end of the run
        }
    }

    private static void echo(Socket socket) {
        byte[] buffer = new byte[Churn.MESSAGE];
        try {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            while (true) {
                Churn.readFully(in, buffer);
                out.write(buffer);
            }
        } catch (Exception e) {
            // closed at the end of the run
        }
    }
}
