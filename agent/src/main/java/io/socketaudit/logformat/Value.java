package io.socketaudit.logformat;

/** The values of the classified fields: {@code how}, {@code cause}, {@code initiator}. */
public final class Value {

    /** {@code how}: a FIN, or nothing more to send because both FINs were exchanged already. */
    public static final String GRACEFUL = "graceful";
    /** {@code how}: a reset. */
    public static final String ABORTIVE = "abortive";
    /** {@code how}: a shutdown of one direction. */
    public static final String HALF_CLOSE = "half-close";

    public static final String CAUSE_PEER_RESET = "peer-reset";
    public static final String CAUSE_LINGER_ZERO = "linger-zero";
    public static final String CAUSE_UNREAD_INPUT = "unread-input";
    public static final String CAUSE_INTERRUPT = "interrupt";
    public static final String CAUSE_ASYNC_CLOSE = "async-close";
    /** {@code leak} lines: the garbage collector found the connection unclosed. */
    public static final String CAUSE_GC = "gc";

    /** {@code initiator}: our side sent the first FIN (or reset). */
    public static final String LOCAL = "local";
    /** {@code initiator}: the peer did. */
    public static final String PEER = "peer";

    /** {@code dropped}: the queue was full when the event was handed over. */
    public static final String DROPPED_QUEUE_FULL = "queue-full";
    /** {@code dropped}: the log could not be written (disk full, directory gone). */
    public static final String DROPPED_WRITE_FAILED = "write-failed";

    private Value() {
    }
}
