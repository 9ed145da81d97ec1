package io.socketaudit.e2e.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketaudit.e2e.harness.LifecycleJvm;
import io.socketaudit.e2e.harness.LifecycleLog;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Waits until the agent in a child started with {@code -javaagent} records SocketChannel closes, for the tests
 * whose subject is not the agent's start: the child answers {@code probe} by opening and closing one
 * SocketChannel pair, client end first, and printing {@code done probe <client port>}. Probes are repeated until
 * one's close is in the log; then the test waits for the last probe's server-end close, after which the log
 * holds every probe event. (On JDK 25 the agent misses SocketChannel events while it starts; {@link LifecycleIT}
 * tests that on its own.)
 */
final class LifecycleReady {

    private static final long GUARD_SECONDS = 60;

    private LifecycleReady() {
    }

    /** Returns the position in the log after the last probe's lines: what comes later is the test's own. */
    static long awaitAuditing(LifecycleJvm child, Path log) throws IOException, InterruptedException {
        LifecycleLog.Tail tail = new LifecycleLog.Tail(log, false);
        List<Integer> probes = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        boolean recording = false;
        while (true) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the closes of " + probes.size() + " probe connections did not reach " + log
                        + " in " + GUARD_SECONDS + " s");
            }
            if (!recording) {
                probes.add(Integer.parseInt(child.call("probe").split(" ")[2]));
            } else {
                child.call("gc"); // paces the wait for the writer; the children all answer it
            }
            int last = probes.get(probes.size() - 1);
            for (JsonNode line : tail.poll()) {
                if (LifecycleLog.event(line).equals("close") && probes.contains(LifecycleLog.localPort(line))) {
                    recording = true;
                }
                if (recording && LifecycleLog.event(line).equals("close") && LifecycleLog.remotePort(line) == last) {
                    return tail.position();
                }
            }
        }
    }
}
