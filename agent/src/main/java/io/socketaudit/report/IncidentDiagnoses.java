package io.socketaudit.report;

import io.socketaudit.logformat.Operation;
import io.socketaudit.logformat.Value;
import io.socketaudit.report.LogRecord.SocketEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The incident questions, answered from the closes as they go by, in bounded memory: connections reused
 * after the peer had finished them, closes after an idle period, and closes that came long after the
 * peer had left (CLOSE_WAIT). Each answer keeps counts, call sites and a few example connections, and
 * says what it rests on: one log's kernel readings, or both ends' logs.
 */
final class IncidentDiagnoses {

    /** No data either way for this long before a close makes it an idle close rather than one mid-exchange. */
    static final long IDLE_MS = 1_000;
    static final int EXAMPLES = 5;
    /** Upper ends of the idle-time buckets, in milliseconds; the last bucket is open. */
    static final long[] IDLE_BUCKETS_MS = {2_000, 5_000, 10_000, 30_000, 60_000, 300_000};
    private static final int TALLY_CAPACITY = 1_000;
    /** TCP_INFO's idle times count kernel ticks: up to 10 ms each (HZ=100) either way. */
    private static final long KERNEL_TICK_MS = 10;

    static final String STALE_EVIDENCE = "the peer ended the connection first (initiator peer), it had carried data to us"
            + " before (bytesIn > 0), and our side sent data after a pause of at least 1 s since the last data arrived"
            + " (sinceDataInMs - sinceDataOutMs), unanswered; confirmed when the peer's own log shows that our data had"
            + " not reached it when it closed (its sinceDataInMs longer than our sinceDataOutMs)";
    static final String STALE_ADVICE = "keep pooled connections idle for less than the server's idle timeout (client"
            + " keep-alive or idle eviction shorter than the server's), or validate them after a pause";
    static final String IDLE_EVIDENCE = "our side ended the connection (initiator local) with no data either way for at"
            + " least the threshold (the smaller of sinceDataInMs and sinceDataOutMs)";
    static final String SLOW_EVIDENCE = "the close found the connection in CLOSE_WAIT (the peer's FIN had arrived);"
            + " time measured from the peer's close when both logs have it (across hosts, as far as their clocks agree),"
            + " else the time since data last arrived, which is at most that long";

    private static final class StaleStats implements BoundedTally.Stats {
        long connections;
        long confirmed;
        long shortestPauseMs = Long.MAX_VALUE;

        @Override
        public long weight() {
            return connections;
        }
    }

    private static final class IdleStats implements BoundedTally.Stats {
        long closes;
        long shortestMs = Long.MAX_VALUE;
        long longestMs;
        final long[] buckets = new long[IDLE_BUCKETS_MS.length + 1];

        @Override
        public long weight() {
            return closes;
        }
    }

    private static final class SlowStats implements BoundedTally.Stats {
        long closes;
        long measuredByPair;
        long longestMs;
        long totalMs;

        @Override
        public long weight() {
            return closes;
        }
    }

    private final List<String> inputNames;
    private final BoundedTally<StaleStats> staleSites = new BoundedTally<>(TALLY_CAPACITY, StaleStats::new);
    private final BoundedTally<IdleStats> idleGroups = new BoundedTally<>(TALLY_CAPACITY, IdleStats::new);
    private final BoundedTally<SlowStats> slowSites = new BoundedTally<>(TALLY_CAPACITY, SlowStats::new);
    private final List<Summary.Example> staleExamples = new ArrayList<>();
    private final List<Summary.Example> idleExamples = new ArrayList<>();
    private final List<Summary.Example> slowExamples = new ArrayList<>();
    private long stale;
    private long staleConfirmed;
    private long idleCloses;
    private long slowCloses;

    IncidentDiagnoses(List<String> inputNames) {
        this.inputNames = inputNames;
    }

    /**
     * A close of a connection. {@code role} is its side as far as known; {@code otherEnding} is the other
     * end's first shutdown or close when both ends are in the logs and that one came first, else null.
     */
    void close(SocketEvent e, String role, SocketEvent otherEnding, String caller) {
        Long in = e.sinceDataInMs();
        Long out = e.sinceDataOutMs();
        if (in == null || out == null) {
            return;
        }
        if (Value.PEER.equals(e.initiator())) {
            stale(e, in, out, otherEnding, caller);
            slowClose(e, in, otherEnding, caller);
        } else if (Value.LOCAL.equals(e.initiator())) {
            idle(e, role, Math.min(in, out));
        }
    }

    /**
     * The peer ended the connection first, it had carried an answer before (bytes in), and our side sent
     * data after a pause since the last answer arrived, which got no answer: a request on a connection the
     * peer had finished. The pause tells it from the last answer of an exchange (a server's response goes out
     * right after its request came in). Both logs confirm it when the peer had received nothing for longer,
     * when it closed, than our send was old when we closed: our data cannot have reached it before its close.
     * That compares only each kernel's own durations (give or take a tick), not the two machines' clocks.
     */
    private void stale(SocketEvent e, long in, long out, SocketEvent otherEnding, String caller) {
        if (in - out < IDLE_MS || e.bytesIn() == null || e.bytesIn() <= 0) {
            return;
        }
        boolean confirmed = otherEnding != null && otherEnding.sinceDataInMs() != null
                && otherEnding.sinceDataInMs() > out + KERNEL_TICK_MS;
        stale++;
        StaleStats site = staleSites.get(caller);
        site.connections++;
        long pause = in - out;
        site.shortestPauseMs = Math.min(site.shortestPauseMs, pause);
        if (confirmed) {
            staleConfirmed++;
            site.confirmed++;
        }
        example(staleExamples, e, pause, confirmed);
    }

