package io.socketaudit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonReportTest {

    private static final String SERVER = "app.Server.reject(Server.java:42)";

    @TempDir
    Path dir;

    @Test
    void topLevelKeysAreTheDocumentedOnes() throws IOException {
        JsonNode report = CommandResult.json(serverLog());

        List<String> keys = new ArrayList<>();
        report.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("reportFormat", "inputs", "timeRange", "agentHealth", "inputProblems", "lines", "socketEvents",
                "callSites", "atRisk", "remoteEndpoints", "services", "peerHosts", "neverClosed", "pairs", "diagnoses", "timeline"), keys);
        assertEquals(1, report.get("reportFormat").asInt());
    }

    @Test
    void countsClosesByEveryDimension() throws IOException {
        JsonNode events = CommandResult.json(serverLog()).get("socketEvents");

        assertEquals(4, events.get("total").asLong());
        assertEquals(1, events.get("notConnected").asLong());
        assertEquals("{\"Socket\":3,\"ServerSocket\":1}", events.get("byApi").toString());
        assertEquals("{\"close\":3,\"shutdownOutput\":1}", events.get("byOp").toString());
        assertEquals("{\"abortive\":1,\"graceful\":1,\"half-close\":1}", events.get("byHow").toString());
        assertEquals("{\"none\":2,\"unread-input\":1}", events.get("byCause").toString());
        assertEquals("{\"local\":2,\"peer\":1}", events.get("byInitiator").toString());
    }

    @Test
    void callSitesAndRisksCarryARepresentativeStack() throws IOException {
        JsonNode report = CommandResult.json(serverLog());

        JsonNode site = report.at("/callSites/top/0");
        assertEquals(SERVER, site.get("caller").asText());
        assertEquals(2, site.get("closes").asLong());
        assertEquals(1, site.get("localInitiated").asLong());
        assertEquals(1, site.get("peerInitiated").asLong());
        assertEquals(1, site.get("shutdowns").asLong());
        assertEquals("[\"java.net.Socket.close(Socket.java:1500)\",\"" + SERVER + "\"]", site.get("stack").toString());

        JsonNode risk = report.get("atRisk");
        assertEquals(1, risk.get("closes").asLong());
        assertEquals(1000, risk.get("pendingInBytes").asLong());
        JsonNode riskSite = risk.at("/sites/0");
        assertEquals(SERVER, riskSite.get("caller").asText());
        assertEquals(1, riskSite.get("abortive").asLong());
        assertEquals(1000, riskSite.get("pendingInBytes").asLong());
        assertEquals("{\"unread-input\":1}", riskSite.get("causes").toString());
        assertEquals(2, riskSite.get("stack").size());
    }

    @Test
    void timelineCountsEveryConnectionEventByHow() throws IOException {
        JsonNode timeline = CommandResult.json(serverLog()).get("timeline");

        assertEquals(1_000, timeline.get("bucketMicros").asLong(), "40 ms of events fit in 1 ms buckets");
        assertEquals("[\"abortive\",\"graceful\",\"half-close\"]", timeline.get("hows").toString());
        assertEquals("{\"start\":\"2026-11-26T16:12:00.010000Z\",\"counts\":{\"abortive\":1}}", timeline.at("/buckets/0").toString());
        assertEquals(3, timeline.get("buckets").size());
    }

    @Test
    void healthAndInputsAreMachineReadable() throws IOException {
        JsonNode report = CommandResult.json(serverLog());

        JsonNode health = report.get("agentHealth");
        assertFalse(health.get("lossy").asBoolean());
        assertEquals(0, health.get("droppedEvents").asLong());
        assertEquals("[]", health.get("pidsWithoutAgentStop").toString());
        JsonNode input = report.at("/inputs/0");
        assertEquals(7, input.get("lines").asLong());
        assertEquals(6, input.get("records").asLong(), "stack lines are not records");
        assertEquals(7, input.at("/agentRuns/0/pid").asLong());
        assertEquals("{\"close\":3,\"agent_start\":1,\"agent_stop\":1,\"shutdown\":1,\"stack\":1}", report.get("lines").toString());
        assertEquals("2026-11-26T16:12:00.000000Z", report.at("/timeRange/first").asText());
    }

    @Test
    void connectionsNeverClosedAreGroupedByTheCodeThatOpenedThem() throws IOException {
        String opener = "app.Pool.borrow(Pool.java:12)";
        Path log = SyntheticLog.started(7)
                .stack(1, "java.net.Socket.connect(Socket.java:633)", opener)
                .event("open", "conn", 1, "api", "Socket", "op", "connect", "local", "10.0.0.1:40000", "remote", "10.0.0.5:5432",
                        "openedAt", SyntheticLog.START, "caller", opener, "stackId", 1)
                .event("leak", "conn", 1, "api", "Socket", "op", "connect", "local", "10.0.0.1:40000", "remote", "10.0.0.5:5432",
                        "openedAt", SyntheticLog.START, "cause", "gc", "ageMs", 1200.5, "caller", opener, "stackId", 1)
                .event("open_at_exit", "conn", 2, "api", "Socket", "op", "connect", "local", "10.0.0.1:40001",
                        "remote", "10.0.0.5:5432", "openedAt", SyntheticLog.START, "ageMs", 3.25, "caller", opener, "stackId", 1)
                .close("10.0.0.1:40002", "10.0.0.5:5432", "openedAt", SyntheticLog.START, "durationMs", 1.5, "bytesIn", 10,
                        "bytesOut", 20)
                .stop()
                .writeTo(dir.resolve("pool.jsonl"));

        JsonNode report = CommandResult.json(log);

        assertEquals(1, report.at("/neverClosed/leaks").asLong());
        assertEquals(1, report.at("/neverClosed/openAtExit").asLong());
        JsonNode site = report.at("/neverClosed/sites/top/0");
        assertEquals(opener, site.get("caller").asText());
        assertEquals(2, site.get("stack").size());
        assertEquals(0, report.at("/inputProblems/skippedLines").asLong(), "open, leak and open_at_exit are known events");
        assertEquals("{}", report.at("/inputProblems/unknownFields").toString(), "and these are known fields");
        assertEquals(1, report.at("/lines/open").asLong());
        assertTrue(CommandResult.report(log).out().contains("NEVER CLOSED: 1 connection collected by the GC without a close (leaks),"
                + " 1 still open when the JVM exited; by the code that opened them (1)\n"
                + "  leaks  open at exit  opened at\n"
                + "      1             1  app.Pool.borrow(Pool.java:12)\n"));
    }

    @Test
    void sameInputGivesTheSameReport() throws IOException {
        Path log = serverLog();
        assertEquals(CommandResult.report(log, "--format", "json").out(), CommandResult.report(log, "--format", "json").out());
        assertTrue(CommandResult.report(log, "--format", "json").out().endsWith("}\n"));
    }

    private Path serverLog() throws IOException {
        return SyntheticLog.started(7)
                .stack(1, "java.net.Socket.close(Socket.java:1500)", SERVER)
                .atMillis(10).close("10.0.0.1:8080", "10.0.0.9:50000", "caller", SERVER, "stackId", 1,
                        "how", "abortive", "cause", "unread-input", "pendingIn", 1000)
                .atMillis(20).shutdownOutput("10.0.0.1:8080", "10.0.0.9:50001", "conn", 50, "caller", SERVER, "stackId", 1)
                .atMillis(30).close("10.0.0.1:8080", "10.0.0.9:50001", "conn", 50, "caller", SERVER, "stackId", 1,
                        "initiator", "peer", "tcpState", "CLOSE_WAIT")
                .atMillis(40).close("0.0.0.0:8080", null, "api", "ServerSocket", "how", null, "initiator", null)
                .stop()
                .writeTo(dir.resolve("server.jsonl"));
    }
}
