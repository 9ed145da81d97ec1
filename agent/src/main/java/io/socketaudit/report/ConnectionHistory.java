package io.socketaudit.report;

import io.socketaudit.logformat.Event;
import io.socketaudit.logformat.Value;
import io.socketaudit.report.LogRecord.Open;
import io.socketaudit.report.LogRecord.SocketEvent;
import io.socketaudit.report.LogRecord.Unclosed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code report --connection ADDR:PORT}: every line of every log about the connections with an end at that
 * address, end by end, and the two ends of each connection side by side. Memory is bounded: the first
 * {@link #MAX_EVENTS} lines are kept, the rest counted.
 */
final class ConnectionHistory {

    static final int MAX_EVENTS = 10_000;

    /** One line about the connection, as the log has it; fields a kind of line does not have are null. */
    record Step(long timeMicros, String event, String op, String how, String cause, String initiator, Long pendingIn,
                Long pendingOut, String tcpState, Boolean closeNotify, Long durationMicros, Long bytesIn, Long bytesOut,
                Long sinceDataInMs, Long sinceDataOutMs, String thread, String caller) {

        boolean endsTheConnection() {
            return Event.CLOSE.equals(event) || Event.SHUTDOWN.equals(event);
        }
    }

    /** What one process logged about one connection; {@code role} is its {@code open} line's {@code op}. */
    record End(String file, long pid, Long conn, String local, String remote, String role, List<Step> steps) {

        /** The first shutdown or close, or null when this end logged none. */
        Step firstEnding() {
            return steps.stream().filter(Step::endsTheConnection).findFirst().orElse(null);
        }
    }

    /**
     * One connection: one end, or both. {@code endedFirst} is the end whose shutdown or close came first
     * (by the logs' times), null when no end logged one; {@code laterByMicros} how much later the other end's came.
     */
    record Connection(List<End> ends, End endedFirst, Long laterByMicros) {
    }

    record History(String address, List<Connection> connections, long eventsNotShown) {
    }

    private final String address;
    private final List<String> inputNames;
    private final Map<String, List<Step>> stepsByEnd = new LinkedHashMap<>();
    private final Map<String, End> ends = new LinkedHashMap<>();
    private long events;
    private long eventsNotShown;

    private ConnectionHistory(String address, List<String> inputNames) {
        this.address = address;
        this.inputNames = inputNames;
    }

    static History run(String address, List<LogInput> inputs, Analysis.ProgressListener progress) throws IOException {
        List<String> names = new ArrayList<>();
        inputs.forEach(input -> names.add(input.name()));
        ConnectionHistory history = new ConnectionHistory(address, names);
        MergedRecords records = new MergedRecords(inputs, new InputProblems(), false);
        long total = records.totalBytes();
        for (LogRecord record = records.next(); record != null; record = records.next()) {
            history.accept(record);
            progress.update(records.bytesRead(), total);
        }
        progress.finish();
        return history.history();
    }

    private void accept(LogRecord record) {
        if (record instanceof Open o) {
            add(o.input(), o.pid(), o.conn(), o.local(), o.remote(), o.op(), new Step(o.timeMicros(), Event.OPEN, o.op(),
                    null, null, null, null, null, null, null, null, null, null, null, null, o.thread(), o.caller()));
        } else if (record instanceof SocketEvent e && e.isConnection()) {
            add(e.input(), e.pid(), e.conn(), e.local(), e.remote(), null, new Step(e.timeMicros(),
                    e.isClose() ? Event.CLOSE : Event.SHUTDOWN, e.op(), e.how(), e.cause(), e.initiator(), e.pendingIn(),
                    e.pendingOut(), e.tcpState(), e.closeNotify(), e.durationMicros(), e.bytesIn(), e.bytesOut(),
                    e.sinceDataInMs(), e.sinceDataOutMs(), e.thread(), e.caller()));
        } else if (record instanceof Unclosed u) {
            add(u.input(), u.pid(), u.conn(), u.local(), u.remote(), null, new Step(u.timeMicros(), u.event(), null,
                    null, u.isLeak() ? Value.CAUSE_GC : null, null, null, null, null, null, null, null, null, null, null,
                    null, u.caller()));
        }
    }

    private void add(int input, long pid, Long conn, String local, String remote, String role, Step step) {
        if (!address.equals(local) && !address.equals(remote)) {
            return;
        }
        if (events >= MAX_EVENTS) {
            eventsNotShown++;
            return;
        }
        events++;
        String key = pid + "/" + conn + "/" + local + "/" + remote;
        End end = ends.get(key);
        if (end == null || role != null && end.role() == null) {
            end = new End(inputNames.get(input), pid, conn, local, remote,
                    role != null ? role : end == null ? null : end.role(), stepsByEnd.computeIfAbsent(key, k -> new ArrayList<>()));
            ends.put(key, end);
        }
        end.steps().add(step);
    }

    /** Ends with mirrored addresses are one connection's two ends; a four-tuple used again makes a new connection. */
    private History history() {
        List<End> byTime = new ArrayList<>(ends.values());
        byTime.sort(Comparator.comparingLong(end -> end.steps().get(0).timeMicros()));
        List<List<End>> grouped = new ArrayList<>();
        Map<String, List<End>> awaitingOtherEnd = new LinkedHashMap<>();
        for (End end : byTime) {
            List<End> connection = awaitingOtherEnd.remove(end.remote() + " " + end.local());
            if (connection != null) {
                connection.add(end);
            } else {
                connection = new ArrayList<>(List.of(end));
                grouped.add(connection);
                awaitingOtherEnd.put(end.local() + " " + end.remote(), connection);
            }
        }
        List<Connection> connections = new ArrayList<>();
        for (List<End> group : grouped) {
            connections.add(connection(group));
        }
        return new History(address, connections, eventsNotShown);
    }

    private static Connection connection(List<End> ends) {
        End first = null;
        End other = null;
        for (End end : ends) {
            Step ending = end.firstEnding();
            if (ending != null && (first == null || ending.timeMicros() < first.firstEnding().timeMicros())) {
                other = first;
                first = end;
            } else if (ending != null) {
                other = end;
            }
        }
        Long later = first != null && other != null ? other.firstEnding().timeMicros() - first.firstEnding().timeMicros() : null;
        return new Connection(List.copyOf(ends), first, later);
    }
}