    private void idle(SocketEvent e, String role, long idleMs) {
        if (idleMs < IDLE_MS) {
            return;
        }
        idleCloses++;
        String side = Operation.ACCEPT.text().equals(role) ? Summary.ACCEPTED + " " + e.local()
                : Operation.CONNECT.text().equals(role) ? Summary.CONNECTED + " " + e.remote() : Summary.UNKNOWN + " " + e.local();
        IdleStats group = idleGroups.get(side);
        group.closes++;
        group.shortestMs = Math.min(group.shortestMs, idleMs);
        group.longestMs = Math.max(group.longestMs, idleMs);
        int bucket = 0;
        while (bucket < IDLE_BUCKETS_MS.length && idleMs >= IDLE_BUCKETS_MS[bucket]) {
            bucket++;
        }
        group.buckets[bucket]++;
        example(idleExamples, e, idleMs, false);
    }

    /**
     * The peer's FIN had arrived and ours was not sent (CLOSE_WAIT) when the application closed. How long
     * it waited: from both logs, our close less the peer's; from ours alone, at most the time since data
     * last arrived (the FIN came at or after it).
     */
    private void slowClose(SocketEvent e, long in, SocketEvent otherEnding, String caller) {
        if (!"CLOSE_WAIT".equals(e.tcpState())) {
            return;
        }
        boolean byPair = otherEnding != null;
        long waitedMs = byPair ? Math.max(0, (e.timeMicros() - otherEnding.timeMicros()) / 1_000) : in;
        slowCloses++;
        SlowStats site = slowSites.get(caller);
        site.closes++;
        site.totalMs += waitedMs;
        site.longestMs = Math.max(site.longestMs, waitedMs);
        if (byPair) {
            site.measuredByPair++;
        }
        if (slowExamples.size() < EXAMPLES || waitedMs > slowExamples.get(slowExamples.size() - 1).valueMs()) {
            if (slowExamples.size() == EXAMPLES) {
                slowExamples.remove(slowExamples.size() - 1);
            }
            slowExamples.add(example(e, waitedMs, byPair));
            slowExamples.sort((a, b) -> Long.compare(b.valueMs(), a.valueMs()));
        }
    }

    private void example(List<Summary.Example> examples, SocketEvent e, long valueMs, boolean confirmed) {
        if (examples.size() < EXAMPLES) {
            examples.add(example(e, valueMs, confirmed));
        }
    }

    private Summary.Example example(SocketEvent e, long valueMs, boolean byPair) {
        return new Summary.Example(inputNames.get(e.input()), e.pid(), e.conn(), e.local(), e.remote(), e.timeMicros(),
                valueMs, byPair);
    }

    Summary.Diagnoses summary() {
        List<Summary.StaleSite> stales = new ArrayList<>();
        for (Map.Entry<String, StaleStats> entry : staleSites.top(Analysis.TOP_CALL_SITES)) {
            StaleStats s = entry.getValue();
            stales.add(new Summary.StaleSite(entry.getKey(), s.connections, s.confirmed, s.shortestPauseMs));
        }
        List<Summary.IdleGroup> idles = new ArrayList<>();
        for (Map.Entry<String, IdleStats> entry : idleGroups.top(Analysis.TOP_ENDPOINTS)) {
            IdleStats s = entry.getValue();
            String[] sideAndAddress = entry.getKey().split(" ", 2);
            List<Long> buckets = new ArrayList<>();
            for (long n : s.buckets) {
                buckets.add(n);
            }
            idles.add(new Summary.IdleGroup(sideAndAddress[0], sideAndAddress[1], s.closes, s.shortestMs, s.longestMs, buckets));
        }
        List<Summary.SlowCloseSite> slows = new ArrayList<>();
        for (Map.Entry<String, SlowStats> entry : slowSites.top(Integer.MAX_VALUE)) {
            SlowStats s = entry.getValue();
            slows.add(new Summary.SlowCloseSite(entry.getKey(), s.closes, s.measuredByPair, s.longestMs, s.totalMs / s.closes));
        }
        slows.sort((a, b) -> Long.compare(b.longestMs(), a.longestMs()));
        if (slows.size() > Analysis.TOP_CALL_SITES) {
            slows = new ArrayList<>(slows.subList(0, Analysis.TOP_CALL_SITES));
        }
        return new Summary.Diagnoses(
                new Summary.StaleReuse(stale, staleConfirmed, stales, List.copyOf(staleExamples)),
                new Summary.IdleCloses(idleCloses, IDLE_MS, idles, List.copyOf(idleExamples)),
                new Summary.SlowCloses(slowCloses, slows, List.copyOf(slowExamples)));
    }
}
