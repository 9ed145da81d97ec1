package io.socketaudit.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of this JVM's Java threads, grouped by what they are (the benchmark's clients and servers, the agent's
 * threads, JFR's threads, the rest), to tell where a configuration's extra CPU goes. Threads that end between two
 * samples lose their time; the measured windows here start after all threads are running.
 */
final class ThreadCpu {

    static final String[] GROUPS = {"app", "agent", "jfr", "otherJava"};

    private ThreadCpu() {
    }

    static String group(String threadName) {
        if (threadName.startsWith("client-") || threadName.startsWith("server-")) {
            return "app";
        }
        if (threadName.startsWith("socket-audit")) {
            return "agent";
        }
        if (threadName.startsWith("JFR") || threadName.toLowerCase().contains("jfr")) {
            return "jfr";
        }
        return "otherJava";
    }

    /** Per thread id: CPU nanoseconds so far and the thread's name. */
    static Map<Long, Object[]> sample() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Object[]> out = new HashMap<>();
        if (!threads.isThreadCpuTimeSupported()) {
            return out;
        }
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long cpu = threads.getThreadCpuTime(ids[i]);
            if (infos[i] != null && cpu >= 0) {
                out.put(ids[i], new Object[] {cpu, infos[i].getThreadName()});
            }
        }
        return out;
    }

    /** CPU nanoseconds per group between two samples (threads new since {@code start} count from zero). */
    static Map<String, Long> between(Map<Long, Object[]> start, Map<Long, Object[]> end) {
        Map<String, Long> groups = new LinkedHashMap<>();
        for (String g : GROUPS) {
            groups.put(g, 0L);
        }
        for (Map.Entry<Long, Object[]> e : end.entrySet()) {
            Object[] before = start.get(e.getKey());
            long delta = (long) e.getValue()[0] - (before == null ? 0 : (long) before[0]);
            groups.merge(group((String) e.getValue()[1]), delta, Long::sum);
        }
        return groups;
    }
}
