package io.socketaudit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two audited JVMs, two logs: the ends of one connection are paired and the first to end is named. */
class PairingTest {

    private static final String SERVER = "10.0.0.1:8080";
    private static final String CLIENT_A = "10.0.0.2:50000";
    private static final String CLIENT_B = "10.0.0.2:50001";

    @TempDir
    Path dir;

    @Test
    void pairsTheEndsOfEachConnectionAndSaysWhichEndedFirst() throws IOException {
        JsonNode pairs = CommandResult.json(serverLog(), clientLog()).get("pairs");

        assertEquals(2, pairs.get("paired").asLong());
        assertEquals(1, pairs.get("unpairedEnds").asLong(), "the server's close to 10.0.0.9 has no other end");
        JsonNode reset = patternStartingWith(pairs, "abortive");
        assertTrue(reset.get("initiatorsAgree").asBoolean());
        assertEquals(SERVER, reset.at("/first/local").asText());
        assertEquals(100, reset.at("/first/pid").asLong());
        assertEquals("local", reset.at("/first/initiator").asText());
        assertEquals(512, reset.at("/first/pendingIn").asLong());
        assertEquals(CLIENT_A, reset.at("/second/local").asText());
        assertEquals("peer-reset", reset.at("/second/cause").asText());
        assertEquals("peer", reset.at("/second/initiator").asText());
        assertEquals(0, reset.at("/second/pendingIn").asLong());
        assertEquals("2026-11-26T16:12:00.015000Z", reset.at("/second/firstTime").asText());

        JsonNode goodbye = patternStartingWith(pairs, "graceful");
        assertEquals("[\"shutdownOutput\",\"close\"]", goodbye.at("/first/ops").toString());
        assertEquals("2026-11-26T16:12:00.020000Z", goodbye.at("/first/firstTime").asText(), "the shutdown, not the close");
        assertEquals("app.Server.goodbye(Server.java:50)", goodbye.at("/first/caller").asText(), "the code that ended it first");
        assertEquals("CLOSE", goodbye.at("/first/tcpState").asText(), "the close's state");
        assertEquals("[\"close\"]", goodbye.at("/second/ops").toString());
        assertEquals("app.Client.call(Client.java:10)", goodbye.at("/second/caller").asText());
    }

    @Test
    void theOrderOfTheFilesDoesNotMatter() throws IOException {
        Path server = serverLog();
        Path client = clientLog();
        JsonNode one = CommandResult.json(server, client).at("/pairs/patterns");
        JsonNode other = CommandResult.json(client, server).at("/pairs/patterns");

        for (int i = 0; i < one.size(); i++) {
            assertEquals(one.at("/" + i + "/first/local"), other.at("/" + i + "/first/local"));
            assertEquals(one.at("/" + i + "/second/how"), other.at("/" + i + "/second/how"));
        }
    }

    @Test
    void textReportTellsTheStoryOfEachPair() throws IOException {
        String report = CommandResult.report(serverLog(), clientLog()).out();

        assertTrue(report.contains("BOTH ENDS AUDITED: 2 connections paired, 1 end without the other end in the logs\n"), report);
        assertTrue(report.contains("  1 connection ended this way:\n"
                + "      first: 10.0.0.1:8080 Socket close: abortive, cause unread-input, initiator local, 512 bytes unread"
                + " at app.Server.reject(Server.java:42)\n"
                + "      then:  10.0.0.2:50000 Socket close: graceful, cause peer-reset, initiator peer"
                + " at app.Client.call(Client.java:10), 5.0 ms later\n"), report);
    }

    @Test
    void endsThatDisagreeOnWhoInitiatedAreFlagged() throws IOException {
        Path a = SyntheticLog.started(1).atMillis(1).close(SERVER, CLIENT_A).stop().writeTo(dir.resolve("a.jsonl"));
        Path b = SyntheticLog.started(2).atMillis(2).close(CLIENT_A, SERVER).stop().writeTo(dir.resolve("b.jsonl"));

        JsonNode pattern = CommandResult.json(a, b).at("/pairs/patterns/0");

        assertFalse(pattern.get("initiatorsAgree").asBoolean(), "both say local");
        assertTrue(CommandResult.report(a, b).out().contains("!! the ends disagree on who initiated"));
    }

    @Test
    void bothEndsInOneLogArePairedToo() throws IOException {
        Path log = SyntheticLog.started(1)
                .atMillis(1).close(CLIENT_A, SERVER)
                .atMillis(2).close(SERVER, CLIENT_A, "initiator", "peer")
                .stop()
                .writeTo(dir.resolve("loopback.jsonl"));

        JsonNode pairs = CommandResult.json(log).get("pairs");

        assertEquals(1, pairs.get("paired").asLong());
        assertEquals(0, pairs.get("unpairedEnds").asLong());
        assertEquals(CLIENT_A, pairs.at("/patterns/0/first/local").asText());
    }

    private Path serverLog() throws IOException {
        return SyntheticLog.started(100)
                .atMillis(10).close(SERVER, CLIENT_A, "how", "abortive", "cause", "unread-input", "pendingIn", 512,
                        "caller", "app.Server.reject(Server.java:42)")
                .atMillis(20).shutdownOutput(SERVER, CLIENT_B, "conn", 7, "caller", "app.Server.goodbye(Server.java:50)")
                .atMillis(40).close(SERVER, CLIENT_B, "conn", 7, "caller", "app.Server.goodbye(Server.java:51)",
                        "tcpState", "CLOSE")
                .atMillis(50).close(SERVER, "10.0.0.9:40000")
                .stop()
                .writeTo(dir.resolve("server.jsonl"));
    }

    private Path clientLog() throws IOException {
        return SyntheticLog.started(200)
                .atMillis(15).close(CLIENT_A, SERVER, "cause", "peer-reset", "initiator", "peer", "tcpState", "CLOSE")
                .atMillis(30).close(CLIENT_B, SERVER, "initiator", "peer", "tcpState", "CLOSE_WAIT")
                .stop()
                .writeTo(dir.resolve("client.jsonl"));
    }

    private static JsonNode patternStartingWith(JsonNode pairs, String firstHow) {
        for (JsonNode pattern : pairs.get("patterns")) {
            if (pattern.at("/first/how").asText().equals(firstHow)) {
                return pattern;
            }
        }
        throw new AssertionError("no pattern whose first end is " + firstHow + ": " + pairs);
    }
}
