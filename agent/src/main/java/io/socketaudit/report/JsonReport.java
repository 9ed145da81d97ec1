package io.socketaudit.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * {@code --format json}: the summary for programs. The keys are stable; new keys may be added,
 * existing ones keep their meaning ({@code reportFormat} changes if one ever has to). Times are
 * RFC 3339 strings as in the log, byte counts are numbers of bytes, a missing value is null.
 *
 * <pre>
 * reportFormat     1
 * inputs[]         file, gzip, lines, records, damage, agentRuns[] {pid, agentVersion, jdk, kernelProbe, part}
 * timeRange        {first, last} of all lines used, or null
 * agentHealth      lossy, droppedEvents, agentErrors, errors[] {pid, where, error, count},
 *                  pidsWithoutAgentStop[], kernelProbeUnavailable[] {pid, kernelProbe}
 * inputProblems    skippedLines, malformedLines, truncatedLastLines, oversizedLines, unknownEventLines,
 *                  unresolvedStackIds, unknownEvents {name: lines}, unknownFields {event.field: lines},
 *                  damagedFiles[], examples[] {kind, file, line, text}
 * lines            {event: usable lines}
 * socketEvents     total, notConnected, byApi, byOp, byHow, byCause, byInitiator ({value: events};
 *                  how, cause and initiator over connected sockets; "unknown" for null, cause "none")
 * callSites        distinct, approximate, maxUndercount, top[] {caller, closes, shutdowns,
 *                  localInitiated, peerInitiated, unknownInitiator, stack[]}
 * atRisk           closes, abortive, pendingInBytes, pendingOutBytes, approximate, sites[] {caller, closes,
 *                  abortive, withPendingIn, pendingInBytes, withPendingOut, pendingOutBytes, causes, stack[]}
 * remoteEndpoints  distinct, approximate, maxUndercount, top[] {endpoint, connections, abortive}; by remote
 *                  ip:port, ephemeral ports included: services and peerHosts group them usefully
 * services         distinct, approximate, maxUndercount, closesWithoutSide, top[] {service, side,
 *                  connections, abortive}: service is the accepting side's ip:port, side "accepted" when
 *                  this log's process accepted the connections, "connected" when it connected to it
 * peerHosts        distinct, approximate, maxUndercount, top[] {host, connections, abortive}: by remote ip
 * neverClosed      leaks, openAtExit, sites {distinct, approximate, maxUndercount, top[] {caller, leaks,
 *                  openAtExit, stack[]}}; caller and stack are those of the code that opened the connection
 * pairs            paired, unpairedEnds, pairsInOtherPatterns, patterns[] {count, initiatorsAgree,
 *                  first, second}; first ended first: {file, pid, conn, api, local, remote, role, firstTime,
 *                  ops[], closed, how, cause, initiator, pendingIn, pendingOut, tcpState, caller}; role is
 *                  connect or accept (null when unknown), time and caller are those of the end's first
 *                  operation, how to tcpState of its last (the close); a pattern's ends are one of its pairs;
 *                  connectionsLimit, connectionsNotListed, connections[] {first, second, laterByMs}: the
 *                  first connectionsLimit pairs one by one
 * diagnoses        staleReuse {connections, confirmed, evidence, peerIdleTimeoutAtMostMs (an estimate),
 *                  peerIdleCloses[] {service, shortestIdleMs}, advice, sites[] {caller, connections, confirmed,
 *                  shortestPauseMs}, examples[]}; idleCloses {closes, thresholdMs, evidence, bucketUpperMs[],
 *                  groups[] {side, service, closes, shortestIdleMs, longestIdleMs, buckets[]}, examples[]};
 *                  slowCloses {closes, evidence, sites[] {caller, closes, measuredByBothLogs,
 *                  longestCloseWaitMs, meanCloseWaitMs} worst first, examples[]}; examples[] {file, pid,
 *                  conn, local, remote, time, pauseMs | idleMs | closeWaitMs, byBothLogs}, at most 5
 * timeline         bucketMicros, hows[], buckets[] {start, counts {how: events}}
 * </pre>
 */
final class JsonReport {

    static final int FORMAT_VERSION = 1;

    private JsonReport() {
    }

