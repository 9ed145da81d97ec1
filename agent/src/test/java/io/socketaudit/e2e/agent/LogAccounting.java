package io.socketaudit.e2e.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketaudit.e2e.harness.AgentJvm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every line of every log file in some directories, parsed (a half line or two lines spliced fail the test), and
 * what they account for: the connection events written, and those the agent counted as lost.
 */
final class LogAccounting {

    private static final Set<String> CONNECTION_EVENTS = Set.of("open", "close", "shutdown", "leak", "open_at_exit");

    final List<JsonNode> lines = new ArrayList<>();

    LogAccounting(Path... dirs) throws IOException {
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.getFileName().toString().contains(".jsonl")).sorted().toList()) {
                    lines.addAll(file.toString().endsWith(".gz") ? parseGzip(file) : AgentJvm.parseLog(file));
                }
            }
        }
    }

    /** A gzip log, every stream in it; one without its end fails the test. */
    private static List<JsonNode> parseGzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return AgentJvm.parseLines(new String(in.readAllBytes(), StandardCharsets.UTF_8), file);
        }
    }

    long connectionEvents() {
        return lines.stream().filter(l -> CONNECTION_EVENTS.contains(l.path("event").asText())).count();
    }

    long dropped(String reason) {
        return lines.stream().filter(l -> l.path("event").asText().equals("dropped")
                && (reason == null || l.path("reason").asText().equals(reason))).mapToLong(l -> l.path("count").asLong()).sum();
    }

    List<JsonNode> events(String event) {
        return lines.stream().filter(l -> l.path("event").asText().equals(event)).toList();
    }

    /**
     * Each event the application caused is written once or counted as lost; the last line is agent_stop, whose
     * totals agree with the lines.
     */
    void assertAccountsFor(long expectedEvents, String describe) {
        Set<String> seen = new HashSet<>();
        for (JsonNode line : lines) {
            if (CONNECTION_EVENTS.contains(line.path("event").asText())) {
                String key = line.path("event").asText() + " " + line.path("conn").asText() + " " + line.path("op").asText();
                assertTrue(seen.add(key), () -> "written twice: " + line + "\n" + describe);
            }
        }
        assertEquals(expectedEvents, connectionEvents() + dropped(null),
                () -> "events written " + connectionEvents() + " + counted lost " + dropped(null) + "\n" + describe);
        List<JsonNode> stops = events("agent_stop");
        assertEquals(1, stops.size(), () -> "one agent_stop\n" + describe);
        assertEquals(dropped(null), stops.get(0).path("dropped").asLong(), () -> "agent_stop's dropped\n" + describe);
    }
}
