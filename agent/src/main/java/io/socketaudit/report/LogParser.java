package io.socketaudit.report;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.socketaudit.logformat.Event;
import io.socketaudit.logformat.Field;
import io.socketaudit.report.LogRecord.AgentError;
import io.socketaudit.report.LogRecord.AgentStart;
import io.socketaudit.report.LogRecord.AgentStop;
import io.socketaudit.report.LogRecord.Dropped;
import io.socketaudit.report.LogRecord.Open;
import io.socketaudit.report.LogRecord.SocketEvent;
import io.socketaudit.report.LogRecord.Unclosed;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes the lines of one file. Keeps that file's stack table (stack ids restart in every file),
 * counts every line it cannot use in {@link InputProblems}, and, as the log format asks of readers,
 * uses what it knows of a line from a newer agent: unknown fields and events are counted, not fatal.
 */
final class LogParser {

    /** Distinct stacks remembered per file; the agent writes each once, so older ones may still be referred to. */
    private static final int MAX_STACKS = 50_000;
    private static final int MAX_RUNS_LISTED = 20;

    private static final Set<String> COMMON_FIELDS = Event.COMMON_FIELDS;
    private static final Map<String, Set<String>> KNOWN_FIELDS = Event.FIELDS;

    private static final ObjectReader JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .reader();

