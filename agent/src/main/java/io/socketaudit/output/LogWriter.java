package io.socketaudit.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.socketaudit.event.CapturedStack;
import io.socketaudit.event.Clock;
import io.socketaudit.event.CloseEvent;
import io.socketaudit.event.OpenEvent;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Writes the log's lines as JSON, one object per line, into a {@link LogFile}. Each distinct stack is written
 * once per file as a {@code stack} line and referred to by its id. Used by one thread only.
 */
final class LogWriter implements AutoCloseable {

    private final LogFile file;
    private final long pid;
    private final Map<String, Object> startFields;
    private JsonFactory factory;
    private final StackTable stacks = new StackTable();
    private final Clock.Formatter times = new Clock.Formatter();
    private JsonGenerator json;
    private long eventsWritten;

    /**
     * @param startFields the fields of the {@code agent_start} line that opens every file, in order
     */
    LogWriter(LogFile file, long pid, Map<String, Object> startFields) {
        this.file = file;
        this.pid = pid;
        this.startFields = startFields;
    }

    /** Opens the JSON output (loading Jackson, so not on the application's start-up path) and writes agent_start. */
    void start() throws IOException {
        if (factory == null) {
            factory = JsonFactory.builder()
                    .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
                    .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
                    .build();
        }
        json = factory.createGenerator(file.stream());
        json.setRootValueSeparator(null); // each line ends with its own newline instead
        writeStart();
    }

    void writeClose(CloseEvent e) throws IOException {
        StackTable.Entry stack = stackFor(e.stack());
        begin(e.event(), e.timeMicros());
        json.writeNumberField("conn", e.conn());
        json.writeStringField("api", e.api());
        json.writeStringField("op", e.op());
        json.writeStringField("local", e.local());
        json.writeStringField("remote", e.remote());
        json.writeStringField("how", e.how());
        json.writeStringField("cause", e.cause());
        json.writeStringField("initiator", e.initiator());
        writeNullableNumber("pendingIn", e.pendingIn());
        writeNullableNumber("pendingOut", e.pendingOut());
        json.writeStringField("tcpState", e.tcpState());
        if (e.closeNotify() != null) {
            json.writeBooleanField("closeNotify", e.closeNotify());
        }
        writeOpenedAt(e.openedAtMicros());
        if (e.durationMicros() != null) {
            json.writeNumberField("durationMs", e.durationMicros() / 1000.0);
        } else {
            json.writeNullField("durationMs");
        }
        writeNullableNumber("bytesIn", e.bytesIn());
        writeNullableNumber("bytesOut", e.bytesOut());
        writeThread(e.threadName(), e.threadId(), e.virtualThread());
        writeCallerAndStack(stack);
        end();
        eventsWritten++;
    }

    /** Writes an {@code open} line; returns the id of its stack, -1 when it has none. */
    int writeOpen(OpenEvent e) throws IOException {
        StackTable.Entry stack = stackFor(e.stack());
        begin(e.event(), e.timeMicros());
        writeConnection(e);
        writeThread(e.threadName(), e.threadId(), e.virtualThread());
        writeCallerAndStack(stack);
        end();
        eventsWritten++;
        return stack == null ? -1 : stack.id();
    }

    /** Writes a {@code leak} or {@code open_at_exit} line, with the opening stack the open line recorded. */
    void writeUnclosed(OpenEvent e, String cause) throws IOException {
        StackTable.Entry stack = e.stackId() < 0 ? null : stacks.byId(e.stackId());
        if (stack != null && stacks.needsWriting(stack)) {
            writeStack(stack);
        }
        begin(e.event(), e.timeMicros());
        writeConnection(e);
        if (cause != null) {
            json.writeStringField("cause", cause);
        }
        if (e.openedAtMicros() != null) {
            json.writeNumberField("ageMs", (e.timeMicros() - e.openedAtMicros()) / 1000.0);
        } else {
            json.writeNullField("ageMs");
        }
        writeCallerAndStack(stack);
        end();
        eventsWritten++;
    }

    void writeDropped(long count) throws IOException {
        begin("dropped", Clock.nowMicros());
        json.writeNumberField("count", count);
        end();
    }

