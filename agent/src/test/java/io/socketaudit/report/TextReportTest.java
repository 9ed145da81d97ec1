package io.socketaudit.report;

import io.socketaudit.cli.ExitCode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextReportTest {

    private static final String SERVER = "app.Server.reject(Server.java:42)";

    @TempDir
    Path dir;

    @Test
    void summarisesClosesCallSitesRisksAndEndpoints() throws IOException {
        Path log = SyntheticLog.started(7)
                .stack(1, "java.net.Socket.close(Socket.java:1500)", SERVER, "app.Server.run(Server.java:20)")
                .atMillis(10).close("10.0.0.1:8080", "10.0.0.9:50000", "caller", SERVER, "stackId", 1,
                        "how", "abortive", "cause", "unread-input", "pendingIn", 1000)
                .atMillis(20).close("10.0.0.1:8080", "10.0.0.9:50001", "caller", SERVER, "stackId", 1,
                        "initiator", "peer", "tcpState", "CLOSE_WAIT")
                .atMillis(30).close("10.0.0.1:40000", "10.0.0.5:5432", "pendingOut", 64)
                .atMillis(40).close("0.0.0.0:8080", null, "api", "ServerSocket", "how", null, "initiator", null)
                .stop()
                .writeTo(dir.resolve("server.jsonl"));

        String report = CommandResult.report(log).out();

        assertTrue(report.startsWith("socket-audit report: 1 file, 7 lines\n"
                + "  2026-11-26T16:12:00.000000Z to 2026-11-26T16:12:00.040000Z (40.0 ms)\n"), report);
        assertTrue(report.contains("  ok: no events dropped, no agent errors, every agent stopped normally.\n"), report);
        assertTrue(report.contains("CLOSES AND SHUTDOWNS: 4 (1 of listeners or unconnected sockets)\n"
                + "  api        Socket 3, ServerSocket 1\n"
                + "  op         close 4\n"
                + "  how        graceful 2, abortive 1\n"
                + "  cause      none 2, unread-input 1\n"
                + "  initiator  local 2, peer 1\n"), report);
        assertTrue(report.contains("  closes  local  peer  unknown  shutdowns  caller\n"
                + "       2      1     1        0          0  app.Server.reject(Server.java:42)\n"
                + "       1      1     0        0          0  app.Client.call(Client.java:10)\n"), report);
        assertTrue(report.contains("AT RISK: 2 closes reset the connection or left bytes behind: 1 abortive, 1,000 bytes unread, 64 bytes unsent\n"
                + "  1 x app.Client.call(Client.java:10)\n"
                + "      1 close with 64 bytes unsent; cause none 1\n"
                + "  1 x app.Server.reject(Server.java:42)\n"
                + "      1 abortive, 1 close with 1,000 bytes unread; cause unread-input 1\n"
                + "        at java.net.Socket.close(Socket.java:1500)\n"
                + "        at app.Server.reject(Server.java:42)\n"
                + "        at app.Server.run(Server.java:20)\n"), report);
        assertTrue(report.contains("SERVICES: closed connections by the accepting side's address (0);"
                + " 3 closes without a known side (no open line) left out\n  none\n"), report);
        assertTrue(report.contains("PEER HOSTS (2)\n"
                + "  connections  abortive  host\n"
                + "            2         1  10.0.0.9\n"
                + "            1         0  10.0.0.5\n"), report);
        assertTrue(report.contains("BOTH ENDS AUDITED: 0 connections paired, 3 ends without the other end in the logs\n"), report);
    }

    @Test
    void groupsConnectionsByServiceNotByEphemeralPort() throws IOException {
        Path log = SyntheticLog.started(7)
                .atMillis(1).open("10.0.0.1:8080", "10.0.0.9:50000", 1, "accept")
                .atMillis(2).open("10.0.0.1:8080", "10.0.0.8:50001", 2, "accept")
                .atMillis(3).open("10.0.0.1:40000", "10.0.0.5:5432", 3, "connect")
                .atMillis(10).close("10.0.0.1:8080", "10.0.0.9:50000", "conn", 1, "how", "abortive")
                .atMillis(20).close("10.0.0.1:8080", "10.0.0.8:50001", "conn", 2)
                .atMillis(30).close("10.0.0.1:40000", "10.0.0.5:5432", "conn", 3)
                .stop()
                .writeTo(dir.resolve("server.jsonl"));

        String report = CommandResult.report(log).out();

        assertTrue(report.contains("SERVICES: closed connections by the accepting side's address (2)\n"
                + "  connections  abortive         we  service\n"
                + "            2         1   accepted  10.0.0.1:8080\n"
                + "            1         0  connected  10.0.0.5:5432\n"), report);
        JsonNode services = CommandResult.json(log).get("services");
        assertEquals("accepted", services.at("/top/0/side").asText());
        assertEquals("10.0.0.1:8080", services.at("/top/0/service").asText());
        assertEquals(0, services.get("closesWithoutSide").asLong());
        assertEquals(3, CommandResult.json(log).at("/peerHosts/distinct").asLong());
    }

    @Test
    void lossesAreShownBeforeAnythingElse() throws IOException {
        Path log = SyntheticLog.started(7)
                .atMillis(1).close("10.0.0.1:1", "10.0.0.2:2")
                .event("dropped", "count", 1200)
                .event("agent_error", "where", "kernel probe", "error", "EBADF", "count", 1)
                .event("agent_error", "where", "kernel probe", "error", "EBADF", "count", 2)
                .writeTo(dir.resolve("lossy.jsonl"));

        CommandResult result = CommandResult.report(log);
        String report = result.out();

        int agent = report.indexOf("AGENT\n");
        assertTrue(agent > 0 && agent < report.indexOf("INPUT\n"), report);
        assertTrue(report.contains("AGENT\n"
                + "  !! 1,200 events DROPPED by the agent (its queue was full, or the log could not be written): every count below is short by up to that many.\n"
                + "  !! 2 agent errors (the app was not affected; those closes may be missing):\n"
                + "       pid  count  where: error\n"
                + "         7      2  kernel probe: EBADF\n"
                + "  !! pid 7 has no agent_stop line: the app was still running, was killed, or the log was cut short.\n"), report);
        assertFalse(report.contains("ok: no events dropped"), report);
        assertEquals(ExitCode.OK.status(), result.exitCode());
        assertEquals("socket-audit report: warning: the agent lost events or failed; the report's counts are incomplete\n",
                result.err());
    }

    @Test
    void unavailableKernelProbeIsAWarning() throws IOException {
        Path log = new SyntheticLog(3)
                .event("agent_start", "agentVersion", "0.1.0", "jdk", "17", "kernelProbe", "unavailable: not Linux", "part", 1)
                .close("10.0.0.1:1", "10.0.0.2:2", "how", null, "pendingIn", null, "pendingOut", null)
                .stop()
                .writeTo(dir.resolve("no-probe.jsonl"));

        String report = CommandResult.report(log).out();

        assertTrue(report.contains("  !! pid 3: kernel probe unavailable: not Linux; how, pendingIn, pendingOut and tcpState may be unknown.\n"),
                report);
        assertTrue(report.contains("  how        unknown 1\n"), report);
    }

    @Test
    void controlAndBidirectionalCharactersReachTheTerminalEscaped() throws IOException {
        String hostile = "app.X.y\u001b[2J\u001b]52;c;cm0gLXJm\u0007\u0000\u007f\u0085\u202e)9:avaj.X(Z.q";
        Path log = SyntheticLog.started(7)
                .stack(1, "java.net.Socket.close(Socket.java:1500)", hostile)
                .atMillis(10).close("10.0.0.1:8080", "10.0.0.9:50000", "caller", hostile, "stackId", 1,
                        "how", "abortive", "cause", "unread-input", "pendingIn", 1)
                .event("agent_error", "where", "line\nbreak", "error", "\u2066isolated\u2069", "count", 1)
                .stop()
                .writeTo(dir.resolve("hostile.jsonl"));

        String report = CommandResult.report(log).out();

        for (char c : report.toCharArray()) {
            assertTrue(c == '\n' || (c >= 0x20 && c < 0x7f), () -> "raw U+" + Integer.toHexString(c) + " in\n" + report);
        }
        assertTrue(report.contains("app.X.y\\u001B[2J\\u001B]52;c;cm0gLXJm\\u0007\\u0000\\u007F\\u0085\\u202E)9:avaj.X(Z.q"),
                report);
        assertTrue(report.contains("line\\u000Abreak: \\u2066isolated\\u2069"), report);
    }
}
