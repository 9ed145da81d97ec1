package io.socketaudit.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.socketaudit.event.Clock;
import io.socketaudit.event.CloseEvent;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the log's lines as JSON, one object per line, into a {@link LogFile}. Each distinct closing stack
 * is written once per file as a {@code stack} line and referred to by its id. Used by one thread only.
 */
final class LogWriter implements AutoCloseable {

    /** Past this many distinct stacks in one file, the table starts again (stacks are then written anew). */
    private static final int MAX_STACKS = 10_000;

    private final JsonFactory factory = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
            .build();
    private final LogFile file;
    private final long pid;
    private final Map<String, Object> startFields;
    private final Map<List<String>, Integer> stackIds = new HashMap<>();
    private int lastStackId;
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

    void start() throws IOException {
        json = factory.createGenerator(file.stream());
        json.setRootValueSeparator(null); // each line ends with its own newline instead
        writeStart();
    }

    void writeEvent(CloseEvent e) throws IOException {
        Integer stackId = null;
        if (!e.frames().isEmpty()) {
            stackId = stackIds.get(e.frames());
            if (stackId == null) {
                stackId = writeStack(e.frames());
            }
        }
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
        json.writeObjectFieldStart("thread");
        json.writeStringField("name", e.threadName());
        json.writeNumberField("id", e.threadId());
        json.writeBooleanField("virtual", e.virtualThread());
        json.writeEndObject();
        json.writeStringField("caller", e.caller());
        if (stackId != null) {
            json.writeNumberField("stackId", stackId);
        } else {
            json.writeNullField("stackId");
        }
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
            stackIds.clear();
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

    private int writeStack(List<String> frames) throws IOException {
        if (stackIds.size() >= MAX_STACKS) {
            stackIds.clear();
        }
        int id = ++lastStackId;
        stackIds.put(frames, id);
        begin("stack", Clock.nowMicros());
        json.writeNumberField("stackId", id);
        json.writeArrayFieldStart("frames");
        for (String frame : frames) {
            json.writeString(frame);
        }
        json.writeEndArray();
        end();
        return id;
    }

    private void begin(String event, long timeMicros) throws IOException {
        json.writeStartObject();
        json.writeStringField("event", event);
        json.writeStringField("time", Clock.format(timeMicros));
        json.writeNumberField("pid", pid);
    }

    private void end() throws IOException {
        json.writeEndObject();
        json.writeRaw('\n');
        // Into the file's buffer (no system call), so its byte count is exact for rotation.
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
