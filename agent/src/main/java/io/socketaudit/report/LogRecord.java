package io.socketaudit.report;

import io.socketaudit.logformat.Api;
import io.socketaudit.logformat.Event;
import io.socketaudit.logformat.Operation;
import io.socketaudit.logformat.Value;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A line of an audit log that the report uses, decoded. {@code stack} lines are not records: the
 * parser keeps them in its file's stack table and attaches the frames to the events that refer to
 * them. {@link #input()} is the index of the file the line came from.
 */
sealed interface LogRecord {

    Set<String> LISTENER_APIS = Arrays.stream(Api.values()).filter(Api::isListener).map(Api::text)
            .collect(Collectors.toUnmodifiableSet());

    int input();

    long timeMicros();

    long pid();

    record AgentStart(int input, long timeMicros, long pid, String agentVersion, String jdk,
                      String kernelProbe, Long part) implements LogRecord {
    }

    /** An {@code open} line: a connection established by {@code op} ({@code connect} or {@code accept}). */
    record Open(int input, long timeMicros, long pid, Long conn, String api, String op, String local, String remote,
                String thread, String caller) implements LogRecord {
    }

    /**
     * A {@code close} or {@code shutdown} line; {@code frames} is empty when its stack is unknown.
     * {@code durationMicros} is the log's {@code durationMs} in microseconds.
     */
    record SocketEvent(int input, long timeMicros, long pid, Long conn, String api, String op,
                       String local, String remote, String how, String cause, String initiator,
                       Long pendingIn, Long pendingOut, String tcpState, Boolean closeNotify, Long durationMicros,
                       Long bytesIn, Long bytesOut, Long sinceDataInMs, Long sinceDataOutMs, String thread, String caller,
                       List<String> frames) implements LogRecord {

        boolean isClose() {
            return Operation.CLOSE.text().equals(op);
        }

        /** Listeners and never-connected sockets have no remote end: nothing to report about a connection. */
        boolean isConnection() {
            return remote != null;
        }

        boolean isAbortive() {
            return Value.ABORTIVE.equals(how);
        }

        /** A listener's close: its {@code local} is the address it accepted connections on. */
        boolean isListener() {
            return LISTENER_APIS.contains(api);
        }
    }

    /** A {@code leak} (collected without a close) or {@code open_at_exit} line; {@code caller} and {@code frames} are the opening code's. */
    record Unclosed(int input, long timeMicros, long pid, String event, Long conn, String local, String remote,
                    String caller, List<String> frames) implements LogRecord {

        boolean isLeak() {
            return Event.LEAK.equals(event);
        }
    }

    record Dropped(int input, long timeMicros, long pid, long count) implements LogRecord {
    }

    record AgentError(int input, long timeMicros, long pid, String where, String error, long count) implements LogRecord {
    }

    record AgentStop(int input, long timeMicros, long pid, Long dropped, Long agentErrors) implements LogRecord {
    }
}
