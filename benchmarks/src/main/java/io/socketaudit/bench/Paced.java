package io.socketaudit.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Connections at a fixed rate, both ends in this JVM, the cores not saturated: what a service pays per
 * connection rather than how many it can push. A pacer thread hands one connection (connect → 64-byte request →
 * 64-byte response → close) every {@code 1/rate} seconds to a pool of client threads; server threads accept,
 * answer and close after the client's FIN, as in {@link Churn}. The pacer parks between connections, never
 * spins. Prints one {@code RESULT} line with the process's CPU per connection over the measured window, and the
 * JIT compiler threads' share of it.
 *
 * <p>Arguments: {@code rate clientThreads serverThreads warmupMillis measureMillis}; the system property
 * {@value #FLOOR_PROPERTY} measures the agent's floor instead of the agent.
 */
public final class Paced {

    /** Set (with the agent attached) to measure the agent's floor, {@link FloorListener}, instead of the agent. */
    static final String FLOOR_PROPERTY = "io.socketaudit.bench.floor";

    private Paced() {
    }

    public static void main(String[] args) throws Exception {
        double rate = Double.parseDouble(args[0]);
        int clients = Integer.parseInt(args[1]);
        int servers = Integer.parseInt(args[2]);
        long warmupMillis = Long.parseLong(args[3]);
        long measureMillis = Long.parseLong(args[4]);
        if (Boolean.getBoolean(FLOOR_PROPERTY)) {
            FloorListener.install();
        }

        ServerSocket listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
        LongAdder clientDone = new LongAdder();
        LongAdder serverDone = new LongAdder();
        LongAdder errors = new LongAdder();
        List<Thread> serverThreads = Churn.startServers(listener, servers, serverDone, errors);
        AtomicInteger clientIds = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients,
                r -> new Thread(r, "client-" + clientIds.getAndIncrement()));
        Runnable connection = () -> {
            if (Churn.connectOnce(address, new byte[Churn.MESSAGE], new byte[Churn.MESSAGE])) {
                clientDone.increment();
            } else {
                errors.increment();
            }
        };

        long period = (long) (1e9 / rate);
        long begin = System.nanoTime();
        long measureFrom = begin + TimeUnit.MILLISECONDS.toNanos(warmupMillis);
        long measureTo = measureFrom + TimeUnit.MILLISECONDS.toNanos(measureMillis);
        boolean measuring = false;
        long startCount = 0;
        long submittedInWindow = 0;
        CpuSample cpuStart = null;
        Map<String, Long> procStart = null;
        Map<Long, Object[]> threadsStart = null;
        long[] gcStart = null;
        long skipped = 0;
        for (long due = begin; ; due += period) {
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
            }
            if (now - due > period) {
                // Fallen behind (the machine was busy): go on from now rather than catch up in a burst, which
                // would measure a higher rate than the one asked for.
                skipped += (now - due) / period;
                due = now;
            }
            if (!measuring && now >= measureFrom) {
                measuring = true;
                startCount = clientDone.sum();
                cpuStart = CpuSample.now();
                procStart = ProcStats.sample();
                threadsStart = ThreadCpu.sample();
                gcStart = Churn.gc();
            }
            if (now >= measureTo) {
                break;
            }
            if (measuring) {
                submittedInWindow++;
            }
            pool.execute(connection);
        }
        long endCount = clientDone.sum();
        CpuSample cpuEnd = CpuSample.now();
        Map<String, Long> proc = ProcStats.between(procStart, ProcStats.sample());
        Map<String, Long> threadCpu = ThreadCpu.between(threadsStart, ThreadCpu.sample());
        long[] gcEnd = Churn.gc();
        double seconds = (cpuEnd.nanos() - cpuStart.nanos()) / 1e9;
        long connections = endCount - startCount;
        long processCpu = cpuEnd.ownCpuNanos() - cpuStart.ownCpuNanos();

        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.SECONDS);
        Churn.stopServers(listener, serverThreads, serverDone, clientDone.sum());
        Results.print("connections", connections, "submitted", submittedInWindow, "skipped", skipped, "seconds", seconds,
                "rate", connections / seconds, "errors", errors.sum(),
                "processCpuNs", processCpu,
                "cpuPerConnectionUs", connections > 0 ? processCpu / 1e3 / connections : -1.0,
                "processCores", processCpu / 1e9 / seconds,
                "otherCores", cpuEnd.otherCoresSince(cpuStart),
                "appCpuNs", threadCpu.get("app"), "agentCpuNs", threadCpu.get("agent"), "jfrCpuNs", threadCpu.get("jfr"),
                "otherJavaCpuNs", threadCpu.get("otherJava"),
                "jitThreadsCpuNs", proc.get("jitTicks") * 10_000_000L, "gcThreadsCpuNs", proc.get("gcTicks") * 10_000_000L,
                "jitMillis", gcEnd[2] - gcStart[2], "gcCount", gcEnd[0] - gcStart[0]);
    }
}