    void writeError(AgentErrors.Report report) throws IOException {
        begin("agent_error", report.timeMicros());
        json.writeStringField("where", report.where());
        json.writeStringField("error", report.error());
        json.writeNumberField("count", report.count());
        end();
    }

    void writeStop(String reason, long dropped, long agentErrors) throws IOException {
        begin("agent_stop", Clock.nowMicros());
        json.writeNumberField("eventsWritten", eventsWritten);
        json.writeNumberField("dropped", dropped);
        json.writeNumberField("agentErrors", agentErrors);
        json.writeStringField("reason", reason);
        end();
    }

    /** Rotates when the file is full; the new file opens with its own {@code agent_start} line and stack table. */
    void rotateIfFull() throws IOException {
        if (file.isFull()) {
            json.close();
            file.rotate();
            stacks.newFile();
            start();
        }
    }

    void flush() throws IOException {
        json.flush();
        file.flush();
    }

    long eventsWritten() {
        return eventsWritten;
    }

    @Override
    public void close() throws IOException {
        json.close();
        file.close();
    }

    private void writeStart() throws IOException {
        begin("agent_start", Clock.nowMicros());
        for (Map.Entry<String, Object> field : startFields.entrySet()) {
            json.writeFieldName(field.getKey());
            writeValue(field.getValue());
        }
        json.writeStringField("file", file.path().toString());
        json.writeNumberField("part", file.part());
        end();
    }

    /** The table's entry for this stack, its line written first if this file does not have it yet. */
    private StackTable.Entry stackFor(CapturedStack stack) throws IOException {
        if (stack.isEmpty()) {
            return null;
        }
        StackTable.Entry entry = stacks.entryFor(stack);
        if (stacks.needsWriting(entry)) {
            writeStack(entry);
        }
        return entry;
    }

    private void writeCallerAndStack(StackTable.Entry stack) throws IOException {
        json.writeStringField("caller", stack != null ? stack.caller() : null);
        writeNullableNumber("stackId", stack != null ? (long) stack.id() : null);
    }

    private void writeStack(StackTable.Entry entry) throws IOException {
        begin("stack", Clock.nowMicros());
        json.writeNumberField("stackId", entry.id());
        json.writeArrayFieldStart("frames");
        for (String frame : entry.frames()) {
            json.writeString(frame);
        }
        json.writeEndArray();
        end();
    }

    private void writeConnection(OpenEvent e) throws IOException {
        json.writeNumberField("conn", e.conn());
        json.writeStringField("api", e.api());
        json.writeStringField("op", e.op());
        json.writeStringField("local", e.local());
        json.writeStringField("remote", e.remote());
        writeOpenedAt(e.openedAtMicros());
    }

    private void writeOpenedAt(Long micros) throws IOException {
        if (micros != null) {
            json.writeStringField("openedAt", times.format(micros));
        } else {
            json.writeNullField("openedAt");
        }
    }

    private void writeThread(String name, long id, boolean virtual) throws IOException {
        if (name == null) {
            return;
        }
        json.writeObjectFieldStart("thread");
        json.writeStringField("name", name);
        json.writeNumberField("id", id);
        json.writeBooleanField("virtual", virtual);
        json.writeEndObject();
    }

    private void begin(String event, long timeMicros) throws IOException {
        json.writeStartObject();
        json.writeStringField("event", event);
        json.writeStringField("time", times.format(timeMicros));
        json.writeNumberField("pid", pid);
    }

    private void end() throws IOException {
        json.writeEndObject();
        json.writeRaw('\n');
        // Into the file's buffer or the compressor (no system call), so that rotation counts the line.
        json.flush();
    }

    private void writeNullableNumber(String name, Long value) throws IOException {
        if (value == null) {
            json.writeNullField(name);
        } else {
            json.writeNumberField(name, value);
        }
    }

    private void writeValue(Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof Number n) {
            json.writeNumber(n.longValue());
        } else if (value instanceof Boolean b) {
            json.writeBoolean(b);
        } else if (value instanceof Map<?, ?> map) {
            json.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                json.writeFieldName(String.valueOf(entry.getKey()));
                writeValue(entry.getValue());
            }
            json.writeEndObject();
        } else {
            json.writeString(String.valueOf(value));
        }
    }
}
