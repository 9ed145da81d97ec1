package io.socketaudit.report;

import io.socketaudit.cli.ExitCode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report --connection}: one connection's life from both logs, and clear answers to bad arguments. */
class ConnectionViewTest {

    private static final String SERVER = "10.0.0.1:8080";
    private static final String CLIENT = "10.0.0.2:50002";

    @TempDir
    Path dir;

    @Test
    void showsBothEndsInOrderWithWhoEndedFirst() throws IOException {
        JsonNode report = CommandResult.json(serverLog(), clientLog(), "--connection", CLIENT);

        assertEquals(CLIENT, report.get("connection").asText());
        assertEquals(1, report.get("connections").size(), "the other client's connection is not shown");
        JsonNode connection = report.at("/connections/0");
        assertEquals(2, connection.get("ends").size());
        assertEquals(SERVER, connection.at("/endedFirst/local").asText());
        assertEquals("accept", connection.at("/endedFirst/role").asText());
        assertEquals("local", connection.at("/endedFirst/initiator").asText());
        assertEquals(5.0, connection.get("laterByMs").asDouble());
        JsonNode serverEnd = connection.at("/ends/0");
        assertEquals("server.jsonl", Path.of(serverEnd.get("file").asText()).getFileName().toString());
        assertEquals("open", serverEnd.at("/events/0/event").asText());
        assertEquals("close", serverEnd.at("/events/1/event").asText());
        assertEquals("app.Server.idle(Server.java:60)", serverEnd.at("/events/1/caller").asText());
        assertEquals(1234, serverEnd.at("/events/1/bytesOut").asLong());
        assertEquals(39.5, serverEnd.at("/events/1/durationMs").asDouble());
        assertEquals("CLOSE_WAIT", connection.at("/ends/1/events/1/tcpState").asText());
    }

    @Test
    void textTellsTheStoryInTimeOrder() throws IOException {
        CommandResult result = CommandResult.report(serverLog(), clientLog(), "--connection", SERVER);

        assertEquals(ExitCode.OK.status(), result.exitCode(), result.err());
        String text = result.out();
        assertTrue(text.contains("the connections of 10.0.0.1:8080: 2\n"), text);
        assertTrue(text.contains("CONNECTION 10.0.0.1:8080 <-> 10.0.0.2:50002, both ends logged\n"
                + "  ended first by the accepting side 10.0.0.1:8080 with close (graceful, initiator local);"
                + " the other end followed 5.0 ms later\n"), text);
        assertTrue(text.contains("2026-11-26T16:12:00.045000Z (+5.0 ms)  the connecting side 10.0.0.2:50002 (pid 200, conn 3, "),
                text);
        assertTrue(text.contains("close, how graceful, initiator peer, pendingIn 0, pendingOut 0, tcpState CLOSE_WAIT,"
                + " thread main, at app.Client.call(Client.java:10)\n"), text);
    }

    @Test
    void anIpv6AddressIsMatchedAsTheLogWritesIt() throws IOException {
        Path log = SyntheticLog.started(1).atMillis(1).close("[0:0:0:0:0:0:0:1]:8080", "[0:0:0:0:0:0:0:1]:40000")
                .stop().writeTo(dir.resolve("v6.jsonl"));

        JsonNode report = CommandResult.json(log, "--connection", "[::1]:40000");

        assertEquals("[0:0:0:0:0:0:0:1]:40000", report.get("connection").asText());
        assertEquals(1, report.get("connections").size());
    }

    @Test
    void keepsAtMostTheLimitOfLinesAndCountsTheRest() throws IOException {
        SyntheticLog log = SyntheticLog.started(1);
        int closes = ConnectionHistory.MAX_EVENTS + 7;
        for (int i = 0; i < closes; i++) {
            log.atMillis(i).close(SERVER, "10.0.0.3:" + (10_000 + i % 50_000));
        }
        JsonNode report = CommandResult.json(log.stop().writeTo(dir.resolve("busy.jsonl")), "--connection", SERVER);

        assertEquals(7, report.get("eventsNotShown").asLong());
        assertEquals(ConnectionHistory.MAX_EVENTS, report.get("eventsLimit").asInt());
        assertEquals(ConnectionHistory.MAX_EVENTS, report.get("connections").size());
    }

    @Test
    void aMalformedAddressIsAUsageError() throws IOException {
        Path log = serverLog();
        for (String bad : new String[] {"10.0.0.1", "10.0.0.1:0", "10.0.0.1:70000", "300.0.0.1:80", "host.example:80", "[zz]:80"}) {
            CommandResult result = CommandResult.report(log, "--connection", bad);

            assertEquals(ExitCode.WRONG_USAGE.status(), result.exitCode(), bad);
            assertTrue(result.err().startsWith("socket-audit report: --connection '" + bad + "'"), result.err());
        }
        assertEquals(ExitCode.WRONG_USAGE.status(), CommandResult.report(log, "--connection", CLIENT, "--format", "html").exitCode());
        assertEquals(ExitCode.WRONG_USAGE.status(), CommandResult.report(log, "--connection", CLIENT, "--connection", SERVER).exitCode());
        assertEquals(ExitCode.WRONG_USAGE.status(), CommandResult.report(log, "--connection").exitCode());
    }

    private Path serverLog() throws IOException {
        return SyntheticLog.started(100)
                .atMillis(1).open(SERVER, "10.0.0.2:50001", 2, "accept")
                .atMillis(3).open(SERVER, CLIENT, 3, "accept")
                .atMillis(30).close(SERVER, "10.0.0.2:50001", "conn", 2, "initiator", "peer")
                .atMillis(40).close(SERVER, CLIENT, "conn", 3, "caller", "app.Server.idle(Server.java:60)",
                        "bytesOut", 1234, "durationMs", 39.5)
                .stop().writeTo(dir.resolve("server.jsonl"));
    }

    private Path clientLog() throws IOException {
        return SyntheticLog.started(200)
                .atMillis(3).open(CLIENT, SERVER, 3, "connect")
                .atMillis(45).close(CLIENT, SERVER, "conn", 3, "initiator", "peer", "tcpState", "CLOSE_WAIT")
                .stop().writeTo(dir.resolve("client.jsonl"));
    }
}
