package io.socketaudit.report;

import io.socketaudit.logformat.Operation;
import io.socketaudit.logformat.Value;
import io.socketaudit.report.LogRecord.AgentError;
import io.socketaudit.report.LogRecord.AgentStart;
import io.socketaudit.report.LogRecord.AgentStop;
import io.socketaudit.report.LogRecord.Dropped;
import io.socketaudit.report.LogRecord.Open;
import io.socketaudit.report.LogRecord.SocketEvent;
import io.socketaudit.report.LogRecord.Unclosed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the logs once, in time order, into counters and bounded tallies; no event is kept beyond
 * what the tallies and the pairing of connection ends need, so logs of any size fit in memory.
 */
final class Analysis {

    static final int TOP_CALL_SITES = 20;
    static final int TOP_ENDPOINTS = 20;
    private static final int TALLY_CAPACITY = 5_000;
    private static final int MAX_VALUES = 50;

    /** Receives how far reading has got, in bytes of the input files. */
    interface ProgressListener {
        void update(long bytesRead, long totalBytes);

        void finish();
    }

    private static final class CallSiteStats implements BoundedTally.Stats {
        long closes;
        long shutdowns;
        long localInitiated;
        long peerInitiated;
        long unknownInitiator;
        List<String> stack;

        @Override
        public long weight() {
            return closes + shutdowns;
        }
    }

    private static final class AtRiskStats implements BoundedTally.Stats {
        long closes;
        long abortive;
        long withPendingIn;
        long pendingInBytes;
        long withPendingOut;
        long pendingOutBytes;
        final Map<String, Long> causes = new LinkedHashMap<>();
        List<String> stack;

        @Override
        public long weight() {
            return closes;
        }
    }

    private static final class UnclosedStats implements BoundedTally.Stats {
        long leaks;
        long openAtExit;
        List<String> stack;

        @Override
        public long weight() {
            return leaks + openAtExit;
        }
    }

    private static final class EndpointStats implements BoundedTally.Stats {
        long connections;
        long abortive;

        @Override
        public long weight() {
            return connections;
        }
    }

    private final Map<String, Long> byApi = new LinkedHashMap<>();
    private final Map<String, Long> byOp = new LinkedHashMap<>();
    private final Map<String, Long> byHow = new LinkedHashMap<>();
    private final Map<String, Long> byCause = new LinkedHashMap<>();
    private final Map<String, Long> byInitiator = new LinkedHashMap<>();
    private final BoundedTally<CallSiteStats> callSites = new BoundedTally<>(TALLY_CAPACITY, CallSiteStats::new);
    // Apart from the call sites, so that a rare risky call site is not folded away among frequent safe ones.
    private final BoundedTally<AtRiskStats> atRiskSites = new BoundedTally<>(TALLY_CAPACITY, AtRiskStats::new);
    private final BoundedTally<EndpointStats> endpoints = new BoundedTally<>(TALLY_CAPACITY, EndpointStats::new);
    /** By the accepting side's address, whichever end this log is: a service, not a client's ephemeral port. */
    private final BoundedTally<EndpointStats> services = new BoundedTally<>(TALLY_CAPACITY, EndpointStats::new);
    private final BoundedTally<EndpointStats> peerHosts = new BoundedTally<>(TALLY_CAPACITY, EndpointStats::new);
    private long closesWithoutSide;
    /** By the code that opened the connection: that is where the missing close belongs. */
    private final BoundedTally<UnclosedStats> unclosedSites = new BoundedTally<>(TALLY_CAPACITY, UnclosedStats::new);
    private final AgentHealth health = new AgentHealth();
    private final ConnectionPairing pairing;
    private final IncidentDiagnoses diagnoses;
    private final Timeline timeline = new Timeline();
    private Long firstMicros;
    private Long lastMicros;
    private long socketEvents;
    private long notConnected;
    private long atRiskCloses;
    private long abortiveCloses;
    private long pendingInBytes;
    private long pendingOutBytes;
    private long leaks;
    private long openAtExit;

    private Analysis(List<String> inputNames) {
        pairing = new ConnectionPairing(inputNames);
        diagnoses = new IncidentDiagnoses(inputNames);
    }

    static Summary run(List<LogInput> inputs, ProgressListener progress) throws IOException {
        return run(inputs, progress, false);
    }

