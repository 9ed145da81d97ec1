package io.socketaudit.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.socketaudit.e2e.harness.EndToEndJdks;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the demo with the agent attached, on every JDK the end-to-end tests use, and checks that each
 * scenario method left exactly the events it is meant to show, then that the report reads the log.
 */
class DemoAppIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long HANG_GUARD_SECONDS = 120;

    /** Scenario method → the events whose caller it is: "event api op how cause initiator [closeNotify]". */
    private static final Map<String, List<String>> EXPECTED = Map.ofEntries(
            Map.entry("SocketScenarios.serverSaysGoodbyeAndHalfCloses", List.of(
                    "shutdown Socket shutdownOutput half-close null local",
                    "close Socket close graceful null peer",
                    "close Socket close graceful null local")),
            Map.entry("SocketScenarios.serverClosesAbruptly", List.of(
                    "close Socket close abortive linger-zero local",
                    "close Socket close abortive peer-reset peer")),
            Map.entry("SocketScenarios.serverEndsThenClosesOncePeerHasReadEverything", List.of(
                    "shutdown Socket shutdownOutput half-close null local",
                    "close Socket close graceful null local",
                    "close Socket close graceful null peer")),
            Map.entry("SocketScenarios.clientQuitsFirst", List.of(
                    "close Socket close graceful null local",
                    "close Socket close graceful null peer")),
            Map.entry("SocketScenarios.serverDropsIdleClient", List.of(
                    "close Socket close graceful null local",
                    "close Socket close graceful null peer")),
            Map.entry("SocketScenarios.serverClosesWithRequestUnread", List.of(
                    "close Socket close abortive unread-input local",
                    "close Socket close abortive peer-reset peer")),
            Map.entry("SocketScenarios.peerResetsMidStream", List.of(
                    "close Socket close abortive linger-zero local",
                    "close Socket close abortive peer-reset peer")),
            Map.entry("ChannelScenarios.channelClosedNormally", List.of(
                    "close SocketChannel close graceful null local",
                    "close SocketChannel close graceful null peer")),
            Map.entry("ChannelScenarios.channelClosedByInterruptOfBlockedReader", List.of(
                    "close SocketChannel close graceful interrupt local",
                    "close SocketChannel close graceful null peer")),
            Map.entry("ChannelScenarios.channelClosedByAnotherThreadWhileReading", List.of(
                    "close SocketChannel close graceful async-close local",
                    "close SocketChannel close graceful null peer")),
            Map.entry("TlsScenario.sslSocketClosedCleanly", List.of(
                    "shutdown SSLSocket shutdownOutput half-close null local true",
                    "close SSLSocket close graceful null local false",
                    "close ServerSocket close null null null")),
            Map.entry("TlsScenario.serveOneGreeting", List.of(
                    "close SSLSocket close graceful null peer true")));

    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("io.socketaudit.e2e.harness.EndToEndJdks#all")
    void everyScenarioLeavesTheEventsItShows(EndToEndJdks.Jdk jdk) throws Exception {
        Path log = dir.resolve("demo.jsonl");
        Run demo = run(jdk, "-javaagent:" + property("socketaudit.agent.jar") + "=file=" + log,
                "-jar", property("socketaudit.demo.jar"));
        assertEquals(0, demo.exit, "demo failed:\n" + demo.out + demo.err);
        assertTrue(demo.out.contains("all 11 scenarios played as expected"), demo.out);

        Map<String, List<String>> actual = new HashMap<>();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            lines.add(JSON.readTree(line));
        }
        assertEquals("agent_start", lines.get(0).path("event").asText());
        JsonNode stop = lines.get(lines.size() - 1);
        assertEquals("agent_stop", stop.path("event").asText());
        assertEquals(0, stop.path("dropped").asLong(), "events dropped");
        assertEquals(0, stop.path("agentErrors").asLong(), "agent errors");
        for (JsonNode e : lines) {
            String event = e.path("event").asText();
            if (!event.equals("close") && !event.equals("shutdown")) {
                continue;
            }
            String caller = e.path("caller").asText();
            String method = caller.substring("io.socketaudit.demo.".length(), caller.indexOf('('));
            String summary = String.join(" ", event, e.path("api").asText(), e.path("op").asText(),
                    text(e, "how"), text(e, "cause"), text(e, "initiator"))
                    + (e.has("closeNotify") ? " " + e.get("closeNotify").asBoolean() : "");
            actual.computeIfAbsent(method, m -> new ArrayList<>()).add(summary);
            if (text(e, "cause").equals("unread-input")) {
                assertEquals(1000, e.path("pendingIn").asLong(), e.toString());
            }
        }
        for (Map.Entry<String, List<String>> scenario : EXPECTED.entrySet()) {
            List<String> got = actual.getOrDefault(scenario.getKey(), List.of());
            assertEquals(sorted(scenario.getValue()), sorted(got), scenario.getKey() + " on " + jdk);
        }

        Run report = run(jdk, "-jar", property("socketaudit.agent.jar"), "report", log.toString());
        assertEquals(0, report.exit, report.err);
        assertTrue(report.out.contains("11 connections paired"), report.out);
    }

    private static String text(JsonNode e, String field) {
        JsonNode value = e.get(field);
        return value == null || value.isNull() ? "null" : value.asText();
    }

    private static List<String> sorted(List<String> values) {
        return values.stream().sorted().toList();
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || !Files.isRegularFile(Path.of(value))) {
            throw new IllegalStateException(name + " does not name a built jar: " + value + " (run mvn verify)");
        }
        return value;
    }

    private record Run(int exit, String out, String err) {
    }

    private Run run(EndToEndJdks.Jdk jdk, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(jdk.java().toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("hung: " + command);
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
