package io.socketaudit.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * This JVM's process id, read from {@code /proc/self}: the first use of {@code ProcessHandle} starts its
 * reaper's thread pool and costs the JVM's start about 10 ms, for a number Linux hands out for free.
 */
final class ProcessId {

    private static final long CURRENT = read();

    private ProcessId() {
    }

    static long current() {
        return CURRENT;
    }

    /**
     * Whether no process {@code pid} runs any more, so that what it left can be removed. Through {@code /proc}, not
     * {@code ProcessHandle}, for the same reason as above.
     */
    static boolean isGone(long pid) {
        return !Files.exists(Path.of("/proc", Long.toString(pid)), LinkOption.NOFOLLOW_LINKS);
    }

    private static long read() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().pid(); // no procfs mounted
        }
    }
}
