package io.socketaudit.logformat;

import java.util.Map;
import java.util.Set;

/** The log's event kinds (the {@code event} field) and the fields each kind has. */
public final class Event {

    public static final String AGENT_START = "agent_start";
    public static final String OPEN = "open";
    public static final String CLOSE = "close";
    public static final String SHUTDOWN = "shutdown";
    public static final String LEAK = "leak";
    public static final String OPEN_AT_EXIT = "open_at_exit";
    public static final String STACK = "stack";
    public static final String DROPPED = "dropped";
    public static final String AGENT_ERROR = "agent_error";
    public static final String AGENT_STOP = "agent_stop";

    /** The fields every line has. */
    public static final Set<String> COMMON_FIELDS = Set.of(Field.EVENT, Field.TIME, Field.PID);

    private static final Set<String> SOCKET_EVENT_FIELDS = Set.of(Field.CONN, Field.API, Field.TRANSPORT, Field.OP,
            Field.LOCAL, Field.REMOTE, Field.HOW, Field.CAUSE, Field.INITIATOR, Field.PENDING_IN, Field.PENDING_OUT,
            Field.TCP_STATE, Field.CLOSE_NOTIFY, Field.OPENED_AT, Field.DURATION_MS, Field.BYTES_IN, Field.BYTES_OUT,
            Field.SINCE_DATA_IN_MS, Field.SINCE_DATA_OUT_MS, Field.THREAD, Field.CALLER, Field.APP_CALLER, Field.STACK_ID);
    private static final Set<String> UNCLOSED_FIELDS = Set.of(Field.CONN, Field.API, Field.TRANSPORT, Field.OP, Field.LOCAL,
            Field.REMOTE, Field.OPENED_AT, Field.CAUSE, Field.AGE_MS, Field.CALLER, Field.APP_CALLER, Field.STACK_ID);

    /** Each kind's fields beyond {@link #COMMON_FIELDS}. */
    public static final Map<String, Set<String>> FIELDS = Map.of(
            AGENT_START, Set.of(Field.AGENT_VERSION, Field.JDK, Field.VM, Field.OS, Field.CONFIG, Field.KERNEL_PROBE,
                    Field.WOVEN_CLASS_CACHE, Field.FILE, Field.PART),
            CLOSE, SOCKET_EVENT_FIELDS,
            SHUTDOWN, SOCKET_EVENT_FIELDS,
            OPEN, Set.of(Field.CONN, Field.API, Field.TRANSPORT, Field.OP, Field.LOCAL, Field.REMOTE, Field.OPENED_AT, Field.THREAD,
                    Field.CALLER, Field.APP_CALLER, Field.STACK_ID),
            LEAK, UNCLOSED_FIELDS,
            OPEN_AT_EXIT, UNCLOSED_FIELDS,
            STACK, Set.of(Field.STACK_ID, Field.FRAMES),
            DROPPED, Set.of(Field.COUNT, Field.REASON),
            AGENT_ERROR, Set.of(Field.WHERE, Field.ERROR, Field.COUNT),
            AGENT_STOP, Set.of(Field.EVENTS_WRITTEN, Field.DROPPED, Field.AGENT_ERRORS, Field.REASON));

    private Event() {
    }
}