    /** @param byApplication call sites are the events' {@code appCaller} rather than their {@code caller} */
    static Summary run(List<LogInput> inputs, ProgressListener progress, boolean byApplication) throws IOException {
        InputProblems problems = new InputProblems();
        MergedRecords records = new MergedRecords(inputs, problems, byApplication);
        List<String> names = new ArrayList<>();
        inputs.forEach(input -> names.add(input.name()));
        Analysis analysis = new Analysis(names);
        long total = records.totalBytes();
        for (LogRecord record = records.next(); record != null; record = records.next()) {
            analysis.accept(record);
            progress.update(records.bytesRead(), total);
        }
        progress.finish();
        return analysis.summary(records.inputFiles(), records.linesByEvent(), problems.summary());
    }

    void accept(LogRecord record) {
        long time = record.timeMicros();
        firstMicros = firstMicros == null ? time : Math.min(firstMicros, time);
        lastMicros = lastMicros == null ? time : Math.max(lastMicros, time);
        if (record instanceof SocketEvent event) {
            socketEvent(event);
        } else if (record instanceof Open open) {
            pairing.open(open);
        } else if (record instanceof Unclosed unclosed) {
            unclosed(unclosed);
        } else if (record instanceof AgentStart start) {
            health.start(start);
        } else if (record instanceof Dropped dropped) {
            health.dropped(dropped);
        } else if (record instanceof AgentError error) {
            health.error(error);
        } else if (record instanceof AgentStop stop) {
            health.stop(stop);
        }
    }

    private void socketEvent(SocketEvent e) {
        socketEvents++;
        count(byApi, e.api());
        count(byOp, e.op());
        ConnectionPairing.EndSeen end = pairing.accept(e);
        String role = end.role();
        if (!e.isConnection()) {
            // A listener or a socket that never connected: no peer, no data, nothing at risk.
            notConnected++;
            return;
        }
        count(byHow, e.how());
        count(byCause, e.cause() == null ? Summary.NO_CAUSE : e.cause());
        count(byInitiator, e.initiator());
        timeline.add(e.timeMicros(), e.how() == null ? Summary.UNKNOWN : e.how());

        String caller = e.caller() == null ? Summary.JDK_ONLY_CALLER : e.caller();
        CallSiteStats site = callSites.get(caller);
        if (site.stack == null && !e.frames().isEmpty()) {
            site.stack = e.frames();
        }
        if (!e.isClose()) {
            site.shutdowns++;
            return;
        }
        site.closes++;
        if (Value.LOCAL.equals(e.initiator())) {
            site.localInitiated++;
        } else if (Value.PEER.equals(e.initiator())) {
            site.peerInitiated++;
        } else {
            site.unknownInitiator++;
        }
        count(endpoints.get(e.remote()), e);
        count(peerHosts.get(Objects.requireNonNullElse(Addresses.host(e.remote()), e.remote())), e);
        if (Operation.ACCEPT.text().equals(role)) {
            count(services.get(Summary.ACCEPTED + " " + e.local()), e);
        } else if (Operation.CONNECT.text().equals(role)) {
            count(services.get(Summary.CONNECTED + " " + e.remote()), e);
        } else {
            closesWithoutSide++;
        }
        atRisk(e, caller);
        diagnoses.close(e, role, end.otherEndedFirst(), caller);
    }

    private void unclosed(Unclosed u) {
        UnclosedStats site = unclosedSites.get(u.caller() == null ? Summary.JDK_ONLY_CALLER : u.caller());
        if (u.isLeak()) {
            leaks++;
            site.leaks++;
        } else {
            openAtExit++;
            site.openAtExit++;
        }
        if (site.stack == null && !u.frames().isEmpty()) {
            site.stack = u.frames();
        }
    }

    /** A close that reset the connection or left bytes behind: data may have been lost. */
    private void atRisk(SocketEvent e, String caller) {
        long unread = e.pendingIn() == null ? 0 : e.pendingIn();
        long unsent = e.pendingOut() == null ? 0 : e.pendingOut();
        if (!e.isAbortive() && unread <= 0 && unsent <= 0) {
            return;
        }
        AtRiskStats site = atRiskSites.get(caller);
        atRiskCloses++;
        site.closes++;
        if (e.isAbortive()) {
            abortiveCloses++;
            site.abortive++;
        }
        if (unread > 0) {
            site.withPendingIn++;
            site.pendingInBytes += unread;
            pendingInBytes += unread;
        }
        if (unsent > 0) {
            site.withPendingOut++;
            site.pendingOutBytes += unsent;
            pendingOutBytes += unsent;
        }
        count(site.causes, e.cause() == null ? Summary.NO_CAUSE : e.cause());
        if (site.stack == null && !e.frames().isEmpty()) {
            site.stack = e.frames();
        }
    }

