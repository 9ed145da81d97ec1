package io.socketaudit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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
                + "      first: one side (connect or accept unknown) 10.0.0.1:8080 Socket close: abortive, cause unread-input, initiator local, 512 bytes unread"
                + " at app.Server.reject(Server.java:42)\n"
                + "      then:  one side (connect or accept unknown) 10.0.0.2:50000 Socket close: graceful, cause peer-reset, initiator peer"
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

    @Test
    void keepsTheSidesApartWhenTheServerEndsOneConnectionOfThree() throws IOException {
        String clientC = "10.0.0.2:50002";
        Path server = SyntheticLog.started(100)
                .atMillis(1).open(SERVER, CLIENT_A, 1, "accept")
                .atMillis(2).open(SERVER, CLIENT_B, 2, "accept")
                .atMillis(3).open(SERVER, clientC, 3, "accept")
                .atMillis(20).close(SERVER, CLIENT_A, "conn", 1, "initiator", "peer", "tcpState", "CLOSE_WAIT")
                .atMillis(30).close(SERVER, CLIENT_B, "conn", 2, "initiator", "peer", "tcpState", "CLOSE_WAIT")
                .atMillis(40).close(SERVER, clientC, "conn", 3, "caller", "app.Server.idle(Server.java:60)")
                .stop().writeTo(dir.resolve("server.jsonl"));
        Path client = SyntheticLog.started(200)
                .atMillis(1).open(CLIENT_A, SERVER, 1, "connect")
                .atMillis(2).open(CLIENT_B, SERVER, 2, "connect")
                .atMillis(3).open(clientC, SERVER, 3, "connect")
                .atMillis(10).close(CLIENT_A, SERVER, "conn", 1)
                .atMillis(15).close(CLIENT_B, SERVER, "conn", 2)
                .atMillis(45).close(clientC, SERVER, "conn", 3, "initiator", "peer", "tcpState", "CLOSE_WAIT")
                .stop().writeTo(dir.resolve("client.jsonl"));

        JsonNode pairs = CommandResult.json(server, client).get("pairs");

        assertEquals(3, pairs.get("paired").asLong());
        assertEquals(2, pairs.get("patterns").size(), pairs.toPrettyString());
        JsonNode clientFirst = pairs.at("/patterns/0");
        assertEquals(2, clientFirst.get("count").asLong());
        assertEquals("connect", clientFirst.at("/first/role").asText());
        assertEquals("accept", clientFirst.at("/second/role").asText());
        JsonNode serverFirst = pairs.at("/patterns/1");
        assertEquals(1, serverFirst.get("count").asLong());
        assertEquals("accept", serverFirst.at("/first/role").asText());
        assertEquals(clientC, serverFirst.at("/first/remote").asText(), "the example is the pattern's own connection");
        assertEquals("app.Server.idle(Server.java:60)", serverFirst.at("/first/caller").asText());

        JsonNode connections = pairs.get("connections");
        assertEquals(3, connections.size());
        assertEquals(0, pairs.get("connectionsNotListed").asLong());
        assertEquals(ConnectionPairing.MAX_CONNECTIONS_LISTED, pairs.get("connectionsLimit").asInt());
        assertEquals(List.of("connect", "connect", "accept"),
                List.of(connections.at("/0/first/role").asText(), connections.at("/1/first/role").asText(),
                        connections.at("/2/first/role").asText()));
        assertEquals(clientC, connections.at("/2/second/local").asText());
        assertEquals(5.0, connections.at("/2/laterByMs").asDouble());

        String text = CommandResult.report(server, client).out();
        assertTrue(text.contains("      first: the accepting side 10.0.0.1:8080 Socket close: graceful, cause none, initiator local"
                + " at app.Server.idle(Server.java:60)\n"), text);
    }

    @Test
    void aListenersPortSeenBeforeTellsTheSidesWithoutOpenLines() throws IOException {
        Path server = SyntheticLog.started(100)
                .atMillis(5).close("0.0.0.0:8080", null, "api", "ServerSocket", "how", null, "initiator", null)
                .atMillis(10).close(SERVER, CLIENT_A)
                .stop().writeTo(dir.resolve("server.jsonl"));
        Path client = SyntheticLog.started(200)
                .atMillis(20).close(CLIENT_A, SERVER, "initiator", "peer")
                .stop().writeTo(dir.resolve("client.jsonl"));

        JsonNode connection = CommandResult.json(server, client).at("/pairs/connections/0");

        assertEquals("accept", connection.at("/first/role").asText());
        assertEquals("connect", connection.at("/second/role").asText());
    }

    @Test
    void listsAtMostTheLimitOfConnectionsAndCountsTheRest() throws IOException {
        SyntheticLog log = SyntheticLog.started(1);
        int connections = ConnectionPairing.MAX_CONNECTIONS_LISTED + 5;
        for (int i = 0; i < connections; i++) {
            String client = "10.0.0.2:" + (20_000 + i);
            log.atMillis(2L * i).close(client, SERVER).atMillis(2L * i + 1).close(SERVER, client, "initiator", "peer");
        }
        JsonNode pairs = CommandResult.json(log.stop().writeTo(dir.resolve("many.jsonl"))).get("pairs");

        assertEquals(connections, pairs.get("paired").asLong());
        assertEquals(ConnectionPairing.MAX_CONNECTIONS_LISTED, pairs.get("connections").size());
        assertEquals(5, pairs.get("connectionsNotListed").asLong());
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
