package io.socketaudit.output;

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

    private static final JsonLine.Name EVENT = JsonLine.name("event");
    private static final JsonLine.Name TIME = JsonLine.name("time");
    private static final JsonLine.Name PID = JsonLine.name("pid");
    private static final JsonLine.Name CONN = JsonLine.name("conn");
    private static final JsonLine.Name API = JsonLine.name("api");
    private static final JsonLine.Name OP = JsonLine.name("op");
    private static final JsonLine.Name LOCAL = JsonLine.name("local");
    private static final JsonLine.Name REMOTE = JsonLine.name("remote");
    private static final JsonLine.Name HOW = JsonLine.name("how");
    private static final JsonLine.Name CAUSE = JsonLine.name("cause");
    private static final JsonLine.Name INITIATOR = JsonLine.name("initiator");
    private static final JsonLine.Name PENDING_IN = JsonLine.name("pendingIn");
    private static final JsonLine.Name PENDING_OUT = JsonLine.name("pendingOut");
    private static final JsonLine.Name TCP_STATE = JsonLine.name("tcpState");
    private static final JsonLine.Name CLOSE_NOTIFY = JsonLine.name("closeNotify");
    private static final JsonLine.Name OPENED_AT = JsonLine.name("openedAt");
    private static final JsonLine.Name DURATION_MS = JsonLine.name("durationMs");
    private static final JsonLine.Name AGE_MS = JsonLine.name("ageMs");
    private static final JsonLine.Name BYTES_IN = JsonLine.name("bytesIn");
    private static final JsonLine.Name BYTES_OUT = JsonLine.name("bytesOut");
    private static final JsonLine.Name THREAD = JsonLine.name("thread");
    private static final JsonLine.Name NAME = JsonLine.name("name");
    private static final JsonLine.Name ID = JsonLine.name("id");
    private static final JsonLine.Name VIRTUAL = JsonLine.name("virtual");
    private static final JsonLine.Name CALLER = JsonLine.name("caller");
    private static final JsonLine.Name STACK_ID = JsonLine.name("stackId");
    private static final JsonLine.Name FRAMES = JsonLine.name("frames");
    private static final JsonLine.Name COUNT = JsonLine.name("count");
    private static final JsonLine.Name WHERE = JsonLine.name("where");
    private static final JsonLine.Name ERROR = JsonLine.name("error");
    private static final JsonLine.Name EVENTS_WRITTEN = JsonLine.name("eventsWritten");
    private static final JsonLine.Name DROPPED = JsonLine.name("dropped");
    private static final JsonLine.Name AGENT_ERRORS = JsonLine.name("agentErrors");
    private static final JsonLine.Name REASON = JsonLine.name("reason");
    private static final JsonLine.Name FILE = JsonLine.name("file");
    private static final JsonLine.Name PART = JsonLine.name("part");

    private final LogFile file;
    private final long pid;
    private final Map<String, Object> startFields;
    private final StackTable stacks = new StackTable();
    private final JsonLine json = new JsonLine();
    private long eventsWritten;

    /**
     * @param startFields the fields of the {@code agent_start} line that opens every file, in order
     */
    LogWriter(LogFile file, long pid, Map<String, Object> startFields) {
        this.file = file;
        this.pid = pid;
        this.startFields = startFields;
    }

    /** Writes agent_start, which opens every file. */
    void start() throws IOException {
        begin("agent_start", Clock.nowMicros());
        for (Map.Entry<String, Object> field : startFields.entrySet()) {
            json.value(JsonLine.name(field.getKey()), field.getValue());
        }
        json.string(FILE, file.path().toString());
        json.number(PART, file.part());
        end();
    }

    void writeClose(CloseEvent e) throws IOException {
        StackTable.Entry stack = stackFor(e.stack());
        begin(e.event(), e.timeMicros());
        json.number(CONN, e.conn())
                .string(API, e.api())
                .string(OP, e.op())
                .string(LOCAL, e.local())
                .string(REMOTE, e.remote())
                .string(HOW, e.how())
                .string(CAUSE, e.cause())
                .string(INITIATOR, e.initiator())
                .nullableNumber(PENDING_IN, e.pendingIn())
                .nullableNumber(PENDING_OUT, e.pendingOut())
                .string(TCP_STATE, e.tcpState());
        if (e.closeNotify() != null) {
            json.bool(CLOSE_NOTIFY, e.closeNotify());
        }
        writeOpenedAt(e.openedAtMicros());
        if (e.durationMicros() != null) {
            json.millis(DURATION_MS, e.durationMicros());
        } else {
            json.nullValue(DURATION_MS);
        }
        json.nullableNumber(BYTES_IN, e.bytesIn()).nullableNumber(BYTES_OUT, e.bytesOut());
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
            json.string(CAUSE, cause);
        }
        if (e.openedAtMicros() != null) {
            json.millis(AGE_MS, e.timeMicros() - e.openedAtMicros());
        } else {
            json.nullValue(AGE_MS);
        }
        writeCallerAndStack(stack);
        end();
        eventsWritten++;
    }

    void writeDropped(long count) throws IOException {
        begin("dropped", Clock.nowMicros());
        json.number(COUNT, count);
        end();
    }

    void writeError(AgentErrors.Report report) throws IOException {
        begin("agent_error", report.timeMicros());
        json.string(WHERE, report.where()).string(ERROR, report.error()).number(COUNT, report.count());
        end();
    }

    void writeStop(String reason, long dropped, long agentErrors) throws IOException {
        begin("agent_stop", Clock.nowMicros());
        json.number(EVENTS_WRITTEN, eventsWritten).number(DROPPED, dropped).number(AGENT_ERRORS, agentErrors)
                .string(REASON, reason);
        end();
    }

    /** Rotates when the file is full; the new file opens with its own {@code agent_start} line and stack table. */
    void rotateIfFull() throws IOException {
        if (file.isFull()) {
            file.rotate();
            stacks.newFile();
            start();
        }
    }

    void flush() throws IOException {
        file.flush();
    }

    long eventsWritten() {
        return eventsWritten;
    }

    @Override
    public void close() throws IOException {
        file.close();
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

    private void writeCallerAndStack(StackTable.Entry stack) {
        json.string(CALLER, stack != null ? stack.caller() : null);
        json.nullableNumber(STACK_ID, stack != null ? (long) stack.id() : null);
    }

    private void writeStack(StackTable.Entry entry) throws IOException {
        begin("stack", Clock.nowMicros());
        json.number(STACK_ID, entry.id());
        json.beginArray(FRAMES);
        List<String> frames = entry.frames();
        for (int i = 0; i < frames.size(); i++) {
            json.element(frames.get(i));
        }
        json.endArray();
        end();
    }

    private void writeConnection(OpenEvent e) {
        json.number(CONN, e.conn())
                .string(API, e.api())
                .string(OP, e.op())
                .string(LOCAL, e.local())
                .string(REMOTE, e.remote());
        writeOpenedAt(e.openedAtMicros());
    }

    private void writeOpenedAt(Long micros) {
        if (micros != null) {
            json.time(OPENED_AT, micros);
        } else {
            json.nullValue(OPENED_AT);
        }
    }

    private void writeThread(String name, long id, boolean virtual) {
        if (name == null) {
            return;
        }
        json.field(THREAD).begin().string(NAME, name).number(ID, id).bool(VIRTUAL, virtual).end();
    }

    private void begin(String event, long timeMicros) {
        json.clear();
        json.begin().string(EVENT, event).time(TIME, timeMicros).number(PID, pid);
    }

    /** Hands the line to the file's buffer or the compressor (no system call), so that rotation counts it. */
    private void end() throws IOException {
        json.endLine();
        file.stream().write(json.bytes(), 0, json.length());
    }
}