    private static void count(EndpointStats endpoint, SocketEvent close) {
        endpoint.connections++;
        if (close.isAbortive()) {
            endpoint.abortive++;
        }
    }

    private static void count(Map<String, Long> counts, String value) {
        String key = value == null ? Summary.UNKNOWN : value;
        if (counts.size() >= MAX_VALUES && !counts.containsKey(key)) {
            key = "other";
        }
        counts.merge(key, 1L, Long::sum);
    }

    private Summary summary(List<Summary.InputFile> inputs, Map<String, Long> linesByEvent, Summary.Problems problems) {
        List<Summary.CallSite> topSites = new ArrayList<>();
        for (Map.Entry<String, CallSiteStats> entry : callSites.top(TOP_CALL_SITES)) {
            CallSiteStats s = entry.getValue();
            topSites.add(new Summary.CallSite(entry.getKey(), s.closes, s.shutdowns, s.localInitiated, s.peerInitiated,
                    s.unknownInitiator, stack(s.stack)));
        }
        List<Summary.AtRiskSite> riskSites = new ArrayList<>();
        for (Map.Entry<String, AtRiskStats> entry : atRiskSites.top(Integer.MAX_VALUE)) {
            AtRiskStats s = entry.getValue();
            riskSites.add(new Summary.AtRiskSite(entry.getKey(), s.closes, s.abortive, s.withPendingIn, s.pendingInBytes,
                    s.withPendingOut, s.pendingOutBytes, Summary.sortedByCount(s.causes), stack(s.stack)));
        }
        List<Summary.Endpoint> topEndpoints = new ArrayList<>();
        for (Map.Entry<String, EndpointStats> entry : endpoints.top(TOP_ENDPOINTS)) {
            topEndpoints.add(new Summary.Endpoint(entry.getKey(), entry.getValue().connections, entry.getValue().abortive));
        }
        List<Summary.Service> topServices = new ArrayList<>();
        for (Map.Entry<String, EndpointStats> entry : services.top(TOP_ENDPOINTS)) {
            String[] sideAndAddress = entry.getKey().split(" ", 2);
            topServices.add(new Summary.Service(sideAndAddress[1], sideAndAddress[0], entry.getValue().connections,
                    entry.getValue().abortive));
        }
        List<Summary.Endpoint> topPeerHosts = new ArrayList<>();
        for (Map.Entry<String, EndpointStats> entry : peerHosts.top(TOP_ENDPOINTS)) {
            topPeerHosts.add(new Summary.Endpoint(entry.getKey(), entry.getValue().connections, entry.getValue().abortive));
        }
        List<Summary.UnclosedSite> neverClosedSites = new ArrayList<>();
        for (Map.Entry<String, UnclosedStats> entry : unclosedSites.top(TOP_CALL_SITES)) {
            UnclosedStats u = entry.getValue();
            neverClosedSites.add(new Summary.UnclosedSite(entry.getKey(), u.leaks, u.openAtExit, stack(u.stack)));
        }
        return new Summary(inputs, firstMicros, lastMicros, health.summary(), problems,
                Summary.sortedByCount(linesByEvent), socketEvents, notConnected,
                Summary.sortedByCount(byApi), Summary.sortedByCount(byOp), Summary.sortedByCount(byHow),
                Summary.sortedByCount(byCause), Summary.sortedByCount(byInitiator),
                new Summary.Ranking<>(topSites, callSites.distinct(), callSites.approximate(), callSites.largestFoldedWeight()),
                new Summary.AtRisk(atRiskCloses, abortiveCloses, pendingInBytes, pendingOutBytes, riskSites,
                        atRiskSites.approximate()),
                new Summary.Ranking<>(topEndpoints, endpoints.distinct(), endpoints.approximate(), endpoints.largestFoldedWeight()),
                new Summary.Services(new Summary.Ranking<>(topServices, services.distinct(), services.approximate(),
                        services.largestFoldedWeight()), closesWithoutSide),
                new Summary.Ranking<>(topPeerHosts, peerHosts.distinct(), peerHosts.approximate(), peerHosts.largestFoldedWeight()),
                new Summary.NeverClosed(leaks, openAtExit, new Summary.Ranking<>(neverClosedSites, unclosedSites.distinct(),
                        unclosedSites.approximate(), unclosedSites.largestFoldedWeight())),
                pairing.summary(), diagnoses.summary(), timeline.summary());
    }

    private static List<String> stack(List<String> frames) {
        return frames == null ? List.of() : frames;
    }
}
