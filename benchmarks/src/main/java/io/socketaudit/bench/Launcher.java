package io.socketaudit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts one measured JVM: optionally in a network namespace of its own (created before, deleted after, so that
 * every run starts from the same TCP state: no TIME_WAIT sockets), pinned to a CPU, with a raised descriptor
 * limit. Output goes to files, read when the process has ended.
 */
final class Launcher {

    /**
     * What one process printed, when it started and ended (System.nanoTime()), and the CPU time (user + system) it
     * and the descendants it waited for used, from this process's {@code cutime + cstime} before it started and after
     * it was reaped: 10 ms resolution (clock ticks); -1 when unknown.
     */
    record Output(int exitCode, String stdout, String stderr, long startNanos, long endNanos, long cpuNanos) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** The agent's configuration name for its woven class cache, set for every run (agent arguments win over it). */
    static final String CACHE_VARIABLE = "SOCKETAUDIT_CACHE";

    private final Path workDir;
    private final Path wovenCache;
    private final boolean netnsAvailable;
    private final AtomicInteger runs = new AtomicInteger();

    /** The namespace and process of the run in progress, undone by a shutdown hook if the harness is stopped. */
    private volatile String currentNetns;
    private volatile Process currentProcess;

    Launcher(Path workDir) {
        this.workDir = workDir;
        this.wovenCache = workDir.resolve("woven-cache");
        this.netnsAvailable = checkNetns();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process p = currentProcess;
            if (p != null) {
                p.destroyForcibly();
            }
            String ns = currentNetns;
            if (ns != null) {
                exec("ip", "netns", "del", ns);
            }
        }, "launcher-cleanup"));
    }

    boolean netnsAvailable() {
        return netnsAvailable;
    }

    /**
     * The agent's woven class cache for every run of this harness: a directory of the run's own, so that what the
     * agent starts with does not depend on what earlier runs on this machine left in the user's cache.
     */
    Path wovenCache() {
        return wovenCache;
    }

    /** A command to run and how. */
    static final class Run {
        final List<String> command;
        boolean ownNetns;
        int cpu = -1;
        int openFiles = -1;
        long timeoutSeconds = 300;

        Run(List<String> command) {
            this.command = command;
        }

        Run netns() {
            ownNetns = true;
            return this;
        }

        Run cpu(int cpu) {
            this.cpu = cpu;
            return this;
        }

        Run openFiles(int n) {
            this.openFiles = n;
            return this;
        }

        Run timeout(long seconds) {
            this.timeoutSeconds = seconds;
            return this;
        }
    }

    Output run(Run run) throws IOException, InterruptedException {
        int n = runs.incrementAndGet();
        String ns = run.ownNetns && netnsAvailable ? "sabench-" + ProcessHandle.current().pid() + "-" + n : null;
        List<String> command = new ArrayList<>();
        if (ns != null) {
            currentNetns = ns;
            exec("ip", "netns", "add", ns);
            exec("ip", "-n", ns, "link", "set", "lo", "up");
            command.addAll(List.of("ip", "netns", "exec", ns));
        }
        long[] limit = openFilesLimit();
        if (run.openFiles > 0 && limit[0] < run.openFiles) {
            long raised = Math.min(run.openFiles, limit[1]);
            command.addAll(List.of("prlimit", "--nofile=" + raised + ":" + limit[1], "--"));
        }
        if (run.cpu >= 0) {
            command.addAll(List.of("taskset", "-c", String.valueOf(run.cpu)));
        }
        command.addAll(run.command);
        Path out = workDir.resolve("run-" + n + ".out");
        Path err = workDir.resolve("run-" + n + ".err");
        try {
            long ticksBefore = childrenCpuTicks();
            long start = System.nanoTime();
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().put(CACHE_VARIABLE, wovenCache.toString());
            Process p = builder.start();
            currentProcess = p;
            boolean ended = p.waitFor(run.timeoutSeconds, TimeUnit.SECONDS);
            long end = System.nanoTime();
            // waitFor returns once the process has been reaped, so its CPU time is in our children's total now.
            long ticksAfter = childrenCpuTicks();
            if (!ended) {
                p.destroyForcibly();
                p.waitFor();
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            long cpu = ended && ticksBefore >= 0 && ticksAfter >= 0 ? (ticksAfter - ticksBefore) * TICK_NANOS : -1;
            return new Output(ended ? p.exitValue() : -1, stdout, ended ? stderr : stderr + "\n(timed out)", start, end, cpu);
        } finally {
            currentProcess = null;
            if (ns != null) {
                exec("ip", "netns", "del", ns);
                currentNetns = null;
            }
        }
    }

    private static final long TICK_NANOS = 10_000_000; // USER_HZ = 100 on Linux

    /**
     * CPU time, in clock ticks, of this process's children that it has reaped so far ({@code cutime + cstime} of
     * /proc/self/stat: user and system time, a child's own reaped children included); -1 when unknown. Only one
     * child runs at a time here, so the growth across a run is that run's.
     */
    static long childrenCpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // pid (comm) state ppid ... utime(14) stime(15) cutime(16) cstime(17); comm may hold spaces
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** This process's soft and hard limits of open files, from /proc/self/limits; unlimited when unknown. */
    static long[] openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split(" +");
                    return new long[] {parseLimit(f[0]), parseLimit(f[1])};
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return new long[] {Long.MAX_VALUE, Long.MAX_VALUE};
    }

    private static long parseLimit(String s) {
        return s.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(s);
    }

    /** Runs a short command and returns its standard output, or "" when it fails. */
    static String exec(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static boolean checkNetns() {
        String name = "sabench-check-" + ProcessHandle.current().pid();
        try {
            Process p = new ProcessBuilder("ip", "netns", "add", name).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                return false;
            }
            exec("ip", "netns", "del", name);
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
