package io.socketaudit.report;

import io.socketaudit.logformat.Event;
import io.socketaudit.logformat.Operation;
import io.socketaudit.logformat.Value;

import java.util.List;

/**
 * A line of an audit log that the report uses, decoded. {@code stack} lines are not records: the
 * parser keeps them in its file's stack table and attaches the frames to the events that refer to
 * them. {@code open} lines are only counted. {@link #input()} is the index of the file the line came from.
 */
sealed interface LogRecord {

    int input();

    long timeMicros();

    long pid();

    record AgentStart(int input, long timeMicros, long pid, String agentVersion, String jdk,
                      String kernelProbe, Long part) implements LogRecord {
    }

    /** A {@code close} or {@code shutdown} line; {@code frames} is empty when its stack is unknown. */
    record SocketEvent(int input, long timeMicros, long pid, Long conn, String api, String op,
                       String local, String remote, String how, String cause, String initiator,
                       Long pendingIn, Long pendingOut, String tcpState, String caller,
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
    }

    /** A {@code leak} (collected without a close) or {@code open_at_exit} line; {@code caller} and {@code frames} are the opening code's. */
    record Unclosed(int input, long timeMicros, long pid, String event, String caller, List<String> frames)
            implements LogRecord {

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
