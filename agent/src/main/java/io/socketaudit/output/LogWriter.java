package io.socketaudit.output;

import io.socketaudit.event.CapturedStack;
import io.socketaudit.event.Clock;
import io.socketaudit.event.CloseEvent;
import io.socketaudit.event.OpenEvent;
import io.socketaudit.logformat.Event;
import io.socketaudit.logformat.Field;
import io.socketaudit.logformat.Value;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes the log's lines as JSON, one object per line, into a {@link LogFile}. Each distinct stack is written
 * once per file as a {@code stack} line and referred to by its id. Used by one thread only.
 */
final class LogWriter implements AutoCloseable {

    private static final JsonLine.Name EVENT = JsonLine.name(Field.EVENT);
    private static final JsonLine.Name TIME = JsonLine.name(Field.TIME);
    private static final JsonLine.Name PID = JsonLine.name(Field.PID);
    private static final JsonLine.Name CONN = JsonLine.name(Field.CONN);
    private static final JsonLine.Name API = JsonLine.name(Field.API);
    private static final JsonLine.Name TRANSPORT = JsonLine.name(Field.TRANSPORT);
    private static final JsonLine.Name OP = JsonLine.name(Field.OP);
    private static final JsonLine.Name LOCAL = JsonLine.name(Field.LOCAL);
    private static final JsonLine.Name REMOTE = JsonLine.name(Field.REMOTE);
    private static final JsonLine.Name HOW = JsonLine.name(Field.HOW);
    private static final JsonLine.Name CAUSE = JsonLine.name(Field.CAUSE);
    private static final JsonLine.Name INITIATOR = JsonLine.name(Field.INITIATOR);
    private static final JsonLine.Name PENDING_IN = JsonLine.name(Field.PENDING_IN);
    private static final JsonLine.Name PENDING_OUT = JsonLine.name(Field.PENDING_OUT);
    private static final JsonLine.Name TCP_STATE = JsonLine.name(Field.TCP_STATE);
    private static final JsonLine.Name CLOSE_NOTIFY = JsonLine.name(Field.CLOSE_NOTIFY);
    private static final JsonLine.Name OPENED_AT = JsonLine.name(Field.OPENED_AT);
    private static final JsonLine.Name DURATION_MS = JsonLine.name(Field.DURATION_MS);
    private static final JsonLine.Name AGE_MS = JsonLine.name(Field.AGE_MS);
    private static final JsonLine.Name BYTES_IN = JsonLine.name(Field.BYTES_IN);
    private static final JsonLine.Name BYTES_OUT = JsonLine.name(Field.BYTES_OUT);
    private static final JsonLine.Name SINCE_DATA_IN_MS = JsonLine.name(Field.SINCE_DATA_IN_MS);
    private static final JsonLine.Name SINCE_DATA_OUT_MS = JsonLine.name(Field.SINCE_DATA_OUT_MS);
    private static final JsonLine.Name THREAD = JsonLine.name(Field.THREAD);
    private static final JsonLine.Name NAME = JsonLine.name(Field.THREAD_NAME);
    private static final JsonLine.Name ID = JsonLine.name(Field.THREAD_ID);
    private static final JsonLine.Name VIRTUAL = JsonLine.name(Field.THREAD_VIRTUAL);
    private static final JsonLine.Name CALLER = JsonLine.name(Field.CALLER);
    private static final JsonLine.Name APP_CALLER = JsonLine.name(Field.APP_CALLER);
    private static final JsonLine.Name STACK_ID = JsonLine.name(Field.STACK_ID);
    private static final JsonLine.Name FRAMES = JsonLine.name(Field.FRAMES);
    private static final JsonLine.Name COUNT = JsonLine.name(Field.COUNT);
    private static final JsonLine.Name WHERE = JsonLine.name(Field.WHERE);
    private static final JsonLine.Name ERROR = JsonLine.name(Field.ERROR);
    private static final JsonLine.Name EVENTS_WRITTEN = JsonLine.name(Field.EVENTS_WRITTEN);
    private static final JsonLine.Name DROPPED = JsonLine.name(Field.DROPPED);
    private static final JsonLine.Name AGENT_ERRORS = JsonLine.name(Field.AGENT_ERRORS);
    private static final JsonLine.Name REASON = JsonLine.name(Field.REASON);
    private static final JsonLine.Name FILE = JsonLine.name(Field.FILE);
    private static final JsonLine.Name PART = JsonLine.name(Field.PART);

