package io.socketaudit.e2e.lifecycle;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.EndToEndJdks;
import io.socketaudit.e2e.harness.LifecycleJvm;
import io.socketaudit.e2e.harness.LifecycleLog;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent's heap does not grow with the connections it has seen, and what it holds per open
 * connection is small and given back at close. {@link SoakProgram} runs with the agent (and, for the
 * comparison, without it) under {@code -XX:+UseSerialGC} with a fixed heap and full compaction
 * (see {@link #HEAP_OPTIONS}), so that the used heap after a full collection is a stable figure.
 *
 * <p>Each heap figure is taken only once the agent has written every event so far (the test reads
 * the log until the expected counts are there, see {@link #settle}), so that events still queued for
 * or held by the writer are not mistaken for growth. The figures are printed in the test output.
 */
class SoakIT {

    /** Connections (pairs) churned before the first measurement: loads and compiles every path once. */
    static final int WARM_UP = 2_000;
    static final int ROUNDS = 5;
    static final int PER_ROUND = 4_000;
    /** Connections (pairs) kept open at once for the per-connection figure; each pair is two audited ends. */
    static final int OPEN_PAIRS = 5_000;

    /**
     * Allowed heap growth per churned connection between the first and the last measurement. An agent that
     * kept anything per connection (an entry, a stack, an address) would cost at least a few dozen bytes
     * each; the JVM's own noise over 20,000 connections, measured at a few kilobytes in total (well under
     * one byte per connection), stays far below.
     */
    static final double MAX_GROWTH_BYTES_PER_CHURNED_PAIR = 16;
    /** Allowed agent heap per open connection end; the product target is 200 bytes. */
    static final double MAX_AGENT_BYTES_PER_OPEN_END = 1024;
    /**
     * Allowed agent heap per end still held once every connection is closed again: only the connection map's
     * grown table may remain (a reference per slot), not the per-connection entries.
     */
    static final double MAX_AGENT_BYTES_PER_END_AFTER_CLOSE = 16;

    private static final long GUARD_SECONDS = 60;
    /**
     * Serial GC with a fixed heap, and every full collection compacting completely: by default it may leave up
     * to 5 % of the old generation as dead objects in place (MarkSweepDeadRatio), still counted as used, and
     * compacts fully only every fourth time, which made a few MB of closed sockets look alive now and then.
     */
    private static final List<String> HEAP_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms256m", "-Xmx256m",
            "-XX:MarkSweepDeadRatio=0", "-XX:MarkSweepAlwaysCompactCount=1");

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void heapDoesNotGrowWithTheNumberOfConnectionsChurned(EndToEndJdks.Jdk jdk) throws Exception {
        Path dir = LifecycleJvm.runDirectory("soak-churn-jdk" + jdk.feature() + "-");
        Path log = dir.resolve("audit.jsonl");
        List<Long> heap = new ArrayList<>();
        long churned;
        EventCounts counts;
        try (LifecycleJvm child = LifecycleJvm.start(withAgent(jdk, log), dir)) {
            child.awaitPrefix("ready");
            counts = new EventCounts(log, LifecycleReady.awaitAuditing(child, log));
            churned = churn(child, WARM_UP);
            churned = settle(child, counts, 2 * churned, 2 * churned);
            heap.add(heap(child));
            for (int round = 0; round < ROUNDS; round++) {
                churned = churn(child, PER_ROUND);
                churned = settle(child, counts, 2 * churned, 2 * churned);
                heap.add(heap(child));
            }
            child.send("exit");
            assertEquals(0, child.awaitExit(), child::describe);
        }
        counts.poll();
        long measured = (long) ROUNDS * PER_ROUND;
        long growth = heap.get(heap.size() - 1) - heap.get(0);
        double perPair = (double) growth / measured;
        long churnedTotal = churned;
        System.out.printf("[%s] soak: %,d connections (pairs, %,d audited ends) opened and closed after a warm-up of %,d;"
                        + " used heap after GC per round: %s; growth first to last round: %,d bytes"
                        + " = %.3f bytes per connection (%.3f per end); open connections at each measurement: 0%n",
                jdk, measured, 2 * measured, WARM_UP, heap, growth, perPair, perPair / 2);
        Files.deleteIfExists(log); // tens of MB; the figures are in the output
        assertAll("soak on " + jdk,
                () -> assertEquals(2 * churnedTotal, counts.opens, "open lines"),
                () -> assertEquals(2 * churnedTotal, counts.closes, "close lines of connections"),
                () -> counts.assertCleanStop(),
                () -> assertTrue(perPair < MAX_GROWTH_BYTES_PER_CHURNED_PAIR,
                        String.format("the used heap grew by %,d bytes over %,d connections (%.3f bytes each, limit %.0f):"
                                + " %s", growth, measured, perPair, MAX_GROWTH_BYTES_PER_CHURNED_PAIR, heap)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void agentHeapPerOpenConnectionIsSmallAndReleasedAtClose(EndToEndJdks.Jdk jdk) throws Exception {
        long[] without = openMany(jdk, false);
        long[] with = openMany(jdk, true);
        long ends = 2L * OPEN_PAIRS;
        double appPerEnd = (double) (without[1] - without[0]) / ends;
        double agentPerEnd = (double) ((with[1] - with[0]) - (without[1] - without[0])) / ends;
        double residualPerEnd = (double) ((with[2] - with[0]) - (without[2] - without[0])) / ends;
        System.out.printf("[%s] %,d connections open at once (%,d audited ends): used heap after GC before/open/closed"
                        + " without agent %,d / %,d / %,d, with agent %,d / %,d / %,d bytes; the JDK's own heap per end %.1f"
                        + " bytes; the agent's heap per open end %.1f bytes (%.1f per connection pair); agent heap left per end"
                        + " after all were closed %.1f bytes%n",
                jdk, OPEN_PAIRS, ends, without[0], without[1], without[2], with[0], with[1], with[2], appPerEnd,
                agentPerEnd, 2 * agentPerEnd, residualPerEnd);
        assertAll("agent heap per open connection on " + jdk,
                () -> assertTrue(agentPerEnd < MAX_AGENT_BYTES_PER_OPEN_END, String.format(
                        "the agent holds %.1f bytes per open connection end (limit %.0f)", agentPerEnd,
                        MAX_AGENT_BYTES_PER_OPEN_END)),
                () -> assertTrue(residualPerEnd < MAX_AGENT_BYTES_PER_END_AFTER_CLOSE, String.format(
                        "once closed, the agent still holds %.1f bytes per connection end (limit %.0f)", residualPerEnd,
                        MAX_AGENT_BYTES_PER_END_AFTER_CLOSE)));
    }

    /** Heap after warm-up, with OPEN_PAIRS connections open, and after closing them: {before, open, closed}. */
    private static long[] openMany(EndToEndJdks.Jdk jdk, boolean agent) throws Exception {
        Path dir = LifecycleJvm.runDirectory("soak-open-jdk" + jdk.feature() + (agent ? "-agent-" : "-no-agent-"));
        Path log = dir.resolve("audit.jsonl");
        AgentJvm spec = agent ? withAgent(jdk, log) : AgentJvm.on(jdk).withoutAgent();
        if (!agent) {
            HEAP_OPTIONS.forEach(spec::jvmOption);
            spec.main(SoakProgram.class);
        }
        EventCounts counts = null;
        long[] heap = new long[3];
        try (LifecycleJvm child = LifecycleJvm.start(spec, dir)) {
            long maxFds = Long.parseLong(child.awaitPrefix("ready").split(" ")[1]);
            assertTrue(maxFds < 0 || maxFds > 2L * OPEN_PAIRS + 1_000, "this test keeps " + 2 * OPEN_PAIRS
                    + " sockets open in one JVM, but its file descriptor limit is " + maxFds + " (raise ulimit -n)");
            if (agent) {
                counts = new EventCounts(log, LifecycleReady.awaitAuditing(child, log));
            } else {
                child.call("probe");
            }
            long opens = 2 * churn(child, 200);
            child.call("open 20");
            child.call("closeall");
            opens += 40;
            long closes = opens;
            settle(child, counts, opens, closes);
            opens += 2;
            closes += 2;
            heap[0] = heap(child);
            child.call("open " + OPEN_PAIRS);
            opens += 2L * OPEN_PAIRS;
            settle(child, counts, opens, closes);
            opens += 2;
            closes += 2;
            heap[1] = heap(child);
            child.call("closeall");
            closes += 2L * OPEN_PAIRS;
            settle(child, counts, opens, closes);
            heap[2] = heap(child);
            child.send("exit");
            assertEquals(0, child.awaitExit(), child::describe);
        }
        if (agent) {
            counts.poll();
            counts.assertCleanStop();
            Files.deleteIfExists(log);
        }
        return heap;
    }

    private static AgentJvm withAgent(EndToEndJdks.Jdk jdk, Path log) {
        AgentJvm spec = AgentJvm.on(jdk).agentOptions("file=" + log + ",rotate.size=0", log);
        HEAP_OPTIONS.forEach(spec::jvmOption);
        return spec.main(SoakProgram.class);
    }

    /**
     * Waits until the agent has written the {@code opens} and {@code closes} expected so far (when {@code counts}
     * is not null), then churns one more connection and waits for its lines too. The writer lets go of a batch
     * before it takes the next, so once the extra connection's lines are in the file, the events written before
     * (up to a few thousand, with their stacks) are no longer held when the heap is measured; at most this one
     * connection's four are. Without the agent the extra connection is churned all the same, so both runs match.
     * Returns the connections churned so far, as the program counts them.
     */
    private static long settle(LifecycleJvm child, EventCounts counts, long opens, long closes)
            throws IOException, InterruptedException {
        if (counts != null) {
            counts.awaitConnections(opens, closes, 0);
        }
        long churned = churn(child, 1);
        if (counts != null) {
            counts.awaitConnections(opens + 2, closes + 2, 0);
        }
        return churned;
    }

    private static long churn(LifecycleJvm child, int n) throws InterruptedException {
        child.send("churn " + n);
        String[] answer = child.awaitPrefix("done churn " + n + " ").split(" ");
        return Long.parseLong(answer[3]);
    }

    private static long heap(LifecycleJvm child) throws InterruptedException {
        String[] answer = child.call("heap").split(" ");
        return Long.parseLong(answer[2]);
    }

    /**
     * Counts the lines of a log the agent is writing: opens, closes of connections (not listeners),
     * leaks; and remembers the agent_stop line. Waits for counts by watching the file (inotify),
     * with a re-read each second as a fallback; the time limit is only a hang guard.
     */
    private static final class EventCounts {
        private final Path log;
        private final LifecycleLog.Tail tail;
        long opens;
        long closes;
        long leaks;
        long dropped;
        long errors;
        JsonNode stop;

        /** Counts the lines from {@code position} on (after the probes of {@link LifecycleReady}). */
        EventCounts(Path log, long position) {
            this.log = log;
            this.tail = new LifecycleLog.Tail(log, false, position);
        }

        void poll() throws IOException {
            for (JsonNode line : tail.poll()) {
                switch (LifecycleLog.event(line)) {
                    case "open":
                        opens++;
                        break;
                    case "close":
                        if (!line.path("remote").isNull()) {
                            closes++;
                        }
                        break;
                    case "leak":
                        leaks++;
                        break;
                    case "dropped":
                        dropped += line.path("count").asLong();
                        break;
                    case "agent_error":
                        errors++;
                        break;
                    case "agent_stop":
                        stop = line;
                        break;
                    default:
                        break;
                }
            }
        }

        void awaitConnections(long wantOpens, long wantCloses, long wantLeaks) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            try (WatchService watch = FileSystems.getDefault().newWatchService()) {
                log.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
                while (true) {
                    poll();
                    if (opens >= wantOpens && closes >= wantCloses) {
                        assertEquals(wantOpens, opens, "open lines");
                        assertEquals(wantCloses, closes, "close lines");
                        assertEquals(wantLeaks, leaks, "leak lines");
                        return;
                    }
                    if (dropped > 0 || errors > 0 || System.nanoTime() > deadline) {
                        throw new AssertionError(String.format("waiting for %,d opens and %,d closes in %s: %,d opens,"
                                + " %,d closes, %,d dropped, %,d agent errors", wantOpens, wantCloses, log, opens, closes,
                                dropped, errors));
                    }
                    WatchKey key = watch.poll(1, TimeUnit.SECONDS);
                    if (key != null) {
                        key.pollEvents();
                        key.reset();
                    }
                }
            }
        }

        void assertCleanStop() {
            assertTrue(stop != null, "no agent_stop line at the end of " + log);
            assertEquals(0, stop.path("dropped").asLong(-1), "agent_stop.dropped: " + stop);
            assertEquals(0, stop.path("agentErrors").asLong(-1), "agent_stop.agentErrors: " + stop);
            assertEquals(0, leaks, "no connection was leaked, none may be reported as a leak");
        }
    }
}
