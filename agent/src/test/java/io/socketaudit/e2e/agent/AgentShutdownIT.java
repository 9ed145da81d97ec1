package io.socketaudit.e2e.agent;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.E2eApp;
import io.socketaudit.e2e.harness.EndToEndJdks;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The log is complete however the JVM ends: every line parses, the round trip's three closes are
 * there, and the last line is agent_stop with nothing dropped and no agent errors.
 */
class AgentShutdownIT {

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void systemExitLeavesACompleteLog(EndToEndJdks.Jdk jdk, @TempDir Path dir) throws Exception {
        Path log = dir.resolve("audit.jsonl");
        AgentJvm.Result result = AgentJvm.on(jdk).logTo(log).workDir(dir).main(E2eApp.class, "exit3").run();
        assertEquals(3, result.exitCode(), () -> "System.exit(3) must be the exit code\n" + result.describe());
        assertCompleteLog(result);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void sigtermLeavesACompleteLog(EndToEndJdks.Jdk jdk, @TempDir Path dir) throws Exception {
        Path log = dir.resolve("audit.jsonl");
        AgentJvm.Running child = AgentJvm.on(jdk).logTo(log).workDir(dir).main(E2eApp.class, "awaitTermination").start();
        child.awaitStdout(E2eApp.READY::equals);
        child.process().destroy(); // SIGTERM
        AgentJvm.Result result = child.awaitExit();
        assertEquals(143, result.exitCode(), () -> "a JVM ended by SIGTERM exits 143\n" + result.describe());
        assertCompleteLog(result);
    }

    private static void assertCompleteLog(AgentJvm.Result result) {
        List<JsonNode> log = result.log();
        assertFalse(log.isEmpty(), "empty log");
        JsonNode last = log.get(log.size() - 1);
        List<String> closes = log.stream().filter(l -> "close".equals(l.path("event").asText()))
                .map(l -> l.path("api").asText()).sorted().collect(Collectors.toList());
        assertAll(
                () -> assertEquals("agent_start", log.get(0).path("event").asText(), "first line: " + log.get(0)),
                () -> assertEquals("agent_stop", last.path("event").asText(), "last line: " + last),
                () -> assertEquals(0, last.path("dropped").asLong(-1), "agent_stop.dropped: " + last),
                () -> assertEquals(0, last.path("agentErrors").asLong(-1), "agent_stop.agentErrors: " + last),
                () -> assertEquals(List.of("ServerSocket", "Socket", "Socket"), closes,
                        "the round trip's three closes (client, server, listener)"));
    }
}