    /** The per-event fields, in the order they are written: one loop writes them all (see {@link Fields}). */
    private final Fields close = new Fields(
            CONN, Fields.NUMBER, API, Fields.TEXT, OP, Fields.TEXT, LOCAL, Fields.TEXT, REMOTE, Fields.TEXT,
            HOW, Fields.TEXT, CAUSE, Fields.TEXT, INITIATOR, Fields.TEXT, PENDING_IN, Fields.NUMBER,
            PENDING_OUT, Fields.NUMBER, TCP_STATE, Fields.TEXT, CLOSE_NOTIFY, Fields.FLAG_IF_SET,
            OPENED_AT, Fields.TIME, DURATION_MS, Fields.MILLIS, BYTES_IN, Fields.NUMBER, BYTES_OUT, Fields.NUMBER,
            SINCE_DATA_IN_MS, Fields.NUMBER, SINCE_DATA_OUT_MS, Fields.NUMBER, TRANSPORT, Fields.TEXT_IF_SET);
    private final Fields open = new Fields(
            CONN, Fields.NUMBER, API, Fields.TEXT, OP, Fields.TEXT, LOCAL, Fields.TEXT, REMOTE, Fields.TEXT,
            OPENED_AT, Fields.TIME, TRANSPORT, Fields.TEXT_IF_SET);
    private final Fields unclosed = new Fields(
            CONN, Fields.NUMBER, API, Fields.TEXT, OP, Fields.TEXT, LOCAL, Fields.TEXT, REMOTE, Fields.TEXT,
            OPENED_AT, Fields.TIME, CAUSE, Fields.TEXT_IF_SET, AGE_MS, Fields.MILLIS, TRANSPORT, Fields.TEXT_IF_SET);

    private final LogFile file;
    private final long pid;
    private final Map<String, Object> startFields;
    private final Runnable afterEachWrite;
    private final StackTable stacks = new StackTable();
    private final JsonLine json = new JsonLine();
    private long eventsWritten;
    /** Events in lines handed to the file but not yet written by it. */
    private long eventsPending;
    /** Events whose lines a failed write lost, not yet taken by {@link #takeLost()}. */
    private long lost;
    /** When a failed rotation may be tried again, and how long the wait after the next failure is. */
    private long rotationRetryAtNanos;
    private long rotationBackoffNanos = RETRY_MIN_NANOS;
    static final long RETRY_MIN_NANOS = 50_000_000L;
    static final long RETRY_MAX_NANOS = 2_000_000_000L;

    /**
     * @param startFields    the fields of the {@code agent_start} line that opens every file, in order
     * @param afterEachWrite told each time the lines handed over so far are in the file
     */
    LogWriter(LogFile file, long pid, Map<String, Object> startFields, Runnable afterEachWrite) {
        this.file = file;
        this.pid = pid;
        this.startFields = startFields;
        this.afterEachWrite = afterEachWrite;
    }

    /** Writes agent_start, which opens every file. */
    void start() throws IOException {
        begin(Event.AGENT_START, Clock.nowMicros());
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
        Fields f = close;
        f.number(0, e.conn());
        f.text(1, e.api());
        f.text(2, e.op());
        f.text(3, e.local());
        f.text(4, e.remote());
        f.text(5, e.how());
        f.text(6, e.cause());
        f.text(7, e.initiator());
        f.number(8, e.pendingIn());
        f.number(9, e.pendingOut());
        f.text(10, e.tcpState());
        f.number(11, e.closeNotify() == null ? null : e.closeNotify() ? 1L : 0L);
        f.number(12, e.openedAtMicros());
        f.number(13, e.durationMicros());
        f.number(14, e.bytesIn());
        f.number(15, e.bytesOut());
        f.number(16, e.sinceDataInMs());
        f.number(17, e.sinceDataOutMs());
        f.text(18, e.transport());
        write(f);
        writeThread(e.threadName(), e.threadId(), e.virtualThread());
        writeCallerAndStack(stack);
        end();
        eventsPending++;
    }

