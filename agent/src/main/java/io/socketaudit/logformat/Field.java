package io.socketaudit.logformat;

/** The log's field names. Units are in the names where a field has one ({@code durationMs}). */
public final class Field {

    public static final String EVENT = "event";
    public static final String TIME = "time";
    public static final String PID = "pid";

    public static final String CONN = "conn";
    public static final String API = "api";
    /** Netty's native sockets only: {@code epoll} or {@code io_uring}. */
    public static final String TRANSPORT = "transport";
    public static final String OP = "op";
    public static final String LOCAL = "local";
    public static final String REMOTE = "remote";
    public static final String HOW = "how";
    public static final String CAUSE = "cause";
    public static final String INITIATOR = "initiator";
    public static final String PENDING_IN = "pendingIn";
    public static final String PENDING_OUT = "pendingOut";
    public static final String TCP_STATE = "tcpState";
    public static final String CLOSE_NOTIFY = "closeNotify";
    public static final String OPENED_AT = "openedAt";
    public static final String DURATION_MS = "durationMs";
    public static final String AGE_MS = "ageMs";
    public static final String BYTES_IN = "bytesIn";
    public static final String BYTES_OUT = "bytesOut";
    /** Milliseconds since the last data arrived, at the start of a close or shutdown. */
    public static final String SINCE_DATA_IN_MS = "sinceDataInMs";
    /** Milliseconds since data was last sent, at the start of a close or shutdown. */
    public static final String SINCE_DATA_OUT_MS = "sinceDataOutMs";
    public static final String THREAD = "thread";
    /** Inside {@link #THREAD}. */
    public static final String THREAD_NAME = "name";
    /** Inside {@link #THREAD}. */
    public static final String THREAD_ID = "id";
    /** Inside {@link #THREAD}. */
    public static final String THREAD_VIRTUAL = "virtual";
    public static final String CALLER = "caller";
    /** The first frame of the application's own code: outside the JDK, the agent and known libraries. */
    public static final String APP_CALLER = "appCaller";
    public static final String STACK_ID = "stackId";
    public static final String FRAMES = "frames";

    public static final String COUNT = "count";
    public static final String WHERE = "where";
    public static final String ERROR = "error";
    public static final String EVENTS_WRITTEN = "eventsWritten";
    public static final String DROPPED = "dropped";
    public static final String AGENT_ERRORS = "agentErrors";
    public static final String REASON = "reason";

    public static final String AGENT_VERSION = "agentVersion";
    public static final String JDK = "jdk";
    public static final String VM = "vm";
    public static final String OS = "os";
    public static final String CONFIG = "config";
    public static final String KERNEL_PROBE = "kernelProbe";
    public static final String WOVEN_CLASS_CACHE = "wovenClassCache";
    public static final String FILE = "file";
    public static final String PART = "part";

    private Field() {
    }
}
