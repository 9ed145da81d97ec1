package io.socketaudit.agent;

import java.io.IOException;
import java.nio.file.Files;
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

    private static long read() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().pid(); // no procfs mounted
        }
    }
}
