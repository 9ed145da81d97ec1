package io.socketaudit.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scheduler and I/O counters of this process from /proc/self: voluntary context switches (a thread going to sleep
 * to wait, i.e. one wake-up later) per group of threads, and write system calls of the whole process. Tell whether
 * an agent hands events over one at a time (a writer wake-up and a write per event) or in batches.
 */
final class ProcStats {

    private ProcStats() {
    }

    /** Voluntary context switches per thread group (see {@link ThreadCpu#group}) and {@code writeSyscalls}. */
    static Map<String, Long> sample() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String g : ThreadCpu.GROUPS) {
            out.put(g, 0L);
        }
        out.put("jitTicks", 0L);
        out.put("gcTicks", 0L);
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    // comm is cut to 15 characters: "socket-audit-wr", "client-0"
                    String comm = Files.readString(task.resolve("comm")).trim();
                    long switches = 0;
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            switches = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                    out.merge(ThreadCpu.group(comm), switches, Long::sum);
                    String hidden = hiddenGroup(comm);
                    if (hidden != null) {
                        String stat = Files.readString(task.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        out.merge(hidden, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("syscw:")) {
                    out.put("writeSyscalls", Long.parseLong(line.substring(6).trim()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return out;
    }

    /**
     * The JVM's own threads that {@code ThreadMXBean} does not show, by what they do: CPU ticks (10 ms) of the JIT
     * compiler threads ({@code jitTicks}) and of the garbage collector's threads ({@code gcTicks}).
     */
    static String hiddenGroup(String comm) {
        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
            return "jitTicks";
        }
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("VM Thread")) {
            return "gcTicks";
        }
        return null;
    }

    static Map<String, Long> between(Map<String, Long> start, Map<String, Long> end) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : end.entrySet()) {
            out.put(e.getKey(), e.getValue() - start.getOrDefault(e.getKey(), 0L));
        }
        return out;
    }
}
