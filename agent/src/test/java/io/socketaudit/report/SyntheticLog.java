package io.socketaudit.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes audit logs for the tests, line by line as the agent would, with an explicit clock so
 * every time in a test is chosen, not measured. Fields given as name/value pairs override the
 * defaults of a plain graceful close.
 */
final class SyntheticLog {

    static final String START = "2026-11-26T16:12:00Z";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long pid;
    private final StringBuilder text = new StringBuilder();
    private long micros = java.time.Instant.parse(START).getEpochSecond() * 1_000_000;
    private long nextConn = 1;

    SyntheticLog(long pid) {
        this.pid = pid;
    }

    /** A log that opens with {@code agent_start}, as every file the agent writes. */
    static SyntheticLog started(long pid) {
        return new SyntheticLog(pid).event("agent_start", "agentVersion", "0.1.0", "jdk", "17.0.15+6", "vm", "OpenJDK",
                "os", "Linux", "config", JSON.createObjectNode(), "kernelProbe", "jni", "file", "audit.jsonl", "part", 1);
    }

    /** Moves this log's clock to {@code millis} after {@link #START}. */
    SyntheticLog atMillis(long millis) {
        micros = java.time.Instant.parse(START).getEpochSecond() * 1_000_000 + millis * 1_000;
        return this;
    }

    SyntheticLog stack(int id, String... frames) {
        return event("stack", "stackId", id, "frames", frames);
    }

    /** A close from {@code local} to {@code remote}, graceful, local-initiated, nothing pending, unless overridden. */
    SyntheticLog close(String local, String remote, Object... overrides) {
        return socketEvent("close", "close", local, remote, overrides);
    }

    /** An {@code open} line: {@code op} is {@code connect} or {@code accept}. */
    SyntheticLog open(String local, String remote, long conn, String op) {
        ObjectNode thread = JSON.createObjectNode().put("name", "main").put("id", 1).put("virtual", false);
        return event("open", "conn", conn, "api", "Socket", "op", op, "local", local, "remote", remote,
                "openedAt", Summary.formatTime(micros), "thread", thread, "caller", "app.Opener.open(Opener.java:5)",
                "stackId", null);
    }

    SyntheticLog shutdownOutput(String local, String remote, Object... overrides) {
        return socketEvent("shutdown", "shutdownOutput", local, remote, overrides);
    }

    SyntheticLog stop() {
        return event("agent_stop", "eventsWritten", 0, "dropped", 0, "agentErrors", 0, "reason", "shutdown");
    }

    SyntheticLog event(String event, Object... fields) {
        ObjectNode node = JSON.createObjectNode();
        node.put("event", event);
        node.put("time", Summary.formatTime(micros));
        node.put("pid", pid);
        set(node, fields);
        return line(node.toString());
    }

    /** A line exactly as given, newline added. */
    SyntheticLog line(String line) {
        text.append(line).append('\n');
        return this;
    }

    /** Text with no newline after it, as a log cut off while being written ends. */
    SyntheticLog unterminated(String partial) {
        text.append(partial);
        return this;
    }

    String text() {
        return text.toString();
    }

    Path writeTo(Path file) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    Path writeGzipTo(Path file) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    private SyntheticLog socketEvent(String event, String op, String local, String remote, Object[] overrides) {
        ObjectNode thread = JSON.createObjectNode().put("name", "main").put("id", 1).put("virtual", false);
        Object[] defaults = {"conn", nextConn++, "api", "Socket", "op", op, "local", local, "remote", remote,
            "how", op.equals("close") ? "graceful" : "half-close", "cause", null, "initiator", "local",
            "pendingIn", 0, "pendingOut", 0, "tcpState", "ESTABLISHED", "thread", thread,
            "caller", "app.Client.call(Client.java:10)", "stackId", null};
        Object[] fields = new Object[defaults.length + overrides.length];
        System.arraycopy(defaults, 0, fields, 0, defaults.length);
        System.arraycopy(overrides, 0, fields, defaults.length, overrides.length);
        return event(event, fields);
    }

    private static void set(ObjectNode node, Object[] fields) {
        if (fields.length % 2 != 0) {
            throw new IllegalArgumentException("fields come in name/value pairs");
        }
        for (int i = 0; i < fields.length; i += 2) {
            node.set((String) fields[i], JSON.valueToTree(fields[i + 1]));
        }
    }
}
