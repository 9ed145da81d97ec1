package io.socketaudit.e2e.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reading an audit log for the connection-lifecycle tests: the events about connections
 * ({@code open}, {@code close}, {@code shutdown}, {@code leak}, {@code open_at_exit}), the stack
 * table, ports and times; and {@link Tail}, which reads a log while the agent is still writing it.
 */
public final class LifecycleLog {

    /** The events that are about one connection. */
    public static final Set<String> CONNECTION_EVENTS = Set.of("open", "close", "shutdown", "leak", "open_at_exit");

    private static final ObjectMapper JSON = new ObjectMapper();

    private LifecycleLog() {
    }

    public static String event(JsonNode line) {
        return line.path("event").asText();
    }

    public static List<JsonNode> events(List<JsonNode> log, String event) {
        return log.stream().filter(l -> event.equals(event(l))).collect(Collectors.toList());
    }

    public static List<JsonNode> connectionEvents(List<JsonNode> log) {
        return log.stream().filter(l -> CONNECTION_EVENTS.contains(event(l))).collect(Collectors.toList());
    }

    /** The port of {@code ip:port} or {@code [v6]:port}; -1 for null. */
    static int port(JsonNode address) {
        if (address == null || address.isNull() || address.isMissingNode()) {
            return -1;
        }
        String text = address.asText();
        return Integer.parseInt(text.substring(text.lastIndexOf(':') + 1));
    }

    public static int localPort(JsonNode line) {
        return port(line.get("local"));
    }

    public static int remotePort(JsonNode line) {
        return port(line.get("remote"));
    }

    /**
     * A compact signature of a connection event, for comparing whole logs as multisets:
     * {@code event api op localPort->remotePort}.
     */
    public static String signature(JsonNode line) {
        return event(line) + " " + line.path("api").asText() + " " + line.path("op").asText() + " "
                + localPort(line) + "->" + remotePort(line);
    }

    public static String signature(String event, String api, String op, int localPort, int remotePort) {
        return event + " " + api + " " + op + " " + localPort + "->" + remotePort;
    }

    /** Microseconds since the epoch of an RFC 3339 time the agent wrote. */
    public static long micros(JsonNode time) {
        Instant instant = Instant.parse(time.asText());
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    /**
     * The stack table: each {@code stack} line's frames by id. Fails when an id is defined twice
     * or a line refers to a stack not defined before it.
     */
    public static Map<Integer, List<String>> stacks(List<JsonNode> log) {
        Map<Integer, List<String>> stacks = new HashMap<>();
        for (int i = 0; i < log.size(); i++) {
            JsonNode line = log.get(i);
            if ("stack".equals(event(line))) {
                List<String> frames = new ArrayList<>();
                line.path("frames").forEach(f -> frames.add(f.asText()));
                assertTrue(stacks.put(line.path("stackId").asInt(), frames) == null,
                        "stack id defined twice in one file: " + line);
            } else if (line.hasNonNull("stackId")) {
                assertTrue(stacks.containsKey(line.path("stackId").asInt()),
                        "line " + (i + 1) + " refers to a stack not written before it: " + line);
            }
        }
        return stacks;
    }

    /** The log starts with agent_start and ends with agent_stop of this reason, nothing dropped, no agent error. */
    public static void assertFramed(List<JsonNode> log, String stopReason, String what) {
        assertTrue(!log.isEmpty(), what + ": empty log");
        JsonNode first = log.get(0);
        JsonNode last = log.get(log.size() - 1);
        assertEquals("agent_start", event(first), what + ": first line " + first);
        assertEquals("agent_stop", event(last), what + ": last line " + last);
        assertEquals(stopReason, last.path("reason").asText(), what + ": agent_stop.reason " + last);
        assertEquals(0, last.path("dropped").asLong(-1), what + ": agent_stop.dropped " + last);
        assertEquals(0, last.path("agentErrors").asLong(-1), what + ": agent_stop.agentErrors " + last);
        assertEquals(1, events(log, "agent_start").size(), what + ": agent_start lines");
        assertEquals(1, events(log, "agent_stop").size(), what + ": agent_stop lines");
        assertEquals(List.of(), events(log, "agent_error"), what + ": agent_error lines");
        assertEquals(List.of(), events(log, "dropped"), what + ": dropped lines");
    }

    static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }

    /**
     * Reads the complete lines a running agent has added to its log since the last call. The
     * agent flushes after each batch, so a line without its newline yet is left for the next call.
     */
    public static final class Tail {
        private final Path file;
        private long position;
        private final boolean keep;
        private final List<JsonNode> lines = new ArrayList<>();

        /** {@code keep}: whether {@link #all()} keeps every line read (not for logs of many thousand lines). */
        public Tail(Path file, boolean keep) {
            this(file, keep, 0);
        }

        /** Reads from {@code position} (the start of a line) on. */
        public Tail(Path file, boolean keep, long position) {
            this.file = file;
            this.keep = keep;
            this.position = position;
        }

        /** The position after the last complete line read. */
        public long position() {
            return position;
        }

        /** The new complete lines, parsed. */
        public List<JsonNode> poll() throws IOException {
            if (!Files.exists(file)) {
                return List.of();
            }
            List<JsonNode> added = new ArrayList<>();
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                long length = in.length();
                if (length <= position) {
                    return added;
                }
                byte[] bytes = new byte[(int) Math.min(length - position, 64L << 20)];
                in.seek(position);
                in.readFully(bytes);
                int start = 0;
                for (int i = 0; i < bytes.length; i++) {
                    if (bytes[i] == '\n') {
                        added.add(parse(new String(bytes, start, i - start, StandardCharsets.UTF_8)));
                        start = i + 1;
                    }
                }
                position += start;
            }
            if (keep) {
                lines.addAll(added);
            }
            return added;
        }

        /** Every line read so far, when kept. */
        public List<JsonNode> all() {
            if (!keep) {
                throw new IllegalStateException("this tail keeps no lines");
            }
            return lines;
        }
    }
}