    static void write(Summary s, Writer out) throws IOException {
        JsonFactory factory = JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();
        try (JsonGenerator json = factory.createGenerator(out).useDefaultPrettyPrinter()) {
            json.writeStartObject();
            json.writeNumberField("reportFormat", FORMAT_VERSION);
            inputs(json, s.inputs());
            if (s.firstMicros() == null) {
                json.writeNullField("timeRange");
            } else {
                json.writeObjectFieldStart("timeRange");
                json.writeStringField("first", Summary.formatTime(s.firstMicros()));
                json.writeStringField("last", Summary.formatTime(s.lastMicros()));
                json.writeEndObject();
            }
            health(json, s.health());
            problems(json, s.problems());
            counts(json, "lines", s.linesByEvent());
            json.writeObjectFieldStart("socketEvents");
            json.writeNumberField("total", s.socketEvents());
            json.writeNumberField("notConnected", s.notConnected());
            counts(json, "byApi", s.byApi());
            counts(json, "byOp", s.byOp());
            counts(json, "byHow", s.byHow());
            counts(json, "byCause", s.byCause());
            counts(json, "byInitiator", s.byInitiator());
            json.writeEndObject();
            callSites(json, s.callSites());
            atRisk(json, s.atRisk());
            endpoints(json, s.remoteEndpoints());
            services(json, s.services());
            peerHosts(json, s.peerHosts());
            neverClosed(json, s.neverClosed());
            pairs(json, s.pairing());
            diagnoses(json, s);
            timeline(json, s.timeline());
            json.writeEndObject();
        }
        out.write('\n');
    }

