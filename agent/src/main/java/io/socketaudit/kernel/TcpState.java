package io.socketaudit.kernel;

/** The Linux kernel's TCP states (include/net/tcp_states.h), as TCP_INFO reports them. */
public final class TcpState {
    public static final int ESTABLISHED = 1;
    public static final int SYN_SENT = 2;
    public static final int SYN_RECV = 3;
    public static final int FIN_WAIT1 = 4;
    public static final int FIN_WAIT2 = 5;
    public static final int TIME_WAIT = 6;
    public static final int CLOSE = 7;
    public static final int CLOSE_WAIT = 8;
    public static final int LAST_ACK = 9;
    public static final int LISTEN = 10;
    public static final int CLOSING = 11;

    private static final String[] NAMES = {
        null, "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
        "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"
    };

    private TcpState() {
    }

    public static String name(int state) {
        return state > 0 && state < NAMES.length ? NAMES[state] : "UNKNOWN_" + state;
    }

    /** Our side has already sent its FIN and the peer had not sent one before it. */
    public static boolean localFinSent(int state) {
        return state == FIN_WAIT1 || state == FIN_WAIT2 || state == CLOSING || state == TIME_WAIT;
    }

    /** The peer's FIN arrived while our side was still open for writing. */
    public static boolean peerFinFirst(int state) {
        return state == CLOSE_WAIT || state == LAST_ACK;
    }
}
