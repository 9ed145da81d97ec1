package io.socketaudit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The incident questions on a server that closes idle keep-alive connections after about 3 s and a
 * client that reuses one of them after the server had closed it, and leaves another in CLOSE_WAIT.
 */
class DiagnosesTest {

    private static final String SERVER = "10.0.0.1:8080";
    private static final String STALE = "10.0.0.2:50000";
    private static final String LINGERING = "10.0.0.2:50001";
    private static final String POOL = "app.Pool.evict(Pool.java:77)";

    @TempDir
    Path dir;

    @Test
    void bothLogsConfirmTheStaleReuseAndTimeTheCloseWait() throws IOException {
        JsonNode d = CommandResult.json(serverLog(), clientLog()).get("diagnoses");

        JsonNode stale = d.get("staleReuse");
        assertEquals(1, stale.get("connections").asLong());
        assertEquals(1, stale.get("confirmed").asLong());
        assertEquals(3_995, stale.get("peerIdleTimeoutAtMostMs").asLong(), "last answer at 2.000 s, reused at 5.995 s");
        assertEquals(SERVER, stale.at("/peerIdleCloses/0/service").asText());
        assertEquals(2_990, stale.at("/peerIdleCloses/0/shortestIdleMs").asLong(), "the server's own idle closes");
        assertTrue(stale.get("advice").asText().contains("shorter than the server's"));
        assertEquals("app.Client.call(Client.java:10)", stale.at("/sites/0/caller").asText());
        assertEquals(STALE, stale.at("/examples/0/local").asText());
        assertTrue(stale.at("/examples/0/byBothLogs").asBoolean());

        JsonNode idle = d.get("idleCloses");
        assertEquals(2, idle.get("closes").asLong());
        JsonNode group = idle.at("/groups/0");
        assertEquals("accepted", group.get("side").asText());
        assertEquals(SERVER, group.get("service").asText());
        assertEquals(2_990, group.get("shortestIdleMs").asLong());
        assertEquals(3_000, group.get("longestIdleMs").asLong());
        assertEquals(2, group.at("/buckets/1").asLong(), "both in 2-5 s");

        JsonNode slow = d.get("slowCloses");
        assertEquals(1, slow.get("closes").asLong());
        assertEquals(POOL, slow.at("/sites/0/caller").asText());
        assertEquals(1, slow.at("/sites/0/measuredByBothLogs").asLong());
        assertEquals(2_500, slow.at("/sites/0/longestCloseWaitMs").asLong(), "our close 2.5 s after the server's");
        assertEquals(LINGERING, slow.at("/examples/0/local").asText());
    }

    @Test
    void oneLogAloneSuspectsAndBoundsWithoutConfirming() throws IOException {
        JsonNode d = CommandResult.json(clientLog()).get("diagnoses");

        assertEquals(1, d.at("/staleReuse/connections").asLong());
        assertEquals(0, d.at("/staleReuse/confirmed").asLong());
        assertEquals(0, d.at("/staleReuse/peerIdleCloses").size());
        assertFalse(d.at("/staleReuse/examples/0/byBothLogs").asBoolean());
        assertEquals(4_500, d.at("/slowCloses/sites/0/longestCloseWaitMs").asLong(), "at most the time since data arrived");
        assertEquals(0, d.at("/idleCloses/closes").asLong(), "the client ended nothing itself");
    }

    @Test
    void textAndHtmlShowEachSectionWithItsEvidence() throws IOException {
        String text = CommandResult.report(serverLog(), clientLog()).out();

        assertTrue(text.contains("STALE KEEP-ALIVE REUSE: 1 connection our side sent data on after the peer had finished it"
                + " (1 confirmed by both ends' logs)\n"), text);
        assertTrue(text.contains("  the peer's idle timeout, estimated: at most 3.995 s (the shortest pause before a reuse)\n"
                + "  the peer's own log: it closed idle connections on 10.0.0.1:8080 after 2.990 s idle at the shortest\n"), text);
        assertTrue(text.contains("IDLE CLOSES: 2 closes our side made after at least 1.000 s without data either way\n"), text);
        assertTrue(text.contains("accepted  10.0.0.1:8080  2.000 s-5.000 s: 2\n"), text);
        assertTrue(text.contains("SLOW CLOSE AFTER THE PEER LEFT: 1 close in CLOSE_WAIT, worst first\n"), text);
        assertTrue(text.contains("  e.g. 10.0.0.2:50001 -> 10.0.0.1:8080 (pid 200, conn 2, "), text);

        String html = CommandResult.report(serverLog(), clientLog(), "--format", "html").out();
        assertTrue(html.contains("<section id=\"stalereuse\">"), html);
        assertTrue(html.contains("<section id=\"idlecloses\">"), html);
        assertTrue(html.contains("<section id=\"slowcloses\">"), html);
    }