    private static void inputs(JsonGenerator json, List<Summary.InputFile> inputs) throws IOException {
        json.writeArrayFieldStart("inputs");
        for (Summary.InputFile input : inputs) {
            json.writeStartObject();
            json.writeStringField("file", input.name());
            json.writeBooleanField("gzip", input.gzip());
            json.writeNumberField("lines", input.lines());
            json.writeNumberField("records", input.records());
            json.writeStringField("damage", input.damage());
            json.writeArrayFieldStart("agentRuns");
            for (Summary.AgentRun run : input.runs()) {
                json.writeStartObject();
                json.writeNumberField("pid", run.pid());
                json.writeStringField("agentVersion", run.agentVersion());
                json.writeStringField("jdk", run.jdk());
                json.writeStringField("kernelProbe", run.kernelProbe());
                nullableNumber(json, "part", run.part());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    private static void health(JsonGenerator json, Summary.Health health) throws IOException {
        json.writeObjectFieldStart("agentHealth");
        json.writeBooleanField("lossy", health.lossy());
        json.writeNumberField("droppedEvents", health.droppedEvents());
        json.writeNumberField("agentErrors", health.agentErrors());
        json.writeArrayFieldStart("errors");
        for (Summary.AgentErrorRow error : health.errors()) {
            json.writeStartObject();
            json.writeNumberField("pid", error.pid());
            json.writeStringField("where", error.where());
            json.writeStringField("error", error.error());
            json.writeNumberField("count", error.count());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("pidsWithoutAgentStop");
        for (long pid : health.pidsWithoutStop()) {
            json.writeNumber(pid);
        }
        json.writeEndArray();
        json.writeArrayFieldStart("kernelProbeUnavailable");
        for (Summary.ProbeIssue issue : health.kernelProbeUnavailable()) {
            json.writeStartObject();
            json.writeNumberField("pid", issue.pid());
            json.writeStringField("kernelProbe", issue.kernelProbe());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void problems(JsonGenerator json, Summary.Problems p) throws IOException {
        json.writeObjectFieldStart("inputProblems");
        json.writeNumberField("skippedLines", p.skippedLines());
        json.writeNumberField("malformedLines", p.malformedLines());
        json.writeNumberField("truncatedLastLines", p.truncatedLastLines());
        json.writeNumberField("oversizedLines", p.oversizedLines());
        json.writeNumberField("unknownEventLines", p.unknownEventLines());
        json.writeNumberField("unresolvedStackIds", p.unresolvedStacks());
        counts(json, "unknownEvents", p.unknownEvents());
        counts(json, "unknownFields", p.unknownFields());
        json.writeArrayFieldStart("damagedFiles");
        for (String damage : p.damagedFiles()) {
            json.writeString(damage);
        }
        json.writeEndArray();
        json.writeArrayFieldStart("examples");
        for (Summary.ProblemExample example : p.examples()) {
            json.writeStartObject();
            json.writeStringField("kind", example.kind());
            json.writeStringField("file", example.file());
            json.writeNumberField("line", example.line());
            json.writeStringField("text", example.excerpt());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void callSites(JsonGenerator json, Summary.Ranking<Summary.CallSite> sites) throws IOException {
        json.writeObjectFieldStart("callSites");
        ranking(json, sites);
        json.writeArrayFieldStart("top");
        for (Summary.CallSite site : sites.top()) {
            json.writeStartObject();
            json.writeStringField("caller", site.caller());
            json.writeNumberField("closes", site.closes());
            json.writeNumberField("shutdowns", site.shutdowns());
            json.writeNumberField("localInitiated", site.localInitiated());
            json.writeNumberField("peerInitiated", site.peerInitiated());
            json.writeNumberField("unknownInitiator", site.unknownInitiator());
            strings(json, "stack", site.stack());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void atRisk(JsonGenerator json, Summary.AtRisk risk) throws IOException {
        json.writeObjectFieldStart("atRisk");
        json.writeNumberField("closes", risk.closes());
        json.writeNumberField("abortive", risk.abortive());
        json.writeNumberField("pendingInBytes", risk.pendingInBytes());
        json.writeNumberField("pendingOutBytes", risk.pendingOutBytes());
        json.writeBooleanField("approximate", risk.approximate());
        json.writeArrayFieldStart("sites");
        for (Summary.AtRiskSite site : risk.sites()) {
            json.writeStartObject();
            json.writeStringField("caller", site.caller());
            json.writeNumberField("closes", site.closes());
            json.writeNumberField("abortive", site.abortive());
            json.writeNumberField("withPendingIn", site.withPendingIn());
            json.writeNumberField("pendingInBytes", site.pendingInBytes());
            json.writeNumberField("withPendingOut", site.withPendingOut());
            json.writeNumberField("pendingOutBytes", site.pendingOutBytes());
            counts(json, "causes", site.causes());
            strings(json, "stack", site.stack());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void endpoints(JsonGenerator json, Summary.Ranking<Summary.Endpoint> endpoints) throws IOException {
        json.writeObjectFieldStart("remoteEndpoints");
        ranking(json, endpoints);
        json.writeArrayFieldStart("top");
        for (Summary.Endpoint endpoint : endpoints.top()) {
            json.writeStartObject();
            json.writeStringField("endpoint", endpoint.endpoint());
            json.writeNumberField("connections", endpoint.connections());
            json.writeNumberField("abortive", endpoint.abortive());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void services(JsonGenerator json, Summary.Services services) throws IOException {
        json.writeObjectFieldStart("services");
        ranking(json, services.ranking());
        json.writeNumberField("closesWithoutSide", services.closesWithoutSide());
        json.writeArrayFieldStart("top");
        for (Summary.Service service : services.ranking().top()) {
            json.writeStartObject();
            json.writeStringField("service", service.address());
            json.writeStringField("side", service.side());
            json.writeNumberField("connections", service.connections());
            json.writeNumberField("abortive", service.abortive());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void peerHosts(JsonGenerator json, Summary.Ranking<Summary.Endpoint> hosts) throws IOException {
        json.writeObjectFieldStart("peerHosts");
        ranking(json, hosts);
        json.writeArrayFieldStart("top");
        for (Summary.Endpoint host : hosts.top()) {
            json.writeStartObject();
            json.writeStringField("host", host.endpoint());
            json.writeNumberField("connections", host.connections());
            json.writeNumberField("abortive", host.abortive());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void neverClosed(JsonGenerator json, Summary.NeverClosed never) throws IOException {
        json.writeObjectFieldStart("neverClosed");
        json.writeNumberField("leaks", never.leaks());
        json.writeNumberField("openAtExit", never.openAtExit());
        json.writeObjectFieldStart("sites");
        ranking(json, never.sites());
        json.writeArrayFieldStart("top");
        for (Summary.UnclosedSite site : never.sites().top()) {
            json.writeStartObject();
            json.writeStringField("caller", site.caller());
            json.writeNumberField("leaks", site.leaks());
            json.writeNumberField("openAtExit", site.openAtExit());
            strings(json, "stack", site.stack());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
        json.writeEndObject();
    }

    private static void pairs(JsonGenerator json, Summary.Pairing pairing) throws IOException {
        json.writeObjectFieldStart("pairs");
        json.writeNumberField("paired", pairing.pairs());
        json.writeNumberField("unpairedEnds", pairing.unpairedEnds());
        json.writeNumberField("pairsInOtherPatterns", pairing.pairsInOtherPatterns());
        json.writeArrayFieldStart("patterns");
        for (Summary.PairPattern pattern : pairing.patterns()) {
            json.writeStartObject();
            json.writeNumberField("count", pattern.count());
            json.writeBooleanField("initiatorsAgree", pattern.initiatorsAgree());
            pairedEnd(json, "first", pattern.first());
            pairedEnd(json, "second", pattern.second());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeNumberField("connectionsLimit", pairing.connectionsLimit());
        json.writeNumberField("connectionsNotListed", pairing.connectionsNotListed());
        json.writeArrayFieldStart("connections");
        for (Summary.PairedConnection connection : pairing.connections()) {
            json.writeStartObject();
            pairedEnd(json, "first", connection.first());
            pairedEnd(json, "second", connection.second());
            millis(json, "laterByMs", connection.second().firstMicros() - connection.first().firstMicros());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void diagnoses(JsonGenerator json, Summary s) throws IOException {
        Summary.Diagnoses d = s.diagnoses();
        json.writeObjectFieldStart("diagnoses");
        Summary.StaleReuse stale = d.staleReuse();
        json.writeObjectFieldStart("staleReuse");
        json.writeNumberField("connections", stale.connections());
        json.writeNumberField("confirmed", stale.confirmed());
        json.writeStringField("evidence", IncidentDiagnoses.STALE_EVIDENCE);
        nullableNumber(json, "peerIdleTimeoutAtMostMs", stale.shortestPauseMs());
        json.writeArrayFieldStart("peerIdleCloses");
        for (Summary.IdleGroup peer : s.peerIdleCloses()) {
            json.writeStartObject();
            json.writeStringField("service", peer.address());
            json.writeNumberField("shortestIdleMs", peer.shortestMs());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeStringField("advice", stale.connections() > 0 ? IncidentDiagnoses.STALE_ADVICE : null);
        json.writeArrayFieldStart("sites");
        for (Summary.StaleSite site : stale.sites()) {
            json.writeStartObject();
            json.writeStringField("caller", site.caller());
            json.writeNumberField("connections", site.connections());
            json.writeNumberField("confirmed", site.confirmed());
            json.writeNumberField("shortestPauseMs", site.shortestPauseMs());
            json.writeEndObject();
        }
        json.writeEndArray();
        examples(json, stale.examples(), "pauseMs");
        json.writeEndObject();

        Summary.IdleCloses idle = d.idleCloses();
        json.writeObjectFieldStart("idleCloses");
        json.writeNumberField("closes", idle.closes());
        json.writeNumberField("thresholdMs", idle.thresholdMs());
        json.writeStringField("evidence", IncidentDiagnoses.IDLE_EVIDENCE);
        json.writeArrayFieldStart("bucketUpperMs");
        for (long upper : IncidentDiagnoses.IDLE_BUCKETS_MS) {
            json.writeNumber(upper);
        }
        json.writeEndArray();
        json.writeArrayFieldStart("groups");
        for (Summary.IdleGroup group : idle.groups()) {
            json.writeStartObject();
            json.writeStringField("side", group.side());
            json.writeStringField("service", group.address());
            json.writeNumberField("closes", group.closes());
            json.writeNumberField("shortestIdleMs", group.shortestMs());
            json.writeNumberField("longestIdleMs", group.longestMs());
            json.writeArrayFieldStart("buckets");
            for (long n : group.buckets()) {
                json.writeNumber(n);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        json.writeEndArray();
        examples(json, idle.examples(), "idleMs");
        json.writeEndObject();

        Summary.SlowCloses slow = d.slowCloses();
        json.writeObjectFieldStart("slowCloses");
        json.writeNumberField("closes", slow.closes());
        json.writeStringField("evidence", IncidentDiagnoses.SLOW_EVIDENCE);
        json.writeArrayFieldStart("sites");
        for (Summary.SlowCloseSite site : slow.sites()) {
            json.writeStartObject();
            json.writeStringField("caller", site.caller());
            json.writeNumberField("closes", site.closes());
            json.writeNumberField("measuredByBothLogs", site.measuredByPair());
            json.writeNumberField("longestCloseWaitMs", site.longestMs());
            json.writeNumberField("meanCloseWaitMs", site.meanMs());
            json.writeEndObject();
        }
        json.writeEndArray();
        examples(json, slow.examples(), "closeWaitMs");
        json.writeEndObject();
        json.writeEndObject();
    }

    private static void examples(JsonGenerator json, List<Summary.Example> examples, String measure) throws IOException {
        json.writeArrayFieldStart("examples");
        for (Summary.Example e : examples) {
            json.writeStartObject();
            json.writeStringField("file", e.file());
            json.writeNumberField("pid", e.pid());
            nullableNumber(json, "conn", e.conn());
            json.writeStringField("local", e.local());
            json.writeStringField("remote", e.remote());
            json.writeStringField("time", Summary.formatTime(e.timeMicros()));
            json.writeNumberField(measure, e.valueMs());
            json.writeBooleanField("byBothLogs", e.byPair());
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    private static void pairedEnd(JsonGenerator json, String name, Summary.PairedEnd end) throws IOException {
        json.writeObjectFieldStart(name);
        json.writeStringField("file", end.file());
        json.writeNumberField("pid", end.pid());
        nullableNumber(json, "conn", end.conn());
        json.writeStringField("api", end.api());
        json.writeStringField("local", end.local());
        json.writeStringField("remote", end.remote());
        json.writeStringField("role", end.role());
        json.writeStringField("firstTime", Summary.formatTime(end.firstMicros()));
        strings(json, "ops", end.ops());
        json.writeBooleanField("closed", end.closed());
        json.writeStringField("how", end.how());
        json.writeStringField("cause", end.cause());
        json.writeStringField("initiator", end.initiator());
        nullableNumber(json, "pendingIn", end.pendingIn());
        nullableNumber(json, "pendingOut", end.pendingOut());
        json.writeStringField("tcpState", end.tcpState());
        json.writeStringField("caller", end.caller());
        json.writeEndObject();
    }

    private static void timeline(JsonGenerator json, Summary.Timeline timeline) throws IOException {
        json.writeObjectFieldStart("timeline");
        json.writeNumberField("bucketMicros", timeline.bucketMicros());
        strings(json, "hows", timeline.hows());
        json.writeArrayFieldStart("buckets");
        for (Summary.TimeBucket bucket : timeline.buckets()) {
            json.writeStartObject();
            json.writeStringField("start", Summary.formatTime(bucket.startMicros()));
            json.writeObjectFieldStart("counts");
            for (String how : timeline.hows()) {
                Long n = bucket.byHow().get(how);
                if (n != null) {
                    json.writeNumberField(how, n);
                }
            }
            json.writeEndObject();
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void ranking(JsonGenerator json, Summary.Ranking<?> ranking) throws IOException {
        json.writeNumberField("distinct", ranking.distinct());
        json.writeBooleanField("approximate", ranking.approximate());
        json.writeNumberField("maxUndercount", ranking.maxUndercount());
    }

    private static void counts(JsonGenerator json, String name, Map<String, Long> counts) throws IOException {
        json.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> entry : counts.entrySet()) {
            json.writeNumberField(entry.getKey(), entry.getValue());
        }
        json.writeEndObject();
    }

    private static void strings(JsonGenerator json, String name, List<String> values) throws IOException {
        json.writeArrayFieldStart(name);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }

    /** Microseconds as milliseconds with microsecond precision, as the log writes durations. */
    static void millis(JsonGenerator json, String name, long micros) throws IOException {
        json.writeFieldName(name);
        json.writeNumber(BigDecimal.valueOf(micros, 3));
    }

    private static void nullableNumber(JsonGenerator json, String name, Long value) throws IOException {
        if (value == null) {
            json.writeNullField(name);
        } else {
            json.writeNumberField(name, value);
        }
    }
}
