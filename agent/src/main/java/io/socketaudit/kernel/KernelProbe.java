package io.socketaudit.kernel;

import java.io.FileDescriptor;

/**
 * Asks the Linux kernel about a TCP socket through the agent's native library ({@link NativeLibrary}):
 * TCP_INFO, SIOCINQ, SIOCOUTQ, SO_LINGER, and getsockname/getpeername only where the JDK lacks them.
 * Where the library is not loaded, every answer is {@code null}.
 */
public final class KernelProbe {

    private static final int ENOPROTOOPT = 92;

    /** Answer for a descriptor that is not a TCP socket (UNIX-domain, UDP). */
    public static final TcpSnapshot NOT_TCP = new TcpSnapshot(0, 0, 0, false, -1, -1, -1, -1, -1, null);

    /** Where probe0 puts each answer in its long[]; mirrors the C source's OUT_ constants. */
    private static final int OUT_STATE = 0;
    private static final int OUT_RECV_QUEUE = 1;
    private static final int OUT_SEND_QUEUE = 2;
    private static final int OUT_LINGER_ON = 3;
    private static final int OUT_LINGER_SECONDS = 4;
    private static final int OUT_BYTES_SENT = 5;
    private static final int OUT_NOT_SENT = 6;
    private static final int OUT_BYTES_RECEIVED = 7;
    private static final int OUT_SINCE_DATA_IN = 8;
    private static final int OUT_SINCE_DATA_OUT = 9;
    private static final int OUT_LENGTH = 10;

    private static final int READ_STATE_AND_INPUT = 1;
    private static final int READ_SEND_QUEUE_AND_LINGER = 2;
    private static final int READ_LOCAL_ADDRESS = 4;
    private static final int READ_REMOTE_ADDRESS = 8;

    private KernelProbe() {
    }

    /**
     * The kernel's view of the socket behind {@code fd} at the start of a close or shutdown: state, both
     * queues, SO_LINGER, and the addresses the caller does not know. {@link #NOT_TCP} for other sockets,
     * {@code null} when it cannot be known (no library, descriptor already closed).
     */
    public static TcpSnapshot probe(FileDescriptor fd, boolean readLocal, boolean readRemote) {
        return probe(fd, READ_STATE_AND_INPUT | READ_SEND_QUEUE_AND_LINGER | addressFlags(readLocal, readRemote));
    }

    /** The same for a descriptor known only by its number, as Netty's native sockets hold it. */
    public static TcpSnapshot probe(int fd, boolean readLocal, boolean readRemote) {
        return probe(null, fd, READ_STATE_AND_INPUT | READ_SEND_QUEUE_AND_LINGER | addressFlags(readLocal, readRemote));
    }

    /** The state and both addresses of a descriptor known by its number: for a connection being opened. */
    public static TcpSnapshot probeOpening(int fd) {
        return probe(null, fd, READ_STATE_AND_INPUT | READ_LOCAL_ADDRESS | READ_REMOTE_ADDRESS);
    }

    /** Only the state and the receive queue: all that decides what the kernel's close will send. */
    public static TcpSnapshot probeStateAndInput(FileDescriptor fd) {
        return probe(fd, READ_STATE_AND_INPUT);
    }

    /** Only addresses, for a connection being opened; {@code null} when neither is asked for or none is known. */
    public static byte[] addresses(FileDescriptor fd, boolean readLocal, boolean readRemote) {
        int what = addressFlags(readLocal, readRemote);
        TcpSnapshot snapshot = what == 0 ? null : probe(fd, what);
        return snapshot == null ? null : snapshot.addresses();
    }

    private static int addressFlags(boolean readLocal, boolean readRemote) {
        return (readLocal ? READ_LOCAL_ADDRESS : 0) | (readRemote ? READ_REMOTE_ADDRESS : 0);
    }

    private static TcpSnapshot probe(FileDescriptor fd, int what) {
        return fd == null ? null : probe(fd, -1, what);
    }

    /** Asks about {@code fd}, or about the descriptor numbered {@code fdNumber} when {@code fd} is null. */
    private static TcpSnapshot probe(FileDescriptor fd, int fdNumber, int what) {
        if (!NativeLibrary.isLoaded()) {
            return null;
        }
        long[] values = new long[OUT_LENGTH];
        byte[] addresses = (what & (READ_LOCAL_ADDRESS | READ_REMOTE_ADDRESS)) != 0
                ? new byte[2 * TcpSnapshot.ADDRESS_BYTES] : null;
        int error = fd != null ? probe0(fd, what, values, addresses) : probeFd0(fdNumber, what, values, addresses);
        if (error == ENOPROTOOPT) {
            return NOT_TCP;
        }
        if (error != 0) {
            return null;
        }
        boolean sendQueueRead = (what & READ_SEND_QUEUE_AND_LINGER) != 0;
        return new TcpSnapshot((int) values[OUT_STATE], (int) values[OUT_RECV_QUEUE],
                sendQueueRead ? (int) values[OUT_SEND_QUEUE] : -1,
                values[OUT_LINGER_ON] != 0 && values[OUT_LINGER_SECONDS] == 0,
                values[OUT_BYTES_SENT], values[OUT_NOT_SENT], values[OUT_BYTES_RECEIVED], values[OUT_SINCE_DATA_IN],
                values[OUT_SINCE_DATA_OUT], addresses);
    }

    private static native int probe0(FileDescriptor fd, int what, long[] values, byte[] addresses);

    private static native int probeFd0(int fd, int what, long[] values, byte[] addresses);




}