    @Test
    void aPeerThatHadJustReceivedOurDataDoesNotConfirm() throws IOException {
        Path server = SyntheticLog.started(100)
                .atMillis(5_990).close(SERVER, STALE, "sinceDataInMs", 3, "sinceDataOutMs", 2_990)
                .stop().writeTo(dir.resolve("server.jsonl"));
        Path client = SyntheticLog.started(200)
                .atMillis(6_000).close(STALE, SERVER, "initiator", "peer", "tcpState", "CLOSE", "bytesIn", 500,
                        "sinceDataInMs", 4_000, "sinceDataOutMs", 20)
                .stop().writeTo(dir.resolve("client.jsonl"));

        JsonNode stale = CommandResult.json(server, client).at("/diagnoses/staleReuse");

        assertEquals(1, stale.get("connections").asLong(), "our log alone still suspects it");
        assertEquals(0, stale.get("confirmed").asLong(), "the server had received our request 3 ms before its close");
    }

    @Test
    void aServersAnswerBeforeTheClientLeftIsNoStaleReuse() throws IOException {
        Path server = SyntheticLog.started(100)
                .atMillis(100).close(SERVER, STALE, "initiator", "peer", "tcpState", "CLOSE_WAIT", "bytesIn", 80,
                        "sinceDataInMs", 6, "sinceDataOutMs", 2)
                .stop().writeTo(dir.resolve("answered.jsonl"));

        assertEquals(0, CommandResult.json(server).at("/diagnoses/staleReuse/connections").asLong());
    }

    @Test
    void logsWithoutTheIdleTimesDiagnoseNothing() throws IOException {
        Path old = SyntheticLog.started(1)
                .atMillis(10).close(STALE, SERVER, "initiator", "peer", "tcpState", "CLOSE_WAIT", "bytesIn", 10)
                .stop().writeTo(dir.resolve("old.jsonl"));

        JsonNode d = CommandResult.json(old).get("diagnoses");

        assertEquals(0, d.at("/staleReuse/connections").asLong());
        assertEquals(0, d.at("/slowCloses/closes").asLong());
        assertTrue(d.at("/staleReuse/peerIdleTimeoutAtMostMs").isNull());
    }

    /** Closes two keep-alive connections after about 3 s idle. */
    private Path serverLog() throws IOException {
        return SyntheticLog.started(100)
                .atMillis(1).open(SERVER, STALE, 1, "accept")
                .atMillis(2).open(SERVER, LINGERING, 2, "accept")
                .atMillis(5_000).close(SERVER, STALE, "conn", 1, "sinceDataInMs", 3_000, "sinceDataOutMs", 2_990,
                        "caller", "app.Server.idleTimeout(Server.java:30)")
                .atMillis(10_000).close(SERVER, LINGERING, "conn", 2, "sinceDataInMs", 3_000, "sinceDataOutMs", 3_000,
                        "caller", "app.Server.idleTimeout(Server.java:30)")
                .stop().writeTo(dir.resolve("server.jsonl"));
    }

    /**
     * Sends a request at 5.995 s on the connection the server closed at 5 s, and gets a reset; closes the
     * other connection 2.5 s after the server closed it.
     */
    private Path clientLog() throws IOException {
        return SyntheticLog.started(200)
                .atMillis(1).open(STALE, SERVER, 1, "connect")
                .atMillis(2).open(LINGERING, SERVER, 2, "connect")
                .atMillis(6_000).close(STALE, SERVER, "conn", 1, "how", "abortive", "cause", "peer-reset", "initiator", "peer",
                        "tcpState", "CLOSE", "bytesIn", 500, "bytesOut", 300, "sinceDataInMs", 4_000, "sinceDataOutMs", 5)
                .atMillis(12_500).close(LINGERING, SERVER, "conn", 2, "initiator", "peer", "tcpState", "CLOSE_WAIT",
                        "bytesIn", 500, "bytesOut", 100, "sinceDataInMs", 4_500, "sinceDataOutMs", 4_510, "caller", POOL)
                .stop().writeTo(dir.resolve("client.jsonl"));
    }
}
