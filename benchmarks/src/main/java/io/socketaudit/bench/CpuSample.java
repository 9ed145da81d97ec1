package io.socketaudit.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whole-machine and own CPU time at one moment, to tell afterwards how busy the rest of the machine was
 * during a measured window: the cores used by other processes (user + nice + system time of the whole
 * machine less this process's own CPU time), the part of it that the kernel's own threads used (file write-back,
 * which this process's own log or recording also causes), and the cores stolen by the hypervisor. Approximate: /proc/stat
 * counts in 10 ms ticks, and softirq time (loopback packet processing) is left out on both sides.
 */
record CpuSample(long nanos, long busyTicks, long stealTicks, long ownCpuNanos, long kernelThreadTicks) {

    private static final double TICK_NANOS = 10_000_000; // USER_HZ = 100 on Linux

    static CpuSample now() {
        long busy = -1;
        long steal = -1;
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split(" +");
            // cpu user nice system idle iowait irq softirq steal ...
            busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]);
            steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        long own = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            own = os.getProcessCpuTime();
        }
        return new CpuSample(System.nanoTime(), busy, steal, own, readKernelThreadTicks());
    }

    /**
     * CPU ticks of the kernel's own threads (kthreadd and its children: kworkers flushing files to disk, softirq
     * threads, ...): work that other processes' and this one's file writes cause alike. -1 when unknown.
     */
    static long readKernelThreadTicks() {
        long ticks = 0;
        try (java.nio.file.DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try {
                    String stat = Files.readString(proc.resolve("stat"));
                    // pid (comm) state ppid ... utime(14) stime(15); comm may hold spaces: split after ')'
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ppid = Long.parseLong(f[1]);
                    String pid = proc.getFileName().toString();
                    if (ppid == 2 || pid.equals("2")) {
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return ticks;
    }

    /** Cores used by the kernel's own threads between {@code start} and this sample; NaN when unknown. */
    double kernelThreadCoresSince(CpuSample start) {
        if (kernelThreadTicks < 0 || start.kernelThreadTicks < 0) {
            return Double.NaN;
        }
        return (kernelThreadTicks - start.kernelThreadTicks) * TICK_NANOS / (nanos - start.nanos);
    }

    /** Cores used by other processes between {@code start} and this sample; NaN when unknown. */
    double otherCoresSince(CpuSample start) {
        if (busyTicks < 0 || start.busyTicks < 0 || ownCpuNanos < 0 || start.ownCpuNanos < 0) {
            return Double.NaN;
        }
        double busy = (busyTicks - start.busyTicks) * TICK_NANOS;
        double own = ownCpuNanos - start.ownCpuNanos;
        return Math.max(0, busy - own) / (nanos - start.nanos);
    }

    /** Cores this process used between {@code start} and this sample. */
    double ownCoresSince(CpuSample start) {
        return (double) (ownCpuNanos - start.ownCpuNanos) / (nanos - start.nanos);
    }

    /** Cores stolen by the hypervisor between {@code start} and this sample; NaN when unknown. */
    double stealCoresSince(CpuSample start) {
        if (stealTicks < 0 || start.stealTicks < 0) {
            return Double.NaN;
        }
        return (stealTicks - start.stealTicks) * TICK_NANOS / (nanos - start.nanos);
    }
}
