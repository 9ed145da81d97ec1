package io.socketaudit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connection churn, both ends in this JVM: each client thread loops connect → 64-byte request → 64-byte
 * response → close; each server thread loops accept → read the request → write the response → wait for the
 * client's FIN → close. Counts connections completed by the clients during the measured window (after a
 * warm-up) and prints one {@code RESULT} line, with the kernel's TIME_WAIT figures of this network namespace
 * at the end of the run.
 *
 * <p>Arguments: {@code clients servers warmupMillis measureMillis}.
 */
public final class Churn {

    static final int MESSAGE = 64;

    private Churn() {
    }

    public static void main(String[] args) throws Exception {
        int clients = Integer.parseInt(args[0]);
        int servers = Integer.parseInt(args[1]);
        long warmupMillis = Long.parseLong(args[2]);
        long measureMillis = Long.parseLong(args[3]);

        ServerSocket listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();

        AtomicBoolean running = new AtomicBoolean(true);
        LongAdder clientDone = new LongAdder();
        LongAdder serverDone = new LongAdder();
        LongAdder errors = new LongAdder();
        List<Thread> serverThreads = startServers(listener, servers, serverDone, errors);
        List<Thread> clientThreads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> connectLoop(address, running, clientDone, errors), "client-" + i);
            t.start();
            clientThreads.add(t);
        }

        Thread.sleep(warmupMillis);
        long startCount = clientDone.sum();
        CpuSample cpuStart = CpuSample.now();
        java.util.Map<Long, Object[]> threadsStart = ThreadCpu.sample();
        long[] gcStart = gc();
        java.util.Map<String, Long> procStart = ProcStats.sample();
        long start = System.nanoTime();
        Thread.sleep(measureMillis);
        long endCount = clientDone.sum();
        long end = System.nanoTime();
        java.util.Map<Long, Object[]> threadsEnd = ThreadCpu.sample();
        long[] gcEnd = gc();
        java.util.Map<String, Long> proc = ProcStats.between(procStart, ProcStats.sample());
        CpuSample cpuEnd = CpuSample.now();
        java.util.Map<String, Long> threadCpu = ThreadCpu.between(threadsStart, threadsEnd);
        running.set(false);
        for (Thread t : clientThreads) {
            t.join();
        }
        long total = clientDone.sum();
        // Let the servers finish the last connections before the listener closes under them.
        stopServers(listener, serverThreads, serverDone, total);
        double seconds = (end - start) / 1e9;
        Kernel tcp = Kernel.read();
        Results.print("connections", endCount - startCount, "seconds", seconds,
                "rate", (endCount - startCount) / seconds, "totalConnections", total,
                "serverConnections", serverDone.sum(), "errors", errors.sum(),
                "timeWait", tcp.timeWait(), "timeWaitOverflow", tcp.timeWaitOverflow(),
                "ownCores", cpuEnd.ownCoresSince(cpuStart), "otherCores", cpuEnd.otherCoresSince(cpuStart),
                "kernelThreadCores", cpuEnd.kernelThreadCoresSince(cpuStart),
                "stealCores", cpuEnd.stealCoresSince(cpuStart),
                "processCpuNs", cpuEnd.ownCpuNanos() - cpuStart.ownCpuNanos(),
                "appCpuNs", threadCpu.get("app"), "agentCpuNs", threadCpu.get("agent"), "jfrCpuNs", threadCpu.get("jfr"),
                "otherJavaCpuNs", threadCpu.get("otherJava"), "gcCount", gcEnd[0] - gcStart[0],
                "gcMillis", gcEnd[1] - gcStart[1], "jitMillis", gcEnd[2] - gcStart[2],
                "appSwitches", proc.get("app"), "agentSwitches", proc.get("agent"), "jfrSwitches", proc.get("jfr"),
                "writeSyscalls", proc.getOrDefault("writeSyscalls", -1L),
                "jitThreadsCpuNs", proc.get("jitTicks") * 10_000_000L, "gcThreadsCpuNs", proc.get("gcTicks") * 10_000_000L);
    }

    /** Collections and their accumulated time (ms) so far, and the JIT's accumulated compilation time (ms). */
    static long[] gc() {
        long count = 0;
        long millis = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long jitMillis = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
        return new long[] {count, millis, jitMillis};
    }

    /** Server threads named {@code server-N}, each serving connections from {@code listener} until it closes. */
    static List<Thread> startServers(ServerSocket listener, int servers, LongAdder done, LongAdder errors) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            Thread t = new Thread(() -> serve(listener, done, errors), "server-" + i);
            t.start();
            threads.add(t);
        }
        return threads;
    }

    /** Lets the servers finish the clients' last connections, then closes the listener under them. */
    static void stopServers(ServerSocket listener, List<Thread> threads, LongAdder serverDone, long clientTotal)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (serverDone.sum() < clientTotal && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        listener.close();
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    /** One client connection: connect, request, response, close; false when it failed. */
    static boolean connectOnce(InetSocketAddress address, byte[] request, byte[] response) {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(address);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(request);
            readFully(in, response);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void connectLoop(InetSocketAddress address, AtomicBoolean running, LongAdder done,
                                    LongAdder errors) {
        byte[] request = new byte[MESSAGE];
        byte[] response = new byte[MESSAGE];
        while (running.get()) {
            if (connectOnce(address, request, response)) {
                done.increment();
            } else {
                errors.increment();
            }
        }
    }

    static void serve(ServerSocket listener, LongAdder done, LongAdder errors) {
        byte[] request = new byte[MESSAGE];
        byte[] response = new byte[MESSAGE];
        while (true) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (SocketException e) {
                return; // the listener was closed: the run is over
            } catch (IOException e) {
                errors.increment();
                continue;
            }
            try (socket) {
                socket.setTcpNoDelay(true);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                readFully(in, request);
                out.write(response);
                while (in.read(request) >= 0) {
                    // wait for the client's FIN
                }
            } catch (IOException e) {
                errors.increment();
            }
            done.increment();
        }
    }

    static void readFully(InputStream in, byte[] buffer) throws IOException {
        int n = 0;
        while (n < buffer.length) {
            int r = in.read(buffer, n, buffer.length - n);
            if (r < 0) {
                throw new IOException("EOF after " + n + " bytes");
            }
            n += r;
        }
    }
}