    private final int input;
    private final String file;
    private final InputProblems problems;
    private final Map<Long, List<String>> stacks = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, List<String>> eldest) {
            return size() > MAX_STACKS;
        }
    };
    private final List<Summary.AgentRun> runs = new ArrayList<>();
    private final Map<String, Long> linesByEvent = new LinkedHashMap<>();
    private long lines;
    private long records;

    /** Where the application's own code is not in a stack, when call sites are grouped by it. */
    static final String LIBRARIES_ONLY_CALLER = "(libraries and JDK only)";

    /** Call sites are the lines' {@code appCaller} rather than their {@code caller}. */
    private final boolean byApplication;

    LogParser(int input, String file, InputProblems problems, boolean byApplication) {
        this.input = input;
        this.file = file;
        this.problems = problems;
        this.byApplication = byApplication;
    }

    /** The record on this line, or null when the line is a stack, blank, or a counted problem. */
    LogRecord parse(LogInput.Line line) {
        lines++;
        if (line.oversized()) {
            problems.count(InputProblems.OVERSIZED, file, line.number(), "(longer than " + LogInput.MAX_LINE_BYTES + " bytes)");
            return null;
        }
        if (line.text().isBlank()) {
            return null;
        }
        try {
            LogRecord record = decode(JSON.readTree(line.text()), line);
            if (record != null) {
                records++;
            }
            return record;
        } catch (JacksonException | MalformedLineException e) {
            // A last line without its newline that does not parse was cut off while being written.
            String kind = line.terminated() ? InputProblems.MALFORMED : InputProblems.TRUNCATED_LAST_LINE;
            problems.count(kind, file, line.number(), line.text());
            return null;
        }
    }

    long lines() {
        return lines;
    }

    long records() {
        return records;
    }

    /** Usable lines per known {@code event}; unknown events are counted as problems. */
    Map<String, Long> linesByEvent() {
        return linesByEvent;
    }

    List<Summary.AgentRun> runs() {
        return List.copyOf(runs);
    }

    private LogRecord decode(JsonNode node, LogInput.Line line) {
        if (node == null || !node.isObject()) {
            throw new MalformedLineException("not a JSON object");
        }
        String event = requiredText(node, "event");
        Set<String> known = KNOWN_FIELDS.get(event);
        if (known == null) {
            problems.unknownEvent(event, file, line.number(), line.text());
            return null;
        }
        long time = parseTime(requiredText(node, "time"));
        long pid = requiredNumber(node, "pid");
        LogRecord record = decode(event, node, time, pid, line);
        // Only once the line proved usable, so that a malformed line is counted as that alone.
        countUnknownFields(event, node, known);
        linesByEvent.merge(event, 1L, Long::sum);
        return record;
    }

    private LogRecord decode(String event, JsonNode node, long time, long pid, LogInput.Line line) {
        switch (event) {
            case Event.CLOSE:
            case Event.SHUTDOWN:
                return socketEvent(node, time, pid, line);
            case Event.STACK:
                rememberStack(node);
                return null;
            case Event.OPEN:
                return new Open(input, time, pid, number(node, Field.CONN), text(node, Field.API), text(node, Field.OP),
                        text(node, Field.LOCAL), text(node, Field.REMOTE), threadName(node), text(node, Field.CALLER));
            case Event.LEAK:
            case Event.OPEN_AT_EXIT:
                return new Unclosed(input, time, pid, event, number(node, Field.CONN), text(node, Field.LOCAL),
                        text(node, Field.REMOTE), callSite(node), frames(node, line));
            case Event.AGENT_START:
                AgentStart start = new AgentStart(input, time, pid, text(node, "agentVersion"), text(node, "jdk"),
                        text(node, "kernelProbe"), number(node, "part"));
                if (runs.size() < MAX_RUNS_LISTED) {
                    runs.add(new Summary.AgentRun(pid, start.agentVersion(), start.jdk(), start.kernelProbe(), start.part()));
                }
                return start;
            case Event.DROPPED:
                return new Dropped(input, time, pid, requiredNumber(node, "count"));
            case Event.AGENT_ERROR:
                Long count = number(node, "count");
                return new AgentError(input, time, pid, text(node, "where"), text(node, "error"), count == null ? 1 : count);
            case Event.AGENT_STOP:
                return new AgentStop(input, time, pid, number(node, "dropped"), number(node, "agentErrors"));
            default:
                throw new IllegalStateException("event without a decoder: " + event);
        }
    }

    private SocketEvent socketEvent(JsonNode node, long time, long pid, LogInput.Line line) {
        List<String> frames = frames(node, line);
        return new SocketEvent(input, time, pid, number(node, Field.CONN), text(node, Field.API), text(node, Field.OP),
                text(node, Field.LOCAL), text(node, Field.REMOTE), text(node, Field.HOW), text(node, Field.CAUSE),
                text(node, Field.INITIATOR), number(node, Field.PENDING_IN), number(node, Field.PENDING_OUT),
                text(node, Field.TCP_STATE), flag(node, Field.CLOSE_NOTIFY), micros(node, Field.DURATION_MS),
                number(node, Field.BYTES_IN), number(node, Field.BYTES_OUT), number(node, Field.SINCE_DATA_IN_MS),
                number(node, Field.SINCE_DATA_OUT_MS), threadName(node), callSite(node),
                frames);
    }

    /** The code a line is attributed to: its {@code caller}, or its {@code appCaller} when grouping by it. */
    private String callSite(JsonNode node) {
        if (!byApplication) {
            return text(node, Field.CALLER);
        }
        String application = text(node, Field.APP_CALLER);
        return application != null ? application : LIBRARIES_ONLY_CALLER;
    }

    /** The thread's name, or null; a line with an odd {@code thread} is still usable for everything else. */
    private static String threadName(JsonNode node) {
        JsonNode name = node.path(Field.THREAD).path(Field.THREAD_NAME);
        return name.isTextual() ? name.textValue() : null;
    }

    /** The frames of the stack the line refers to; empty when it refers to none or to one never written. */
    private List<String> frames(JsonNode node, LogInput.Line line) {
        Long stackId = number(node, "stackId");
        if (stackId == null) {
            return List.of();
        }
        List<String> frames = stacks.get(stackId);
        if (frames == null) {
            problems.count(InputProblems.UNRESOLVED_STACK, file, line.number(), line.text());
            return List.of();
        }
        return frames;
    }

    private void rememberStack(JsonNode node) {
        long id = requiredNumber(node, "stackId");
        JsonNode frames = node.get("frames");
        if (frames == null || !frames.isArray()) {
            throw new MalformedLineException("stack without frames");
        }
        List<String> list = new ArrayList<>(frames.size());
        for (JsonNode frame : frames) {
            list.add(frame.asText());
        }
        stacks.put(id, List.copyOf(list));
    }

    private void countUnknownFields(String event, JsonNode node, Set<String> known) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name) && !COMMON_FIELDS.contains(name)) {
                problems.unknownField(event, name);
            }
        }
    }

    private static long parseTime(String time) {
        try {
            Instant instant = Instant.parse(time);
            return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
        } catch (DateTimeException | ArithmeticException e) {
            throw new MalformedLineException("bad time " + time);
        }
    }

    private static String requiredText(JsonNode node, String field) {
        String value = text(node, field);
        if (value == null) {
            throw new MalformedLineException("no " + field);
        }
        return value;
    }

    private static long requiredNumber(JsonNode node, String field) {
        Long value = number(node, field);
        if (value == null) {
            throw new MalformedLineException("no " + field);
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new MalformedLineException(field + " is not a string");
        }
        return value.textValue();
    }

    private static Boolean flag(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw new MalformedLineException(field + " is not a boolean");
        }
        return value.booleanValue();
    }

    /** A field in milliseconds with up to microsecond precision ({@code durationMs}), in microseconds. */
    private static Long micros(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || !Double.isFinite(value.doubleValue()) || Math.abs(value.doubleValue()) > 1e15) {
            throw new MalformedLineException(field + " is not a number of milliseconds");
        }
        return Math.round(value.doubleValue() * 1_000);
    }

    private static Long number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToLong() || !value.isIntegralNumber()) {
            throw new MalformedLineException(field + " is not an integer");
        }
        return value.longValue();
    }

    /** A line that is JSON but not a usable audit line; counted like any malformed line. */
    private static final class MalformedLineException extends RuntimeException {
        MalformedLineException(String message) {
            super(message, null, false, false);
        }
    }
}
