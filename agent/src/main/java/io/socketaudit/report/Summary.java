package io.socketaudit.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything the report shows, computed once from the logs and rendered as text, JSON or HTML.
 * Times are microseconds since the epoch, as in the log; byte counts are bytes.
 */
record Summary(
        List<InputFile> inputs,
        Long firstMicros,
        Long lastMicros,
        Health health,
        Problems problems,
        Map<String, Long> linesByEvent,
        long socketEvents,
        long notConnected,
        Map<String, Long> byApi,
        Map<String, Long> byOp,
        Map<String, Long> byHow,
        Map<String, Long> byCause,
        Map<String, Long> byInitiator,
        Ranking<CallSite> callSites,
        AtRisk atRisk,
        Ranking<Endpoint> remoteEndpoints,
        Services services,
        Ranking<Endpoint> peerHosts,
        NeverClosed neverClosed,
        Pairing pairing,
        Diagnoses diagnoses,
        Timeline timeline) {

    /** The key under which a missing value is counted in the breakdowns. */
    static final String UNKNOWN = "unknown";
    /** The key for a close without a cause: a plain close. */
    static final String NO_CAUSE = "none";
    /** A service this process accepted connections on. */
    static final String ACCEPTED = "accepted";
    /** A service this process connected to. */
    static final String CONNECTED = "connected";
    /** The call site of a close whose every frame is the JDK's. */
    static final String JDK_ONLY_CALLER = "(JDK only)";

    private static final DateTimeFormatter LOG_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    record InputFile(String name, boolean gzip, long lines, long records, List<AgentRun> runs, String damage) {
    }

    record AgentRun(long pid, String agentVersion, String jdk, String kernelProbe, Long part) {
    }

    record Health(long droppedEvents, long agentErrors, List<AgentErrorRow> errors, List<Long> pidsWithoutStop,
                  List<ProbeIssue> kernelProbeUnavailable) {

        /** Events were lost or the agent failed: the counts in the report are not complete. */
        boolean lossy() {
            return droppedEvents > 0 || agentErrors > 0;
        }
    }

    record AgentErrorRow(long pid, String where, String error, long count) {
    }

    record ProbeIssue(long pid, String kernelProbe) {
    }

    record Problems(long malformedLines, long truncatedLastLines, long oversizedLines, long unknownEventLines,
                    long unresolvedStacks, Map<String, Long> unknownEvents, Map<String, Long> unknownFields,
                    List<String> damagedFiles, List<ProblemExample> examples) {

        /** Lines left out of the analysis. Unknown fields are not counted: the rest of their line was used. */
        long skippedLines() {
            return malformedLines + truncatedLastLines + oversizedLines + unknownEventLines;
        }

        boolean any() {
            return skippedLines() > 0 || unresolvedStacks > 0 || !unknownFields.isEmpty() || !damagedFiles.isEmpty();
        }
    }

    record ProblemExample(String kind, String file, long line, String excerpt) {
    }

    /**
     * The heaviest entries of a bounded tally. When {@code approximate}, rare keys were folded away
     * and counts may be short by at most {@code maxUndercount}.
     */
    record Ranking<T>(List<T> top, long distinct, boolean approximate, long maxUndercount) {
    }

    /** Closes and shutdowns made by one call site (the first frame outside the JDK). */
    record CallSite(String caller, long closes, long shutdowns, long localInitiated, long peerInitiated,
                    long unknownInitiator, List<String> stack) {
    }

    record AtRisk(long closes, long abortive, long pendingInBytes, long pendingOutBytes, List<AtRiskSite> sites,
                  boolean approximate) {
    }

    /** Abortive closes and closes with unread or unsent bytes, at one call site; {@code stack} is one of them. */
    record AtRiskSite(String caller, long closes, long abortive, long withPendingIn, long pendingInBytes,
                      long withPendingOut, long pendingOutBytes, Map<String, Long> causes, List<String> stack) {
    }

    record Endpoint(String endpoint, long connections, long abortive) {
    }

    /**
     * Closed connections by service: the accepting side's address, with {@code side} {@link #ACCEPTED} when
     * this log's process accepted them, {@link #CONNECTED} when it connected to it. Closes whose side is
     * not known (no {@code open} line, no listener seen) are counted in {@code closesWithoutSide}.
     */
    record Services(Ranking<Service> ranking, long closesWithoutSide) {
    }

    record Service(String address, String side, long connections, long abortive) {
    }

    /** Connections the app never closed: collected by the GC ({@code leak}) or still open at exit. */
    record NeverClosed(long leaks, long openAtExit, Ranking<UnclosedSite> sites) {
    }

    /** Never-closed connections opened by one call site (the code that connected or accepted them). */
    record UnclosedSite(String caller, long leaks, long openAtExit, List<String> stack) {
    }

    /**
     * Connections whose two ends were both audited. Pairs are grouped into patterns (what each end
     * did); each pattern shows its first pair as an example. {@code unpairedEnds} had no other end.
     */
    record Pairing(long pairs, long unpairedEnds, long pairsInOtherPatterns, List<PairPattern> patterns,
                   List<PairedConnection> connections, int connectionsLimit, long connectionsNotListed) {
    }

    /** One paired connection; {@code first} ended it first. */
    record PairedConnection(PairedEnd first, PairedEnd second) {
    }

    record PairPattern(long count, PairedEnd first, PairedEnd second) {

        /** Exactly one end says it started the ending. */
        boolean initiatorsAgree() {
            return first.initiator() != null && second.initiator() != null
                    && !first.initiator().equals(second.initiator());
        }
    }

    /**
     * One end of a paired connection: its side ({@code connect} or {@code accept}, null when unknown),
     * its first event's time and caller (the code that ended the connection on this side), its
     * operations, and how its last one, normally the close, went.
     */
    record PairedEnd(String file, long pid, Long conn, String api, String local, String remote, String role, long firstMicros,
                     List<String> ops, boolean closed, String how, String cause, String initiator, Long pendingIn,
                     Long pendingOut, String tcpState, String caller) {
    }

    /** The incident questions; see {@code IncidentDiagnoses} for what each rests on. */
    record Diagnoses(StaleReuse staleReuse, IdleCloses idleCloses, SlowCloses slowCloses) {
    }

    /**
     * Connections our side sent data on after the peer had finished them. {@code confirmed} of them are
     * confirmed by both ends' logs (the peer's close came before our last send).
     */
    record StaleReuse(long connections, long confirmed, List<StaleSite> sites, List<Example> examples) {

        /** The shortest pause before a reuse: the peer's idle timeout is at most this (an estimate). */
        Long shortestPauseMs() {
            return sites.stream().map(StaleSite::shortestPauseMs).min(Long::compare).orElse(null);
        }
    }

    /** The idle closes of the services the stale connections went to, as their own logs show them. */
    List<IdleGroup> peerIdleCloses() {
        List<IdleGroup> groups = new ArrayList<>();
        for (IdleGroup group : diagnoses.idleCloses().groups()) {
            if (ACCEPTED.equals(group.side())
                    && diagnoses.staleReuse().examples().stream().anyMatch(e -> group.address().equals(e.remote()))) {
                groups.add(group);
            }
        }
        return groups;
    }

    /** {@code 1-2 s 3, 2-5 s 1}: the idle-time buckets that have closes. */
    static String idleDistribution(List<Long> buckets) {
        List<String> parts = new ArrayList<>();
        long lower = IncidentDiagnoses.IDLE_MS;
        for (int i = 0; i < buckets.size(); i++) {
            String range = i < IncidentDiagnoses.IDLE_BUCKETS_MS.length
                    ? formatDuration(lower * 1_000) + "-" + formatDuration(IncidentDiagnoses.IDLE_BUCKETS_MS[i] * 1_000)
                    : ">" + formatDuration(lower * 1_000);
            if (buckets.get(i) > 0) {
                parts.add(range + ": " + buckets.get(i));
            }
            lower = i < IncidentDiagnoses.IDLE_BUCKETS_MS.length ? IncidentDiagnoses.IDLE_BUCKETS_MS[i] : lower;
        }
        return String.join(", ", parts);
    }

    /** {@code shortestPauseMs}: the shortest time between the last data received and the stale send. */
    record StaleSite(String caller, long connections, long confirmed, long shortestPauseMs) {
    }

    /** Closes our side started after no data either way for at least {@code thresholdMs}. */
    record IdleCloses(long closes, long thresholdMs, List<IdleGroup> groups, List<Example> examples) {
    }

    /**
     * Idle closes of one service, {@code side} as in {@link Service} ({@code unknown} when not known); the
     * shortest idle time is where a timeout would fire. {@code buckets} counts closes per idle time, split at
     * {@code IncidentDiagnoses.IDLE_BUCKETS_MS}.
     */
    record IdleGroup(String side, String address, long closes, long shortestMs, long longestMs, List<Long> buckets) {
    }

    /** Closes made in CLOSE_WAIT: the peer had left and our side closed later. */
    record SlowCloses(long closes, List<SlowCloseSite> sites, List<Example> examples) {
    }

    /**
     * {@code measuredByPair} of the closes were timed from the peer's close in its own log; the rest by the
     * time since data last arrived, which is at most that long.
     */
    record SlowCloseSite(String caller, long closes, long measuredByPair, long longestMs, long meanMs) {
    }

    /** A connection that shows a diagnosis: {@code valueMs} is the diagnosis's measure, {@code byPair} whether both logs gave it. */
    record Example(String file, long pid, Long conn, String local, String remote, long timeMicros, long valueMs,
                   boolean byPair) {
    }

    /** Closes and shutdowns per {@code how} in buckets of {@code bucketMicros}; empty buckets are left out. */
    record Timeline(long bucketMicros, List<String> hows, List<TimeBucket> buckets) {
    }

    record TimeBucket(long startMicros, Map<String, Long> byHow) {
    }

    /** A time as the log writes it: RFC 3339, UTC, microseconds. */
    static String formatTime(long micros) {
        return LOG_TIME.format(Instant.EPOCH.plus(micros, ChronoUnit.MICROS));
    }

    static String formatDuration(long micros) {
        if (micros < 1_000) {
            return micros + " us";
        }
        if (micros < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f ms", micros / 1e3);
        }
        if (micros < 120_000_000) {
            return String.format(Locale.ROOT, "%.3f s", micros / 1e6);
        }
        return Duration.of(micros, ChronoUnit.MICROS).truncatedTo(ChronoUnit.SECONDS).toString().substring(2).toLowerCase(Locale.ROOT);
    }

    static Map<String, Long> sortedByCount(Map<String, Long> counts) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        Map<String, Long> sorted = new LinkedHashMap<>();
        entries.forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }
}