    /** Writes an {@code open} line; returns the id of its stack, -1 when it has none. */
    int writeOpen(OpenEvent e) throws IOException {
        StackTable.Entry stack = stackFor(e.stack());
        begin(e.event(), e.timeMicros());
        Fields f = connection(open, e);
        f.text(6, e.transport());
        write(f);
        writeThread(e.threadName(), e.threadId(), e.virtualThread());
        writeCallerAndStack(stack);
        end();
        eventsPending++;
        return stack == null ? -1 : stack.id();
    }

    /** Writes a {@code leak} or {@code open_at_exit} line, with the opening stack the open line recorded. */
    void writeUnclosed(OpenEvent e, String cause) throws IOException {
        StackTable.Entry stack = e.stackId() < 0 ? null : stacks.byId(e.stackId());
        if (stack != null && stacks.needsWriting(stack)) {
            writeStack(stack);
        }
        begin(e.event(), e.timeMicros());
        Fields f = connection(unclosed, e);
        f.text(6, cause);
        f.number(7, e.openedAtMicros() != null ? e.timeMicros() - e.openedAtMicros() : null);
        f.text(8, e.transport());
        write(f);
        writeCallerAndStack(stack);
        end();
        eventsPending++;
    }

    /** @param reason {@link Value#DROPPED_QUEUE_FULL} or {@link Value#DROPPED_WRITE_FAILED} */
    void writeDropped(long count, String reason) throws IOException {
        begin(Event.DROPPED, Clock.nowMicros());
        json.number(COUNT, count).string(REASON, reason);
        end();
    }

    void writeError(AgentErrors.Report report) throws IOException {
        begin(Event.AGENT_ERROR, report.timeMicros());
        json.string(WHERE, report.where()).string(ERROR, report.error()).number(COUNT, report.count());
        end();
    }

    void writeStop(String reason, long dropped, long agentErrors) throws IOException {
        begin(Event.AGENT_STOP, Clock.nowMicros());
        json.number(EVENTS_WRITTEN, eventsWritten + eventsPending).number(DROPPED, dropped).number(AGENT_ERRORS, agentErrors)
                .string(REASON, reason);
        end();
    }

    /**
     * After each event: hands a full buffer to the file, and rotates when the file is full; the new file opens
     * with its own {@code agent_start} line and stack table. A rotation that fails is thrown as a
     * {@link LogFile.RotationException} and tried again after a pause that grows with each failure.
     *
     * @return whether the file was rotated
     */
    boolean afterEvent() throws IOException {
        if (file.hasFullBuffer()) {
            flush();
        }
        if (!file.isFull() || System.nanoTime() - rotationRetryAtNanos < 0) {
            return false;
        }
        flush();
        try {
            file.rotate();
        } catch (LogFile.RotationException e) {
            rotationRetryAtNanos = System.nanoTime() + rotationBackoffNanos;
            rotationBackoffNanos = Math.min(2 * rotationBackoffNanos, RETRY_MAX_NANOS);
            throw e;
        }
        rotationBackoffNanos = RETRY_MIN_NANOS;
        stacks.newFile();
        start();
        return true;
    }

    /**
     * Hands the lines to the file. When that fails their events are lost, and counted ({@link #takeLost()}); the
     * stacks written with them are written again before they are next referred to.
     */
    void flush() throws IOException {
        try {
            file.flush();
            eventsWritten += eventsPending;
            afterEachWrite.run();
        } catch (IOException | RuntimeException e) {
            lost += eventsPending;
            stacks.newFile();
            throw e;
        } finally {
            eventsPending = 0;
        }
    }

    /** After a failed write: cuts the file back to its last complete line, or starts a new file where it vanished. */
    void repairIfDamaged() throws IOException {
        if (file.isDamaged() && file.repair()) {
            start();
        }
    }

    /** The lines from now on are the last: they may use the room the file keeps for them. */
    void useRoomForLastLines() {
        file.useRoomForLastLines();
    }

