package io.socketaudit.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the CPU samples of an async-profiler run went, from its collapsed output with {@code threads}: one line per
 * distinct stack, {@code [thread name tid=N];frame;frame;... count}, the root first. Each stack falls into exactly
 * one category: by its thread (the JIT compilers, the agent's writer, the agent's prepare thread, other agent threads,
 * the JVM's own threads), or, on the application's threads, by its frames: the agent's stack capture
 * ({@code Throwable.fillInStackTrace} called under an agent frame), the agent's kernel probe, other agent code, and
 * the rest of the application. Agent frames are {@code io/socketaudit/} ones outside {@code io/socketaudit/bench/}.
 */
final class ProfileShares {

    static final String JIT = "JIT compiler threads";
    static final String WRITER = "agent's writer thread";
    static final String PREPARE = "agent's prepare thread (Byte Buddy's start)";
    static final String OTHER_AGENT_THREADS = "other agent threads";
    static final String JVM = "GC, VM and other JVM threads";
    static final String STACK_CAPTURE = "app threads: stack capture";
    static final String KERNEL_PROBE = "app threads: kernel probe";
    static final String AGENT_ON_APP = "app threads: other agent code";
    static final String APP = "app threads: the rest of the application";
    static final List<String> CATEGORIES = List.of(JIT, WRITER, PREPARE, OTHER_AGENT_THREADS, JVM, STACK_CAPTURE, KERNEL_PROBE,
            AGENT_ON_APP, APP);

    /** The JVM's own threads by name (native names are cut to 15 characters). */
    private static final List<String> JVM_THREADS = List.of("GC Thread", "G1 ", "VM Thread", "VM Periodic", "Service Thread",
            "Monitor Deflati", "Signal Dispatch", "Reference Handl", "Finalizer", "Common-Cleaner", "Notification Th",
            "Sweeper thread", "Attach Listener", "JFR ", "JFR: ", "Cleaner-", "process reaper");

    private final Map<String, Long> samples = new LinkedHashMap<>();
    private long total;

    private ProfileShares() {
        for (String c : CATEGORIES) {
            samples.put(c, 0L);
        }
    }

    /** Adds up the samples of every collapsed line; lines that are not one are skipped. */
    static ProfileShares of(Iterable<String> collapsedLines) {
        ProfileShares shares = new ProfileShares();
        for (String line : collapsedLines) {
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                continue;
            }
            long count;
            try {
                count = Long.parseLong(line.substring(space + 1).trim());
            } catch (NumberFormatException e) {
                continue;
            }
            String category = category(line.substring(0, space).split(";"));
            shares.samples.merge(category, count, Long::sum);
            shares.total += count;
        }
        return shares;
    }

    long total() {
        return total;
    }

    long samples(String category) {
        return samples.getOrDefault(category, 0L);
    }

    /** The category's share of all samples, 0 to 1; NaN when there are none. */
    double share(String category) {
        return total == 0 ? Double.NaN : (double) samples(category) / total;
    }

    /** The category of one stack, root first; its first frame names the thread when it is {@code [...]}. */
    static String category(String[] frames) {
        int first = 0;
        String thread = null;
        if (frames.length > 0 && frames[0].startsWith("[") && frames[0].endsWith("]")) {
            thread = threadName(frames[0]);
            first = 1;
        }
        if (thread != null) {
            if (thread.startsWith("C1 CompilerThre") || thread.startsWith("C2 CompilerThre")) {
                return JIT;
            }
            if (thread.startsWith("socket-audit-wr")) {
                return WRITER;
            }
            if (thread.startsWith("socket-audit-pr")) {
                return PREPARE;
            }
            if (thread.startsWith("socket-audit")) {
                return OTHER_AGENT_THREADS;
            }
            if (thread.isEmpty() || JVM_THREADS.stream().anyMatch(thread::startsWith)) {
                return JVM;
            }
        }
        boolean underAgent = false;
        boolean agent = false;
        boolean probe = false;
        for (int i = first; i < frames.length; i++) {
            String f = frames[i];
            if (f.equals("java/lang/Throwable.fillInStackTrace") && underAgent) {
                return STACK_CAPTURE;
            }
            if (isAgentFrame(f)) {
                underAgent = true;
                agent = true;
                probe |= f.startsWith("io/socketaudit/kernel/KernelProbe");
            }
        }
        return probe ? KERNEL_PROBE : agent ? AGENT_ON_APP : APP;
    }

    static boolean isAgentFrame(String frame) {
        return frame.startsWith("io/socketaudit/") && !frame.startsWith("io/socketaudit/bench/");
    }

    /** "[C2 CompilerThre tid=9141]" → "C2 CompilerThre"; "[tid=9147]" (a thread without a name) → "". */
    static String threadName(String frame) {
        String name = frame.substring(1, frame.length() - 1);
        int tid = name.lastIndexOf("tid=");
        if (tid >= 0 && name.substring(tid + 4).chars().allMatch(Character::isDigit)) {
            name = name.substring(0, tid);
        }
        return name.trim();
    }
}
