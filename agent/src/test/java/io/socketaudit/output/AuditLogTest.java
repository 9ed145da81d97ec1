package io.socketaudit.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.socketaudit.event.EventFinisher;
import io.socketaudit.event.OpenConnections;
import io.socketaudit.event.PendingCloses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private AuditLog open(Path file, long rotateSize, int queueSize) throws IOException {
        return new AuditLog(file, rotateSize, 3, false, queueSize, 77, new EventFinisher(new OpenConnections(), 32), new AgentErrors());
    }

    private static List<JsonNode> read(Path file) throws IOException {
        return parse(Files.readAllLines(file));
    }

    /** Reads a whole gzip log; fails when the stream has no trailer. */
    private static List<JsonNode> readGzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        }
    }

    private static List<JsonNode> parse(List<String> text) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    @Test
    void writesStartEventsAndStopInOrderWithOwnerOnlyPermissions() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = open(file, 0, 16);
        log.startWriting(Map.of("agentVersion", "test"));
        for (int i = 0; i < 2; i++) {
            log.submit(PendingCloses.gracefulSocketClose());
        }
        log.stop("test", true, 10_000);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        List<JsonNode> lines = read(file);
        assertEquals("agent_start", lines.get(0).get("event").asText());
        assertEquals(77, lines.get(0).get("pid").asLong());
        assertEquals(1, lines.get(0).get("part").asInt());
        JsonNode last = lines.get(lines.size() - 1);
        assertEquals("agent_stop", last.get("event").asText());
        assertEquals(2, last.get("eventsWritten").asLong());
        assertEquals(0, last.get("dropped").asLong());
        assertEquals("test", last.get("reason").asText());
        List<JsonNode> closes = lines.stream().filter(l -> l.get("event").asText().equals("close")).toList();
        assertEquals(2, closes.size());
        // One stack line serves both events, which were closed from the same place.
        long stacks = lines.stream().filter(l -> l.get("event").asText().equals("stack")).count();
        assertEquals(1, stacks);
        assertEquals(closes.get(0).get("stackId"), closes.get(1).get("stackId"));
        assertTrue(closes.get(0).get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"));
    }

    @Test
    void aFullQueueDropsAndTheLogSaysHowMany() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = open(file, 0, 16);
        // The writer is not started yet, so nothing drains the queue.
        for (int i = 0; i < 21; i++) {
            log.submit(PendingCloses.gracefulSocketClose());
        }
        assertEquals(5, log.dropped());
        log.startWriting(Map.of("agentVersion", "test"));
        log.stop("test", true, 10_000);

        List<JsonNode> lines = read(file);
        JsonNode dropped = lines.stream().filter(l -> l.get("event").asText().equals("dropped")).findFirst().orElseThrow();
        assertEquals(5, dropped.get("count").asLong());
        JsonNode stop = lines.get(lines.size() - 1);
        assertEquals(16, stop.get("eventsWritten").asLong());
        assertEquals(5, stop.get("dropped").asLong());
    }

    @Test
    void eventsAfterStopAreCountedNotWritten() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = open(file, 0, 16);
        log.startWriting(Map.of("agentVersion", "test"));
        log.stop("test", true, 10_000);
        log.submit(PendingCloses.gracefulSocketClose());
        assertEquals(1, log.dropped());
    }

    @Test
    void rotationStartsEachFileWithItsOwnStartLineAndStacks() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = open(file, 64 * 1024, 100_000);
        log.startWriting(Map.of("agentVersion", "test"));
        for (int i = 0; i < 1200; i++) {
            log.submit(PendingCloses.gracefulSocketClose());
        }
        log.stop("test", true, 10_000);

        assertTrue(Files.exists(dir.resolve("audit.jsonl.1")));
        assertFalse(Files.exists(dir.resolve("audit.jsonl.4")), "keeps 3 rotated files at most");
        long total = 0;
        for (String name : List.of("audit.jsonl.3", "audit.jsonl.2", "audit.jsonl.1", "audit.jsonl")) {
            Path part = dir.resolve(name);
            if (!Files.exists(part)) {
                continue;
            }
            assertTrue(Files.size(part) < 64 * 1024 + 4096, name + " is about the rotation size");
            List<JsonNode> lines = read(part);
            assertEquals("agent_start", lines.get(0).get("event").asText(), name);
            JsonNode firstClose = lines.stream().filter(l -> l.get("event").asText().equals("close")).findFirst().orElseThrow();
            long stackId = firstClose.get("stackId").asLong();
            assertTrue(lines.stream().anyMatch(l -> l.get("event").asText().equals("stack")
                    && l.get("stackId").asLong() == stackId), name + " defines the stacks it refers to");
            total += lines.stream().filter(l -> l.get("event").asText().equals("close")).count();
        }
        List<JsonNode> newest = read(file);
        JsonNode stop = newest.get(newest.size() - 1);
        assertEquals(1200, stop.get("eventsWritten").asLong());
        assertTrue(total <= 1200);
    }

    @Test
    void gzipLogRotatesIntoCompleteGzipFilesEachWithItsStartLine() throws IOException {
        Path file = dir.resolve("audit.jsonl.gz");
        AuditLog log = new AuditLog(file, 64 * 1024, 3, true, 100_000, 77, new EventFinisher(new OpenConnections(), 32), new AgentErrors());
        log.startWriting(Map.of("agentVersion", "test"));
        for (int i = 0; i < 16_000; i++) {
            log.submit(PendingCloses.gracefulSocketClose());
        }
        log.stop("test", true, 10_000);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(Files.exists(dir.resolve("audit.jsonl.1.gz")), "rotated on compressed size");
        for (String name : List.of("audit.jsonl.1.gz", "audit.jsonl.gz")) {
            List<JsonNode> lines = readGzip(dir.resolve(name));
            assertEquals("agent_start", lines.get(0).get("event").asText(), name);
            assertTrue(lines.stream().anyMatch(l -> l.get("event").asText().equals("close")), name);
        }
        List<JsonNode> newest = readGzip(file);
        JsonNode stop = newest.get(newest.size() - 1);
        assertEquals("agent_stop", stop.get("event").asText());
        assertEquals(16_000, stop.get("eventsWritten").asLong());
        assertEquals(0, stop.get("agentErrors").asLong());
    }
}