    /** The events lost by failed writes since the last call. */
    long takeLost() {
        long n = lost;
        lost = 0;
        return n;
    }

    long eventsWritten() {
        return eventsWritten;
    }

    Path path() {
        return file.path();
    }

    @Override
    public void close() throws IOException {
        flush();
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
        json.string(APP_CALLER, stack != null ? stack.appCaller() : null);
        json.nullableNumber(STACK_ID, stack != null ? (long) stack.id() : null);
    }

    private void writeStack(StackTable.Entry entry) throws IOException {
        begin(Event.STACK, Clock.nowMicros());
        json.number(STACK_ID, entry.id());
        json.beginArray(FRAMES);
        List<String> frames = entry.frames();
        for (int i = 0; i < frames.size(); i++) {
            json.element(frames.get(i));
        }
        json.endArray();
        end();
    }

    /** The fields every connection line starts with: conn, api, op, local, remote, openedAt. */
    private static Fields connection(Fields f, OpenEvent e) {
        f.number(0, e.conn());
        f.text(1, e.api());
        f.text(2, e.op());
        f.text(3, e.local());
        f.text(4, e.remote());
        f.number(5, e.openedAtMicros());
        return f;
    }

    /** Writes a table's fields in one loop, so that each kind of value is encoded by one call site. */
    private void write(Fields f) {
        for (int i = 0; i < f.names.length; i++) {
            long number = f.numbers[i];
            switch (f.kinds[i]) {
                case Fields.TEXT -> json.string(f.names[i], f.texts[i]);
                case Fields.TEXT_IF_SET -> {
                    if (f.texts[i] != null) {
                        json.string(f.names[i], f.texts[i]);
                    }
                }
                case Fields.NUMBER -> {
                    if (number == Fields.NULL) {
                        json.nullValue(f.names[i]);
                    } else {
                        json.number(f.names[i], number);
                    }
                }
                case Fields.FLAG_IF_SET -> {
                    if (number != Fields.NULL) {
                        json.bool(f.names[i], number != 0);
                    }
                }
                case Fields.TIME -> {
                    if (number == Fields.NULL) {
                        json.nullValue(f.names[i]);
                    } else {
                        json.time(f.names[i], number);
                    }
                }
                default -> { // MILLIS
                    if (number == Fields.NULL) {
                        json.nullValue(f.names[i]);
                    } else {
                        json.millis(f.names[i], number);
                    }
                }
            }
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

    /**
     * One kind of line's fields, names encoded once, values set per event: a table rather than straight-line
     * calls, so that what runs per event compiles small (straight-line calls made one close line 40 KB of
     * compiled code, compiled well after warm-up).
     */
    private static final class Fields {
        static final byte TEXT = 0;
        /** A text field left out when it has no value. */
        static final byte TEXT_IF_SET = 1;
        static final byte NUMBER = 2;
        /** A boolean (0 or 1) left out when it has no value. */
        static final byte FLAG_IF_SET = 3;
        /** Microseconds since the epoch, written as an RFC 3339 time. */
        static final byte TIME = 4;
        /** Microseconds, written as milliseconds. */
        static final byte MILLIS = 5;
        /** No value: {@code null}, or the field left out. No field's real value is this. */
        static final long NULL = Long.MIN_VALUE;

        final JsonLine.Name[] names;
        final byte[] kinds;
        final String[] texts;
        final long[] numbers;

        /** @param nameKindPairs each field's name and kind, in order */
        Fields(Object... nameKindPairs) {
            int n = nameKindPairs.length / 2;
            names = new JsonLine.Name[n];
            kinds = new byte[n];
            texts = new String[n];
            numbers = new long[n];
            for (int i = 0; i < n; i++) {
                names[i] = (JsonLine.Name) nameKindPairs[2 * i];
                kinds[i] = (Byte) nameKindPairs[2 * i + 1];
            }
        }

        void text(int field, String value) {
            texts[field] = value;
        }

        void number(int field, long value) {
            numbers[field] = value;
        }

        void number(int field, Long value) {
            numbers[field] = value == null ? NULL : value;
        }
    }
}
