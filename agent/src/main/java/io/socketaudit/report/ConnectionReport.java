package io.socketaudit.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.socketaudit.logformat.Field;
import io.socketaudit.report.ConnectionHistory.Connection;
import io.socketaudit.report.ConnectionHistory.End;
import io.socketaudit.report.ConnectionHistory.History;
import io.socketaudit.report.ConnectionHistory.Step;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code report --connection}: a connection's whole life, as text or JSON. The JSON has
 * {@code connection} (the address asked for), {@code eventsLimit}, {@code eventsNotShown} and
 * {@code connections[]} {@code {ends[] {file, pid, conn, local, remote, role, events[] {time, event, op,}
 * {@code how, cause, initiator, pendingIn, pendingOut, tcpState, closeNotify, durationMs, bytesIn, bytesOut,}
 * {@code sinceDataInMs, sinceDataOutMs,}
 * {@code thread, caller}}, endedFirst {local, role, how, initiator} or null, laterByMs}}.
 */
final class ConnectionReport {

    private ConnectionReport() {
    }

    static void writeText(History history, Writer out) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append("socket-audit report: the connections of ").append(history.address()).append(": ")
                .append(history.connections().size()).append('\n');
        if (history.connections().isEmpty()) {
            text.append("  no line of these logs has ").append(history.address()).append(" as local or remote\n");
        }
        for (Connection connection : history.connections()) {
            End any = connection.ends().get(0);
            text.append('\n').append("CONNECTION ").append(any.local()).append(" <-> ").append(any.remote()).append(", ")
                    .append(connection.ends().size() == 2 ? "both ends logged" : "one end logged").append('\n');
            text.append("  ").append(verdict(connection)).append('\n');
            List<Object[]> lines = new ArrayList<>();
            for (End end : connection.ends()) {
                for (Step step : end.steps()) {
                    lines.add(new Object[] {step, end});
                }
            }
            lines.sort(Comparator.comparingLong(line -> ((Step) line[0]).timeMicros()));
            Long previous = null;
            for (Object[] line : lines) {
                Step step = (Step) line[0];
                End end = (End) line[1];
                text.append("  ").append(Summary.formatTime(step.timeMicros()))
                        .append(previous == null ? "" : " (+" + Summary.formatDuration(step.timeMicros() - previous) + ")")
                        .append("  ").append(Wording.side(end.role())).append(' ').append(end.local())
                        .append(" (pid ").append(end.pid()).append(", conn ").append(end.conn()).append(", ")
                        .append(end.file()).append(")\n      ").append(describe(step)).append('\n');
                previous = step.timeMicros();
            }
        }
        if (history.eventsNotShown() > 0) {
            text.append("\n!! ").append(Wording.plural(history.eventsNotShown(), "more line"))
                    .append(" about this address not shown (at most ").append(Wording.number(ConnectionHistory.MAX_EVENTS))
                    .append(" are kept)\n");
        }
        out.write(text.toString());
    }

    private static String verdict(Connection connection) {
        End first = connection.endedFirst();
        if (first == null) {
            return "no end logged a shutdown or close";
        }
        Step ending = first.firstEnding();
        String verdict = "ended first by " + Wording.side(first.role()) + " " + first.local() + " with " + ending.op()
                + " (" + ending.how() + ", initiator " + ending.initiator() + ")";
        if (connection.laterByMicros() != null) {
            verdict += "; the other end followed " + Summary.formatDuration(connection.laterByMicros()) + " later";
        }
        return verdict;
    }

    private static String describe(Step step) {
        List<String> parts = new ArrayList<>();
        parts.add(step.event() + (step.op() == null || step.op().equals(step.event()) ? "" : " " + step.op()));
        add(parts, Field.HOW, step.how());
        add(parts, Field.CAUSE, step.cause());
        add(parts, Field.INITIATOR, step.initiator());
        add(parts, Field.PENDING_IN, step.pendingIn());
        add(parts, Field.PENDING_OUT, step.pendingOut());
        add(parts, Field.TCP_STATE, step.tcpState());
        add(parts, Field.CLOSE_NOTIFY, step.closeNotify());
        add(parts, Field.DURATION_MS, step.durationMicros() == null ? null : Summary.formatDuration(step.durationMicros()));
        add(parts, Field.BYTES_IN, step.bytesIn());
        add(parts, Field.BYTES_OUT, step.bytesOut());
        add(parts, Field.SINCE_DATA_IN_MS, step.sinceDataInMs());
        add(parts, Field.SINCE_DATA_OUT_MS, step.sinceDataOutMs());
        add(parts, Field.THREAD, step.thread());
        parts.add("at " + (step.caller() == null ? Summary.JDK_ONLY_CALLER : step.caller()));
        return String.join(", ", parts);
    }

    private static void add(List<String> parts, String name, Object value) {
        if (value != null) {
            parts.add(name + " " + value);
        }
    }

    static void writeJson(History history, Writer out) throws IOException {
        JsonFactory factory = JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();
        try (JsonGenerator json = factory.createGenerator(out).useDefaultPrettyPrinter()) {
            json.writeStartObject();
            json.writeNumberField("reportFormat", JsonReport.FORMAT_VERSION);
            json.writeStringField("connection", history.address());
            json.writeNumberField("eventsLimit", ConnectionHistory.MAX_EVENTS);
            json.writeNumberField("eventsNotShown", history.eventsNotShown());
            json.writeArrayFieldStart("connections");
            for (Connection connection : history.connections()) {
                json.writeStartObject();
                json.writeArrayFieldStart("ends");
                for (End end : connection.ends()) {
                    end(json, end);
                }
                json.writeEndArray();
                End first = connection.endedFirst();
                if (first == null) {
                    json.writeNullField("endedFirst");
                } else {
                    json.writeObjectFieldStart("endedFirst");
                    json.writeStringField("local", first.local());
                    json.writeStringField("role", first.role());
                    json.writeStringField("how", first.firstEnding().how());
                    json.writeStringField("initiator", first.firstEnding().initiator());
                    json.writeEndObject();
                }
                if (connection.laterByMicros() == null) {
                    json.writeNullField("laterByMs");
                } else {
                    JsonReport.millis(json, "laterByMs", connection.laterByMicros());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        out.write('\n');
    }

    private static void end(JsonGenerator json, End end) throws IOException {
        json.writeStartObject();
        json.writeStringField("file", end.file());
        json.writeNumberField("pid", end.pid());
        nullable(json, "conn", end.conn());
        json.writeStringField("local", end.local());
        json.writeStringField("remote", end.remote());
        json.writeStringField("role", end.role());
        json.writeArrayFieldStart("events");
        for (Step step : end.steps()) {
            json.writeStartObject();
            json.writeStringField("time", Summary.formatTime(step.timeMicros()));
            json.writeStringField("event", step.event());
            json.writeStringField("op", step.op());
            json.writeStringField("how", step.how());
            json.writeStringField("cause", step.cause());
            json.writeStringField("initiator", step.initiator());
            nullable(json, "pendingIn", step.pendingIn());
            nullable(json, "pendingOut", step.pendingOut());
            json.writeStringField("tcpState", step.tcpState());
            if (step.closeNotify() == null) {
                json.writeNullField("closeNotify");
            } else {
                json.writeBooleanField("closeNotify", step.closeNotify());
            }
            if (step.durationMicros() == null) {
                json.writeNullField("durationMs");
            } else {
                JsonReport.millis(json, "durationMs", step.durationMicros());
            }
            nullable(json, "bytesIn", step.bytesIn());
            nullable(json, "bytesOut", step.bytesOut());
            nullable(json, "sinceDataInMs", step.sinceDataInMs());
            nullable(json, "sinceDataOutMs", step.sinceDataOutMs());
            json.writeStringField("thread", step.thread());
            json.writeStringField("caller", step.caller());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void nullable(JsonGenerator json, String name, Long value) throws IOException {
        if (value == null) {
            json.writeNullField(name);
        } else {
            json.writeNumberField(name, value);
        }
    }
}
